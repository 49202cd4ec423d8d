import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayTarget } from './mcp-tool-client';

/** The built gateway and agent entry points of a repository (`npm run build` puts them in dist/). */
export function builtApps(repoRoot: string): { gateway: string; agent: string } {
  const apps = join(repoRoot, 'dist', 'apps');
  return {
    gateway: join(apps, 'mcp-gateway', 'src', 'main.js'),
    agent: join(apps, 'agent', 'src', 'main.js'),
  };
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const TAIL_CHARS = 2_000;

export type Environment = Record<string, string>;

/** The built gateway over stdio, as `npm run demo` starts it: it reads its own configuration from `env`. */
export function stdioGateway(repoRoot: string, env: Environment): GatewayTarget {
  return { kind: 'stdio', command: process.execPath, args: [builtApps(repoRoot).gateway, '--stdio'], env };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A built app started as a child: its log is kept only as a tail, to explain a failed start. */
class BuiltProcess {
  private tail = '';
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => (this.tail = (this.tail + chunk.toString('utf8')).slice(-TAIL_CHARS));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Polls `/health/live` until it answers 200; a child that exits first fails with its last log lines. */
  async waitUntilLive(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw this.failure(`exited with code ${this.child.exitCode}`);
      const live = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (live) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw this.failure(`was not live within ${START_TIMEOUT_MS / 1000} s`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private failure(what: string): Error {
    return new Error(
      `the ${this.name} ${what}${this.tail.trim() ? `; its last output:\n${this.tail.trim()}` : ''}`,
    );
  }
}

async function startBuilt(
  name: string,
  main: string,
  env: Environment,
  baseUrl: string,
): Promise<BuiltProcess> {
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const started = new BuiltProcess(name, baseUrl, child);
  try {
    await started.waitUntilLive();
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}

/**
 * The spawned agent keeps its runs in a store of its own: with the operator's AGENT_DATA_DIR or Redis it
 * would share a durable queue with a running agent service (each could execute the other's runs) and
 * leave hundreds of evaluation runs in it.
 */
function privateRunStore(cleanups: Array<() => void>): Environment {
  const dataDir = mkdtempSync(join(tmpdir(), 'eval-agent-runs-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { AGENT_DATA_DIR: dataDir };
}

export interface AgentStack {
  agentUrl: string;
  gatewayUrl: string;
  stop(): Promise<void>;
}

/**
 * Agent mode: the built agent service (and, unless `gatewayUrl` is given, the built gateway over HTTP)
 * on free loopback ports, exactly as an operator runs them.
 */
export async function startAgentStack(
  repoRoot: string,
  env: Environment,
  gatewayUrl?: string,
): Promise<AgentStack> {
  const built = builtApps(repoRoot);
  const started: BuiltProcess[] = [];
  const cleanups: Array<() => void> = [];
  const stop = async () => {
    await Promise.all(started.reverse().map((p) => p.stop()));
    for (const cleanup of cleanups) cleanup();
  };
  try {
    let mcpUrl = gatewayUrl;
    if (!mcpUrl) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const gatewayEnv = { ...env, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port) };
      started.push(await startBuilt('gateway', built.gateway, gatewayEnv, base));
      mcpUrl = `${base}/mcp`;
    }
    const port = await freePort();
    const agentUrl = `http://127.0.0.1:${port}`;
    const { AGENT_REDIS_URL: _shared, ...agentBase } = env;
    const agentEnv = {
      ...agentBase,
      ...privateRunStore(cleanups),
      AGENT_HOST: '127.0.0.1',
      AGENT_PORT: String(port),
      MCP_GATEWAY_URL: mcpUrl,
    };
    started.push(await startBuilt('agent', built.agent, agentEnv, agentUrl));
    return { agentUrl, gatewayUrl: mcpUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
