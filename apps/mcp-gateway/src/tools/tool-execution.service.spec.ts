import { InferenceError } from '@app/inference';
import { GatewayLogger } from '../logging/gateway-logger';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { GatewayError, toGatewayError } from './gateway.error';
import { ToolExecutionService } from './tool-execution.service';
import type { ToolHandler, ToolOutcome, ToolRunContext } from './tool.types';

const SPEC = {
  title: 't',
  summary: 's',
  requirements: [],
  acceptance_criteria: [],
  constraints: [],
  assumptions: [],
  open_questions: [],
};

function handler(
  name: ToolHandler['name'],
  run: (input: unknown, ctx: ToolRunContext) => Promise<unknown>,
): ToolHandler {
  return { name, run: run };
}

function loggerStub(): GatewayLogger & { calls: ToolOutcome[] } {
  const calls: ToolOutcome[] = [];
  return { calls, toolCall: (_call: unknown, outcome: ToolOutcome) => calls.push(outcome) } as never;
}

function service(...handlers: ToolHandler[]) {
  const metrics = new GatewayMetrics();
  const logger = loggerStub();
  return { executor: new ToolExecutionService(handlers, metrics, logger), metrics, logger };
}

const ctx = () => ({ signal: new AbortController().signal, transport: 'rest' as const });

describe('ToolExecutionService', () => {
  it('validates input, runs the handler with the parsed value (defaults applied) and returns the output', async () => {
    const seen: unknown[] = [];
    const { executor, logger } = service(
      handler('generate_code', async (input) => {
        seen.push(input);
        return { language: 'python', code: 'pass', explanation: 'e' };
      }),
    );
    const outcome = await executor.execute('generate_code', { task: '  merge  ' }, ctx());
    expect(outcome).toEqual({ ok: true, value: { language: 'python', code: 'pass', explanation: 'e' } });
    expect(seen).toEqual([{ task: 'merge', language: 'python' }]);
    expect(logger.calls).toHaveLength(1);
  });

  it('rejects unknown tools and tools without a handler with UNKNOWN_TOOL naming the available ones', async () => {
    const { executor } = service(handler('review_code', async () => ({})));
    const unknown = await executor.execute('rm_rf', {}, ctx());
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TOOL', message: expect.stringContaining('review_code') },
    });
    expect(executor.has('formalize_task')).toBe(false);
    expect(await executor.execute('formalize_task', { task: 'x' }, ctx())).toMatchObject({
      error: { code: 'UNKNOWN_TOOL' },
    });
  });

  it('counts unknown tool names under one metrics label, not one series per name a caller sends', async () => {
    const { executor, metrics } = service(handler('review_code', async () => ({})));
    await executor.execute('rm_rf', {}, ctx());
    await executor.execute('drop_tables', {}, ctx());
    const text = await metrics.render();
    expect(text).toMatch(/mcp_gateway_tool_errors_total\{tool="unknown",code="UNKNOWN_TOOL"\} 2/);
    expect(text).not.toMatch(/rm_rf|drop_tables/);
  });

  it('reports field-level VALIDATION_FAILED details without calling the handler', async () => {
    let called = false;
    const { executor } = service(handler('formalize_task', async () => (called = true)));
    const outcome = await executor.execute('formalize_task', { task: '', extra: 1 }, ctx());
    expect(called).toBe(false);
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: expect.any(Array) },
    });
    if (!outcome.ok) expect(outcome.error.message).toMatch(/^Invalid arguments for formalize_task: .*task/);
  });

  it('an answer that does not match the output schema is INVALID_RESPONSE, never sent as structured content', async () => {
    const { executor } = service(handler('formalize_task', async () => ({ ...SPEC, requirements: 'one' })));
    const outcome = await executor.execute('formalize_task', { task: 'x' }, ctx());
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'INVALID_RESPONSE', message: expect.stringMatching(/requirements/) },
    });
  });

  it('keeps inference error codes and counts errors by code in the metrics', async () => {
    const { executor, metrics } = service(
      handler('formalize_task', () =>
        Promise.reject(new InferenceError('TIMEOUT', 'no first token within 30 s', { phase: 'first-token' })),
      ),
    );
    const outcome = await executor.execute('formalize_task', { task: 'x' }, ctx());
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'TIMEOUT', details: { phase: 'first-token' } },
    });
    expect(await metrics.render()).toMatch(
      /mcp_gateway_tool_errors_total\{tool="formalize_task",code="TIMEOUT"\} 1/,
    );
  });

  it('whatever a cancelled call throws is reported as CANCELLED', async () => {
    const controller = new AbortController();
    const { executor } = service(
      handler(
        'review_code',
        (_input, { signal }) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('socket hang up'))),
          ),
      ),
    );
    const pending = executor.execute(
      'review_code',
      { code: 'x' },
      { signal: controller.signal, transport: 'sse' },
    );
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('drain() lets running calls finish within the grace period, then aborts the rest', async () => {
    let release: () => void = () => undefined;
    const { executor } = service(
      handler(
        'review_code',
        () =>
          new Promise(
            (resolve) =>
              (release = () => resolve({ summary: 's', verdict: 'approve', score: 9, issues: [] })),
          ),
      ),
      handler(
        'formalize_task',
        (_input, { signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      ),
    );
    const quick = executor.execute('review_code', { code: 'x' }, ctx());
    expect(executor.inFlightCalls).toBe(1);
    const draining = executor.drain(1_000);
    release();
    await draining;
    expect(await quick).toMatchObject({ ok: true });
    const stuck = executor.execute('formalize_task', { task: 'x' }, ctx());
    expect(await stuck).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('drain() aborts calls still running when the grace period ends', async () => {
    const { executor } = service(
      handler(
        'formalize_task',
        (_input, { signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
      ),
    );
    const stuck = executor.execute('formalize_task', { task: 'x' }, ctx());
    await executor.drain(20);
    expect(await stuck).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE', message: expect.stringMatching(/shutting down/) },
    });
  });
});

describe('toGatewayError', () => {
  it('maps inference errors, aborts and unknown failures to actionable codes', () => {
    const upstream = toGatewayError(
      new InferenceError('UPSTREAM_ERROR', 'HTTP 503 from http://gpu:8000', { status: 503, attempts: 3 }),
    );
    expect(upstream).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 503, attempts: 3 } });
    // clients are not told where the model servers are; the logs are (operatorMessage)
    expect(upstream.message).toBe('The code model failed: HTTP 503 from <model server>');
    expect(upstream.operatorMessage).toBe('The code model failed: HTTP 503 from http://gpu:8000');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toGatewayError(abort).code).toBe('CANCELLED');
    expect(toGatewayError('weird')).toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('weird'),
    });
    const same = new GatewayError('NOT_FOUND', 'x');
    expect(toGatewayError(same)).toBe(same);
  });
});
