export {
  emulatorFaults,
  errorBodies,
  startModelServerEmulator,
  type EmulatorErrorReply,
  type EmulatorFault,
  type EmulatorHandler,
  type EmulatorOptions,
  type EmulatorProtocolPath,
  type EmulatorReply,
  type EmulatorResponse,
  type EmulatorToolCall,
  type HealthScript,
  type ModelServerEmulator,
  type RecordedRequest,
} from './model-server-emulator';
export { buildTinyGguf, writeTinyGguf, TINY_GGUF_VOCAB_SIZE, type TinyGgufOptions } from './tiny-gguf';
export { oracleCodeModel, oraclePlanner, type OracleProblem } from './eval-oracle';
export { freePort } from './ports';
