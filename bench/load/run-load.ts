import { elapsedMs } from '../support/stats';

/** One timed call; `worker` picks the session (or client) it runs on. */
export type TimedCall = (worker: number) => Promise<unknown>;

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
  const worker = async (id: number): Promise<void> => {
    while (issued < total && elapsedMs(startedAt) < maxMs) {
      issued += 1;
      await timeOne(call, id, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, (_, id) => worker(id)));
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

async function timeOne(call: TimedCall, worker: number, result: LoadResult): Promise<void> {
  const startedAt = process.hrtime.bigint();
  try {
    await call(worker);
    result.latencies.push(elapsedMs(startedAt));
  } catch (error) {
    result.errors += 1;
    result.firstError ??= error instanceof Error ? error.message : String(error);
  }
}
