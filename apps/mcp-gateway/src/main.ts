import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { environmentWithDotEnv, loadConfig, runOrExitOnConfigError } from '@app/config';
import { stopAccepting } from '@app/http-security';
import { assertRequiredSandboxWorks, createCodeSandbox } from '@app/sandbox';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureHttpApp, gatewaySettings } from './http-app';
import { McpSessionRegistry } from './mcp/v1/session-registry';
import { GuardedStdioTransport } from './mcp/stdio-transport';
import { StreamableHttpService } from './mcp/v1/streamable-http.service';
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
  graceMs = SHUTDOWN_GRACE_MS,
): Promise<void> {
  await app.get(ToolExecutionService).drain(graceMs);
  await flushed();
  await closeSessions();
  await app.close();
}

async function startHttp(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot('http'), {
    bufferLogs: true,
    bodyParser: false,
    // app.close() destroys the sockets still open (half-sent requests, silent clients) instead of waiting
    forceCloseConnections: true,
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
    stopAccepting(app.getHttpServer());
    await stopGracefully(
      app,
      () => sessions.closeAll(),
      () => openPosts.settled(FLUSH_GRACE_MS),
    );
  });
}

/**
 * stdio stops answer-first: requests already read are answered and written (up to the grace period) before
 * running calls are aborted — a client that sends its last request and closes stdin still gets the answer.
 */
async function stopStdio(
  app: INestApplicationContext,
  connection: StdioServerHandle,
  transport: GuardedStdioTransport,
) {
  await transport.drained(SHUTDOWN_GRACE_MS);
  await stopGracefully(
    app,
    () => connection.close(),
    () => transport.drained(FLUSH_GRACE_MS),
    0,
  );
}

/**
 * stdio: a Nest application context without HTTP; stdout carries nothing but MCP frames. SDK v2's serveStdio
 * serves both eras over the gateway's guarded transport: the opening exchange (server/discover or a
 * 2026-07-28 request, or initialize) pins the connection's era.
 */
async function startStdio(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot('stdio'), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const factory = app.get(ModernServerFactory);
  const transport = new GuardedStdioTransport(gatewaySettings(app).bodyLimitBytes);
  const connection = serveStdio((ctx) => factory.create('stdio', ctx), {
    transport,
    onerror: (error) => logger.warn(`MCP stdio: ${error.message}`),
  });
  const stop = shutdownOnce(() => stopStdio(app, connection, transport));
  // The client closing stdin is the usual way a stdio server is told to go.
  process.stdin.once('end', stop);
  logger.log('MCP gateway speaking MCP on stdio');
}

/**
 * SANDBOX=bubblewrap promises code execution: check it before Nest starts, so a sandbox that cannot work
 * is one stderr line and exit 78 like any configuration error (inside Nest, buffered logs would reach stdout).
 */
async function requireSandboxIfConfigured(): Promise<void> {
  const { sandbox } = loadConfig(environmentWithDotEnv());
  if (sandbox.mode !== 'bubblewrap') return;
  await assertRequiredSandboxWorks(createCodeSandbox(sandbox), sandbox.mode);
}

void runOrExitOnConfigError(async () => {
  await requireSandboxIfConfigured();
  await (process.argv.includes('--stdio') ? startStdio() : startHttp());
});
