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

function fingerprint(step: StepRecord): string | undefined {
  if (!step.action) return undefined;
  return `${step.action.tool}|${stableStringify(step.action.arguments)}|${step.feedback}`;
}

/**
 * OpenHands-style loop detection: the same action with the same observation `threshold` times in a row
 * means the planner is going round in circles and another step will not help.
 */
export class StuckDetector {
  constructor(private readonly threshold: number) {}

  isStuck(steps: readonly StepRecord[]): boolean {
    if (steps.length < this.threshold) return false;
    const recent = steps.slice(-this.threshold).map(fingerprint);
    const first = recent[0];
    return first !== undefined && recent.every((key) => key === first);
  }
}
