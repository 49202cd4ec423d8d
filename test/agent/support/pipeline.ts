import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createModelClient, type ModelClient } from '@app/inference';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { AppModule } from '../../../apps/mcp-gateway/src/app.module';
import { configureHttpApp } from '../../../apps/mcp-gateway/src/http-app';
import { replayCodeModelReply } from '../../../apps/agent/src/demo/replay-script';

export interface GatewayUnderTest {
  mcpUrl: string;
  app: INestApplication;
  close(): Promise<void>;
}

/**
 * The real MCP gateway, in-process on an ephemeral port, with the emulator as its code model. The gateway
 * reads its configuration from the environment, so the test sets it first (tests may; apps may not).
 */
export async function startGateway(codeModel: ModelServerEmulator): Promise<GatewayUnderTest> {
  Object.assign(process.env, {
    STARCODER_ENDPOINT: `${codeModel.url}/v1/chat/completions`,
    STARCODER_PROTOCOL: 'openai-chat',
    MISTRAL_ENDPOINT: `${codeModel.url}/v1/chat/completions`,
    MODEL_MAX_RETRIES: '0',
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create(AppModule.forRoot('http'), { bodyParser: false, logger: false });
  configureHttpApp(app);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { mcpUrl: `${base}/mcp`, app, close: () => app.close() };
}

/** A code-model emulator that answers the gateway's prompts like the demo replay does. */
export function startCodeModel(): Promise<ModelServerEmulator> {
  return startModelServerEmulator({ handler: (request) => ({ text: replayCodeModelReply(request.body) }) });
}

export function plannerClient(emulator: ModelServerEmulator, mode: 'native' | 'text'): ModelClient {
  const path = mode === 'native' ? '/v1/chat/completions' : '/chat';
  const protocol = mode === 'native' ? 'openai-chat' : 'local-models';
  return createModelClient({ role: 'planner', urls: [`${emulator.url}${path}`], protocol, maxRetries: 0 });
}
