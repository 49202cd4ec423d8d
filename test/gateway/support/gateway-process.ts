import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@app/testing';
import { BUILT_GATEWAY, REPO_ROOT } from './built-gateway';

export interface GatewayProcess {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves once `${url}/health/live` answers 2xx (the gateway and the agent both serve it). */
export async function waitForHealth(url: string, deadline = Date.now() + 20_000): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up (no answer on /health/live)`);
}

/** The built gateway as its own process over HTTP on a free loopback port; stop() is SIGTERM and waits. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BUILT_GATEWAY], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '', GATEWAY_PORT: String(port), LOG_LEVEL: 'warn', ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  // a Nest app start takes seconds on a loaded 2-core machine; two start at once here
  await waitForHealth(baseUrl, Date.now() + 60_000);
  return {
    baseUrl,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
