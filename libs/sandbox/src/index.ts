export { CodeSandbox } from './code-sandbox';
export {
  assertRequiredSandboxWorks,
  createCodeSandbox,
  SANDBOX_ASYNC_OPTIONS_TYPE,
  SANDBOX_MODULE_OPTIONS,
  SANDBOX_OPTIONS_TYPE,
  SandboxModule,
  sandboxOptionsFromConfig,
} from './sandbox.module';
export { isSandboxError, SANDBOX_ERROR_CODES, SandboxError, type SandboxErrorCode } from './sandbox.errors';
export { SANDBOX_OPTIONS } from './sandbox.tokens';
export {
  MAX_TIMEOUT_SECONDS,
  OUTPUT_CAP_BYTES,
  SANDBOX_LANGUAGES,
  type RunStatus,
  type RunTestsOutput,
  type RunTestsRequest,
  type SandboxAvailability,
  type SandboxLanguage,
  type SandboxMode,
  type SandboxOptions,
  type TestFailure,
} from './sandbox.types';
export { parseFailures } from './failures';
export { assembleProgram, type AssembledProgram } from './program';
