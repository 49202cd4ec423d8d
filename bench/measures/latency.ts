import { runClosedLoop, type LoadResult } from '../load/run-load';
import { rotated, type BenchContext, type Subject, type SubjectName } from '../subjects';
import { median, medianSummary, summarize, type LatencySummary } from '../support/stats';

/** One subject's runs at one concurrency: the median round of each statistic. */
export interface SubjectLatency {
  latencyMs: LatencySummary;
  callsPerSecond: number;
  errors: number;
  /** CPU time the server process spent per call (median round), µs: robust against a noisy machine */
  serverCpuUsPerCall?: number;
  /** CPU time this process (the load generator: SDK client or inference client) spent per call, µs */
  clientCpuUsPerCall: number;
}

export interface LatencyMeasure {
  concurrency: number;
  callsPerRound: number;
  rounds: number;
  subjects: Record<SubjectName, SubjectLatency>;
  /** subject minus direct, per round, then the median round (ms) */
  addedMs: Record<'gateway' | 'baseline', { p50: number; p99: number }>;
  /** gateway calls/s ÷ baseline calls/s, per round, then the median */
  throughputRatio: number;
}

type Run = LoadResult & { serverCpuUsPerCall?: number; clientCpuUsPerCall: number };

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
type Rounds = Record<SubjectName, Run[]>;

async function timedRun(
  context: BenchContext,
  subject: Subject,
  calls: number,
  concurrency: number,
): Promise<Run> {
  const serverBefore = await subject.cpuMicros?.();
  const clientBefore = cpuMicros();
  const result = await runClosedLoop(
    calls,
    concurrency,
    (index) => subject.call(index),
    context.plan.maxLoopMs,
  );
  const perCall = (micros: number) => micros / Math.max(1, result.latencies.length);
  const clientCpuUsPerCall = perCall(cpuMicros() - clientBefore);
  const serverAfter = await subject.cpuMicros?.();
  if (serverBefore === undefined || serverAfter === undefined) return { ...result, clientCpuUsPerCall };
  return { ...result, clientCpuUsPerCall, serverCpuUsPerCall: perCall(serverAfter - serverBefore) };
}

export async function warmUp(context: BenchContext, subject: Subject, calls: number): Promise<void> {
  const { plan } = context;
  const result = await runClosedLoop(calls, plan.concurrency, (index) => subject.call(index), plan.maxLoopMs);
  if (result.errors > 0) throw new Error(`${subject.name} warm-up failed: ${result.firstError}`);
}

export async function measureLatency(
  context: BenchContext,
  concurrency: number,
  calls: number,
): Promise<LatencyMeasure> {
  const { plan } = context;
  const rounds: Rounds = { direct: [], gateway: [], baseline: [] };
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const subject of rotated(context.subjects, round)) {
      await warmUp(context, subject, plan.rewarmCalls);
      rounds[subject.name].push(await timedRun(context, subject, calls, concurrency));
    }
    context.log(`  latency c=${concurrency} round ${round + 1}/${plan.rounds}: ${roundLine(rounds)}`);
  }
  return { concurrency, callsPerRound: calls, rounds: plan.rounds, ...summarizeRounds(rounds) };
}

function roundLine(rounds: Rounds): string {
  return (Object.keys(rounds) as SubjectName[])
    .map((name) => `${name} p50 ${summarize(rounds[name].at(-1)?.latencies ?? []).p50.toFixed(3)} ms`)
    .join(', ');
}

function summarizeRounds(rounds: Rounds): Pick<LatencyMeasure, 'subjects' | 'addedMs' | 'throughputRatio'> {
  const summaries = (name: SubjectName) => rounds[name].map((result) => summarize(result.latencies));
  const rates = (name: SubjectName) =>
    rounds[name].map((result) => (result.latencies.length / result.wallMs) * 1000);
  const cpu =
    rounds.gateway[0]?.serverCpuUsPerCall === undefined
      ? undefined
      : (name: SubjectName) => median(rounds[name].map((run) => run.serverCpuUsPerCall ?? Number.NaN));
  const subject = (name: SubjectName): SubjectLatency => ({
    latencyMs: medianSummary(summaries(name)),
    callsPerSecond: median(rates(name)),
    errors: rounds[name].reduce((sum, result) => sum + result.errors, 0),
    clientCpuUsPerCall: median(rounds[name].map((run) => run.clientCpuUsPerCall)),
    ...(name === 'direct' || cpu === undefined ? {} : { serverCpuUsPerCall: cpu(name) }),
  });
  const direct = summaries('direct');
  const added = (name: 'gateway' | 'baseline') => {
    const own = summaries(name);
    return {
      p50: median(own.map((summary, i) => summary.p50 - direct[i]!.p50)),
      p99: median(own.map((summary, i) => summary.p99 - direct[i]!.p99)),
    };
  };
  const gatewayRates = rates('gateway');
  const baselineRates = rates('baseline');
  return {
    subjects: { direct: subject('direct'), gateway: subject('gateway'), baseline: subject('baseline') },
    addedMs: { gateway: added('gateway'), baseline: added('baseline') },
    throughputRatio: median(gatewayRates.map((rate, i) => rate / baselineRates[i]!)),
  };
}
