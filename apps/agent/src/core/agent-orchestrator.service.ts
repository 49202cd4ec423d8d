import { Inject, Injectable, Logger } from '@nestjs/common';
import { PLANNER_MODEL, type ModelClient } from '@app/inference';
import { createPlannerStrategy } from '../planner/planner-strategy';
import type { RunRecord } from '../runs/run-record';
import type { ToolGateway, ToolSession } from '../tools/tool-gateway';
import { AgentError, describeError } from './agent.errors';
import { AGENT_SETTINGS, TOOL_GATEWAY } from './agent.tokens';
import type { AgentSettings, RunOutcome } from './agent.types';
import { BestResultTracker } from './best-result';
import { RunBudget } from './run-budget';
import { RunLoop, type LoopExit } from './run-loop';
import { primeFromSteps } from './run-resume';

const EXIT_MESSAGES: Record<Exclude<RunOutcome, 'final_answer'>, string> = {
  max_steps: 'The step budget ran out before the planner finished.',
  max_tokens: 'The token budget ran out before the planner finished.',
  max_wall_time: 'The time budget ran out before the planner finished.',
  stuck: 'The planner repeated the same action with the same result; stopped as stuck.',
  invalid_actions: 'The planner kept answering in an unusable format; stopped after the retry budget.',
  planner_error: 'The planner model failed.',
  gateway_error: 'The tool gateway could not be reached.',
  cancelled: 'The run was cancelled.',
  no_tool_calls: 'The planner answered without calling any tool, so nothing was produced or checked.',
  no_code: 'The planner finished without producing code.',
  tests_failed: 'The code does not pass its tests (the latest run is in result.verification).',
  self_tests_failing:
    'The generated code kept failing tests the code model wrote itself; stopped instead of looping — the tests may be wrong (see result.verification).',
};

/**
 * Runs the agent: connects to the tool gateway (MCP `tools/list`), picks native or text tool calling from
 * the planner's capabilities, and drives the loop until a final answer or a budget runs out. Never throws:
 * every way a run ends is recorded on the run with the best result so far.
 */
@Injectable()
export class AgentOrchestrator {
  private readonly logger = new Logger(AgentOrchestrator.name);

  constructor(
    @Inject(PLANNER_MODEL) private readonly planner: ModelClient,
    @Inject(TOOL_GATEWAY) private readonly gateway: ToolGateway,
    @Inject(AGENT_SETTINGS) private readonly settings: AgentSettings,
  ) {}

  async execute(record: RunRecord): Promise<void> {
    const budget = new RunBudget({
      maxSteps: Math.min(record.request.maxSteps ?? this.settings.maxSteps, this.settings.maxSteps),
      maxTokens: this.settings.maxTokens,
      maxWallTimeMs: this.settings.maxWallTimeMs,
    });
    const signal = AbortSignal.any([record.signal, budget.deadlineSignal]);
    const best = new BestResultTracker();
    primeFromSteps(record.recordedSteps, budget, best);
    try {
      const exit = await this.runWithSession(record, budget, signal, best);
      this.finish(record, best, exit);
    } catch (error) {
      this.finish(record, best, this.classifyFailure(error, record, budget), describeError(error));
    } finally {
      budget.dispose();
    }
  }

  private async runWithSession(
    record: RunRecord,
    budget: RunBudget,
    signal: AbortSignal,
    best: BestResultTracker,
  ): Promise<LoopExit> {
    const session = await this.connect(signal);
    try {
      const strategy = createPlannerStrategy(this.planner.capabilities, session.tools);
      record.describeSetup(
        strategy.mode,
        session.tools.map((t) => t.name),
      );
      const loop = new RunLoop({
        record,
        planner: this.planner,
        session,
        strategy,
        budget,
        settings: this.settings,
        signal,
        best,
      });
      return await loop.run();
    } finally {
      await session.close();
    }
  }

  /** A gateway that cannot be reached is UPSTREAM_ERROR (→ gateway_error); an abort stays an abort. */
  private async connect(signal: AbortSignal): Promise<ToolSession> {
    try {
      return await this.gateway.connect(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new AgentError('UPSTREAM_ERROR', `tool gateway unavailable: ${describeError(error)}`, undefined, {
        cause: error,
      });
    }
  }

  private classifyFailure(error: unknown, record: RunRecord, budget: RunBudget): LoopExit {
    if (record.signal.aborted) return { outcome: 'cancelled' };
    if (budget.deadlineSignal.aborted) return { outcome: 'max_wall_time' };
    if (error instanceof AgentError && error.code === 'UPSTREAM_ERROR') return { outcome: 'gateway_error' };
    return { outcome: 'planner_error' };
  }

  /**
   * A final answer counts as success only with work behind it: at least one tool call, code, and that
   * code not failing the user's tests or the task's examples (self-written tests alone never fail it).
   */
  private judgeFinalAnswer(record: RunRecord, best: BestResultTracker, exit: LoopExit): LoopExit {
    if (exit.outcome !== 'final_answer') return exit;
    if (!record.recordedSteps.some((step) => step.kind === 'tool_call')) return { outcome: 'no_tool_calls' };
    const result = best.result('final_answer', '');
    if (!result.code) return { outcome: 'no_code' };
    const verification = result.verification;
    if (verification?.status === 'failed' && verification.tests_source !== 'generated')
      return { outcome: 'tests_failed' };
    return exit;
  }

  private finish(record: RunRecord, best: BestResultTracker, loopExit: LoopExit, detail?: string): void {
    const exit = this.judgeFinalAnswer(record, best, loopExit);
    if (exit.outcome === 'final_answer') {
      record.finish('succeeded', best.result('final_answer', exit.answer ?? ''));
      return;
    }
    const reason = detail ? `${EXIT_MESSAGES[exit.outcome]} (${detail})` : EXIT_MESSAGES[exit.outcome];
    const result = best.result(exit.outcome, best.describe(reason));
    const status = exit.outcome === 'cancelled' ? 'cancelled' : 'failed';
    this.logger.log(`run ${record.id} ended: ${exit.outcome}`);
    record.finish(status, result, { code: exit.outcome.toUpperCase(), message: reason });
  }
}
