export {
  formalizeTaskInputSchema,
  formalizeTaskOutputSchema,
  languageField,
  type FormalizeTaskInput,
  type FormalizeTaskOutput,
} from './tools/formalize-task.contract';
export {
  DEFAULT_REPAIR_ROUNDS,
  MAX_REPAIR_ROUNDS,
  verificationSchema,
  type Verification,
  tokenUsageSchema,
  type TokenUsageOutput,
  generateCodeInputSchema,
  generateCodeOutputSchema,
  type GenerateCodeInput,
  type GenerateCodeOutput,
} from './tools/generate-code.contract';
export {
  MAX_REVIEW_CODE_CHARS,
  reviewCodeInputSchema,
  reviewCodeOutputSchema,
  reviewIssueSchema,
  reviewSeveritySchema,
  reviewVerdictSchema,
  type ReviewCodeInput,
  type ReviewCodeOutput,
  type ReviewIssue,
  type ReviewSeverity,
} from './tools/review-code.contract';
export {
  executableLanguageSchema,
  runTestsInputSchema,
  runTestsOutputSchema,
  testFailureSchema,
  type ExecutableLanguage,
  type RunTestsInput,
  type RunTestsOutput,
} from './tools/run-tests.contract';
export {
  MODEL_TOOL_NAMES,
  TOOL_CONTRACTS,
  TOOL_NAMES,
  runTestsContract,
  formalizeTaskContract,
  generateCodeContract,
  reviewCodeContract,
  isToolName,
  toJsonSchema,
  type JsonSchema,
  type ToolAnnotations,
  type ToolContract,
  type ToolName,
} from './tools/tool-registry';
export { ERROR_CODES, HTTP_STATUS_BY_CODE, type ErrorBody, type ErrorCode, type FieldError } from './errors';
export { summarizeFieldErrors, toFieldErrors, validate, type ValidationResult } from './validation';
export type { ChatMessage, ChatRole, ToolCall, ToolDefinition } from './chat';
