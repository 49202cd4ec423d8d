/** Latency samples in milliseconds and the few statistics the report quotes. */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (q in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The median, field by field, of summaries of repeated rounds (the machine is noisy: one round proves little). */
export function medianSummary(rounds: readonly LatencySummary[]): LatencySummary {
  const field = (key: keyof LatencySummary) => median(rounds.map((round) => round[key]));
  return {
    count: rounds.reduce((sum, round) => sum + round.count, 0),
    p50: field('p50'),
    p90: field('p90'),
    p99: field('p99'),
    max: field('max'),
    mean: field('mean'),
  };
}

/** Milliseconds since a `process.hrtime.bigint()` mark. */
export function elapsedMs(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e6;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
