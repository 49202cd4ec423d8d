import type { INestApplication } from '@nestjs/common';
import { createValidationPipe } from './validation.pipe';

/** What every agent HTTP app needs beyond the module: body validation and graceful shutdown. */
export function configureAgentApp(app: INestApplication): INestApplication {
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  return app;
}
