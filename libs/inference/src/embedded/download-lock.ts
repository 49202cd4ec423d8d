import { open, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DownloadLockOptions {
  /** a lock not refreshed for this long belongs to a process that died */
  staleMs?: number;
  pollMs?: number;
  /** stop waiting early when this turns true (e.g. the other process finished the file) */
  isDone?: () => Promise<boolean>;
  onWait?: () => void;
  signal?: AbortSignal;
}

/**
 * Serialises downloads of one file across processes (a gateway and an agent starting together on a fresh
 * machine would otherwise append to the same `.part`). The holder refreshes the lock file's mtime; a
 * waiter takes over a lock that went stale. Returns `undefined` without running `task` when `isDone`
 * reports the work finished while waiting.
 */
export async function withDownloadLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: DownloadLockOptions = {},
): Promise<T | undefined> {
  const staleMs = options.staleMs ?? 30_000;
  let warned = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(lockPath)) return holdWhile(lockPath, staleMs, task);
    if (await options.isDone?.()) return undefined;
    if (await isStale(lockPath, staleMs)) await rm(lockPath, { force: true });
    else {
      if (!warned) options.onWait?.();
      warned = true;
      await sleep(options.pollMs ?? 500);
    }
  }
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  }
}

async function holdWhile<T>(lockPath: string, staleMs: number, task: () => Promise<T>): Promise<T> {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    await rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > staleMs;
  } catch {
    return false; // gone already: the next round creates it
  }
}
