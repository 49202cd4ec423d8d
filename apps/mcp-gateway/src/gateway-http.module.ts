import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller';
import { McpSmokeIndicator } from './health/mcp-smoke.indicator';
import { ApiKeyMiddleware } from './http/api-key.middleware';
import { HostOriginMiddleware } from './http/host-origin.middleware';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { LegacySseController } from './mcp/v1/legacy-sse.controller';
import { McpEraRouter } from './mcp/mcp-era-router';
import { McpSessionRegistry } from './mcp/v1/session-registry';
import { StreamableHttpController } from './mcp/streamable-http.controller';
import { StreamableHttpService } from './mcp/v1/streamable-http.service';
import { ModernHttpService } from './mcp/v2/modern-http.service';
import { MetricsController } from './metrics/metrics.controller';
import { HttpErrorFilter } from './rest/http-error.filter';
import { ToolsController } from './rest/tools.controller';

/** The HTTP face: MCP Streamable HTTP + legacy SSE, REST, health, metrics, and the security middleware. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [
    StreamableHttpController,
    LegacySseController,
    ToolsController,
    HealthController,
    MetricsController,
  ],
  providers: [
    McpSessionRegistry,
    StreamableHttpService,
    ModernHttpService,
    McpEraRouter,
    McpSmokeIndicator,
    HostOriginMiddleware,
    ApiKeyMiddleware,
    JsonBodyMiddleware,
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
  exports: [McpSessionRegistry],
})
export class GatewayHttpModule implements NestModule {
  /** Host/Origin and API-key checks run earlier, at the Express level (see http-app.ts), so they cover /docs too. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
