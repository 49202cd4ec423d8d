import type { EvalProblem } from '../datasets/problem';
import { taskFor, type CodeSource, type Generation } from './code-source';

/** The fields of `GET /v1/runs/{id}` the harness reads. */
interface RunView {
  status?: string;
  usage?: { promptTokens?: number; completionTokens?: number; totalTokens?: number };
  steps?: unknown[];
  result?: { outcome?: string; code?: { code?: string } };
  error?: { message?: string };
}

export interface AgentSourceOptions {
  /** the agent service, e.g. http://127.0.0.1:3001 */
  baseUrl: string;
  apiKey?: string;
  pollIntervalMs?: number;
  fetch?: typeof fetch;
}

/** A run is still going while it waits for a worker (durable queue) or runs. */
const UNFINISHED = new Set(['queued', 'running']);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** `agent`: one full agent run per problem through the agent's public runs API (POST, poll, DELETE on abort). */
export class AgentCodeSource implements CodeSource {
  readonly mode = 'agent' as const;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AgentSourceOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async generate(problem: EvalProblem, signal: AbortSignal): Promise<Generation> {
    const start = performance.now();
    const latency = () => Math.round(performance.now() - start);
    try {
      const id = await this.startRun(problem, signal);
      const view = await this.waitForEnd(id, signal);
      return this.toGeneration(view, latency());
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, status: 'model_error', detail: (error as Error).message, latencyMs: latency() };
    }
  }

  /** 429 means the agent's concurrent-run limit is full: wait for a slot rather than fail the task. */
  private async startRun(problem: EvalProblem, signal: AbortSignal): Promise<string> {
    const body = JSON.stringify({ task: taskFor(problem), language: problem.language });
    for (;;) {
      const response = await this.request('/v1/runs', { method: 'POST', body, signal });
      if (response.status === 429) {
        await sleep(500, signal);
        signal.throwIfAborted();
        continue;
      }
      const created = (await response.json()) as { id?: string; error?: { message?: string } };
      if (response.status !== 202 || !created.id)
        throw new Error(`agent refused the run (${response.status}): ${created.error?.message ?? 'no id'}`);
      return created.id;
    }
  }

  private async waitForEnd(id: string, signal: AbortSignal): Promise<RunView> {
    const onAbort = () => void this.request(`/v1/runs/${id}`, { method: 'DELETE' }).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const response = await this.request(`/v1/runs/${id}`, { signal });
        const view = (await response.json()) as RunView;
        if (!UNFINISHED.has(view.status ?? '')) return view;
        await sleep(this.options.pollIntervalMs ?? 200, signal);
        signal.throwIfAborted();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private toGeneration(view: RunView, latencyMs: number): Generation {
    const tokens =
      view.usage?.totalTokens === undefined
        ? undefined
        : {
            prompt: view.usage.promptTokens,
            completion: view.usage.completionTokens,
            total: view.usage.totalTokens,
            estimated: false,
          };
    const outcome = view.result?.outcome ?? view.status ?? 'unknown';
    const code = view.result?.code?.code ?? '';
    const rounds = view.steps?.length;
    if (code.trim() !== '') return { ok: true, code, latencyMs, tokens, verification: outcome, rounds };
    if (view.status === 'succeeded' || outcome === 'final_answer')
      return {
        ok: false,
        status: 'no_code',
        detail: `the agent ended (${outcome}) without code`,
        latencyMs,
        tokens,
      };
    const detail = `agent run ${view.status ?? 'ended'} (${outcome})${view.error?.message ? `: ${view.error.message}` : ''}`;
    return { ok: false, status: 'model_error', detail, latencyMs, tokens };
  }

  private request(path: string, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return this.fetch(new URL(path, this.options.baseUrl), { ...init, headers });
  }
}
