import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AgentOrchestrator } from './core/agent-orchestrator.service';
import { HealthController } from './health/health.controller';
import { AgentExceptionFilter } from './http/agent-exception.filter';
import { createLocalBackend, RUN_BACKEND, type RunBackend } from './runs/run-backend';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';

export interface AgentModuleOptions {
  /** modules that export `PLANNER_MODEL` (InferenceModule in the app; nothing in tests) */
  imports?: ModuleMetadata['imports'];
  /** must provide `AGENT_SETTINGS`, `TOOL_GATEWAY` and, unless imported, `PLANNER_MODEL` */
  providers: Provider[];
  /** where runs are kept and queued; default: a throw-away in-memory SQLite store (tests) */
  runs?: () => RunBackend | Promise<RunBackend>;
  /** `worker` replicas serve health only: no runs API */
  role?: RunBackend['role'];
}

/**
 * The agent: orchestrator, run store, runs API and health. Its upstreams (planner model, tool gateway)
 * and settings come in through `forRoot` so tests can hand it fakes or emulator-backed clients.
 */
@Module({})
export class AgentModule {
  static forRoot(options: AgentModuleOptions): DynamicModule {
    return {
      module: AgentModule,
      imports: [TerminusModule, ...(options.imports ?? [])],
      controllers: options.role === 'worker' ? [HealthController] : [RunsController, HealthController],
      providers: [
        ...options.providers,
        {
          provide: RUN_BACKEND,
          useFactory: options.runs ?? (() => createLocalBackend({ dataDir: ':memory:' })),
        },
        AgentOrchestrator,
        RunsService,
        { provide: APP_FILTER, useClass: AgentExceptionFilter },
      ],
    };
  }
}
