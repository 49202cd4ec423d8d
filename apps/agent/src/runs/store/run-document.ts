import type {
  PlannerMode,
  RunRequest,
  RunResult,
  RunStatus,
  RunUsage,
  RunView,
  StepRecord,
} from '../../core/agent.types';

export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * The serialisable state of one run, as every store keeps it (steps are kept beside it, one row or list
 * entry each). `result` is stored as a JSON document, so fields added to results later (verification, …)
 * are kept without a schema change.
 */
export interface RunDocument {
  id: string;
  status: RunStatus;
  request: RunRequest;
  plannerMode?: PlannerMode;
  tools: string[];
  createdAt: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** the process that executed (or is executing) the run: `host:pid` */
  worker?: string;
  /** times a worker took the run; also the fencing token of the worker that holds it */
  attempts: number;
  /** times the process holding the run died mid-run (it is resumed up to a limit, then failed) */
  crashes?: number;
  usage: RunUsage;
  stepCount: number;
  result?: RunResult;
  error?: { code: string; message: string };
  /** set by DELETE on any replica; the worker that holds the run aborts it */
  cancelRequested?: boolean;
}

export function newRunDocument(id: string, request: RunRequest, now = new Date()): RunDocument {
  const at = now.toISOString();
  return {
    id,
    status: 'queued',
    request,
    tools: [],
    createdAt: at,
    queuedAt: at,
    attempts: 0,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    stepCount: 0,
  };
}

/** `GET /v1/runs/{id}`: the long-standing view plus where and when the run was executed. */
export type RunResource = RunView & {
  worker?: string;
  attempts: number;
  queued_at: string;
  started_at?: string;
  finished_at?: string;
};

/** A run in `GET /v1/runs`: the resource without its steps. */
export type RunSummary = Omit<RunResource, 'steps'> & { stepCount: number };

export function toRunSummary(doc: RunDocument): RunSummary {
  const { id, status, request, plannerMode, tools, createdAt, finishedAt, usage, result, error } = doc;
  const durationMs = finishedAt ? Date.parse(finishedAt) - Date.parse(createdAt) : undefined;
  return {
    id,
    status,
    task: request.task,
    language: request.language,
    plannerMode,
    tools,
    createdAt,
    finishedAt,
    durationMs,
    usage,
    result,
    error,
    worker: doc.worker,
    attempts: doc.attempts,
    queued_at: doc.queuedAt,
    started_at: doc.startedAt,
    finished_at: finishedAt,
    stepCount: doc.stepCount,
  };
}

export function toRunResource(doc: RunDocument, steps: StepRecord[]): RunResource {
  const { stepCount: _stepCount, ...summary } = toRunSummary(doc);
  return { ...summary, steps };
}

/** Paging of `GET /v1/runs`: newest first; `cursor` is the opaque `next_cursor` of the previous page. */
export interface RunListQuery {
  status?: RunStatus;
  limit: number;
  cursor?: string;
}

export interface RunPage {
  runs: RunDocument[];
  nextCursor?: string;
}
