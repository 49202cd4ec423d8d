import { gatewayConfig, type GatewayConfigType } from '@app/config';
import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { setupOpenApi } from './rest/openapi';

/** Everything an HTTP gateway app needs besides its module; shared by main.ts and the e2e tests. */
export function configureHttpApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  setupOpenApi(app);
  return app;
}

export function gatewaySettings(app: INestApplication): GatewayConfigType {
  return app.get<GatewayConfigType>(gatewayConfig.KEY);
}
