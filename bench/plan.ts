/** How much work each measure does. `full` is the real benchmark; `smoke` runs every measure with tiny counts. */
export interface BenchPlan {
  name: 'full' | 'smoke';
  /** repeated rounds per measure; the report quotes the median round */
  rounds: number;
  /** sessions in the pool used for concurrent load */
  poolSize: number;
  /** calls before the first timed run of each subject (JIT, connection pools) */
  warmupCalls: number;
  /** calls before every timed run, to re-warm after the other processes had the CPU */
  rewarmCalls: number;
  sequentialCalls: number;
  concurrentCalls: number;
  concurrency: number;
  burstCalls: number;
  burstDelayMs: number;
  /** streamed calls per round for the time to the first progress notification */
  firstProgressCalls: number;
  firstProgressChunks: number;
  firstProgressChunkDelayMs: number;
  /** chunk counts of the fast streams; the per-chunk cost is the slope between them */
  chunkCounts: readonly [number, number];
  chunkCallsPerRound: number;
  memoryCalls: number;
  churnSessions: number;
  churnConcurrency: number;
  /** every n-th churned session is dropped without DELETE, left to the idle-TTL eviction */
  abandonEvery: number;
  sessionTtlSeconds: number;
  /** upper bound of any single load loop */
  maxLoopMs: number;
}

export const FULL_PLAN: BenchPlan = {
  name: 'full',
  rounds: 5,
  poolSize: 64,
  warmupCalls: 500,
  rewarmCalls: 100,
  sequentialCalls: 1000,
  concurrentCalls: 3000,
  concurrency: 64,
  burstCalls: 256,
  burstDelayMs: 500,
  firstProgressCalls: 30,
  firstProgressChunks: 8,
  firstProgressChunkDelayMs: 2,
  chunkCounts: [10, 2000],
  chunkCallsPerRound: 5,
  memoryCalls: 10_000,
  churnSessions: 5_000,
  churnConcurrency: 16,
  abandonEvery: 5,
  sessionTtlSeconds: 3,
  maxLoopMs: 120_000,
};

export const SMOKE_PLAN: BenchPlan = {
  name: 'smoke',
  rounds: 1,
  poolSize: 8,
  warmupCalls: 10,
  rewarmCalls: 5,
  sequentialCalls: 20,
  concurrentCalls: 40,
  concurrency: 8,
  burstCalls: 32,
  burstDelayMs: 200,
  firstProgressCalls: 3,
  firstProgressChunks: 4,
  firstProgressChunkDelayMs: 2,
  chunkCounts: [10, 200],
  chunkCallsPerRound: 1,
  memoryCalls: 100,
  churnSessions: 40,
  churnConcurrency: 8,
  abandonEvery: 5,
  sessionTtlSeconds: 3,
  maxLoopMs: 20_000,
};
