import type { InferenceError, ModelClient, ModelClientOptions } from '@app/inference';
import { createModelClient } from '@app/inference';
import { writeTinyGguf } from '@app/testing';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { AgentOrchestrator } from '../../apps/agent/src/core/agent-orchestrator.service';
import { RunRecord } from '../../apps/agent/src/runs/run-record';
import { startGateway, type RunningGateway } from '../gateway/support/gateway-harness';
import { testSettings } from '../agent/support/settings';
import { describeWithLlamaServer, startLlamaServer, type RunningLlamaServer } from './support/llama-server';

/*
 * llama.cpp's own `llama-server` (built once per machine by scripts/build-llama-server.sh) as a real peer:
 * the inference library, the gateway and the agent against it, with tiny GGUF models the tests write.
 * A scripted model writes a fixed fenced code block; the random one (JSON closers preferred) fills
 * JSON-Schema grammars quickly. Bytes 0x80–0xFF are banned (-l) so the output is always valid UTF-8.
 */
const CODE_SCRIPT = ['```python\n', 'def add(a, b):\n', '    return a + b\n', '```\n'];
const USER = [{ role: 'user' as const, content: 'Write add(a, b) in Python.' }];
const SCHEMA = {
  name: 'answer',
  schema: {
    type: 'object',
    properties: { ok: { type: 'boolean' } },
    required: ['ok'],
    additionalProperties: false,
  },
};

describeWithLlamaServer('llama-server (llama.cpp) as a real model server', (binary) => {
  const clients: ModelClient[] = [];
  const client = (server: RunningLlamaServer, path: string, options: Partial<ModelClientOptions> = {}) => {
    const created = createModelClient({
      role: 'code',
      protocol: 'auto',
      urls: [`${server.url}${path}`],
      timeoutMs: 30_000,
      maxRetries: 1,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
      ...options,
    });
    clients.push(created);
    return created;
  };
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as InferenceError;
    }
    throw new Error('expected a failure');
  };

  let scripted: string;
  let random: string;
  let server: RunningLlamaServer;

  beforeAll(async () => {
    scripted = await writeTinyGguf({ name: 'tiny-coder', script: CODE_SCRIPT, preferJsonClosers: true });
    random = await writeTinyGguf({ name: 'tiny-random', preferJsonClosers: true, seed: 7 });
    server = await startLlamaServer({ binary, model: scripted, slots: 4 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.stop();
  });

  describe.each([
    ['openai-chat', '/v1/chat/completions'],
    ['openai-completions', '/v1/completions'],
  ])('%s', (_protocol, path) => {
    it('streams the answer token by token, with usage and a finish reason', async () => {
      const tokens: string[] = [];
      const result = await client(server, path).generate({
        messages: USER,
        maxTokens: 64,
        onToken: (t) => tokens.push(t),
      });
      expect(tokens.length).toBeGreaterThan(1);
      expect(tokens.join('')).toBe(result.text);
      expect(result.text).toContain('def add(a, b):');
      expect(result.finishReason).toBe('stop');
      expect(result.usage?.completionTokens).toBeGreaterThan(0);
      expect(result.model).toContain('tiny-coder');
    });

    it("constrains the output to a JSON Schema in llama.cpp's dialect (detected from /v1/models)", async () => {
      const code = client(server, path);
      const result = await code.generate({ messages: USER, maxTokens: 64, jsonSchema: SCHEMA });
      expect(JSON.parse(result.text)).toEqual({ ok: expect.any(Boolean) });
      expect((await code.checkHealth()).structuredOutput).toEqual({
        dialect: 'llama.cpp',
        source: 'detected',
      });
    });
  });

  describe('tool calling', () => {
    const tools = [
      { name: 'get_time', description: 'The current time', parameters: { type: 'object', properties: {} } },
    ];

    it('returns tool_calls with --jinja and a template that knows tools', async () => {
      const model = await writeTinyGguf({
        name: 'tiny-caller',
        script: ['<tool_call>\n', '{"name": "get_time", ', '"arguments": {}}', '\n</tool_call>'],
      });
      const caller = await startLlamaServer({
        binary,
        model,
        jinja: true,
        chatTemplateFile: 'test/llama-server/fixtures/tool-calls.jinja',
      });
      try {
        const chat = client(caller, '/v1/chat/completions');
        const result = await chat.generate({ messages: USER, tools, maxTokens: 32 });
        expect(result.finishReason).toBe('tool_calls');
        expect(result.toolCalls).toEqual([{ id: expect.any(String), name: 'get_time', arguments: '{}' }]);
        const streamed = await chat.generate({
          messages: USER,
          tools,
          maxTokens: 32,
          onToken: () => undefined,
        });
        expect(streamed.toolCalls).toMatchObject([{ name: 'get_time', arguments: '{}' }]);
      } finally {
        await caller.stop();
      }
    }, 60_000);

    it('refuses tools with --no-jinja as a request problem: one call, no retry, server still up', async () => {
      const plain = await startLlamaServer({ binary, model: scripted, extraArgs: ['--no-jinja'] });
      try {
        const chat = client(plain, '/v1/chat/completions', { circuit: { failureThreshold: 1 } });
        for (let i = 0; i < 3; i++) {
          const error = await failure(chat.generate({ messages: USER, tools }));
          expect(error).toMatchObject({ code: 'CONFIG', details: { status: 500, attempts: 1 } });
          expect(error.message).toContain('start llama-server with --jinja');
        }
        expect((await chat.checkHealth()).state).toBe('up');
      } finally {
        await plain.stop();
      }
    }, 60_000);
  });

  describe('with a long-running random model', () => {
    let slow: RunningLlamaServer;

    beforeAll(async () => {
      slow = await startLlamaServer({ binary, model: random, slots: 4, ignoreEos: true, maxTokens: 4096 });
    }, 60_000);
    afterAll(() => slow?.stop());

    it('cancels the generation upstream when the caller aborts (llama-server logs "cancel task")', async () => {
      const controller = new AbortController();
      const call = client(slow, '/v1/completions').generate({
        messages: USER,
        maxTokens: 4000,
        signal: controller.signal,
        onToken: () => controller.abort(),
      });
      expect((await failure(call)).code).toBe('CANCELLED');
      await slow.waitForLog(/cancel task/);
    });

    const burst = (code: ModelClient, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          code.generate({ messages: USER, maxTokens: 1000, onToken: () => undefined }).then(
            () => 'ok' as const,
            (e: InferenceError) => e,
          ),
        ),
      );

    it('takes 80 calls on 4 slots: all succeed when MODEL_MAX_CONCURRENCY matches the slots', async () => {
      const code = client(slow, '/v1/completions', {
        maxConcurrency: 4,
        timeoutMs: 150_000,
        deadlines: { firstTokenMs: 2_000 },
      });
      const outcomes = await burst(code, 80);
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    }, 180_000);

    it('80 calls sent at once queue in the server: late first tokens are honest TIMEOUTs, the circuit stays closed', async () => {
      const code = client(slow, '/v1/completions', {
        deadlines: { firstTokenMs: 2_000 },
        circuit: { failureThreshold: 5, halfOpenAfterMs: 60_000 },
      });
      const outcomes = await burst(code, 80);
      const errors = outcomes.filter((o): o is InferenceError => o !== 'ok');
      process.stderr.write(
        `[llama-server queueing] ${80 - errors.length} ok, ${errors.length} busy TIMEOUTs\n`,
      );
      expect(errors.filter((e) => e.code !== 'TIMEOUT' || e.details.serverBusy !== true)).toEqual([]);
      expect((await code.checkHealth()).replicas[0]).toMatchObject({ circuit: 'closed', state: 'up' });
    }, 180_000);
  });

  it('recovers after the server is killed and restarted on the same port', async () => {
    const own = await startLlamaServer({ binary, model: scripted });
    const code = client(own, '/v1/completions', {
      maxRetries: 0,
      circuit: { failureThreshold: 1, halfOpenAfterMs: 200 },
    });
    expect((await code.generate({ messages: USER, maxTokens: 32 })).text).toContain('def add');
    await own.kill();
    const down = await failure(code.generate({ messages: USER, maxTokens: 32 }));
    expect(down.code).toBe('UPSTREAM_ERROR');
    expect(down.message).toContain('is the server running');
    const restarted = await startLlamaServer({ binary, model: scripted, port: own.port });
    try {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await code.generate({ messages: USER, maxTokens: 32 })).text).toContain('def add');
      expect((await code.checkHealth()).state).toBe('up');
    } finally {
      await restarted.stop();
    }
  }, 60_000);

  it('is not ready with a wrong key although /health answers, and says which variable to fix', async () => {
    const guarded = await startLlamaServer({ binary, model: scripted, apiKey: 'right-key' });
    try {
      const wrong = client(guarded, '/v1/chat/completions', { apiKey: 'wrong-key' });
      const health = await wrong.checkHealth();
      expect(health.state).toBe('down');
      expect(health.replicas[0]?.lastError).toContain('the key was refused — check STARCODER_API_KEY');
      const call = await failure(wrong.generate({ messages: USER }));
      expect(call).toMatchObject({ code: 'CONFIG', details: { status: 401 } });
      const right = client(guarded, '/v1/chat/completions', { apiKey: 'right-key' });
      expect((await right.checkHealth()).state).toBe('up');
    } finally {
      await guarded.stop();
    }
  }, 60_000);

  describe('the gateway and the agent in front of it', () => {
    let gateway: RunningGateway;

    beforeAll(async () => {
      gateway = await startGateway({
        STARCODER_ENDPOINT: `${server.url}/v1/completions`,
        MODEL_MAX_CONCURRENCY: '4',
      });
    });
    afterAll(() => gateway?.close());

    it('generate_code over REST returns the code llama-server wrote', async () => {
      const response = await fetch(`${gateway.baseUrl}/v1/tools/generate_code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'add two numbers', language: 'python' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { code: string; language: string };
      expect(body).toMatchObject({ language: 'python', code: 'def add(a, b):\n    return a + b' });
    });

    it('readiness shows the detected structured-output dialect', async () => {
      const ready = (await (await fetch(`${gateway.baseUrl}/health/ready`)).json()) as {
        details: { code_model: { structuredOutput?: unknown } };
      };
      expect(ready.details.code_model.structuredOutput).toMatchObject({ dialect: expect.any(String) });
    });

    it('the agent plans on llama-server and calls generate_code through the gateway', async () => {
      const planner = await writeTinyGguf({
        name: 'tiny-planner',
        script: ['{"tool": ', '"generate_code", ', '"arguments": ', '{"task": ', '"add two numbers"', '}}'],
      });
      const plannerServer = await startLlamaServer({ binary, model: planner });
      // the scripted planner writes its action verbatim: the action-shape grammar the agent would send
      // (structured output, proven above) would steer a random-weight model elsewhere
      const plannerClient = client(plannerServer, '/v1/completions', {
        role: 'planner',
        structuredOutput: 'none',
      });
      try {
        const orchestrator = new AgentOrchestrator(
          plannerClient,
          new McpToolGateway({ kind: 'http', url: `${gateway.baseUrl}/mcp` }),
          testSettings({ maxSteps: 2 }),
        );
        const record = new RunRecord({ task: 'add two numbers', language: 'python' });
        await orchestrator.execute(record);
        const view = record.view();
        expect(view.steps.length).toBeGreaterThanOrEqual(1);
        expect(view.steps[0]?.action?.tool).toBe('generate_code');
        expect(view.result?.code?.code).toContain('def add(a, b):');
      } finally {
        await plannerServer.stop();
      }
    }, 60_000);
  });
});
