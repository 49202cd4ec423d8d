import { elapsedMs } from '../support/stats';

/**
 * One timed call; `index` (the call's number) picks the session it runs on. Spreading even sequential calls
 * over the pool matters: undici's fetch leaves an abort listener on the SDK transport's long-lived signal
 * until the request is garbage-collected, and 1 500 on one signal trigger MaxListenersExceededWarning.
 */
export type TimedCall = (index: number) => Promise<unknown>;

export interface LoadResult {
  /** per-call latency in ms, in completion order */
  latencies: number[];
  wallMs: number;
  errors: number;
  firstError?: string;
}

/**
 * Closed loop: `concurrency` workers each take the next call until `total` calls are done (or `maxMs`
 * passed — every loop in the bench is bounded in count and in time).
 */
export async function runClosedLoop(
  total: number,
  concurrency: number,
  call: TimedCall,
  maxMs = 60_000,
): Promise<LoadResult> {
  const result: LoadResult = { latencies: [], wallMs: 0, errors: 0 };
  let issued = 0;
  const startedAt = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (issued < total && elapsedMs(startedAt) < maxMs) {
      const index = issued++;
      await timeOne(call, index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  result.wallMs = elapsedMs(startedAt);
  return result;
}

/** All `total` calls at once (open burst): the wall time shows whether anything queues them. */
export async function runBurst(total: number, call: TimedCall): Promise<LoadResult> {
  const result: LoadResult = { latencies: [], wallMs: 0, errors: 0 };
  const startedAt = process.hrtime.bigint();
  await Promise.all(Array.from({ length: total }, (_, id) => timeOne(call, id, result)));
  result.wallMs = elapsedMs(startedAt);
  return result;
}

async function timeOne(call: TimedCall, index: number, result: LoadResult): Promise<void> {
  const startedAt = process.hrtime.bigint();
  try {
    await call(index);
    result.latencies.push(elapsedMs(startedAt));
  } catch (error) {
    result.errors += 1;
    result.firstError ??= error instanceof Error ? error.message : String(error);
  }
}
