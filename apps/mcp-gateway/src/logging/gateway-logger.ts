import { Inject, Injectable } from '@nestjs/common';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { GatewayError } from '../tools/gateway.error';
import type { ToolOutcome } from '../tools/tool.types';

export interface ToolCallLog {
  tool: string;
  transport: string;
  /** MCP protocol family (modern / legacy / none for REST) */
  era?: string;
  /** W3C trace id of the caller's trace context, when it sent one */
  traceId?: string;
  /** the x-request-id of the HTTP request that carried the call */
  requestId?: string;
}

/**
 * Structured, payload-safe log lines for the gateway's own events. They carry the request id as a field:
 * there is no per-request logging context (see `requestLogger`).
 */
@Injectable()
export class GatewayLogger {
  constructor(
    @InjectPinoLogger('mcp-gateway') private readonly pino: PinoLogger,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfigType,
  ) {}

  toolCall(call: ToolCallLog, outcome: ToolOutcome, durationMs: number, args: unknown): void {
    const level = outcome.ok ? 'info' : 'warn';
    if (!this.pino.logger.isLevelEnabled(level)) return;
    const fields = {
      event: 'tool_call',
      tool: call.tool,
      transport: call.transport,
      ...(call.era === undefined ? {} : { era: call.era }),
      ...(call.requestId === undefined ? {} : { requestId: call.requestId }),
      ...(call.traceId === undefined ? {} : { traceId: call.traceId }),
      outcome: outcome.ok ? 'ok' : outcome.error.code,
      durationMs: Math.round(durationMs * 100) / 100,
      ...(this.config.logPayloads ? { args } : {}),
    };
    if (outcome.ok) this.pino.info(fields, 'tool call succeeded');
    else this.pino.warn({ ...fields, error: this.errorText(outcome.error) }, 'tool call failed');
  }

  /** The operator's message (upstream URLs kept), with any quoted model output cut unless LOG_PAYLOADS=true. */
  private errorText(error: GatewayError): string {
    const excerpt = error.payloadExcerpt;
    if (this.config.logPayloads || excerpt === undefined || excerpt === '') return error.operatorMessage;
    return error.operatorMessage.split(excerpt).join('[model output redacted: LOG_PAYLOADS=false]');
  }

  /** A request refused before any route (Host/Origin, API key, body): visible to operators, payload-free. */
  rejected(
    req: { method?: string; url?: string; headers: Record<string, unknown> },
    status: number,
    reason: string,
  ): void {
    const requestId = req.headers['x-request-id'];
    this.pino.warn(
      { event: 'request_rejected', method: req.method, url: req.url, status, requestId, reason },
      'request rejected',
    );
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.pino.info(fields, message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.pino.warn(fields, message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.pino.error(fields, message);
  }
}
