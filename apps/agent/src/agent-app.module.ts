import {
  agentConfig,
  appConfigModule,
  gatewayConfig,
  inferenceConfig,
  loggingConfig,
  type AgentConfigType,
  type GatewayConfigType,
  type InferenceConfigType,
  type LoggingConfigType,
} from '@app/config';
import {
  clientOptionsFor,
  createModelClient,
  inferenceOptionsFromConfig,
  PLANNER_MODEL,
  type ModelClient,
} from '@app/inference';
import { Inject, Module, type DynamicModule, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import { AgentModule } from './agent.module';
import type { RunBackend } from './runs/run-backend';
import { AGENT_SETTINGS, TOOL_GATEWAY } from './core/agent.tokens';
import { DEFAULT_AGENT_TUNING, type AgentSettings } from './core/agent.types';
import { McpToolGateway } from './tools/mcp-tool-gateway';

/**
 * The loop settings from `agentConfig`. The gateway key is `MCP_GATEWAY_API_KEY`; without it, an agent
 * deployed with the gateway's own environment authenticates with the first of `GATEWAY_API_KEYS`.
 */
export function settingsFromConfig(
  config: Omit<AgentConfigType, 'runs'>,
  gateway?: Pick<GatewayConfigType, 'apiKeys'>,
): AgentSettings {
  const { gatewayUrl, maxSteps, maxWallTimeMs, maxTokens } = config;
  const gatewayApiKey = config.gatewayApiKey ?? gateway?.apiKeys[0];
  return { gatewayUrl, gatewayApiKey, maxSteps, maxWallTimeMs, maxTokens, ...DEFAULT_AGENT_TUNING };
}

export function toolGatewayFor(settings: AgentSettings): McpToolGateway {
  const headers = settings.gatewayApiKey ? { Authorization: `Bearer ${settings.gatewayApiKey}` } : undefined;
  return new McpToolGateway({ kind: 'http', url: settings.gatewayUrl, headers });
}

/** Only the planner client: the agent never calls the code model itself (the gateway's tools do). */
const plannerProvider: Provider = {
  provide: PLANNER_MODEL,
  inject: [inferenceConfig.KEY],
  useFactory: (config: InferenceConfigType): ModelClient =>
    createModelClient(clientOptionsFor(inferenceOptionsFromConfig(config), 'planner')),
};

export const configuredAgentProviders: Provider[] = [
  { provide: AGENT_SETTINGS, inject: [agentConfig.KEY, gatewayConfig.KEY], useFactory: settingsFromConfig },
  plannerProvider,
  { provide: TOOL_GATEWAY, inject: [AGENT_SETTINGS], useFactory: toolGatewayFor },
];

function loggerModule(): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [loggingConfig.KEY],
    useFactory: (logging: LoggingConfigType): Params => ({
      pinoHttp: {
        level: logging.level,
        base: { service: 'agent' },
        autoLogging: { ignore: (req) => req.url?.startsWith('/health') === true },
        transport: logging.pretty ? { target: 'pino-pretty' } : undefined,
        serializers: {
          req: (req: { method: unknown; url: unknown }) => ({ method: req.method, url: req.url }),
        },
      },
    }),
  });
}

/** Closes the planner's connection pool on shutdown so the process can exit. */
class PlannerLifecycle implements OnModuleDestroy {
  constructor(@Inject(PLANNER_MODEL) private readonly planner: ModelClient) {}

  async onModuleDestroy(): Promise<void> {
    await this.planner.close();
  }
}

/** The agent service as `npm run start:agent` runs it: env config, pino logs, real planner and gateway. */
@Module({})
export class AgentAppModule {
  /** `runs`: the backend opened (and checked) before Nest starts; the demo runs without one (in memory) */
  static forRoot(options: { httpLogs: boolean; runs?: RunBackend }): DynamicModule {
    const { runs } = options;
    return {
      module: AgentAppModule,
      imports: [
        appConfigModule(),
        ...(options.httpLogs ? [loggerModule()] : []),
        AgentModule.forRoot({
          providers: [...configuredAgentProviders, PlannerLifecycle],
          runs: runs ? () => runs : undefined,
          role: runs?.role,
        }),
      ],
    };
  }
}
