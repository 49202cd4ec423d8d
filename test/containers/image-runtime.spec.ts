/**
 * What the images execute, checked against the real build output (`npm run build`), and the HEALTHCHECK
 * commands run exactly as the Dockerfile writes them (image paths mapped to this checkout):
 *   - every path in CMD / HEALTHCHECK exists; the entry points' require graphs resolve and need
 *     production dependencies only (the image prunes dev dependencies);
 *   - the gateway's tool-discovery healthcheck exits 0 against a running gateway (on the model-server
 *     emulator) and non-zero, within the HEALTHCHECK timeout, when the gateway is stopped or hangs;
 *   - the gateway stops cleanly on SIGTERM (the image's STOPSIGNAL);
 *   - the agent's HTTP probe exits 0 only on a 2xx answer.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type Server as HttpServer,
} from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, startModelServerEmulator, writeTinyGguf, type ModelServerEmulator } from '@app/testing';
import {
  durationMs,
  execForm,
  imageEnvironment,
  lastInstruction,
  loadDockerfile,
  parseHealthcheck,
} from './support/dockerfile';
import { loadCompose } from './support/compose';
import { hostPathFor, REPO_ROOT, repoRelative } from './support/paths';
import {
  canRunAsPid1,
  killIfRunning,
  run,
  startAsPid1,
  startProcess,
  waitForExit,
  waitForHttp,
  type RunResult,
} from './support/processes';
import { requireGraph } from './support/require-graph';

const stages = loadDockerfile(join(REPO_ROOT, 'docker', 'Dockerfile'));
const TARGETS = ['gateway', 'agent'] as const;
type Target = (typeof TARGETS)[number];

function imageCommand(target: Target, keyword: 'CMD' | 'HEALTHCHECK'): string[] {
  const instruction = lastInstruction(stages, target, keyword);
  if (!instruction) throw new Error(`${target} has no ${keyword}`);
  return keyword === 'CMD' ? (execForm(instruction.args) ?? []) : parseHealthcheck(instruction.args).command;
}

/** The image command as a host command: `node` → this Node binary, image paths → files of this checkout. */
function hostCommand(target: Target, command: string[]): { file: string; args: string[] } {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`${target}: expected a node command, got ${program}`);
  const inImage = new Set(imagePaths(command));
  const mapped = args.map((arg) => (inImage.has(arg) ? (hostPathFor(stages, target, arg) ?? arg) : arg));
  return { file: process.execPath, args: mapped };
}

/** Arguments naming files in the image (under its WORKDIR), e.g. `/app/dist/.../main.js`. */
function imagePaths(command: string[]): string[] {
  const workdir = lastInstruction(stages, 'runtime', 'WORKDIR')?.args ?? '/app';
  return command.slice(1).filter((arg) => arg.startsWith(`${workdir}/`));
}

/** The container's environment (image ENV) on top of the bare minimum a process needs here. */
function containerEnv(target: Target, overrides: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...imageEnvironment(stages, target),
    ...overrides,
  };
}

function healthcheckTimeoutMs(target: Target): number {
  const instruction = lastInstruction(stages, target, 'HEALTHCHECK');
  return durationMs(parseHealthcheck(instruction?.args ?? '').options.timeout ?? '30s');
}

function runHealthcheck(target: Target, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const { file, args } = hostCommand(target, imageCommand(target, 'HEALTHCHECK'));
  // Docker kills the check at --timeout; give it a margin so a slow check shows as slow, not as killed.
  return run(file, args, { env, timeoutMs: healthcheckTimeoutMs(target) + 5_000 });
}

const productionDependencies = new Set(
  Object.keys(
    (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies,
  ),
);

const ENTRY_POINTS = TARGETS.flatMap((target) =>
  (['CMD', 'HEALTHCHECK'] as const).map((keyword) => ({ target, keyword })),
);

describe('what the images execute exists in the build output', () => {
  for (const { target, keyword } of ENTRY_POINTS) {
    it(`${target} ${keyword}: every image path it names maps to an existing file`, () => {
      const paths = imagePaths(imageCommand(target, keyword));
      expect(paths.length).toBeGreaterThan(0);
      for (const imagePath of paths) {
        const hostPath = hostPathFor(stages, target, imagePath);
        expect({ imagePath, provided: hostPath !== undefined }).toEqual({ imagePath, provided: true });
        expect({ imagePath, exists: existsSync(hostPath ?? '') }).toEqual({ imagePath, exists: true });
      }
    });

    it(`${target} ${keyword}: loads only built files and production dependencies`, () => {
      const [entry = ''] = hostCommand(target, imageCommand(target, keyword)).args;
      const graph = requireGraph(entry);
      expect(graph.unresolved).toEqual([]);
      const devOnly = [...graph.packages].filter((name) => !productionDependencies.has(name));
      expect({ entry: repoRelative(entry), devOnly }).toEqual({ entry: repoRelative(entry), devOnly: [] });
    });

    it(`${target} ${keyword}: is valid JavaScript for this Node`, async () => {
      const { file, args } = hostCommand(target, imageCommand(target, keyword));
      const check = await run(file, ['--check', args[0] ?? ''], { timeoutMs: 20_000 });
      expect({ stderr: check.stderr, code: check.code }).toEqual({ stderr: '', code: 0 });
    });
  }
});

describe('agent HEALTHCHECK (HTTP probe of /health/ready)', () => {
  let server: HttpServer | undefined;
  let status = 200;
  let seenPath = '';

  async function listen(): Promise<number> {
    server = createHttpServer((request, response) => {
      seenPath = request.url ?? '';
      response.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('exits 0 when the agent answers 2xx on /health/ready at AGENT_PORT', async () => {
    status = 200;
    const port = await listen();
    const result = await runHealthcheck('agent', containerEnv('agent', { AGENT_PORT: String(port) }));
    expect(seenPath).toBe('/health/ready');
    expect(result.code).toBe(0);
  });

  it('exits 1 when the agent reports not ready (503)', async () => {
    status = 503;
    const port = await listen();
    const result = await runHealthcheck('agent', containerEnv('agent', { AGENT_PORT: String(port) }));
    expect(result.stderr).toContain('503');
    expect(result.code).toBe(1);
  });

  it('exits 1 quickly when nothing listens', async () => {
    const port = await freePort();
    const result = await runHealthcheck('agent', containerEnv('agent', { AGENT_PORT: String(port) }));
    expect(result.code).toBe(1);
    expect(result.elapsedMs).toBeLessThan(healthcheckTimeoutMs('agent'));
  });
});

/** Accepts connections and never answers: a hung process behind the port. */
async function startBlackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { port, close };
}

it('agent probe: exits 1 within the HEALTHCHECK timeout when the agent hangs', async () => {
  const hole = await startBlackHole();
  try {
    const result = await runHealthcheck('agent', containerEnv('agent', { AGENT_PORT: String(hole.port) }));
    expect(result.code).toBe(1);
    expect(result.elapsedMs).toBeLessThan(healthcheckTimeoutMs('agent'));
  } finally {
    await hole.close();
  }
});

describe('gateway HEALTHCHECK (tool discovery over MCP) against a running gateway', () => {
  let emulator: ModelServerEmulator;
  let cacheDir: string;
  let gateway: ChildProcess | undefined;

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    cacheDir = mkdtempSync(join(tmpdir(), 'gateway-cache-'));
  });

  afterAll(async () => {
    await killIfRunning(gateway);
    await emulator.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  function gatewayEnv(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return containerEnv('gateway', {
      // the image listens on 0.0.0.0; tests listen on loopback only
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      STARCODER_ENDPOINT: `${emulator.url}/v1/completions`,
      MISTRAL_ENDPOINT: `${emulator.url}/v1/chat/completions`,
      MODEL_CACHE_DIR: cacheDir,
      LOG_LEVEL: 'warn',
      ...extra,
    });
  }

  async function startGateway(
    env: NodeJS.ProcessEnv,
  ): Promise<{ child: ChildProcess; output: () => string }> {
    const { file, args } = hostCommand('gateway', imageCommand('gateway', 'CMD'));
    const started = startProcess(file, args, env);
    gateway = started.child;
    const alive = (): boolean => started.child.exitCode === null && started.child.signalCode === null;
    await waitForHttp(`http://127.0.0.1:${env.GATEWAY_PORT}/health/live`, 20_000, alive).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${started.output()}`);
      },
    );
    return started;
  }

  it('exits 0 while the gateway serves the three tools, then non-zero within the timeout once it stopped', async () => {
    const port = await freePort();
    const env = gatewayEnv(port);
    const started = await startGateway(env);

    const healthy = await runHealthcheck('gateway', env);
    expect({ code: healthy.code, stderr: healthy.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(healthy.elapsedMs).toBeLessThan(healthcheckTimeoutMs('gateway'));

    // The image's STOPSIGNAL: the gateway must end by itself, cleanly, well inside compose's grace period.
    started.child.kill('SIGTERM');
    await expect(waitForExit(started.child, 15_000)).resolves.toBe(0);

    const stopped = await runHealthcheck('gateway', env);
    expect(stopped.code).not.toBe(0);
    expect(stopped.elapsedMs).toBeLessThan(healthcheckTimeoutMs('gateway'));
  }, 60_000);

  it('still passes when the gateway requires API keys (GATEWAY_API_KEYS set for the container)', async () => {
    const port = await freePort();
    const env = gatewayEnv(port, { GATEWAY_API_KEYS: 'container-test-key' });
    const started = await startGateway(env);
    try {
      const result = await runHealthcheck('gateway', env);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    } finally {
      started.child.kill('SIGTERM');
      await waitForExit(started.child, 15_000);
    }
  }, 60_000);

  it('exits non-zero within the timeout when the gateway port accepts but never answers', async () => {
    const hole = await startBlackHole();
    try {
      const result = await runHealthcheck('gateway', gatewayEnv(hole.port));
      expect(result.code).not.toBe(0);
      expect(result.signal).toBeNull();
      expect(result.elapsedMs).toBeLessThan(healthcheckTimeoutMs('gateway'));
    } finally {
      await hole.close();
    }
  }, 30_000);
});

/** POST an MCP initialize with an explicit Host header (the name the agent uses inside compose). */
function initializeWithHost(port: number, host: string): Promise<number> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'compose-test', version: '1' },
    },
  });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the stack as docker-compose.yml wires it, run as processes (no Docker engine)', () => {
  let emulator: ModelServerEmulator;
  let cacheDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    cacheDir = mkdtempSync(join(tmpdir(), 'stack-cache-'));
  });

  afterAll(async () => {
    for (const child of children) await killIfRunning(child);
    await emulator.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** image ENV + the service's compose environment (set-up B pointed at the emulator) + loopback ports. */
  function serviceEnv(target: Target, overrides: Record<string, string>): NodeJS.ProcessEnv {
    const composeEnv = loadCompose(join(REPO_ROOT, 'docker-compose.yml'), {
      STARCODER_ENDPOINT: `${emulator.url}/v1/completions`,
      MISTRAL_ENDPOINT: `${emulator.url}/v1/chat/completions`,
      LOG_LEVEL: 'warn',
    }).services[target]?.environment;
    return containerEnv(target, { ...composeEnv, MODEL_CACHE_DIR: cacheDir, ...overrides });
  }

  async function start(target: Target, env: NodeJS.ProcessEnv, port: string): Promise<ChildProcess> {
    const { file, args } = hostCommand(target, imageCommand(target, 'CMD'));
    const started = startProcess(file, args, env);
    children.push(started.child);
    const alive = (): boolean => started.child.exitCode === null && started.child.signalCode === null;
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 20_000, alive).catch((error: Error) => {
      throw new Error(`${target}: ${error.message}\n${started.output()}`);
    });
    return started.child;
  }

  it('gateway and agent come up healthy, accept the compose host names, and stop on SIGTERM', async () => {
    const gatewayPort = String(await freePort());
    const gatewayEnv = serviceEnv('gateway', { GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: gatewayPort });
    const gateway = await start('gateway', gatewayEnv, gatewayPort);
    expect(await initializeWithHost(Number(gatewayPort), 'gateway:3000')).toBe(200);
    expect(await initializeWithHost(Number(gatewayPort), 'evil.example')).toBe(403);

    const agentPort = String(await freePort());
    const agentEnv = serviceEnv('agent', { AGENT_HOST: '127.0.0.1', AGENT_PORT: agentPort });
    const composeGatewayUrl = new URL(agentEnv.MCP_GATEWAY_URL ?? '');
    expect(composeGatewayUrl.host).toBe(
      `gateway:${loadCompose(join(REPO_ROOT, 'docker-compose.yml')).services.gateway?.environment?.GATEWAY_PORT}`,
    );
    // the service name resolves only on the compose network; here the gateway is on loopback
    agentEnv.MCP_GATEWAY_URL = `http://127.0.0.1:${gatewayPort}${composeGatewayUrl.pathname}`;
    const agent = await start('agent', agentEnv, agentPort);

    const agentHealth = await runHealthcheck('agent', agentEnv);
    expect({ code: agentHealth.code, stderr: agentHealth.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await runHealthcheck('gateway', gatewayEnv)).code).toBe(0);

    agent.kill('SIGTERM');
    gateway.kill('SIGTERM');
    await expect(waitForExit(gateway, 15_000)).resolves.toBe(0);
    // Nest's shutdown hooks close the app, then re-raise the signal (so outside a container it ends by
    // SIGTERM); how each app behaves as PID 1 is checked below.
    await expect(waitForExit(agent, 15_000)).resolves.toEqual(expect.anything());
  }, 90_000);
});

/**
 * `docker stop` sends STOPSIGNAL to the CMD, which runs as PID 1 of the container's PID namespace. The
 * kernel drops signals that PID 1 has no handler for, so an app that relies on the default action would
 * hang until SIGKILL. unshare(1) reproduces that namespace here.
 */
const pid1Available = canRunAsPid1();
const describePid1 = pid1Available ? describe : describe.skip;

describePid1('STOPSIGNAL as in a container: each CMD as PID 1 of its own PID namespace', () => {
  let emulator: ModelServerEmulator;
  let cacheDir: string;
  const launchers: ChildProcess[] = [];

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    cacheDir = mkdtempSync(join(tmpdir(), 'pid1-cache-'));
  });

  afterAll(async () => {
    for (const launcher of launchers) await killIfRunning(launcher);
    await emulator.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Starts the image CMD as PID 1, waits for /health/live, then runs `whileUp`. */
  async function startPid1(
    target: Target,
    env: NodeJS.ProcessEnv,
    port: string,
  ): Promise<ReturnType<typeof startAsPid1>> {
    const { file, args } = hostCommand(target, imageCommand(target, 'CMD'));
    const started = startAsPid1(file, args, env);
    launchers.push(started.launcher);
    const alive = (): boolean => started.launcher.exitCode === null;
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 30_000, alive).catch((error: Error) => {
      throw new Error(`${target}: ${error.message}\n${started.output()}`);
    });
    return started;
  }

  async function expectCleanStop(started: ReturnType<typeof startAsPid1>): Promise<void> {
    process.kill(started.pid(), 'SIGTERM');
    // unshare exits with PID 1's status; compose waits 30 s (stop_grace_period) before SIGKILL
    await expect(waitForExit(started.launcher, 20_000)).resolves.toBe(0);
  }

  function endpoints(): Record<string, string> {
    return {
      STARCODER_ENDPOINT: `${emulator.url}/v1/completions`,
      MISTRAL_ENDPOINT: `${emulator.url}/v1/chat/completions`,
      MODEL_CACHE_DIR: cacheDir,
      LOG_LEVEL: 'warn',
    };
  }

  it('gateway (model servers over HTTP) exits 0 on SIGTERM', async () => {
    const port = String(await freePort());
    const env = containerEnv('gateway', { ...endpoints(), GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: port });
    await expectCleanStop(await startPid1('gateway', env, port));
  }, 60_000);

  it('gateway with the embedded llama.cpp engine loaded exits 0 on SIGTERM', async () => {
    // JSON closers preferred: under formalize_task's grammar random weights then close their strings quickly
    // (without it they write one 800-token string and the answer is rightly reported as cut)
    const modelFile = await writeTinyGguf({ name: 'pid1-tiny', preferJsonClosers: true });
    const port = String(await freePort());
    const env = containerEnv('gateway', {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: port,
      STARCODER_MODEL_FILE: modelFile,
      MISTRAL_MODEL_FILE: modelFile,
      EMBEDDED_THREADS: '1',
      EMBEDDED_CONTEXT_SIZE: '2048',
      MODEL_CACHE_DIR: cacheDir,
      LOG_LEVEL: 'warn',
    });
    const started = await startPid1('gateway', env, port);
    const call = await fetch(`http://127.0.0.1:${port}/v1/tools/formalize_task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'print one' }),
      signal: AbortSignal.timeout(30_000),
    });
    // the engine answered: a valid answer, or (random weights) one the parser rightly refuses
    expect(`${call.status} ${await call.text()}`).toMatch(
      /^(200 |502 \{"error":\{"code":"INVALID_RESPONSE")/,
    );
    await expectCleanStop(started);
    rmSync(dirname(modelFile), { recursive: true, force: true });
  }, 90_000);

  it('agent exits 0 on SIGTERM', async () => {
    const gatewayPort = String(await freePort());
    const gatewayEnv = containerEnv('gateway', {
      ...endpoints(),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: gatewayPort,
    });
    const gateway = await startPid1('gateway', gatewayEnv, gatewayPort);
    const port = String(await freePort());
    const env = containerEnv('agent', {
      ...endpoints(),
      AGENT_HOST: '127.0.0.1',
      AGENT_PORT: port,
      MCP_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}/mcp`,
    });
    await expectCleanStop(await startPid1('agent', env, port));
    await expectCleanStop(gateway);
  }, 90_000);
});

if (!pid1Available) {
  it.skip('STOPSIGNAL as PID 1: unshare(1) cannot create a PID namespace on this machine', () => undefined);
}
