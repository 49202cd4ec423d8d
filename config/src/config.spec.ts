import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  appConfigModule,
  ConfigValidationError,
  environmentWithDotEnv,
  gatewayConfig,
  loadConfig,
  runOrExitOnConfigError,
  type GatewayConfigType,
} from '@app/config';
import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('gives documented defaults for an empty environment, with the embedded engine for both roles', () => {
    const config = loadConfig({});
    expect(config.inference.code).toMatchObject({ role: 'code', urls: [], protocol: 'embedded' });
    expect(config.inference.planner.protocol).toBe('embedded');
    expect(config.inference.timeoutMs).toBe(60_000);
    expect(config.inference.maxRetries).toBe(2);
    expect(config.gateway).toMatchObject({ host: '127.0.0.1', port: 3000, apiKeys: [], mcpMode: 'stateful' });
    expect(config.gateway.bodyLimitBytes).toBe(1_048_576);
    expect(config.gateway.allowedHosts).toContain('localhost');
    expect(config.agent).toMatchObject({ port: 3001, gatewayUrl: 'http://127.0.0.1:3000/mcp' });
    expect(config.logging).toEqual({ level: 'info', pretty: false, logPayloads: false });
  });

  it('reads replica lists, protocols, keys and numbers', () => {
    const config = loadConfig({
      STARCODER_ENDPOINT: 'http://gpu-a:8000/v1/completions, http://gpu-b:8000/v1/completions',
      MISTRAL_ENDPOINT: 'http://gpu-c:8001/chat',
      MISTRAL_PROTOCOL: 'local-models',
      STARCODER_API_KEY: 'sk-1',
      MODEL_TIMEOUT_SECONDS: '5',
      GATEWAY_API_KEYS: 'k1,k2',
      GATEWAY_HOST: '0.0.0.0',
      LOG_PAYLOADS: 'yes',
    });
    expect(config.inference.code.urls).toEqual([
      'http://gpu-a:8000/v1/completions',
      'http://gpu-b:8000/v1/completions',
    ]);
    expect(config.inference.code.protocol).toBe('auto');
    expect(config.inference.planner.protocol).toBe('local-models');
    expect(config.inference.code.apiKey).toBe('sk-1');
    expect(config.inference.timeoutMs).toBe(5000);
    expect(config.gateway.apiKeys).toEqual(['k1', 'k2']);
    expect(config.gateway.allowedHosts).toEqual([]);
    expect(config.logging.logPayloads).toBe(true);
  });

  it('keeps the in-flight limit, the queue size and the first-token deadline apart', () => {
    const config = loadConfig({
      MODEL_MAX_CONCURRENCY: '4',
      MODEL_MAX_QUEUE: '500',
      MODEL_FIRST_TOKEN_SECONDS: '90',
      MISTRAL_STRUCTURED_OUTPUT: 'llama.cpp',
    });
    expect(config.inference).toMatchObject({ maxConcurrency: 4, maxQueued: 500, firstTokenMs: 90_000 });
    expect(config.inference.planner.structuredOutput).toBe('llama.cpp');
    expect(config.inference.code.structuredOutput).toBe('auto');
    expect(loadConfig({}).inference).toMatchObject({ maxQueued: 1024, firstTokenMs: 30_000 });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ STARCODER_ENDPOINT: '', GATEWAY_PORT: ' ' }).gateway.port).toBe(3000);
  });

  it.each([
    ['STARCODER_ENDPOINT', 'not-a-url', 'STARCODER_ENDPOINT must be an http(s) URL'],
    ['MISTRAL_ENDPOINT', 'http://ok:1/chat,ftp://x', 'MISTRAL_ENDPOINT must be an http(s) URL'],
    ['MODEL_TIMEOUT_SECONDS', '-1', 'MODEL_TIMEOUT_SECONDS must not be less than 1'],
    ['MODEL_TIMEOUT_SECONDS', 'soon', 'MODEL_TIMEOUT_SECONDS must be an integer number'],
    ['GATEWAY_PORT', '70000', 'GATEWAY_PORT must not be greater than 65535'],
    ['STARCODER_PROTOCOL', 'grpc', 'STARCODER_PROTOCOL must be one of the following values'],
    ['LOG_PAYLOADS', 'maybe', 'LOG_PAYLOADS must be a boolean value'],
    ['MCP_GATEWAY_URL', 'http://a/mcp,http://b/mcp', 'MCP_GATEWAY_URL must be an http(s) URL'],
    ['GATEWAY_API_KEYS', ' , ', 'GATEWAY_API_KEYS must list at least one key'],
    ['GATEWAY_REDIS_URL', 'localhost:6379', 'GATEWAY_REDIS_URL must be a redis:// or rediss:// URL'],
    ['MODEL_MAX_QUEUE', '-1', 'MODEL_MAX_QUEUE must not be less than 0'],
    ['MODEL_FIRST_TOKEN_SECONDS', '0', 'MODEL_FIRST_TOKEN_SECONDS must not be less than 1'],
    ['STARCODER_STRUCTURED_OUTPUT', 'xml', 'STARCODER_STRUCTURED_OUTPUT must be one of the following values'],
  ])('rejects %s=%s with a line naming the variable', (name, value, expected) => {
    const message = problemsOf({ [name]: value });
    expect(message).toContain(expected);
    expect(message).toContain(`(got `);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('says only what type a value must have when it has the wrong one, not the ranges too', () => {
    expect(problemsOf({ MODEL_TIMEOUT_SECONDS: 'soon' })).toBe(
      'Invalid configuration: MODEL_TIMEOUT_SECONDS must be an integer number (got "soon")',
    );
  });
});

@Injectable()
class NeedsGatewayConfig {
  constructor(@Inject(gatewayConfig.KEY) readonly config: GatewayConfigType) {}
}

describe('appConfigModule', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('injects a typed namespace', async () => {
    process.env.GATEWAY_PORT = '4123';
    @Module({ imports: [appConfigModule()], providers: [NeedsGatewayConfig] })
    class TestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    expect(moduleRef.get(NeedsGatewayConfig).config.port).toBe(4123);
  });

  it('refuses to start on a bad value', async () => {
    process.env.MODEL_MAX_RETRIES = '99';
    await expect(appConfigModule()).rejects.toThrow('MODEL_MAX_RETRIES must not be greater than 10');
  });
});

describe('runOrExitOnConfigError', () => {
  it('prints one line and exits 78 on a configuration error', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await runOrExitOnConfigError(async () => {
      loadConfig({ GATEWAY_PORT: 'x' });
    });
    expect(exit).toHaveBeenCalledWith(78);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/^Invalid configuration: GATEWAY_PORT .*\n$/);
    exit.mockRestore();
    write.mockRestore();
  });

  it('prints one line naming the address and exits 1 when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const second = createServer();
    try {
      await runOrExitOnConfigError(
        () =>
          new Promise<void>((resolve, reject) => {
            second.once('error', reject);
            second.listen(port, '127.0.0.1', resolve);
          }),
      );
      expect(exit).toHaveBeenCalledWith(1);
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0]?.[0])).toMatch(
        new RegExp(
          `^Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use .*GATEWAY_PORT.*\\n$`,
        ),
      );
    } finally {
      exit.mockRestore();
      write.mockRestore();
      holder.close();
    }
  });

  it('validates the environment before the app starts', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const bootstrap = jest.fn(async () => undefined);
    process.env.MODEL_TIMEOUT_SECONDS = '-1';
    try {
      await runOrExitOnConfigError(bootstrap);
    } finally {
      delete process.env.MODEL_TIMEOUT_SECONDS;
    }
    expect(bootstrap).not.toHaveBeenCalled();
    expect(exit).toHaveBeenCalledWith(78);
    expect(String(write.mock.calls[0]?.[0])).toContain('MODEL_TIMEOUT_SECONDS must not be less than 1');
    exit.mockRestore();
    write.mockRestore();
  });

  it('reads .env under the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, '.env'), 'GATEWAY_PORT=4555\nLOG_LEVEL=debug\n');
    process.env.LOG_LEVEL = 'warn';
    try {
      const env = environmentWithDotEnv(join(dir, '.env'));
      expect(env.GATEWAY_PORT).toBe('4555');
      expect(env.LOG_LEVEL).toBe('warn');
    } finally {
      delete process.env.LOG_LEVEL;
    }
  });

  it('rethrows other errors', async () => {
    await expect(runOrExitOnConfigError(async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });
});
