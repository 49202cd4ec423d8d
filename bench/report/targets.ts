import { sandboxTargets } from '../measures/sandbox';
import type { BenchResults } from './results';
import { check, type TargetCheck } from './target-check';

export type { TargetCheck } from './target-check';

type Measures = BenchResults['measures'];

/** Latency and throughput targets, judged on one client's measures (SDK client, or the lean one). */
function clientTargets(
  c1: Measures['latencyC1'],
  concurrent: Measures['latencyC1'],
  client: string,
): TargetCheck[] {
  const suffix = client === 'sdk' ? '' : ` (${client} client)`;
  const id = client === 'sdk' ? '' : `-${client}`;
  const { p50, p99 } = c1.addedMs.gateway;
  const c = concurrent.concurrency;
  return [
    check(`added-p50-c1${id}`, `added latency p50 at concurrency 1${suffix}`, p50, '<=', 0.5, 'ms'),
    check(`added-p99-c1${id}`, `added latency p99 at concurrency 1${suffix}`, p99, '<=', 2, 'ms'),
    check(
      `throughput-ratio${id}`,
      `throughput at concurrency ${c} vs baseline${suffix}`,
      concurrent.throughputRatio,
      '>=',
      0.9,
      '×',
    ),
  ];
}

/**
 * MCP 2026-07-28 (issue 12): the stateless path's server CPU per call within 5 % of a bare SDK v2 server's
 * (at the concurrency where the server is the bottleneck), and its added p50 at c=1 — gateway minus direct,
 * as the other latency targets — at most 0.3 ms.
 */
export function modernTargets(modern: Measures['modern']): TargetCheck[] {
  const c = modern.concurrent.concurrency;
  return [
    check(
      'modern-cpu-ratio',
      `2026-07-28 server CPU/call vs bare SDK v2 (c=${c})`,
      modern.concurrent.cpuRatioVsSdkV2,
      '<=',
      1.05,
      '×',
    ),
    check(
      'modern-added-p50-c1',
      '2026-07-28 added latency p50 at c=1 (lean client)',
      modern.sequential.addedP50Ms['gateway-2026'],
      '<=',
      0.3,
      'ms',
    ),
  ];
}

/**
 * The targets, each judged on the gateway's numbers (the baseline is the yardstick, not the subject).
 * Latency and throughput are judged twice: through the SDK client (what an MCP agent sees) and through the
 * lean client (the server's share, as HTTP-proxy benchmarks measure it).
 */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const { burst, streaming, memory } = results.measures;
  const m = results.measures;
  // 256 × 500 ms in ≤ 600 ms: the upstream delay plus 20 % (the smoke plan uses a shorter delay)
  const burstLimit = burst.upstreamDelayMs * 1.2;
  const burstName = `${burst.calls} calls × ${burst.upstreamDelayMs} ms upstream, wall time`;
  return [
    ...clientTargets(m.latencyC1, m.latencyConcurrent, 'sdk'),
    ...clientTargets(m.latencyC1Lean, m.latencyConcurrentLean, 'lean'),
    check('burst-wall', burstName, burst.wallMs.gateway, '<=', burstLimit, 'ms'),
    check(
      'burst-wall-lean',
      `${burstName} (lean client)`,
      m.burstLean.wallMs.gateway,
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
    ...modernTargets(m.modern),
    check(
      'sessions-evicted',
      'sessions left open after churn + idle TTL',
      memory.gateway.openSessionsAfterChurn,
      '<=',
      0,
      '',
    ),
    ...sandboxTargets(m.sandbox),
  ];
}
