import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs, type ConfigType } from '@nestjs/config';
import { loadConfig } from './app-config';
import { validateEnvironment } from './environment';

/*
 * Nest namespaces over the one validated configuration. ConfigModule has already merged `.env` into
 * process.env and run `validateEnvironment` when these factories run, so they cannot fail here.
 */
export const inferenceConfig = registerAs('inference', () => loadConfig(process.env).inference);
export const gatewayConfig = registerAs('gateway', () => loadConfig(process.env).gateway);
export const agentConfig = registerAs('agent', () => loadConfig(process.env).agent);
export const loggingConfig = registerAs('logging', () => loadConfig(process.env).logging);
export const sandboxConfig = registerAs('sandbox', () => loadConfig(process.env).sandbox);

export type InferenceConfigType = ConfigType<typeof inferenceConfig>;
export type GatewayConfigType = ConfigType<typeof gatewayConfig>;
export type AgentConfigType = ConfigType<typeof agentConfig>;
export type LoggingConfigType = ConfigType<typeof loggingConfig>;
export type SandboxConfigType = ConfigType<typeof sandboxConfig>;

/** The global config module every app imports once; `.env` in the working directory is honoured. */
export function appConfigModule(): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    load: [inferenceConfig, gatewayConfig, agentConfig, loggingConfig, sandboxConfig],
    validate: (env) => {
      validateEnvironment(env);
      return env;
    },
  });
}
