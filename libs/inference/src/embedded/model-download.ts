import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, fetch, request, type Response } from 'undici';
import { InferenceError } from '../inference.errors';
import { withDownloadLock } from './download-lock';

export interface DownloadProgress {
  receivedBytes: number;
  /** undefined when the server sent no length */
  totalBytes?: number;
  /** bytes already on disk from an earlier, interrupted download */
  resumedFromBytes: number;
}

export interface DownloadOptions {
  url: string;
  destination: string;
  /** expected content hash; when absent the hub's `X-Linked-Etag` is used, else it is skipped with a warning */
  sha256?: string;
  /** bounded so that an offline machine fails fast instead of hanging */
  connectTimeoutMs?: number;
  /** a body that stalls this long counts as cut and is resumed */
  idleTimeoutMs?: number;
  /** attempts in total; each one resumes from the bytes already on disk */
  maxAttempts?: number;
  onProgress?: (progress: DownloadProgress) => void;
  warn?: (message: string) => void;
  /** what to tell a person who is offline (which settings avoid the download) */
  offlineHint?: string;
  signal?: AbortSignal;
  /** how often a download waiting for another process checks again (default 500 ms) */
  lockPollMs?: number;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Downloads `url` to `destination` through `<destination>.part`: an interrupted transfer continues
 * with an HTTP Range request (on the next attempt or the next run), and the file only takes its final
 * name once its sha256 matched. A mismatching file is deleted, never left where the loader would find it.
 * Another process downloading the same file is waited for, not raced.
 */
export async function downloadModel(options: DownloadOptions): Promise<void> {
  await mkdir(dirname(options.destination), { recursive: true });
  await withDownloadLock(`${options.destination}.lock`, () => downloadUnlocked(options), {
    isDone: () => fileExists(options.destination),
    ...(options.lockPollMs === undefined ? {} : { pollMs: options.lockPollMs }),
    onWait: () => options.warn?.(`waiting for another process that is downloading ${options.destination}`),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

async function downloadUnlocked(options: DownloadOptions): Promise<void> {
  if (await fileExists(options.destination)) return; // finished by the process we waited for
  const partPath = `${options.destination}.part`;
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.connectTimeoutMs ?? 10_000,
    bodyTimeout: options.idleTimeoutMs ?? 30_000,
  });
  try {
    const expected = options.sha256?.toLowerCase() ?? (await hubContentHash(options, agent));
    await transferWithResume(options, partPath, agent);
    await verifyChecksum(partPath, expected, options);
    await rename(partPath, options.destination);
  } finally {
    await agent.close();
  }
}

/** The hub answers a HEAD on `/resolve/` with a redirect whose `X-Linked-Etag` is the file's LFS sha256. */
async function hubContentHash(options: DownloadOptions, agent: Agent): Promise<string | undefined> {
  try {
    const response = await request(options.url, {
      method: 'HEAD',
      dispatcher: agent,
      signal: options.signal,
    });
    await response.body.dump();
    const etag = String(response.headers['x-linked-etag'] ?? '')
      .replace(/^W\//, '')
      .replaceAll('"', '')
      .toLowerCase();
    return SHA256_PATTERN.test(etag) ? etag : undefined;
  } catch (error) {
    throw classifyFailure(error, options, 0);
  }
}

async function transferWithResume(options: DownloadOptions, partPath: string, agent: Agent): Promise<void> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      await transferOnce(options, partPath, agent);
      return;
    } catch (error) {
      const failure = classifyFailure(error, options, await fileSize(partPath));
      if (failure.code !== 'UPSTREAM_ERROR' || attempt >= maxAttempts) throw failure;
    }
  }
}

async function transferOnce(options: DownloadOptions, partPath: string, agent: Agent): Promise<void> {
  const existing = await fileSize(partPath);
  const headers: Record<string, string> = existing > 0 ? { range: `bytes=${existing}-` } : {};
  const response = await fetch(options.url, { headers, dispatcher: agent, signal: options.signal });
  if (response.status === 416 && existing > 0) return discard(response); // the part file holds every byte
  if (!response.ok || response.body === null) {
    await discard(response);
    throw new HttpStatusError(response.status, options.url);
  }
  const resumed = response.status === 206 ? existing : 0;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const totalBytes = Number.isFinite(length) ? resumed + length : undefined;
  await appendBody(response.body as AsyncIterable<Uint8Array>, partPath, resumed, (receivedBytes) =>
    options.onProgress?.({
      receivedBytes,
      resumedFromBytes: resumed,
      ...(totalBytes === undefined ? {} : { totalBytes }),
    }),
  );
  if (totalBytes !== undefined && (await fileSize(partPath)) < totalBytes)
    throw new Error('connection closed early');
}

/** An unread body keeps its connection busy, and `agent.close()` would wait for it forever. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/**
 * Writes chunk by chunk, awaiting each write: when the connection is cut, every byte received so far is
 * on disk for the next attempt (a stream pipeline would discard writes still queued when it tears down).
 */
async function appendBody(
  body: AsyncIterable<Uint8Array>,
  partPath: string,
  resumed: number,
  onBytes: (received: number) => void,
) {
  const file = await open(partPath, resumed > 0 ? 'a' : 'w');
  let received = resumed;
  try {
    for await (const chunk of body) {
      await file.write(chunk);
      received += chunk.length;
      onBytes(received);
    }
  } finally {
    await file.close();
  }
}

async function verifyChecksum(
  partPath: string,
  expected: string | undefined,
  options: DownloadOptions,
): Promise<void> {
  if (expected === undefined) {
    options.warn?.(
      `no sha256 known for ${options.url}: the download is not verified (add #sha256=<hex> to the hf: URI)`,
    );
    return;
  }
  const actual = await sha256OfFile(partPath);
  if (actual === expected) return;
  await rm(partPath, { force: true });
  throw new InferenceError(
    'INVALID_RESPONSE',
    `Downloaded model ${options.url} failed its checksum (sha256 ${actual}, expected ${expected}); the file was deleted, run again to retry`,
    { endpoint: options.url },
  );
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
}

/** CONFIG: a person must change something (offline, wrong URI); UPSTREAM_ERROR: worth resuming. */
function classifyFailure(error: unknown, options: DownloadOptions, bytesOnDisk: number): InferenceError {
  if (error instanceof InferenceError) return error;
  if (options.signal?.aborted)
    return new InferenceError('CANCELLED', `download of ${options.url} was cancelled`, {}, { cause: error });
  if (error instanceof HttpStatusError) return httpFailure(error, options);
  if (isNetworkUnreachable(error)) {
    const hint = options.offlineHint ?? 'set a local model file';
    return new InferenceError(
      'CONFIG',
      `Cannot download the model from ${options.url}: the network is unreachable (${errorCode(error)}). ${hint}`,
      // the model cannot be loaded now; once online, the next call downloads it (REST: 503 + Retry-After)
      { endpoint: options.url, unavailable: true, retryAfterMs: 60_000 },
      { cause: error },
    );
  }
  return new InferenceError(
    'UPSTREAM_ERROR',
    `Download of ${options.url} was interrupted after ${bytesOnDisk} bytes (${describe(error)}); run again to resume`,
    { endpoint: options.url, partialOutput: false, unavailable: true, retryAfterMs: 5_000 },
    { cause: error },
  );
}

function httpFailure(error: HttpStatusError, options: DownloadOptions): InferenceError {
  if (error.status >= 500 || error.status === 429 || error.status === 408) {
    return new InferenceError('UPSTREAM_ERROR', error.message, {
      endpoint: options.url,
      status: error.status,
      unavailable: true,
      retryAfterMs: 30_000,
    });
  }
  return new InferenceError(
    'CONFIG',
    `Cannot download the model: ${error.message}. Check the model URI or set a local model file`,
    {
      endpoint: options.url,
      status: error.status,
    },
  );
}

function isNetworkUnreachable(error: unknown): boolean {
  return NETWORK_ERROR_CODES.has(errorCode(error));
}

/** fetch wraps the socket error: the code sits on `cause` (sometimes one level deeper). */
function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'unknown';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
