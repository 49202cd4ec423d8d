import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@app/testing';
import { join } from 'node:path';

const AGENT_MAIN = join(process.cwd(), 'dist/apps/agent/src/main.js');

export interface AgentProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code (or the signal) once the process is gone */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** The BUILT agent (`npm run start:agent`), spawned with `env` on a free port; resolves once it listens. */
export async function startAgentProcess(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<AgentProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [AGENT_MAIN], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env, AGENT_HOST: '127.0.0.1', AGENT_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const agent: AgentProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('agent listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await agent.stop('SIGKILL');
      throw new Error(`the agent did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return agent;
}

/** Runs the built agent expecting it to refuse to start; resolves with its exit code and output. */
export function runAgentExpectingExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGENT_MAIN], {
      env: { ...process.env, ...env, AGENT_PORT: '0' },
      timeout: timeoutMs,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

export function postRun(
  baseUrl: string,
  task: string,
): Promise<{ status: number; body: { id: string; status: string }; headers: Headers }> {
  return getJson(`${baseUrl}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task, language: 'python' }),
  });
}

/** Polls `GET /v1/runs/{id}` until `done(run)`; bounded. */
export async function waitForRun(
  baseUrl: string,
  id: string,
  done: (run: Record<string, unknown>) => boolean,
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getJson(`${baseUrl}/v1/runs/${id}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} stuck at ${JSON.stringify(body.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const isFinished = (run: Record<string, unknown>): boolean =>
  ['succeeded', 'failed', 'cancelled'].includes(String(run.status));
