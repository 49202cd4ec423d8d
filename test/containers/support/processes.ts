/** Child processes for the container tests: every wait is bounded, every child is reaped. */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './paths';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs a command to completion (killed after `timeoutMs`); never rejects, the result tells. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
      },
      (_error, stdout, stderr) => {
        const elapsedMs = performance.now() - started;
        resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr, elapsedMs });
      },
    );
  });
}

/** Starts a long-running child and keeps its output for diagnostics. */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): {
  child: ChildProcess;
  output: () => string;
} {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** Resolves with the exit code (or signal) once the child ends; rejects after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'SIGKILL');
    });
  });
}

/** Polls `url` until it answers 2xx; rejects after `timeoutMs` (or when `alive()` turns false). */
export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms`);
}

/** Kills a child that a failed test left running (SIGKILL: no graceful path to wait for). */
export async function killIfRunning(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000).catch(() => undefined);
}

/**
 * Whether this machine can run a process as PID 1 of a new PID namespace (`unshare`, needs root or user
 * namespaces): the closest thing to a container's exec-form CMD without a Docker engine.
 */
export function canRunAsPid1(): boolean {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 5_000 });
  return probe.status === 0;
}

/**
 * Starts `command` as PID 1 of a new PID namespace, as Docker runs an exec-form CMD. The kernel then
 * drops signals the process has no handler for, exactly as in a container. `unshare` exits with the
 * child's status; `pid()` is the child's PID as seen from here (where `docker stop` signals from).
 */
export function startAsPid1(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { launcher: ChildProcess; pid: () => number; output: () => string } {
  const started = startProcess(
    'unshare',
    ['--pid', '--fork', '--kill-child', '--mount-proc', command, ...args],
    env,
  );
  const pid = (): number => {
    const launcherPid = started.child.pid ?? 0;
    const children = readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8').trim();
    return Number(children.split(/\s+/)[0]);
  };
  return { launcher: started.child, pid, output: started.output };
}
