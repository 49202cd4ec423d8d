import type { Server } from 'node:http';

/**
 * Time limits on what a client must send. Node's defaults (60 s for headers, 300 s for a request) let one
 * slow or silent client hold a socket for minutes; answers may still stream for as long as they need.
 */
export interface ServerTimeouts {
  /** the request line and headers must arrive within this */
  headersTimeoutMs: number;
  /** the whole request, body included, must arrive within this */
  requestTimeoutMs: number;
  /** an idle keep-alive socket is closed after this */
  keepAliveTimeoutMs: number;
  /** a socket whose written data has not moved for this long (the client stopped reading) is destroyed */
  writeStallMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  writeStallMs: 30_000,
};

export function applyServerTimeouts(
  server: Server,
  timeouts: ServerTimeouts = DEFAULT_SERVER_TIMEOUTS,
): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  dropStalledWriters(server, timeouts.writeStallMs);
}

/**
 * Backpressure bound: a socket with no traffic for `ms` while data waits in its write buffer belongs to a
 * client that stopped reading — its answer (megabytes, held in memory) is dropped. A socket that is merely
 * quiet (a stream with nothing to send, a long tool call) has nothing buffered and is left alone.
 */
function dropStalledWriters(server: Server, ms: number): void {
  server.setTimeout(ms, (socket) => {
    if (socket.writableLength > 0) socket.destroy();
  });
}

/**
 * First step of a graceful stop: no new connections, and idle keep-alive sockets (and sockets that never
 * sent a byte) closed now. Requests in progress go on; the app's close then cuts whatever socket is left
 * (Nest's `forceCloseConnections`) — without that, one silent client held the process until SIGKILL.
 */
export function stopAccepting(server: Server): void {
  if (server.listening) server.close();
  server.closeIdleConnections();
}
