import type { StepRecord } from './agent.types';
import type { BestResultTracker } from './best-result';
import type { RunBudget } from './run-budget';

/**
 * A run resumed after its process stopped starts from its stored steps: they count against the budget,
 * and their tool results are again the best result so far (and `$last_spec` / `$last_code`).
 */
export function primeFromSteps(
  steps: readonly StepRecord[],
  budget: RunBudget,
  best: BestResultTracker,
): void {
  for (const step of steps) {
    budget.recordStep(step.tokens);
    if (step.kind === 'tool_call' && step.action)
      best.record(step.action.tool, step.observation, step.index, step.action.arguments);
  }
}
