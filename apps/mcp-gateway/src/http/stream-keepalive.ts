import type { ServerResponse } from 'node:http';

/** Never longer than this between heartbeats: proxies commonly cut streams silent for 30–60 s. */
export const MAX_HEARTBEAT_MS = 15_000;

/**
 * Keeps a long-lived event stream honest: an SSE comment every `intervalMs` (proxies and clients see it is
 * alive), TCP keep-alive probes (a peer that vanished without a FIN is found by the kernel), and a peer that
 * has not read what was written by the next beat is treated as dead — its stream is destroyed, which
 * closes the session instead of holding memory and a session slot for ever.
 */
export function keepStreamAlive(res: ServerResponse, intervalMs: number): void {
  res.socket?.setKeepAlive(true, intervalMs);
  const timer = setInterval(() => {
    if (res.writableEnded || res.destroyed) return clearInterval(timer);
    if (res.writableNeedDrain) {
      clearInterval(timer);
      res.destroy();
      return;
    }
    res.write(': keep-alive\n\n');
  }, intervalMs).unref();
  res.once('close', () => clearInterval(timer));
}
