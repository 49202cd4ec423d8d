import type { StepRecord } from './agent.types';

/** Key order must not make two identical calls look different. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function actionKey(step: StepRecord): string | undefined {
  return step.action ? `${step.action.tool}|${stableStringify(step.action.arguments)}` : undefined;
}

function allEqual(keys: Array<string | undefined>): boolean {
  const first = keys[0];
  return first !== undefined && keys.every((key) => key === first);
}

/**
 * OpenHands-style loop detection. Stuck when the last `threshold` steps made the same call and got the same
 * observation, or when the last `threshold + 1` steps made the same call whatever came back (a sampling
 * model can word the same useless result differently each time).
 */
export class StuckDetector {
  constructor(private readonly threshold: number) {}

  isStuck(steps: readonly StepRecord[]): boolean {
    return this.repeatsWithSameObservation(steps) || this.repeatsAction(steps);
  }

  private repeatsWithSameObservation(steps: readonly StepRecord[]): boolean {
    if (steps.length < this.threshold) return false;
    const recent = steps.slice(-this.threshold);
    return allEqual(
      recent.map((s) => (actionKey(s) === undefined ? undefined : `${actionKey(s)}|${s.feedback}`)),
    );
  }

  private repeatsAction(steps: readonly StepRecord[]): boolean {
    if (steps.length < this.threshold + 1) return false;
    return allEqual(steps.slice(-(this.threshold + 1)).map(actionKey));
  }
}
