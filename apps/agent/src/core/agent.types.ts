import type { FormalizeTaskOutput, ReviewCodeOutput, RunTestsOutput, ToolCall } from '@app/contracts';
import type { TestsSource } from '@app/prompts';

/** Limits and tuning of the loop; built from `agentConfig` plus internal defaults. */
export interface AgentSettings {
  gatewayUrl: string;
  /** sent as `Authorization: Bearer …` to the gateway when it enforces API keys */
  gatewayApiKey?: string;
  maxSteps: number;
  maxWallTimeMs: number;
  maxTokens: number;
  /** unusable planner replies answered with the error before the run gives up */
  maxFormatRetries: number;
  /** identical (action, observation) pairs in a row that count as stuck */
  stuckThreshold: number;
  /** steps kept verbatim in the planner context; older observations are shortened */
  keepRecentSteps: number;
  /** planner completion budget per call */
  plannerMaxTokens: number;
  plannerTemperature: number;
  /** runs this process executes at once; more wait in the queue */
  maxConcurrentRuns: number;
}

export const DEFAULT_AGENT_TUNING = {
  maxFormatRetries: 3,
  stuckThreshold: 3,
  keepRecentSteps: 4,
  plannerMaxTokens: 768,
  plannerTemperature: 0.2,
  maxConcurrentRuns: 16,
} as const;

export type PlannerMode = 'native' | 'text';

/** A tool call the planner asked for, with arguments already parsed from JSON. */
export interface PlannedAction {
  tool: string;
  arguments: Record<string, unknown>;
  /** the call id echoed in `role: "tool"` messages (native mode) */
  callId?: string;
}

/** What one planner reply meant. */
export type PlannerDecision =
  | { kind: 'call'; action: PlannedAction }
  | { kind: 'final'; answer: string }
  | { kind: 'invalid'; problem: string; action?: PlannedAction };

export interface StepTokens {
  prompt: number;
  completion: number;
  total: number;
  /** true when the backend reported no usage and the numbers are a chars/4 estimate */
  estimated: boolean;
}

/** `cancelled`: the step in flight when the run was cancelled or ran out of time, kept as far as it got */
export type StepKind = 'tool_call' | 'final_answer' | 'invalid_action' | 'tool_error' | 'cancelled';

/** One turn of the loop, exactly as recorded: what the model said, what it meant, what came back. */
export interface StepRecord {
  index: number;
  kind: StepKind;
  startedAt: string;
  /** the planner's raw text and native tool calls */
  modelOutput: { text: string; toolCalls: ToolCall[] };
  action?: PlannedAction;
  /** the tool's structured result (or text when it had none) */
  observation?: unknown;
  error?: string;
  /** exactly what was sent back to the planner for this step */
  feedback: string;
  timings: { modelMs: number; toolMs: number; totalMs: number };
  tokens: StepTokens;
}

/** `queued`: accepted and kept, waiting for a worker (also a run checkpointed at shutdown, to be resumed). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export type RunOutcome =
  | 'final_answer'
  | 'max_steps'
  | 'max_tokens'
  | 'max_wall_time'
  | 'stuck'
  | 'invalid_actions'
  | 'planner_error'
  | 'gateway_error'
  | 'cancelled'
  /** the planner finished without ever calling a tool */
  | 'no_tool_calls'
  /** the planner finished but no code was produced */
  | 'no_code'
  /** the code returned fails the user's tests or the task's examples */
  | 'tests_failed'
  /** generated code kept failing tests the code model wrote itself: stopped rather than looping */
  | 'self_tests_failing';

/** The tests of a run: the user's, the task's examples as asserts, or written by the code model. */
export interface RunTests {
  source: TestsSource;
  code: string;
}

/** Whether the code a run returns passes its tests (generate_code's verification, or a run_tests call). */
export interface RunVerification {
  status: 'passed' | 'failed' | 'not_run';
  /** how many times code was generated for it (generate_code's rounds; 0 for a plain run_tests call) */
  rounds: number;
  tests_source?: TestsSource;
  last_run?: RunTestsOutput;
  /** why not run, or a warning (self-written tests may be wrong) */
  note?: string;
}

export interface GeneratedCode {
  language: string;
  code: string;
  explanation?: string;
  /** which tool produced it: generate_code, or review_code's corrected version */
  source: string;
  step: number;
  verification?: RunVerification;
}

/** The best result so far: what a graceful exit keeps. */
export interface RunResult {
  outcome: RunOutcome;
  answer: string;
  spec?: FormalizeTaskOutput;
  code?: GeneratedCode;
  review?: ReviewCodeOutput;
  tests?: RunTests;
  /** the verification of `code` (also on `code.verification`), kept at the top for readers of the record */
  verification?: RunVerification;
}

export interface RunRequest {
  task: string;
  language?: string;
  maxSteps?: number;
}

export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The public view of a run (`GET /v1/runs/{id}`). */
export interface RunView {
  id: string;
  status: RunStatus;
  task: string;
  language?: string;
  plannerMode?: PlannerMode;
  tools: string[];
  createdAt: string;
  finishedAt?: string;
  durationMs?: number;
  usage: RunUsage;
  steps: StepRecord[];
  result?: RunResult;
  error?: { code: string; message: string };
}
