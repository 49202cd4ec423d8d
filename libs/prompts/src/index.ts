export {
  extractCodeBlock,
  findFencedBlocks,
  stripCodeFences,
  type CodeBlock,
  type FencedBlock,
} from './parsing/code-blocks';
export { extractJson, type JsonExtraction } from './parsing/extract-json';
export { completeLanguage, detectLanguage, KNOWN_LANGUAGES, normalizeLanguage } from './parsing/language';
export {
  JsonSyntaxError,
  parseLenientJson,
  type JsonRepair,
  type LenientParse,
} from './parsing/lenient-json';
export { parseStructured, type StructuredParse } from './parsing/parse-structured';
export { normalizeForSchema, type Normalization } from './parsing/schema-normalize';
export { buildFormalizePrompt } from './builders/formalize.prompt';
export { buildGenerateCodePrompt } from './builders/generate.prompt';
export { buildReviewCodePrompt } from './builders/review.prompt';
export { buildRepairMessages } from './builders/repair';
export { buildTestFeedbackMessages, describeTestRun } from './builders/test-feedback';
export {
  buildTestWritingTask,
  extractTestsFromTask,
  type TaskTests,
  type TestsSource,
} from './planner/task-tests';
export { clip, numberLines, type PromptSpec } from './builders/prompt-spec';
export { renderSpec } from './builders/spec-text';
export { parseGenerateCodeOutput } from './parsing/generate-output';
export { parseFormalizeOutput, parseReviewOutput } from './parsing/tool-outputs';
export { selectCodeBlock } from './parsing/code-blocks';
export {
  CHATML_STOP,
  chatTemplateFor,
  guessChatTemplateFamily,
  MISTRAL_STOP,
  renderChatMl,
  renderMistralInstruct,
  renderStarCoderPrompt,
  STARCODER_STOP,
  type ChatTemplate,
  type ChatTemplateFamily,
  type MistralOptions,
  type RenderedPrompt,
} from './templates/chat-templates';
export {
  findPromptTemplate,
  PROMPT_TEMPLATES,
  type PromptArgument,
  type PromptTemplate,
} from './mcp/prompt-templates';
export { PROMPT_ERROR_CODES, PromptError, type PromptErrorCode } from './prompts.errors';
export {
  ARGUMENT_REFERENCES,
  buildPlannerInstructions,
  buildPlannerOpening,
  describeArguments,
  FINAL_ANSWER_TOOL,
  foldSystemMessages,
  PLANNER_STOP_SEQUENCES,
  renderFormatError,
  renderObservation,
  renderToolCatalog,
  renderToolError,
  type PlannerPromptInput,
} from './planner/planner-prompts';
