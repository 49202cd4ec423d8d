import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@app/testing';
import { BUILT_GATEWAY, REPO_ROOT } from '../gateway/support/built-gateway';
import { waitForHealth } from '../gateway/support/gateway-process';

const BUILT_AGENT = join(REPO_ROOT, 'dist/apps/agent/src/main.js');
/** Far above a clean stop (~1 s) and far below what a silent client held it before (never / 90 s). */
const EXIT_BOUND_MS = 8_000;

function openSocket(port: number, send?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (send) socket.write(send);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** SIGTERM with one silent client and one that sent half a request; how long until the process is gone. */
async function exitTimeWithIdleClients(child: ChildProcess, port: number): Promise<number | 'hung'> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForHealth(`http://127.0.0.1:${port}`, Date.now() + 30_000);
  const sockets = [
    await openSocket(port),
    await openSocket(port, 'POST /v1/tools/generate_code HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le'),
    await openSocket(port, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), // an idle keep-alive one
  ];
  await new Promise((resolve) => setTimeout(resolve, 200));
  const startedAt = Date.now();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    exited.then(() => Date.now() - startedAt),
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), EXIT_BOUND_MS * 2))),
  ]);
  clearTimeout(timer);
  if (process.env.REPORT_EXIT_MS) process.stderr.write(`exit after SIGTERM: ${String(outcome)} ms\n`);
  child.kill('SIGKILL');
  for (const socket of sockets) socket.destroy();
  return outcome;
}

describe('shutdown is not held open by idle or half-open TCP clients', () => {
  it('gateway: SIGTERM exits promptly with a silent and a half-request socket open', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BUILT_GATEWAY], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '',
        GATEWAY_PORT: String(port),
        STARCODER_ENDPOINT: 'http://127.0.0.1:1/v1/chat/completions',
        STARCODER_MODEL: 'm',
        LOG_LEVEL: 'warn',
      },
    });
    const exitMs = await exitTimeWithIdleClients(child, port);
    expect(exitMs).not.toBe('hung');
    expect(exitMs).toBeLessThan(EXIT_BOUND_MS);
  }, 60_000);

  it('agent: SIGTERM exits promptly with a silent and a half-request socket open', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BUILT_AGENT], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '',
        AGENT_PORT: String(port),
        MISTRAL_ENDPOINT: 'http://127.0.0.1:1/v1/chat/completions',
        MISTRAL_MODEL: 'm',
        MCP_GATEWAY_URL: 'http://127.0.0.1:1/mcp',
        LOG_LEVEL: 'warn',
      },
    });
    const exitMs = await exitTimeWithIdleClients(child, port);
    expect(exitMs).not.toBe('hung');
    expect(exitMs).toBeLessThan(EXIT_BOUND_MS);
  }, 60_000);
});
