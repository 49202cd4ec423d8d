import type { AddressInfo } from 'node:net';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
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
    const created = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true });
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

/** The gateway and its emulator that most suites share: started once, the emulator reset before each test. */
export interface GatewayOnEmulator {
  readonly emulator: ModelServerEmulator;
  readonly gateway: RunningGateway;
}

/** Registers the suite's hooks; read the fields inside tests (they are set in beforeAll). */
export function useGatewayOnEmulator(): GatewayOnEmulator {
  const started: { emulator?: ModelServerEmulator; gateway?: RunningGateway } = {};
  beforeAll(async () => {
    started.emulator = await startModelServerEmulator();
    started.gateway = await startGateway(emulatorEndpoint(started.emulator.url));
  });
  afterAll(async () => {
    await started.gateway?.close();
    await started.emulator?.close();
  });
  beforeEach(() => started.emulator?.reset());
  return {
    get emulator() {
      return started.emulator as ModelServerEmulator;
    },
    get gateway() {
      return started.gateway as RunningGateway;
    },
  };
}
