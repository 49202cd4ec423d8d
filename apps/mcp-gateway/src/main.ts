import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { gatewayConfig, runOrExitOnConfigError, type GatewayConfigType } from '@app/config';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PassThrough } from 'node:stream';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureHttpApp, gatewaySettings } from './http-app';
import { McpSessionRegistry } from './mcp/session-registry';
import { StreamableHttpService } from './mcp/streamable-http.service';
import { ModernServerFactory } from './mcp/v2/modern-server.factory';
import { shutdownOnce } from './shutdown';
import { ToolExecutionService } from './tools/tool-execution.service';

/** How long running tool calls may take to finish after SIGTERM before they are aborted. */
const SHUTDOWN_GRACE_MS = 10_000;
/** Then how long their answers may take to be written out before sessions are closed. */
const FLUSH_GRACE_MS = 2_000;

async function stopGracefully(
  app: INestApplicationContext,
  closeSessions: () => Promise<void>,
  flushed: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  await app.get(ToolExecutionService).drain(SHUTDOWN_GRACE_MS);
  await flushed();
  await closeSessions();
  await app.close();
}

async function startHttp(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot('http'), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureHttpApp(app);
  const { host, port } = gatewaySettings(app);
  await app.listen(port, host);
  // the bound port, not the configured one (GATEWAY_PORT=0 picks a free port)
  const bound = app.getHttpServer().address() as AddressInfo;
  app.get(Logger).log(`MCP gateway listening on http://${host}:${bound.port}/mcp`);
  const sessions = app.get(McpSessionRegistry);
  const openPosts = app.get(StreamableHttpService).openPosts;
  shutdownOnce(async () => {
    app.getHttpServer().close();
    await stopGracefully(
      app,
      () => sessions.closeAll(),
      () => openPosts.settled(FLUSH_GRACE_MS),
    );
  });
}

/**
 * stdio: a Nest application context without HTTP; stdout carries nothing but MCP frames. SDK v2's serveStdio
 * serves both eras: the opening exchange (server/discover or a 2026 request, or initialize) pins the
 * connection's era. The transport reads stdin through a pass-through that ends only after the drain, so
 * calls running when the client closes stdin still get their answers written.
 */
async function startStdio(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot('stdio'), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const factory = app.get(ModernServerFactory);
  const input = new PassThrough();
  process.stdin.pipe(input, { end: false });
  const transport = new StdioServerTransport(input, process.stdout, {
    maxBufferSize: app.get<GatewayConfigType>(gatewayConfig.KEY).bodyLimitBytes,
  });
  const connection = serveStdio((ctx) => factory.create('stdio', ctx), {
    transport,
    onerror: (error) => logger.warn(`MCP stdio: ${error.message}`),
  });
  const stop = shutdownOnce(() => stopGracefully(app, () => connection.close()));
  // The client closing stdin is the usual way a stdio server is told to go.
  process.stdin.once('end', stop);
  logger.log('MCP gateway speaking MCP on stdio');
}

void runOrExitOnConfigError(() => (process.argv.includes('--stdio') ? startStdio() : startHttp()));
