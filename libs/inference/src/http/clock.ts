/** A restartable one-shot timer: deadlines restart it per chunk, so `refresh()` must stay cheap. */
export interface DeadlineTimer {
  refresh(): void;
  cancel(): void;
}

/** Time as the inference library sees it; tests inject a fake to check backoff and Retry-After. */
export interface Clock {
  now(): number;
  timer(ms: number, fire: () => void): DeadlineTimer;
  /** resolves after `ms`, rejects with the signal's reason as soon as it aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function systemTimer(ms: number, fire: () => void): DeadlineTimer {
  // unref: a pending deadline alone must not keep the process alive
  const handle = setTimeout(fire, ms).unref();
  return { refresh: () => void handle.refresh(), cancel: () => clearTimeout(handle) };
}

function systemSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(handle);
      reject(signal?.reason as Error);
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = { now: () => performance.now(), timer: systemTimer, sleep: systemSleep };

/** A timer that never fires, for disabled deadlines (0 = off). */
export const NO_TIMER: DeadlineTimer = { refresh: () => undefined, cancel: () => undefined };

export function startTimer(clock: Clock, ms: number, fire: () => void): DeadlineTimer {
  return ms > 0 ? clock.timer(ms, fire) : NO_TIMER;
}
