import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller';
import { McpSmokeIndicator } from './health/mcp-smoke.indicator';
import { ApiKeyMiddleware } from './http/api-key.middleware';
import { HostOriginMiddleware } from './http/host-origin.middleware';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { LegacySseController } from './mcp/legacy-sse.controller';
import { McpSessionRegistry } from './mcp/session-registry';
import { StreamableHttpController } from './mcp/streamable-http.controller';
import { StreamableHttpService } from './mcp/streamable-http.service';
import { MetricsController } from './metrics/metrics.controller';
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
  providers: [McpSessionRegistry, StreamableHttpService, McpSmokeIndicator],
  exports: [McpSessionRegistry],
})
export class GatewayHttpModule implements NestModule {
  /** Order matters: reject foreign Host/Origin and missing keys before reading any body. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(HostOriginMiddleware, ApiKeyMiddleware, JsonBodyMiddleware)
      .forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
