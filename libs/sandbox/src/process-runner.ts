import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { OUTPUT_CAP_BYTES } from './sandbox.types';

/** A program that floods its output is stopped once a stream passes this many bytes (the rest is dropped anyway). */
const FLOOD_LIMIT_BYTES = 16 * OUTPUT_CAP_BYTES;

export interface SpawnSpec {
  file: string;
  args: string[];
  /** written to the child's fd 3 and closed (bwrap `--file 3 …` copies it into the sandbox) */
  fd3Input: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CapturedOutput {
  text: string;
  truncated: boolean;
}

export interface ProcessOutcome {
  exitCode: number | null;
  killedBy: NodeJS.Signals | null;
  /** why we killed it, if we did */
  stoppedFor?: 'timeout' | 'output' | 'aborted';
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  durationMs: number;
}

/** Keeps the first OUTPUT_CAP_BYTES of a stream; calls `onFlood` once the stream passes FLOOD_LIMIT_BYTES. */
function capture(stream: Readable, onFlood: () => void): () => CapturedOutput {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  stream.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (kept < OUTPUT_CAP_BYTES) {
      const part = chunk.subarray(0, OUTPUT_CAP_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (seen > FLOOD_LIMIT_BYTES) onFlood();
  });
  return () => ({ text: Buffer.concat(chunks).toString('utf8'), truncated: seen > kept });
}

/** The whole process group: bwrap and, through --die-with-parent and its pid namespace, everything inside. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function writeFd3(child: ChildProcess, input: string): void {
  const fd3 = child.stdio[3] as Writable | null | undefined;
  if (!fd3) return;
  fd3.on('error', () => undefined); // bwrap may exit before reading it (a start failure reports on stderr)
  fd3.end(input);
}

/**
 * Runs one sandbox command in its own process group with a wall-clock limit; output is captured up to
 * the cap. Never rejects for the child's behaviour: a spawn failure is reported as exit code 127.
 */
export function runProcess(spec: SpawnSpec): Promise<ProcessOutcome> {
  const started = performance.now();
  const child = spawn(spec.file, spec.args, {
    detached: true, // own process group, so a kill reaches every descendant outside the sandbox too
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    cwd: '/',
  });
  let stoppedFor: ProcessOutcome['stoppedFor'];
  const stop = (why: NonNullable<ProcessOutcome['stoppedFor']>): void => {
    stoppedFor ??= why;
    killGroup(child);
  };
  const stdout = capture(child.stdout as Readable, () => stop('output'));
  const stderr = capture(child.stderr as Readable, () => stop('output'));
  writeFd3(child, spec.fd3Input);
  const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
  const onAbort = (): void => stop('aborted');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, killedBy: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      const durationMs = Math.round(performance.now() - started);
      const err = stderr();
      if (spawnError) err.text += `${spawnError.message}\n`;
      resolve({ exitCode, killedBy, stoppedFor, stdout: stdout(), stderr: err, durationMs });
    };
    child.once('error', (error) => {
      killGroup(child);
      finish(127, null, error);
    });
    child.once('close', (code, signal) => finish(code, signal));
  });
}
