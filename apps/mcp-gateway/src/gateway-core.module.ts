import { inferenceConfig, sandboxConfig } from '@app/config';
import { InferenceModule, inferenceOptionsFromConfig } from '@app/inference';
import { PROMPT_TEMPLATES } from '@app/prompts';
import { SandboxModule, sandboxOptionsFromConfig } from '@app/sandbox';
import { Global, Module } from '@nestjs/common';
import { ModelPreloader } from './health/model-preloader';
import { ModelReadiness } from './health/model-readiness';
import { GatewayLogger } from './logging/gateway-logger';
import { McpServerFactory } from './mcp/v1/mcp-server.factory';
import { McpToolCalls } from './mcp/mcp-tool-calls';
import { McpTaskRegistry } from './mcp/tasks/task-registry';
import { taskStoreProvider } from './mcp/tasks/task-store.provider';
import { ModernServerFactory } from './mcp/v2/modern-server.factory';
import { PROMPT_TEMPLATE_SOURCE, PromptCatalog } from './mcp/prompt-catalog';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { ToolCatalog } from './tools/tool-catalog';
import { ToolExecutionService } from './tools/tool-execution.service';
import { TOOL_PROVIDERS } from './tools/tools.providers';
import { InferenceMetricsObserver } from './metrics/inference-metrics.observer';

/** What every transport shares: the tools, their execution path, MCP server construction, metrics, logs. */
const inferenceModule = InferenceModule.forRootAsync({
  inject: [inferenceConfig.KEY],
  useFactory: inferenceOptionsFromConfig,
});

/** Code execution for run_tests and verified generate_code; SANDBOX=bubblewrap that cannot work stops the start. */
const sandboxModule = SandboxModule.forRootAsync({
  inject: [sandboxConfig.KEY],
  useFactory: sandboxOptionsFromConfig,
});

@Global()
@Module({
  imports: [inferenceModule, sandboxModule],
  providers: [
    GatewayLogger,
    GatewayMetrics,
    ModelReadiness,
    ModelPreloader,
    ToolCatalog,
    ToolExecutionService,
    McpToolCalls,
    McpTaskRegistry,
    taskStoreProvider,
    McpServerFactory,
    ModernServerFactory,
    PromptCatalog,
    InferenceMetricsObserver,
    ...TOOL_PROVIDERS,
    { provide: PROMPT_TEMPLATE_SOURCE, useValue: PROMPT_TEMPLATES },
  ],
  exports: [
    GatewayLogger,
    GatewayMetrics,
    ModelReadiness,
    ToolCatalog,
    ToolExecutionService,
    McpToolCalls,
    McpServerFactory,
    ModernServerFactory,
    PromptCatalog,
  ],
})
export class GatewayCoreModule {}
