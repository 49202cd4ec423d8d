import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MemoryProbe, MemoryReport } from './memory-agent';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (for servers that take their port from the environment). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resident set size of a process in MiB: /proc on Linux, `ps` elsewhere. */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    if (kib !== undefined) return Number(kib) / 1024;
  } catch {
    // not Linux: fall through to ps
  }
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) / 1024;
}

const MEMORY_AGENT = join(__dirname, 'memory-agent.js');
/** Node flags of a server under test: the memory agent, plus whatever the caller adds (e.g. --cpu-prof). */
export function serverExecArgv(extra: readonly string[] = []): string[] {
  return ['--expose-gc', '--require', MEMORY_AGENT, ...extra];
}

let probeId = 0;

export type ProbeResult = Omit<MemoryReport, 'type' | 'id'>;

/** CPU time and memory of a child started with `serverExecArgv`; with `gc`, after a forced full GC. */
export function probeProcess(child: ChildProcess, gc: boolean): Promise<ProbeResult> {
  const id = ++probeId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory probe: no answer')), 10_000);
    const onMessage = (message: MemoryReport) => {
      if (message.type !== 'memory' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({
        rssMiB: message.rssMiB,
        heapUsedMiB: message.heapUsedMiB,
        heapTotalMiB: message.heapTotalMiB,
        externalMiB: message.externalMiB,
        cpuMicros: message.cpuMicros,
      });
    };
    child.on('message', onMessage);
    child.send({ type: 'memory-probe', id, gc } satisfies MemoryProbe);
  });
}

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** the stderr tail, for error messages when the child dies */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a Node script with IPC; stdout is ignored, stderr kept (tail) for diagnostics. */
export function startNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
): NodeChild {
  const child = fork(script, args, { env, execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return {
    child,
    pid: child.pid ?? -1,
    stderr: () => tail,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after 5 s: never leave a server behind. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls until `probe` resolves true, or fails after `timeoutMs` (with the child's stderr when it died). */
export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  child?: NodeChild,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.child.exitCode !== null) throw new Error(`${what} exited early:\n${child.stderr()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms\n${child?.stderr() ?? ''}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
