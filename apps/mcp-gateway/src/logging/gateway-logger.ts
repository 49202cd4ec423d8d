import { Inject, Injectable } from '@nestjs/common';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { ToolOutcome } from '../tools/tool.types';

/** Structured, payload-safe log lines for the gateway's own events (request ids come from the pino context). */
@Injectable()
export class GatewayLogger {
  constructor(
    @InjectPinoLogger('mcp-gateway') private readonly pino: PinoLogger,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfigType,
  ) {}

  toolCall(tool: string, transport: string, outcome: ToolOutcome, durationMs: number, args: unknown): void {
    const fields = {
      event: 'tool_call',
      tool,
      transport,
      outcome: outcome.ok ? 'ok' : outcome.error.code,
      durationMs: Math.round(durationMs * 100) / 100,
      ...(this.config.logPayloads ? { args } : {}),
    };
    if (outcome.ok) this.pino.info(fields, 'tool call succeeded');
    else this.pino.warn({ ...fields, error: outcome.error.message }, 'tool call failed');
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
