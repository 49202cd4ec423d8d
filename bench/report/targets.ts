import type { BenchResults } from './results';

export interface TargetCheck {
  id: string;
  description: string;
  measured: number;
  limit: number;
  unit: string;
  comparison: '<=' | '>=';
  pass: boolean;
}

function check(
  id: string,
  description: string,
  measured: number,
  comparison: '<=' | '>=',
  limit: number,
  unit: string,
): TargetCheck {
  const pass = Number.isFinite(measured) && (comparison === '<=' ? measured <= limit : measured >= limit);
  return { id, description, measured, limit, unit, comparison, pass };
}

/** The targets, each judged on the gateway's numbers (the baseline is the yardstick, not the subject). */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const { latencyC1, latencyConcurrent, burst, streaming, memory } = results.measures;
  // 256 × 500 ms in ≤ 600 ms: the upstream delay plus 20 % (the smoke plan uses a shorter delay)
  const burstLimit = burst.upstreamDelayMs * 1.2;
  return [
    check(
      'added-p50-c1',
      'added latency p50 at concurrency 1',
      latencyC1.addedMs.gateway.p50,
      '<=',
      0.5,
      'ms',
    ),
    check('added-p99-c1', 'added latency p99 at concurrency 1', latencyC1.addedMs.gateway.p99, '<=', 2, 'ms'),
    check(
      'throughput-ratio',
      `throughput at concurrency ${latencyConcurrent.concurrency} vs baseline`,
      latencyConcurrent.throughputRatio,
      '>=',
      0.9,
      '×',
    ),
    check(
      'burst-wall',
      `${burst.calls} calls × ${burst.upstreamDelayMs} ms upstream, wall time`,
      burst.wallMs.gateway,
      '<=',
      burstLimit,
      'ms',
    ),
    check(
      'first-progress',
      'added time to the first progress notification',
      streaming.firstProgress.addedMs.gateway,
      '<=',
      5,
      'ms',
    ),
    check(
      'churn-rss-growth',
      'RSS growth after the session churn',
      memory.gateway.churnGrowthPercent,
      '<=',
      20,
      '%',
    ),
    check(
      'sessions-evicted',
      'sessions left open after churn + idle TTL',
      memory.gateway.openSessionsAfterChurn,
      '<=',
      0,
      '',
    ),
  ];
}
