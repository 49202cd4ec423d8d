import { AsyncLocalStorage } from 'node:async_hooks';
import { TOOL_CONTRACTS } from '@app/contracts';
import { jest } from '@jest/globals';
import { startModelServerEmulator } from '@app/testing';
import request from 'supertest';
import { FORMALIZE_REPLY, GENERATE_REPLY, REVIEW_REPLY } from './support/model-replies';
import {
  connectStreamableHttp,
  emulatorEndpoint,
  startGateway,
  useGateway,
  useGatewayOnEmulator,
  type RunningGateway,
} from './support/gateway-harness';
import { ModernHttpService } from '../../apps/mcp-gateway/src/mcp/v2/modern-http.service';

describe('REST, docs, health and metrics', () => {
  const fixture = useGatewayOnEmulator();

  it('GET /v1/tools lists the tools with their input and output JSON Schemas', async () => {
    const res = await request(fixture.gateway.baseUrl).get('/v1/tools').expect(200);
    expect(res.body.tools).toHaveLength(4);
    expect(res.body.tools[2]).toMatchObject({
      name: 'review_code',
      inputSchema: TOOL_CONTRACTS.review_code.inputJsonSchema,
      outputSchema: TOOL_CONTRACTS.review_code.outputJsonSchema,
    });
  });

  it('POST /v1/tools/{name} answers each tool with its structured output', async () => {
    fixture.emulator.script({ text: FORMALIZE_REPLY }, { text: GENERATE_REPLY }, { text: REVIEW_REPLY });
    const api = request(fixture.gateway.baseUrl);
    const formalized = await api
      .post('/v1/tools/formalize_task')
      .send({ task: 'merge intervals' })
      .expect(200);
    expect(formalized.body).toMatchObject({ title: 'Merge intervals', requirements: expect.any(Array) });
    const code = await api
      .post('/v1/tools/generate_code')
      .send({ spec: formalized.body, language: 'python' })
      .expect(200);
    expect(code.body).toMatchObject({ language: 'python', code: expect.stringContaining('def merge') });
    const review = await api.post('/v1/tools/review_code').send({ code: code.body.code }).expect(200);
    expect(review.body).toMatchObject({
      verdict: 'request_changes',
      issues: [expect.objectContaining({ severity: 'major' })],
    });
  });

  it('errors are {"error":{code,message,details}} with the status of the code and a correlation id', async () => {
    const api = request(fixture.gateway.baseUrl);
    const invalid = await api
      .post('/v1/tools/review_code')
      .set('x-request-id', 'req-123')
      .send({ code: 7 })
      .expect(400);
    expect(invalid.headers['x-request-id']).toBe('req-123');
    expect(invalid.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/code/),
      details: [expect.objectContaining({ path: 'code' })],
      correlationId: 'req-123',
    });
    const unknown = await api.post('/v1/tools/nope').send({}).expect(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_TOOL');
    const malformed = await api
      .post('/v1/tools/formalize_task')
      .set('content-type', 'application/json')
      .send('{"task":')
      .expect(400);
    expect(malformed.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/not valid JSON/),
    });
    const route = await api.get('/v1/nothing-here').expect(404);
    expect(route.body.error.code).toBe('NOT_FOUND');
    const healthRoute = await api.get('/health/nothing-here').expect(404);
    expect(healthRoute.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
    fixture.emulator.script({
      kind: 'error',
      status: 503,
      body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } },
      headers: { 'retry-after': '7' },
    });
    // a model server that is still loading is unavailable, not a gateway fault: 503, retry after its wait
    const upstream = await api.post('/v1/tools/formalize_task').send({ task: 'x' }).expect(503);
    expect(upstream.headers['retry-after']).toBe('7');
    expect(upstream.body.error).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringMatching(/Loading model/),
    });
  });

  it('a body declared as anything but JSON is 415 with the REST error body', async () => {
    const api = request(fixture.gateway.baseUrl);
    const text = await api
      .post('/v1/tools/generate_code')
      .set('content-type', 'text/plain')
      .send('{"task":"add"}')
      .expect(415);
    expect(text.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/application\/json.*"text\/plain"/),
    });
    await api.post('/v1/tools/generate_code').type('form').send({ task: 'add' }).expect(415);
    fixture.emulator.script({ text: GENERATE_REPLY });
    await api
      .post('/v1/tools/generate_code')
      .set('content-type', 'application/json; charset=utf-8')
      .send('{"task":"add"}')
      .expect(200);
    expect(fixture.emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a body over the limit is 413 JSON, not an HTML page', async () => {
    const res = await request(fixture.gateway.baseUrl)
      .post('/v1/tools/review_code')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ code: 'x'.repeat(1_100_000) }))
      .expect(413);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('foreign Host or Origin is refused (DNS-rebinding protection on a loopback bind)', async () => {
    const api = request(fixture.gateway.baseUrl);
    const host = await api.get('/v1/tools').set('host', 'evil.example:80').expect(403);
    expect(host.body.error.message).toMatch(/Host "evil.example:80" is not allowed/);
    const origin = await api.get('/v1/tools').set('origin', 'http://evil.example').expect(403);
    expect(origin.body.error.message).toMatch(/Origin/);
    // a sandboxed iframe's opaque origin: it could otherwise POST a body without Content-Type to REST
    await api.post('/v1/tools/generate_code').set('origin', 'null').send('{"task":"x"}').expect(403);
    const mcp = await api.post('/mcp').set('host', 'evil.example').send({}).expect(403);
    expect(mcp.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    await api
      .get('/v1/tools')
      .set('host', 'localhost:1234')
      .set('origin', 'http://localhost:5173')
      .expect(200);
  });

  it('/health/live needs nothing; /health/ready shows the code model and the MCP discovery smoke', async () => {
    const api = request(fixture.gateway.baseUrl);
    expect((await api.get('/health/live').expect(200)).body.status).toBe('ok');
    const ready = await api.get('/health/ready').expect(200);
    // degraded (still 200) when the scripted 503 of an earlier test left a recent failure on the replica
    expect(ready.body.info).toMatchObject({
      code_model: { status: expect.stringMatching(/^(up|degraded)$/) },
      mcp: { status: 'up', tools: ['formalize_task', 'generate_code', 'review_code', 'run_tests'] },
    });
    // the smoke's 2026-07-28 half: tools/list through the SDK v2 handler that serves 2026 requests
    expect(await fixture.gateway.app.get(ModernHttpService).listToolNames()).toEqual([
      'formalize_task',
      'generate_code',
      'review_code',
      'run_tests',
    ]);
  });

  it('serving REST, health, metrics and session routes enters no AsyncLocalStorage context', async () => {
    // On Node 20 the first AsyncLocalStorage run switches promise hooks on for the whole process, and every
    // promise of every later MCP tool call pays for them (~30–40 µs a call).
    const run = jest.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = jest.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    try {
      const api = request(fixture.gateway.baseUrl);
      await api.get('/health/live').expect(200);
      await api.get('/v1/tools').expect(200);
      await api.post('/v1/tools/review_code').send({ code: 7 }).expect(400);
      await api.get('/mcp').expect(400);
      await api.delete('/mcp').expect(400);
      await api.get('/metrics').expect(200);
      expect(run).not.toHaveBeenCalled();
      expect(enterWith).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
      enterWith.mockRestore();
    }
  });

  it('/metrics has tool calls, latency histograms, upstream latency, time to first token, errors and sessions', async () => {
    fixture.emulator.script({ text: FORMALIZE_REPLY, chunks: [FORMALIZE_REPLY] });
    const client = await connectStreamableHttp(fixture.gateway.baseUrl);
    await client.callTool({ name: 'formalize_task', arguments: { task: 'x' } }, undefined, {
      onprogress: () => undefined,
    });
    // a failed call of its own (no code to review), so the error series does not depend on earlier tests
    await client.callTool({ name: 'review_code', arguments: {} });
    const text = (await request(fixture.gateway.baseUrl).get('/metrics').expect(200)).text;
    await client.close();
    expect(text).toMatch(
      /mcp_gateway_tool_calls_total\{tool="formalize_task",transport="streamable-http",outcome="ok",era="legacy"\} \d+/,
    );
    expect(text).toContain('mcp_gateway_tool_call_duration_seconds_bucket{le="0.005",tool="formalize_task"}');
    expect(text).toMatch(/mcp_gateway_model_request_duration_seconds_count\{role="code",outcome="ok"\} \d+/);
    expect(text).toMatch(/mcp_gateway_model_time_to_first_token_seconds_count\{role="code"\} \d+/);
    expect(text).toMatch(/mcp_gateway_tool_errors_total\{tool="review_code",code="VALIDATION_FAILED"\} \d+/);
    expect(text).toMatch(/mcp_gateway_open_sessions\{transport="streamable-http"\} 1/);
  });

  it('the OpenAPI document declares every status, Retry-After on 503, and one bearer scheme (not JWT) on every route', async () => {
    const doc = (await request(fixture.gateway.baseUrl).get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', description: expect.stringContaining('GATEWAY_API_KEYS') },
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
    const generate = doc.paths['/v1/tools/generate_code'].post.responses;
    expect(Object.keys(generate)).toEqual(
      expect.arrayContaining(['200', '400', '401', '413', '415', '429', '500', '502', '503', '504']),
    );
    expect(generate['503'].headers['Retry-After']).toBeDefined();
    expect(doc.paths['/v1/tools'].get.responses['401']).toBeDefined();
    expect(doc.paths['/metrics'].get.responses['401']).toBeDefined();
    expect(doc.paths['/health/ready'].get).toMatchObject({
      security: [],
      responses: { '503': expect.anything() },
    });
    expect(doc.paths['/health/live'].get.security).toEqual([]);
  });

  it('/docs serves the OpenAPI UI; its JSON documents each tool with the contract schemas', async () => {
    const api = request(fixture.gateway.baseUrl);
    const ui = await api.get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
    const doc = (await api.get('/docs-json').expect(200)).body;
    expect(doc.paths['/v1/tools/generate_code'].post.requestBody.content['application/json'].schema).toEqual(
      TOOL_CONTRACTS.generate_code.inputJsonSchema,
    );
    expect(
      doc.paths['/v1/tools/review_code'].post.responses['200'].content['application/json'].schema,
    ).toEqual(TOOL_CONTRACTS.review_code.outputJsonSchema);
  });
});

/** A gateway whose code model address had a listener a moment ago and has none now: connection refused. */
async function startGatewayOnStoppedModelServer(): Promise<RunningGateway> {
  const emulator = await startModelServerEmulator();
  await emulator.close();
  return startGateway(emulatorEndpoint(emulator.url));
}

describe('REST with the code model unreachable', () => {
  it('is 503 with Retry-After (not 500/502): the gateway is fine, its model is not', async () => {
    const gateway = await startGatewayOnStoppedModelServer();
    try {
      const answer = await request(gateway.baseUrl)
        .post('/v1/tools/generate_code')
        .send({ task: 'add', language: 'python' })
        .expect(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.body.error).toMatchObject({
        code: 'UPSTREAM_ERROR',
        message: expect.stringContaining('cannot connect'),
      });
    } finally {
      await gateway.close();
    }
  });
});

describe('readiness with the code model down', () => {
  it('/health/ready is 503 naming the code model, /health/live stays 200', async () => {
    const gateway = await startGatewayOnStoppedModelServer();
    try {
      const api = request(gateway.baseUrl);
      await api.get('/health/live').expect(200);
      const ready = await api.get('/health/ready').expect(503);
      expect(ready.body.error).toMatchObject({ code_model: { status: 'down' } });
      expect(ready.body.info).toMatchObject({ mcp: { status: 'up' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('API keys (GATEWAY_API_KEYS)', () => {
  const fixture = useGateway({ env: { GATEWAY_API_KEYS: 'key-one,key-two' } });

  it('requires a valid bearer key on every route but /health/*', async () => {
    const api = request(fixture.gateway.baseUrl);
    const missing = await api.get('/v1/tools').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body.error.code).toBe('UNAUTHORIZED');
    await api.get('/v1/tools').set('authorization', 'Bearer wrong').expect(401);
    await api.get('/metrics').expect(401);
    // the API description is public (a browser cannot send a key to open it); "Try it out" still needs the key
    await api.get('/docs').redirects(1).expect(200);
    await api.get('/docs-json').expect(200);
    const mcp = await api.post('/mcp').send({}).expect(401);
    expect(mcp.body).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/Bearer/) } });
    await api.get('/v1/tools').set('authorization', 'Bearer key-two').expect(200);
    await api.get('/health/live').expect(200);
  });

  it('an SDK client with the key connects and lists the tools', async () => {
    const client = await connectStreamableHttp(fixture.gateway.baseUrl, { authorization: 'Bearer key-one' });
    expect((await client.listTools()).tools).toHaveLength(4);
    await client.close();
    await expect(
      connectStreamableHttp(fixture.gateway.baseUrl, { authorization: 'Bearer nope' }),
    ).rejects.toThrow();
  });
});
