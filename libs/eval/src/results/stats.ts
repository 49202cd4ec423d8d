import type { TaskResult } from '../run/task-result';

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  max: number;
  mean: number;
  sum: number;
}

export function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const sum = sorted.reduce((total, v) => total + v, 0);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: at(1), mean: sum / sorted.length, sum };
}

export interface RunStats {
  generationMs?: Distribution;
  executionMs?: Distribution;
  durationMs?: Distribution;
  tokens?: Distribution;
  tokensEstimated: boolean;
}

export function runStats(tasks: readonly TaskResult[]): RunStats {
  const numbers = (pick: (t: TaskResult) => number | undefined) =>
    tasks.map(pick).filter((v): v is number => v !== undefined);
  return {
    generationMs: distribution(numbers((t) => t.generation_ms)),
    executionMs: distribution(numbers((t) => t.execution_ms)),
    durationMs: distribution(numbers((t) => t.duration_ms)),
    tokens: distribution(numbers((t) => t.tokens?.total)),
    tokensEstimated: tasks.some((t) => t.tokens?.estimated === true),
  };
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}
