import type { ChatMessage, GenerationResult, ModelClient } from '@app/inference';
import { FINAL_ANSWER_TOOL, renderFormatError, renderObservation, renderToolError } from '@app/prompts';
import { ActionValidator } from '../planner/action-validator';
import { buildConversation } from '../planner/conversation';
import type { PlannerStrategy } from '../planner/planner-strategy';
import type { RunActivity, RunRecord } from '../runs/run-record';
import type { ToolSession } from '../tools/tool-gateway';
import { resolveArgumentReferences } from './argument-references';
import type {
  AgentSettings,
  PlannedAction,
  PlannerDecision,
  RunOutcome,
  StepKind,
  StepRecord,
  StepTokens,
} from './agent.types';
import { BestResultTracker } from './best-result';
import { ContextTrimmer, estimatePlannerTokens } from './context-trimmer';
import { InFlightStep } from './in-flight-step';
import type { RunBudget } from './run-budget';
import { StuckDetector } from './stuck-detector';
import { TestPlan } from './test-plan';

/** generate_code answers that still fail self-written tests before the run stops instead of looping. */
const MAX_SELF_TEST_FAILURES = 2;

/** What acting on one decision produced. */
interface ActOutcome {
  kind: StepKind;
  action?: PlannedAction;
  observation?: unknown;
  error?: string;
  feedback: string;
  toolMs: number;
  answer?: string;
}

export interface RunLoopDeps {
  record: RunRecord;
  planner: ModelClient;
  session: ToolSession;
  strategy: PlannerStrategy;
  budget: RunBudget;
  settings: AgentSettings;
  signal: AbortSignal;
  best: BestResultTracker;
}

/** Why the loop stopped, and the planner's answer when it finished on its own. */
export interface LoopExit {
  outcome: RunOutcome;
  answer?: string;
}

const OBSERVATION_CHARS = 6000;
/** Planners that do not report their window (local-models, OpenAI-compatible servers that say nothing). */
export const DEFAULT_PLANNER_CONTEXT_TOKENS = 8192;

function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** A reply cut at the token limit fails to parse; saying so is more useful to the model than the JSON error. */
function withTruncationHint(decision: PlannerDecision, result: GenerationResult): PlannerDecision {
  if (decision.kind !== 'invalid' || result.finishReason !== 'length') return decision;
  const hint =
    'your reply was cut off at the token limit: keep it short and pass earlier results as "$last_spec" / "$last_code"';
  return { ...decision, problem: `${decision.problem} (${hint})` };
}

/** The planner ⇄ tools loop of one run. Small on purpose: every policy lives in its own class. */
export class RunLoop {
  private readonly validator: ActionValidator;
  private readonly trimmer: ContextTrimmer;
  private readonly stuck: StuckDetector;
  private consecutiveFailures = 0;
  private selfTestFailures = 0;
  private readonly tests: TestPlan;
  /** the planner's context window: the real one when it tells, else DEFAULT_PLANNER_CONTEXT_TOKENS */
  private contextTokens = DEFAULT_PLANNER_CONTEXT_TOKENS;
  private inFlight?: InFlightStep;
  /** what the planner just said, for the `calling` activity report */
  private currentCall?: Omit<Extract<RunActivity, { phase: 'calling' }>, 'phase' | 'action'>;

  constructor(private readonly deps: RunLoopDeps) {
    this.validator = new ActionValidator(deps.session.tools);
    this.trimmer = new ContextTrimmer(deps.settings.keepRecentSteps);
    this.stuck = new StuckDetector(deps.settings.stuckThreshold);
    this.tests = new TestPlan(deps.record.request.task, deps.session, deps.best);
  }

  async run(): Promise<LoopExit> {
    this.contextTokens = await this.plannerWindow();
    for (;;) {
      // A planner or tool fake may ignore the signal; never take another step after a cancel.
      if (this.deps.signal.aborted) throw this.deps.signal.reason;
      const exhausted = this.deps.budget.exhausted();
      if (exhausted) return { outcome: exhausted };
      const { step, answer } = await this.nextStepKeepingCancelled();
      this.deps.record.addStep(step);
      this.deps.budget.recordStep(step.tokens);
      if (step.kind === 'final_answer') return { outcome: 'final_answer', answer };
      const exit = this.exitAfter();
      if (exit) return { outcome: exit };
    }
  }

  private exitAfter(): RunOutcome | undefined {
    if (this.consecutiveFailures > this.deps.settings.maxFormatRetries) return 'invalid_actions';
    if (this.stuck.isStuck(this.deps.record.recordedSteps)) return 'stuck';
    if (this.selfTestFailures >= MAX_SELF_TEST_FAILURES) return 'self_tests_failing';
    return undefined;
  }

  /**
   * A cancel (or the wall-time budget) aborting the step keeps what it did as a `cancelled` step. A process
   * shutdown does not: the run is checkpointed and that step is redone when it resumes.
   */
  private async nextStepKeepingCancelled(): Promise<{ step: StepRecord; answer?: string }> {
    try {
      return await this.nextStep();
    } catch (error) {
      const { signal, record } = this.deps;
      if (signal.aborted && !record.interrupted && this.inFlight) {
        const reason = this.deps.budget.deadlineSignal.aborted ? 'time budget exhausted' : 'cancelled';
        record.addStep(this.inFlight.toCancelledStep(reason));
      }
      throw error;
    }
  }

  private async nextStep(): Promise<{ step: StepRecord; answer?: string }> {
    const startedAt = new Date();
    const index = this.deps.record.recordedSteps.length + 1;
    const messages = this.conversation();
    this.inFlight = new InFlightStep(index);
    this.deps.record.reportActivity({ phase: 'planning', index });
    const modelStart = performance.now();
    const result = await this.askPlanner(messages, index);
    const modelMs = performance.now() - modelStart;
    this.inFlight.answered({ text: result.text, toolCalls: result.toolCalls }, Math.round(modelMs));
    this.currentCall = {
      index,
      modelOutput: { text: result.text, toolCalls: result.toolCalls },
      modelMs: Math.round(modelMs),
    };
    const outcome = await this.act(withTruncationHint(this.deps.strategy.interpret(result), result));
    const promptChars = messages.reduce((sum, m) => sum + m.content.length, 0);
    const timings = {
      modelMs: Math.round(modelMs),
      toolMs: Math.round(outcome.toolMs),
      totalMs: Date.now() - startedAt.getTime(),
    };
    return {
      step: this.stepRecord(startedAt, result, outcome, timings, promptChars),
      answer: outcome.answer,
    };
  }

  private askPlanner(messages: ChatMessage[], index: number): Promise<GenerationResult> {
    const { planner, strategy, settings, signal, record } = this.deps;
    return planner.generate({
      messages,
      ...strategy.requestOptions(),
      maxTokens: settings.plannerMaxTokens,
      temperature: settings.plannerTemperature,
      signal,
      // Streams where the backend can, so a long planner call shows progress (SSE `progress` events).
      onToken: (text) => {
        this.inFlight?.token(text);
        record.reportActivity({ phase: 'tokens', index, text });
      },
    });
  }

  private stepRecord(
    startedAt: Date,
    result: GenerationResult,
    outcome: ActOutcome,
    timings: StepRecord['timings'],
    promptChars: number,
  ): StepRecord {
    const { kind, action, observation, error, feedback } = outcome;
    return {
      index: this.deps.record.recordedSteps.length + 1,
      kind,
      startedAt: startedAt.toISOString(),
      modelOutput: { text: result.text, toolCalls: result.toolCalls },
      action,
      observation,
      error,
      feedback,
      timings,
      tokens: this.tokensOf(result, promptChars),
    };
  }

  /** A planner that cannot tell its window (or fails to) gets the default; the run must not fail on it. */
  private async plannerWindow(): Promise<number> {
    const told = await this.deps.planner.contextWindow?.(this.deps.signal).catch(() => undefined);
    return told ?? DEFAULT_PLANNER_CONTEXT_TOKENS;
  }

  /** The opening turn, then the steps that fit what the window leaves after it and the answer budget. */
  private conversation(): ChatMessage[] {
    const { strategy, record, settings } = this.deps;
    const opening = strategy.opening(record.request.task, record.request.language);
    const available = this.contextTokens - settings.plannerMaxTokens - estimatePlannerTokens(opening.content);
    return buildConversation(opening, this.trimmer.trim(record.recordedSteps, available));
  }

  private tokensOf(result: GenerationResult, promptChars: number): StepTokens {
    if (result.usage) {
      const { promptTokens, completionTokens, totalTokens } = result.usage;
      return { prompt: promptTokens, completion: completionTokens, total: totalTokens, estimated: false };
    }
    const prompt = estimateTokens(promptChars);
    const completion = estimateTokens(result.text.length + JSON.stringify(result.toolCalls).length);
    return { prompt, completion, total: prompt + completion, estimated: true };
  }

  private async act(decision: PlannerDecision): Promise<ActOutcome> {
    if (decision.kind === 'final') {
      this.consecutiveFailures = 0;
      const action = { tool: FINAL_ANSWER_TOOL, arguments: { answer: decision.answer } };
      return { kind: 'final_answer', action, feedback: '', toolMs: 0, answer: decision.answer };
    }
    if (decision.kind === 'invalid') return this.rejected(decision.problem, decision.action);
    return this.callTool(decision.action);
  }

  private rejected(problem: string, action?: PlannedAction): ActOutcome {
    this.consecutiveFailures += 1;
    const feedback = renderFormatError(problem, this.deps.strategy.mode === 'text');
    return { kind: 'invalid_action', action, error: problem, feedback, toolMs: 0 };
  }

  private async callTool(action: PlannedAction): Promise<ActOutcome> {
    const resolved = resolveArgumentReferences(action.arguments, this.deps.best);
    if (!resolved.ok) return this.rejected(resolved.problem, action);
    const validation = this.validator.validate({ ...action, arguments: resolved.value });
    if (!validation.ok) return this.rejected(validation.problem, action);
    this.consecutiveFailures = 0;
    if (this.currentCall) this.deps.record.reportActivity({ phase: 'calling', action, ...this.currentCall });
    this.inFlight?.calling(action);
    const start = performance.now();
    // preparing the tests (maybe a code-model call) is part of this generate_code call, cancel included
    if (action.tool === 'generate_code') await this.addTests(resolved.value);
    const observation = await this.deps.session.call(action.tool, resolved.value, {
      signal: this.deps.signal,
      timeoutMs: this.deps.budget.remainingMs(),
    });
    const toolMs = performance.now() - start;
    if (!observation.ok) {
      const feedback = renderToolError(action.tool, observation.error);
      return { kind: 'tool_error', action, error: observation.error, feedback, toolMs };
    }
    const output = observation.structured ?? observation.text;
    this.deps.best.record(action.tool, output, this.deps.record.recordedSteps.length + 1, resolved.value);
    if (action.tool === 'generate_code') this.countSelfTestFailure();
    return {
      kind: 'tool_call',
      action,
      observation: output,
      feedback: this.observationFeedback(action.tool, output),
      toolMs,
    };
  }

  /** Every generate_code call is verified: the run's tests are added unless the planner passed its own. */
  private async addTests(args: Record<string, unknown>): Promise<void> {
    if (args.tests !== undefined) return;
    const { record, best, signal, budget } = this.deps;
    const language = [args.language, record.request.language, best.latestSpec?.language].find(
      (value): value is string => typeof value === 'string',
    );
    const tests = await this.tests.ensure(language ?? 'python', { signal, timeoutMs: budget.remainingMs() });
    if (!tests) return;
    args.tests = tests.code;
    args.language ??= language ?? 'python'; // the tests are in this language: the code must be too
  }

  private countSelfTestFailure(): void {
    const verification = this.deps.best.latestCode?.verification;
    if (verification?.status === 'failed' && verification.tests_source === 'generated')
      this.selfTestFailures += 1;
  }

  private observationFeedback(tool: string, output: unknown): string {
    const body = typeof output === 'string' ? output : JSON.stringify(output, null, 2);
    const shown = body.length > OBSERVATION_CHARS ? `${body.slice(0, OBSERVATION_CHARS)}… [truncated]` : body;
    return renderObservation(tool, shown);
  }
}
