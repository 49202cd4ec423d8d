import type { AddressInfo } from 'node:net';
import { startModelServerEmulator, type EmulatorOptions, type ModelServerEmulator } from '@app/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AppModule } from '../../../apps/mcp-gateway/src/app.module';
import { configureHttpApp } from '../../../apps/mcp-gateway/src/http-app';

export type Env = Record<string, string | undefined>;

export interface RunningGateway {
  app: INestApplication;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Quiet, fast-failing defaults; a test passes what it is about. */
const BASE_ENV: Env = {
  GATEWAY_HOST: '127.0.0.1',
  GATEWAY_PORT: '0',
  LOG_LEVEL: 'silent',
  LOG_PRETTY: 'false',
  MODEL_MAX_RETRIES: '0',
  MODEL_TIMEOUT_SECONDS: '20',
  GATEWAY_API_KEYS: undefined,
  GATEWAY_ALLOWED_HOSTS: undefined,
  GATEWAY_MCP_MODE: undefined,
  STARCODER_ENDPOINT: undefined,
  STARCODER_PROTOCOL: undefined,
  STARCODER_MODEL: undefined,
};

/** Runs `build` with the environment patched, restoring it afterwards (config namespaces read process.env once). */
async function withEnv<T>(env: Env, build: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Env) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    return await build();
  } finally {
    apply(saved);
  }
}

/** The real gateway app (every module, real config validation) listening on 127.0.0.1 on an ephemeral port. */
export async function startGateway(env: Env = {}): Promise<RunningGateway> {
  const app = await withEnv({ ...BASE_ENV, ...env }, async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot('http')] }).compile();
    // as main.ts: close() ends kept-alive client sockets instead of waiting for the client to drop them (≈ 4 s)
    const created = moduleRef.createNestApplication({
      bodyParser: false,
      bufferLogs: true,
      forceCloseConnections: true,
    });
    configureHttpApp(created);
    await created.listen(0, '127.0.0.1');
    return created;
  });
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export function emulatorEndpoint(emulatorUrl: string): Env {
  return { STARCODER_ENDPOINT: `${emulatorUrl}/v1/chat/completions`, STARCODER_MODEL: 'starcoder2-7b' };
}

export async function connectStreamableHttp(
  baseUrl: string,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'gateway-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers },
  });
  await client.connect(transport);
  return client;
}

export async function connectLegacySse(baseUrl: string): Promise<Client> {
  const client = new Client({ name: 'gateway-e2e-sse', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(`${baseUrl}/sse`)));
  return client;
}

/** A raw JSON-RPC POST to /mcp, for the cases an SDK client would never send. */
export async function postMcp(
  baseUrl: string,
  body: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
    signal,
  });
}

export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** What a suite's shared client needs: the v1 and v2 SDK clients both fit. */
interface Closable {
  close(): Promise<void>;
}

export interface SharedGatewayOptions<C extends Closable | undefined> {
  /** gateway settings (on top of the emulator's endpoint, where there is one) */
  env?: Env;
  /** a client the whole suite uses: connected once the gateway listens, closed before it stops */
  connect?: (gateway: RunningGateway) => Promise<C>;
}

export interface GatewayOnEmulatorOptions<C extends Closable | undefined> extends SharedGatewayOptions<C> {
  emulator?: EmulatorOptions;
}

/** A gateway a suite shares; read the fields inside tests (they are set in beforeAll). */
export interface SharedGateway<C extends Closable | undefined = undefined> {
  readonly gateway: RunningGateway;
  /** the client from `connect` (undefined without one) */
  readonly client: C;
}

/** The gateway and its emulator that most suites share: started once, the emulator reset before each test. */
export interface GatewayOnEmulator<C extends Closable | undefined = undefined> extends SharedGateway<C> {
  readonly emulator: ModelServerEmulator;
}

/** An emulator a suite shares (e.g. for a gateway the tests spawn themselves): reset before each test. */
export interface SharedEmulator {
  readonly emulator: ModelServerEmulator;
}

interface Started<C> {
  emulator?: ModelServerEmulator;
  gateway?: RunningGateway;
  client?: C;
}

async function startGatewayAndClient<C extends Closable | undefined>(
  started: Started<C>,
  env: Env,
  connect: SharedGatewayOptions<C>['connect'],
): Promise<void> {
  started.gateway = await startGateway(env);
  if (connect) started.client = await connect(started.gateway);
}

async function stopGatewayAndClient<C extends Closable | undefined>(started: Started<C>): Promise<void> {
  await started.client?.close();
  await started.gateway?.close();
}

/** The fields tests read, looked up when read (the hooks fill `started` in beforeAll). */
function viewOf<C extends Closable | undefined>(started: Started<C>): GatewayOnEmulator<C> {
  return {
    get emulator() {
      return started.emulator as ModelServerEmulator;
    },
    get gateway() {
      return started.gateway as RunningGateway;
    },
    get client() {
      return started.client as C;
    },
  };
}

/** Registers the suite's hooks for an emulator alone: started once, reset before each test, closed at the end. */
export function useEmulator(options: EmulatorOptions = {}): SharedEmulator {
  const started: Started<undefined> = {};
  beforeAll(async () => {
    started.emulator = await startModelServerEmulator(options);
  });
  afterAll(() => started.emulator?.close());
  beforeEach(() => started.emulator?.reset());
  return viewOf(started);
}

/** Registers the suite's hooks for a gateway without a model server (auth, session and config suites). */
export function useGateway<C extends Closable | undefined = undefined>(
  options: SharedGatewayOptions<C> = {},
): SharedGateway<C> {
  const started: Started<C> = {};
  beforeAll(() => startGatewayAndClient(started, options.env ?? {}, options.connect));
  afterAll(() => stopGatewayAndClient(started));
  return viewOf(started);
}

/** Registers the suite's hooks: emulator, then gateway on it, then the client; stopped in reverse order. */
export function useGatewayOnEmulator<C extends Closable | undefined = undefined>(
  options: GatewayOnEmulatorOptions<C> = {},
): GatewayOnEmulator<C> {
  const started: Started<C> = {};
  beforeAll(async () => {
    started.emulator = await startModelServerEmulator(options.emulator);
    const env = { ...emulatorEndpoint(started.emulator.url), ...options.env };
    await startGatewayAndClient(started, env, options.connect);
  });
  afterAll(async () => {
    await stopGatewayAndClient(started);
    await started.emulator?.close();
  });
  beforeEach(() => started.emulator?.reset());
  return viewOf(started);
}
