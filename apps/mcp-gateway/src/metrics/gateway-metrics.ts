import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The gateway's Prometheus metrics on a registry of its own (not prom-client's global one), so several
 * app instances in one process (tests) do not collide.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly toolCalls = new Counter({
    name: 'mcp_gateway_tool_calls_total',
    help: 'Tool calls by tool, transport, outcome (ok or an error code) and MCP era (modern = 2026-07-28, legacy = 2025/2024, none = REST)',
    labelNames: ['tool', 'transport', 'outcome', 'era'] as const,
    registers: [this.registry],
  });
  private readonly toolErrors = new Counter({
    name: 'mcp_gateway_tool_errors_total',
    help: 'Failed tool calls by tool and error code',
    labelNames: ['tool', 'code'] as const,
    registers: [this.registry],
  });
  private readonly toolDuration = new Histogram({
    name: 'mcp_gateway_tool_call_duration_seconds',
    help: 'Tool call latency in seconds, validation to answer',
    labelNames: ['tool'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'mcp_gateway_model_request_duration_seconds',
    help: 'Model (upstream) call latency in seconds',
    labelNames: ['role', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly firstToken = new Histogram({
    name: 'mcp_gateway_model_time_to_first_token_seconds',
    help: 'Time from the model call to its first token, in seconds',
    labelNames: ['role'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'mcp_gateway_model_retries_total',
    help: 'Model call retries (attempts beyond the first)',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  private readonly structuredOutput = new Gauge({
    name: 'mcp_gateway_model_structured_output_info',
    help: 'How JSON Schemas are sent to the model server (dialect: llama.cpp, vllm, openai, …; source: configured or detected)',
    labelNames: ['role', 'dialect', 'source'] as const,
    registers: [this.registry],
  });
  private structuredOutputKey?: string;
  private readonly sessions = new Gauge({
    name: 'mcp_gateway_open_sessions',
    help: 'Open MCP sessions by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mcp_gateway_' });
  }

  recordToolCall(tool: string, transport: string, outcome: string, seconds: number, era = 'none'): void {
    this.toolCalls.inc({ tool, transport, outcome, era });
    this.toolDuration.observe({ tool }, seconds);
    if (outcome !== 'ok') this.toolErrors.inc({ tool, code: outcome });
  }

  recordModelCall(role: string, outcome: string, seconds: number, firstTokenSeconds?: number): void {
    this.upstreamDuration.observe({ role, outcome }, seconds);
    if (firstTokenSeconds !== undefined) this.firstToken.observe({ role }, firstTokenSeconds);
  }

  recordRetries(role: string, count: number): void {
    if (count > 0) this.retries.inc({ role }, count);
  }

  /** Called after every code-model call (the dialect is detected on the first): a new series only on change. */
  setStructuredOutput(role: string, dialect: string, source: string): void {
    const key = `${role}\n${dialect}\n${source}`;
    if (key === this.structuredOutputKey) return;
    this.structuredOutputKey = key;
    this.structuredOutput.reset();
    this.structuredOutput.set({ role, dialect, source }, 1);
  }

  setOpenSessions(transport: string, count: number): void {
    this.sessions.set({ transport }, count);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
