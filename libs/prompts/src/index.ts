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
