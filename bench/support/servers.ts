import { join } from 'node:path';
import type { BaselineMessage } from '../baseline/baseline-process';
import {
  freePort,
  probeProcess,
  type ProbeResult,
  rssMiB,
  serverExecArgv,
  startNode,
  waitUntil,
  type NodeChild,
} from './processes';

export type ServerName = 'gateway' | 'baseline' | 'sdk-v2';

/** A server under test, each in its own process so its RSS and CPU are its own. */
export interface ServerUnderTest {
  readonly name: ServerName;
  /** the Streamable HTTP endpoint */
  readonly url: string;
  readonly pid: number;
  rssMiB(): Promise<number>;
  /** RSS and heap after a forced full GC in the server process */
  memoryAfterGc(): Promise<ProbeResult>;
  /** CPU time (user + system) the server process has used so far, µs */
  cpuMicros(): Promise<number>;
  openSessions(): Promise<number>;
  stop(): Promise<void>;
}

/** Where the build puts the gateway, relative to dist/bench/support. */
const GATEWAY_MAIN = join(__dirname, '..', '..', 'apps', 'mcp-gateway', 'src', 'main.js');

export interface GatewayOptions {
  sessionTtlSeconds?: number;
  maxSessions?: number;
  /** extra Node flags, e.g. `--cpu-prof` */
  nodeFlags?: string[];
  /** extra environment, e.g. `MALLOC_ARENA_MAX` */
  env?: Record<string, string>;
}

/** The built gateway as a child process, pointed at the emulator's `/v1/completions` (StarCoder2 style). */
export async function startGateway(upstream: string, options: GatewayOptions = {}): Promise<ServerUnderTest> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    STARCODER_ENDPOINT: `${upstream}/v1/completions`,
    MISTRAL_ENDPOINT: `${upstream}/v1/chat/completions`,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    GATEWAY_MAX_SESSIONS: String(options.maxSessions ?? 10_000),
    GATEWAY_SESSION_TTL_SECONDS: String(options.sessionTtlSeconds ?? 1800),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child = startNode(GATEWAY_MAIN, [], env, serverExecArgv(options.nodeFlags));
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${base}/health/live`)).ok, 30_000, 'gateway', child);
  return {
    name: 'gateway',
    url: `${base}/mcp`,
    pid: child.pid,
    rssMiB: () => rssMiB(child.pid),
    memoryAfterGc: () => probeProcess(child.child, true),
    cpuMicros: async () => (await probeProcess(child.child, false)).cpuMicros,
    openSessions: () => gatewayOpenSessions(base),
    stop: () => child.stop(),
  };
}

async function gatewayOpenSessions(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = /^mcp_gateway_open_sessions\{transport="streamable-http"\} (\d+)/m.exec(text);
  return Number(line?.[1] ?? 0);
}

/** The bare-SDK baseline (bench/baseline; `sdk: 'v2'` the SDK v2 createMcpHandler one) as a child process. */
export async function startBaseline(
  upstream: string,
  nodeFlags: string[] = [],
  sdk: 'v1' | 'v2' = 'v1',
): Promise<ServerUnderTest> {
  const script = join(__dirname, '..', 'baseline', 'baseline-process.js');
  const env = { PATH: process.env.PATH, NODE_ENV: 'production' };
  const args = [`${upstream}/v1/completions`, ...(sdk === 'v2' ? ['v2'] : [])];
  const child = startNode(script, args, env, serverExecArgv(nodeFlags));
  const url = await new Promise<string>((resolve, reject) => {
    child.child.once(
      'message',
      (message: BaselineMessage) => message.type === 'ready' && resolve(message.url),
    );
    child.child.once('exit', () => reject(new Error(`baseline exited\n${child.stderr()}`)));
  });
  return {
    name: sdk === 'v2' ? 'sdk-v2' : 'baseline',
    url,
    pid: child.pid,
    rssMiB: () => rssMiB(child.pid),
    memoryAfterGc: () => probeProcess(child.child, true),
    cpuMicros: async () => (await probeProcess(child.child, false)).cpuMicros,
    openSessions: () => baselineOpenSessions(child),
    stop: () => child.stop(),
  };
}

function baselineOpenSessions(child: NodeChild): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: BaselineMessage) => {
      if (message.type !== 'sessions') return;
      child.child.off('message', onMessage);
      resolve(message.open);
    };
    child.child.on('message', onMessage);
    child.child.send({ type: 'sessions' });
  });
}
