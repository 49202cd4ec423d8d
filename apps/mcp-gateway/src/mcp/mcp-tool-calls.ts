import type { TraceContext } from '@app/inference';
import { Injectable } from '@nestjs/common';
import { ToolCatalog } from '../tools/tool-catalog';
import { ToolExecutionService } from '../tools/tool-execution.service';
import type { ToolOutcome, TransportKind } from '../tools/tool.types';
import { toCallToolResult } from './call-tool-result';
import {
  InvalidParamsError,
  LOGGING_LEVELS,
  type LoggingLevel,
  type McpEra,
  type NotifySender,
  type ProgressToken,
  type ToolCallResult,
} from './mcp-protocol';
import { ProgressReporter } from './progress-reporter';

/** What an SDK adapter reads off its request context before handing a tools/call over. */
export interface McpCallContext {
  signal: AbortSignal;
  /** sends a notification on the stream of this request */
  notify: NotifySender;
  transport: TransportKind;
  era: McpEra;
  /** the x-request-id of the carrying HTTP request (log correlation) */
  requestId?: string;
  progressToken?: ProgressToken;
  /** the level the client chose (2025: logging/setLevel; 2026: `_meta` logLevel); none → no log notifications */
  logLevel?: LoggingLevel;
  /** the caller's trace context (request `_meta` or HTTP headers), passed on to the model server */
  trace?: TraceContext;
}

/**
 * tools/call for every MCP door, both SDK lines and both protocol eras: unknown tool → -32602, progress
 * while the model streams, the call through the one execution path, log notifications where the client
 * asked for them. The SDK adapters (v1/, v2/) only translate their request context into McpCallContext.
 */
@Injectable()
export class McpToolCalls {
  constructor(
    private readonly catalog: ToolCatalog,
    private readonly executor: ToolExecutionService,
  ) {}

  async call(name: string, args: unknown, context: McpCallContext): Promise<ToolCallResult> {
    if (!this.executor.has(name)) {
      const known = this.catalog.tools.map((tool) => tool.name).join(', ');
      throw new InvalidParamsError(`Unknown tool: ${name}. Available tools: ${known}`);
    }
    const { progressToken: token } = context;
    const progress = token === undefined ? undefined : new ProgressReporter(token, context.notify);
    const outcome = await this.executor.execute(name, args, {
      signal: context.signal,
      onToken: progress?.onToken,
      onProgress: progress?.onStage,
      onWaiting: progress?.onWaiting,
      transport: context.transport,
      era: context.era,
      requestId: context.requestId,
      trace: context.trace,
    });
    // most clients never ask for log notifications: no extra async step for them
    if (context.logLevel !== undefined) await log(context.logLevel, context.notify, name, outcome);
    return toCallToolResult(outcome);
  }
}

/** The logging capability: failures at `error`, successes at `debug`, only once the client chose a level. */
async function log(chosen: LoggingLevel, notify: NotifySender, tool: string, outcome: ToolOutcome) {
  const level: LoggingLevel = outcome.ok ? 'debug' : 'error';
  if (LOGGING_LEVELS.indexOf(level) < LOGGING_LEVELS.indexOf(chosen)) return;
  const data = outcome.ok
    ? { tool, outcome: 'ok' }
    : { tool, code: outcome.error.code, message: outcome.error.message };
  await notify({ method: 'notifications/message', params: { level, logger: 'mcp-gateway', data } }).catch(
    () => undefined,
  );
}
