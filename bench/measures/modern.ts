import { runClosedLoop, type LoadResult } from '../load/run-load';
import type { BenchPlan } from '../plan';
import { rotated } from '../subjects';
import { median, medianSummary, summarize, type LatencySummary } from '../support/stats';

/** Who the 2026-07-28 measure times, all through lean clients (the servers' share of the cost). */
export type ModernSubjectName = 'direct' | 'gateway-2026' | 'gateway-2025' | 'sdk-v2';

export interface ModernSubject {
  readonly name: ModernSubjectName;
  call(index: number): Promise<unknown>;
  cpuMicros?: () => Promise<number>;
}

export interface ModernRun {
  latencyMs: LatencySummary;
  callsPerSecond: number;
  errors: number;
  serverCpuUsPerCall?: number;
}

export interface ModernAtConcurrency {
  concurrency: number;
  callsPerRound: number;
  subjects: Record<ModernSubjectName, ModernRun>;
  /** subject p50 minus direct p50, per round, then the median round (ms) */
  addedP50Ms: Record<Exclude<ModernSubjectName, 'direct'>, number>;
  /** gateway-2026 server CPU per call ÷ the bare SDK v2 server's, per round, then the median */
  cpuRatioVsSdkV2: number;
}

/** MCP 2026-07-28 (stateless) beside the 2025 session path and a bare SDK v2 server, c=1 and c=N. */
export interface ModernMeasure {
  sequential: ModernAtConcurrency;
  concurrent: ModernAtConcurrency;
}

type Run = LoadResult & { serverCpuUsPerCall?: number };
type Rounds = Record<ModernSubjectName, Run[]>;

async function timedRun(
  subject: ModernSubject,
  calls: number,
  concurrency: number,
  maxMs: number,
): Promise<Run> {
  const before = await subject.cpuMicros?.();
  const result = await runClosedLoop(calls, concurrency, (index) => subject.call(index), maxMs);
  const after = await subject.cpuMicros?.();
  if (before === undefined || after === undefined) return result;
  return { ...result, serverCpuUsPerCall: (after - before) / Math.max(1, result.latencies.length) };
}

async function rewarm(subject: ModernSubject, plan: BenchPlan): Promise<void> {
  const warm = await runClosedLoop(
    plan.rewarmCalls,
    plan.concurrency,
    (i) => subject.call(i),
    plan.maxLoopMs,
  );
  if (warm.errors > 0) throw new Error(`${subject.name} warm-up failed: ${warm.firstError}`);
}

async function atConcurrency(
  plan: BenchPlan,
  subjects: readonly ModernSubject[],
  concurrency: number,
  calls: number,
  log: (line: string) => void,
): Promise<ModernAtConcurrency> {
  const rounds: Rounds = { direct: [], 'gateway-2026': [], 'gateway-2025': [], 'sdk-v2': [] };
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const subject of rotated(subjects, round)) {
      await rewarm(subject, plan);
      rounds[subject.name].push(await timedRun(subject, calls, concurrency, plan.maxLoopMs));
    }
    log(`  2026 vs 2025 c=${concurrency} round ${round + 1}/${plan.rounds}`);
  }
  return { concurrency, callsPerRound: calls, ...summarize2026(rounds) };
}

function summarize2026(rounds: Rounds): Omit<ModernAtConcurrency, 'concurrency' | 'callsPerRound'> {
  const p50s = (name: ModernSubjectName) => rounds[name].map((run) => summarize(run.latencies).p50);
  const cpu = (name: ModernSubjectName) => rounds[name].map((run) => run.serverCpuUsPerCall ?? Number.NaN);
  const run = (name: ModernSubjectName): ModernRun => ({
    latencyMs: medianSummary(rounds[name].map((one) => summarize(one.latencies))),
    callsPerSecond: median(rounds[name].map((one) => (one.latencies.length / one.wallMs) * 1000)),
    errors: rounds[name].reduce((sum, one) => sum + one.errors, 0),
    ...(name === 'direct' ? {} : { serverCpuUsPerCall: median(cpu(name)) }),
  });
  const direct = p50s('direct');
  const added = (name: ModernSubjectName) => median(p50s(name).map((p50, i) => p50 - direct[i]!));
  const sdk = cpu('sdk-v2');
  return {
    subjects: {
      direct: run('direct'),
      'gateway-2026': run('gateway-2026'),
      'gateway-2025': run('gateway-2025'),
      'sdk-v2': run('sdk-v2'),
    },
    addedP50Ms: {
      'gateway-2026': added('gateway-2026'),
      'gateway-2025': added('gateway-2025'),
      'sdk-v2': added('sdk-v2'),
    },
    cpuRatioVsSdkV2: median(cpu('gateway-2026').map((value, i) => value / sdk[i]!)),
  };
}

export async function measureModern(
  plan: BenchPlan,
  subjects: readonly ModernSubject[],
  log: (line: string) => void,
): Promise<ModernMeasure> {
  for (const subject of subjects) await rewarm(subject, { ...plan, rewarmCalls: plan.warmupCalls });
  const sequential = await atConcurrency(plan, subjects, 1, plan.sequentialCalls, log);
  const concurrent = await atConcurrency(plan, subjects, plan.concurrency, plan.concurrentCalls, log);
  return { sequential, concurrent };
}
