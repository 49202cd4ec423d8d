import type { Provider } from '@nestjs/common';
import { FormalizeTaskTool } from './formalize-task.tool';
import { GenerateCodeTool } from './generate-code.tool';
import { ReviewCodeTool } from './review-code.tool';
import { RunTestsTool } from './run-tests.tool';
import { TOOL_HANDLERS, type ToolHandler } from './tool.types';
import { VerifiedGeneration } from './verified-generation';

/** One provider per tool, collected under TOOL_HANDLERS for the execution service. */
export const TOOL_PROVIDERS: Provider[] = [
  VerifiedGeneration,
  FormalizeTaskTool,
  GenerateCodeTool,
  ReviewCodeTool,
  RunTestsTool,
  {
    provide: TOOL_HANDLERS,
    inject: [FormalizeTaskTool, GenerateCodeTool, ReviewCodeTool, RunTestsTool],
    useFactory: (...tools: ToolHandler<never>[]): ToolHandler<never>[] => tools,
  },
];
