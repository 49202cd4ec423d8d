import { appConfigModule } from '@app/config';
import { Module, type DynamicModule } from '@nestjs/common';
import { GatewayCoreModule } from './gateway-core.module';
import { GatewayHttpModule } from './gateway-http.module';
import { gatewayLoggerModule } from './logging/logger.module';

export type GatewayMode = 'http' | 'stdio';

/**
 * The gateway app. `http`: every route on one Express app. `stdio`: an application context without HTTP
 * whose logs go to stderr, because stdout carries only MCP frames.
 */
@Module({})
export class AppModule {
  static forRoot(mode: GatewayMode): DynamicModule {
    const transports = mode === 'http' ? [GatewayHttpModule] : [];
    return {
      module: AppModule,
      imports: [
        appConfigModule(),
        gatewayLoggerModule(mode === 'stdio' ? 'stderr' : 'stdout'),
        GatewayCoreModule,
        ...transports,
      ],
    };
  }
}
