export {
  DATASET_NAMES,
  DatasetFormatError,
  type DatasetName,
  type EvalLanguage,
  type EvalProblem,
} from './datasets/problem';
export { DATASETS, loadDataset, sha256Of, verifyDatasetFile, type DatasetInfo } from './datasets/catalog';
export { findPythonExamples, pythonExampleTests } from './examples/python-examples';
export { ecmaScriptExampleTests, findEcmaScriptExamples } from './examples/ecmascript-examples';
export { assemblerFor } from './assemble/assemblers';
export type { Assembly, CompletionShape, ProgramAssembler } from './assemble/assembly';
export type { ProgramRequest, ProgramRun, ProgramRunner } from './execution/program-runner';
export {
  EVAL_MODES,
  estimateTokens,
  taskFor,
  type CodeSource,
  type EvalMode,
  type Generation,
} from './generation/code-source';
export type { ToolCallOutcome, ToolClient } from './generation/tool-client';
export { GatewayCodeSource, type GatewaySourceOptions } from './generation/gateway-code-source';
export { AgentCodeSource, type AgentSourceOptions } from './generation/agent-code-source';
export { judgeRun, type Verdict } from './run/classify';
export { evaluate, evaluateProblem, type EvaluationOptions } from './run/evaluate';
export {
  STATUS_LABELS,
  TASK_STATUSES,
  type TaskResult,
  type TaskStatus,
  type TaskTokens,
} from './run/task-result';
export { buildResults, type EvalConfig, type EvalResults, type RunHeader } from './results/eval-results';
export { ResultJournal, readJournal, type JournalContents } from './results/journal';
export { renderSummaryTable } from './results/summary-table';
export { renderMarkdownReport } from './results/markdown-report';
export { renderHtmlReport } from './results/html-report';
export { compareRuns, renderComparison, type Comparison } from './results/compare';
export { ProgressBar, type ProgressOptions } from './progress/progress-bar';
