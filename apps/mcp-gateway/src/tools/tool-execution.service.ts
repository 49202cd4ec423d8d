import { TOOL_CONTRACTS, isToolName, validate, type ToolContract } from '@app/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { GatewayLogger } from '../logging/gateway-logger';
import { traceIdOf } from '../logging/trace-context';
import { GatewayError, toGatewayError } from './gateway.error';
import {
  TOOL_HANDLERS,
  type ToolHandler,
  type ToolOutcome,
  type ToolRunContext,
  type TransportKind,
} from './tool.types';

export interface ExecutionContext extends ToolRunContext {
  transport: TransportKind;
  /** MCP protocol family of the call (none for REST); a metrics and log label */
  era?: 'modern' | 'legacy';
  /** correlation id for the log line (the x-request-id of the carrying HTTP request) */
  requestId?: string;
}

/**
 * The one path every tool call takes, whatever the transport: validate → run → validate output → map.
 * Transports only translate the outcome into their protocol.
 */
@Injectable()
export class ToolExecutionService {
  private readonly handlers: ReadonlyMap<string, ToolHandler>;
  /** one controller per running call: shutdown aborts them once the grace period is over */
  private readonly running = new Set<AbortController>();
  private stopping?: GatewayError;
  private idleWaiters: Array<() => void> = [];

  constructor(
    @Inject(TOOL_HANDLERS) handlers: ToolHandler[],
    private readonly metrics: GatewayMetrics,
    private readonly logger: GatewayLogger,
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.name, handler]));
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  async execute(name: string, args: unknown, context: ExecutionContext): Promise<ToolOutcome> {
    const startedAt = performance.now();
    const tracked = this.track(context.signal);
    let outcome: ToolOutcome;
    try {
      outcome = await this.run(name, args, { ...context, signal: tracked.signal });
    } finally {
      tracked.release();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    // a caller-chosen name must not become a label value: every distinct one would be a new series
    const toolLabel = this.handlers.has(name) ? name : 'unknown';
    const era = context.era ?? 'none';
    this.metrics.recordToolCall(
      toolLabel,
      context.transport,
      outcome.ok ? 'ok' : outcome.error.code,
      seconds,
      era,
    );
    const call = {
      tool: name,
      transport: context.transport,
      era,
      requestId: context.requestId,
      traceId: traceIdOf(context.trace),
    };
    this.logger.toolCall(call, outcome, seconds * 1000, args);
    return outcome;
  }

  get inFlightCalls(): number {
    return this.running.size;
  }

  /** Graceful shutdown: let running calls finish for up to `graceMs`, then abort the rest; refuse new ones. */
  async drain(graceMs: number): Promise<void> {
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.race([idle, graceOver]);
      clearTimeout(timer);
    }
    // not CANCELLED (499: the caller gave up): the caller did nothing wrong and should simply retry
    this.stopping = new GatewayError(
      'UNAVAILABLE',
      'The gateway is shutting down; retry on another instance.',
    );
    for (const controller of this.running) controller.abort(this.stopping);
  }

  /**
   * The call's own controller, following the caller's signal. (AbortSignal.any over one long-lived shutdown
   * signal would hang a dependant on it per call.) `release` unhooks it when the call ends.
   */
  private track(callerSignal: AbortSignal): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const forward = () => controller.abort(callerSignal.reason);
    this.running.add(controller);
    if (this.stopping) controller.abort(this.stopping);
    else if (callerSignal.aborted) forward();
    else callerSignal.addEventListener('abort', forward, { once: true });
    const release = () => {
      callerSignal.removeEventListener('abort', forward);
      this.running.delete(controller);
      if (this.running.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
    return { signal: controller.signal, release };
  }

  private async run(name: string, args: unknown, context: ToolRunContext): Promise<ToolOutcome> {
    try {
      if (context.signal.aborted) throw abortReasonOf(context.signal);
      const contract = this.contractOf(name);
      const input = validate(contract.input, args ?? {});
      if (!input.ok) throw invalidInput(name, input.message, input.errors);
      const handler = this.handlers.get(name) as ToolHandler<unknown>;
      const output = await handler.run(input.value, context);
      return { ok: true, value: this.checkOutput(contract, output) };
    } catch (error) {
      return {
        ok: false,
        error: toGatewayError(context.signal.aborted ? abortReasonOf(context.signal) : error),
      };
    }
  }

  private contractOf(name: string): ToolContract {
    if (!isToolName(name) || !this.handlers.has(name)) {
      const known = [...this.handlers.keys()].join(', ');
      throw new GatewayError('UNKNOWN_TOOL', `Unknown tool "${name}". Available tools: ${known}.`);
    }
    return TOOL_CONTRACTS[name];
  }

  /** The model's answer passed the tool's own parsing; this guarantees what clients receive matches outputSchema. */
  private checkOutput(contract: ToolContract, output: unknown): Record<string, unknown> {
    const checked = validate(contract.output, output);
    if (checked.ok) return checked.value as Record<string, unknown>;
    const message = `The code model's answer for ${contract.name} did not match the output schema (${checked.message}). Retry the call.`;
    throw new GatewayError('INVALID_RESPONSE', message, checked.errors);
  }
}

function invalidInput(tool: string, summary: string, errors: unknown): GatewayError {
  return new GatewayError('VALIDATION_FAILED', `Invalid arguments for ${tool}: ${summary}`, errors);
}

/** Once the caller gave up (or the gateway is stopping), whatever the model client threw is a cancellation. */
function abortReasonOf(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return new GatewayError('CANCELLED', 'The call was cancelled before it finished.');
}
