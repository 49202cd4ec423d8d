import { InferenceEvents, type ModelClient } from '@app/inference';
import { GatewayMetrics } from './gateway-metrics';
import { InferenceMetricsObserver } from './inference-metrics.observer';

describe('InferenceMetricsObserver', () => {
  it('turns inference call events into upstream latency, time to first token, retries and outcomes', async () => {
    const events = new InferenceEvents();
    const metrics = new GatewayMetrics();
    let info = { dialect: 'auto', source: 'not detected yet' };
    const code = { role: 'code', structuredOutputInfo: () => info } as unknown as ModelClient;
    const observer = new InferenceMetricsObserver(events, metrics, code);
    expect(await metrics.render()).toContain(
      'mcp_gateway_model_structured_output_info{role="code",dialect="auto",source="not detected yet"} 1',
    );
    info = { dialect: 'llama.cpp', source: 'detected' };
    const call = { role: 'code' as const, protocol: 'openai-chat' as const, streamed: true };
    events.callFinished({ ...call, latencyMs: 850, firstTokenMs: 120, attempts: 3, retries: 2 });
    events.callFinished({ ...call, latencyMs: 30_000, attempts: 1, retries: 0, errorCode: 'TIMEOUT' });
    const text = await metrics.render();
    expect(text).toMatch(/mcp_gateway_model_retries_total\{role="code"\} 2/);
    // the dialect detected on the first structured call replaces "auto"
    expect(text).toContain(
      'mcp_gateway_model_structured_output_info{role="code",dialect="llama.cpp",source="detected"} 1',
    );
    expect(text).not.toContain('dialect="auto"');
    expect(text).toMatch(/mcp_gateway_model_time_to_first_token_seconds_count\{role="code"\} 1/);
    expect(text).toMatch(/mcp_gateway_model_time_to_first_token_seconds_sum\{role="code"\} 0\.12/);
    expect(text).toMatch(
      /mcp_gateway_model_request_duration_seconds_count\{role="code",outcome="TIMEOUT"\} 1/,
    );
    expect(text).toMatch(/mcp_gateway_model_request_duration_seconds_sum\{role="code",outcome="ok"\} 0\.85/);
    observer.onModuleDestroy();
    events.callFinished({ ...call, latencyMs: 1, attempts: 2, retries: 1 });
    expect(await metrics.render()).toMatch(/mcp_gateway_model_retries_total\{role="code"\} 2/);
  });
});
