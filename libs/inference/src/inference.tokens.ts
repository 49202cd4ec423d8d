/** DI tokens for the two named clients; inject with `@Inject(CODE_MODEL) client: ModelClient`. */
export const CODE_MODEL = Symbol('CODE_MODEL');
export const PLANNER_MODEL = Symbol('PLANNER_MODEL');
/** The `InferenceEvents` instance all clients report to; subscribe for metrics. */
export const INFERENCE_EVENTS = Symbol('INFERENCE_EVENTS');
