import { INSTANT, type EmulatorMode } from '../emulator/replies';
import { rotated, type BenchContext, type Subject, type SubjectName } from '../subjects';
import { elapsedMs, median, summarize } from '../support/stats';

export interface FirstProgressMeasure {
  callsPerRound: number;
  chunks: number;
  chunkDelayMs: number;
  /** median round of the per-call p50 time to the first progress notification (direct: first token), ms */
  p50Ms: Record<SubjectName, number>;
  /** subject minus direct, per round, median round */
  addedMs: Record<'gateway' | 'baseline', number>;
}

export interface ChunkCostMeasure {
  chunkCounts: readonly [number, number];
  callsPerRound: number;
  /** median call time of the larger stream, ms */
  largeStreamMs: Record<SubjectName, number>;
  /** slope between the two stream sizes: cost of one more chunk, µs */
  perChunkUs: Record<SubjectName, number>;
  /** subject's slope minus direct's: what the server adds per chunk, µs */
  addedPerChunkUs: Record<'gateway' | 'baseline', number>;
  /** chunks per second one streamed call sustains end to end (1 / slope) */
  chunksPerSecond: Record<SubjectName, number>;
}

export interface StreamingMeasure {
  firstProgress: FirstProgressMeasure;
  chunkCost: ChunkCostMeasure;
}

type PerSubject = Record<SubjectName, number[]>;
/** streamed calls rotate over the pool too (see TimedCall) */
let callCounter = 0;
const emptyPerSubject = (): PerSubject => ({ direct: [], gateway: [], baseline: [] });

/** Time to the first progress callback of one streamed call. */
async function timeToFirstProgress(subject: Subject): Promise<number> {
  const startedAt = process.hrtime.bigint();
  let first: number | undefined;
  await subject.call(callCounter++, () => (first ??= elapsedMs(startedAt)));
  if (first === undefined) throw new Error(`${subject.name}: no progress notification arrived`);
  return first;
}

async function timeStreamedCall(subject: Subject): Promise<number> {
  const startedAt = process.hrtime.bigint();
  await subject.call(callCounter++, () => undefined);
  return elapsedMs(startedAt);
}

async function repeat(times: number, run: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) samples.push(await run());
  return samples;
}

async function measureFirstProgress(context: BenchContext): Promise<FirstProgressMeasure> {
  const { plan } = context;
  const mode: EmulatorMode = {
    delayMs: 0,
    streamChunks: plan.firstProgressChunks,
    chunkDelayMs: plan.firstProgressChunkDelayMs,
  };
  await context.emulator.setMode(mode);
  const p50s = emptyPerSubject();
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const subject of rotated(context.subjects, round)) {
      await repeat(2, () => timeToFirstProgress(subject));
      p50s[subject.name].push(
        summarize(await repeat(plan.firstProgressCalls, () => timeToFirstProgress(subject))).p50,
      );
    }
  }
  const added = (name: 'gateway' | 'baseline') => median(p50s[name].map((p50, i) => p50 - p50s.direct[i]!));
  return {
    callsPerRound: plan.firstProgressCalls,
    chunks: plan.firstProgressChunks,
    chunkDelayMs: plan.firstProgressChunkDelayMs,
    p50Ms: { direct: median(p50s.direct), gateway: median(p50s.gateway), baseline: median(p50s.baseline) },
    addedMs: { gateway: added('gateway'), baseline: added('baseline') },
  };
}

async function streamTimes(context: BenchContext, subject: Subject, chunks: number): Promise<number> {
  await context.emulator.setMode({ delayMs: 0, streamChunks: chunks, chunkDelayMs: 0 });
  await timeStreamedCall(subject);
  return median(await repeat(context.plan.chunkCallsPerRound, () => timeStreamedCall(subject)));
}

async function measureChunkCost(context: BenchContext): Promise<ChunkCostMeasure> {
  const { plan } = context;
  const [small, large] = plan.chunkCounts;
  const slopes = emptyPerSubject();
  const larges = emptyPerSubject();
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const subject of rotated(context.subjects, round)) {
      const smallMs = await streamTimes(context, subject, small);
      const largeMs = await streamTimes(context, subject, large);
      larges[subject.name].push(largeMs);
      slopes[subject.name].push(((largeMs - smallMs) / (large - small)) * 1000);
    }
  }
  const perChunkUs = {
    direct: median(slopes.direct),
    gateway: median(slopes.gateway),
    baseline: median(slopes.baseline),
  };
  const added = (name: 'gateway' | 'baseline') =>
    median(slopes[name].map((slope, i) => slope - slopes.direct[i]!));
  const rate = (name: SubjectName) =>
    perChunkUs[name] > 0 ? 1e6 / perChunkUs[name] : Number.POSITIVE_INFINITY;
  return {
    chunkCounts: plan.chunkCounts,
    callsPerRound: plan.chunkCallsPerRound,
    largeStreamMs: {
      direct: median(larges.direct),
      gateway: median(larges.gateway),
      baseline: median(larges.baseline),
    },
    perChunkUs,
    addedPerChunkUs: { gateway: added('gateway'), baseline: added('baseline') },
    chunksPerSecond: { direct: rate('direct'), gateway: rate('gateway'), baseline: rate('baseline') },
  };
}

export async function measureStreaming(context: BenchContext): Promise<StreamingMeasure> {
  try {
    const firstProgress = await measureFirstProgress(context);
    context.log(`  first progress: gateway +${firstProgress.addedMs.gateway.toFixed(3)} ms`);
    const chunkCost = await measureChunkCost(context);
    context.log(`  per chunk: gateway +${chunkCost.addedPerChunkUs.gateway.toFixed(2)} µs`);
    return { firstProgress, chunkCost };
  } finally {
    await context.emulator.setMode(INSTANT);
  }
}
