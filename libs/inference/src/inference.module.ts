import { ConfigurableModuleBuilder, Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { clientOptionsFor, createModelClient, type InferenceModuleOptions } from './create-model-client';
import { InferenceEvents } from './inference.events';
import { InferenceHealthIndicator } from './inference.health';
import { CODE_MODEL, INFERENCE_EVENTS, PLANNER_MODEL } from './inference.tokens';
import type { ModelClient, ModelRole } from './inference.types';

export const {
  ConfigurableModuleClass: InferenceConfigurableModule,
  MODULE_OPTIONS_TOKEN: INFERENCE_MODULE_OPTIONS,
  OPTIONS_TYPE: INFERENCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: INFERENCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<InferenceModuleOptions>().setClassMethodName('forRoot').build();

function eventsFor(options: InferenceModuleOptions): InferenceEvents {
  const events = new InferenceEvents();
  if (options.observer) events.subscribe(options.observer);
  return events;
}

function clientProvider(token: symbol, role: ModelRole) {
  return {
    provide: token,
    inject: [INFERENCE_MODULE_OPTIONS, INFERENCE_EVENTS],
    useFactory: (options: InferenceModuleOptions, events: InferenceEvents): ModelClient =>
      createModelClient({ ...clientOptionsFor(options, role), observer: events }),
  };
}

/**
 * The two named model clients (`CODE_MODEL`, `PLANNER_MODEL`), their health indicator and the call
 * events for metrics. `InferenceModule.forRootAsync({ imports, inject: [inferenceConfig.KEY],
 * useFactory: inferenceOptionsFromConfig })`.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    { provide: INFERENCE_EVENTS, inject: [INFERENCE_MODULE_OPTIONS], useFactory: eventsFor },
    clientProvider(CODE_MODEL, 'code'),
    clientProvider(PLANNER_MODEL, 'planner'),
    InferenceHealthIndicator,
  ],
  exports: [CODE_MODEL, PLANNER_MODEL, INFERENCE_EVENTS, InferenceHealthIndicator],
})
export class InferenceModule extends InferenceConfigurableModule implements OnModuleDestroy {
  constructor(
    @Inject(CODE_MODEL) private readonly code: ModelClient,
    @Inject(PLANNER_MODEL) private readonly planner: ModelClient,
  ) {
    super();
  }

  /** Closes the connection pools (and the embedded engine) so the process can exit. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.code.close(), this.planner.close()]);
  }
}
