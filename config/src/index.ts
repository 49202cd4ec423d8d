export {
  loadConfig,
  parseRetention,
  type AgentConfig,
  type AgentRunsConfig,
  type AppConfig,
  type EndpointProtocol,
  type GatewayConfig,
  type InferenceConfig,
  type LoggingConfig,
  type ModelEndpointConfig,
  type RunRetention,
  type SandboxConfig,
} from './app-config';
export {
  agentConfig,
  appConfigModule,
  gatewayConfig,
  inferenceConfig,
  loggingConfig,
  sandboxConfig,
  type AgentConfigType,
  type GatewayConfigType,
  type InferenceConfigType,
  type LoggingConfigType,
  type SandboxConfigType,
} from './config.module';
export { ConfigValidationError, EnvironmentVariables, validateEnvironment } from './environment';
export { environmentWithDotEnv, runOrExitOnConfigError } from './exit-on-config-error';
export { splitList } from './url-list.validator';
