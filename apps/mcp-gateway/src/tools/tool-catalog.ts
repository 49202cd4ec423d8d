import {
  MODEL_TOOL_NAMES,
  TOOL_CONTRACTS,
  TOOL_NAMES,
  type JsonSchema,
  type ToolAnnotations,
  type ToolName,
} from '@app/contracts';
import { CodeSandbox } from '@app/sandbox';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/** A tool as MCP clients and REST callers see it: the contract's JSON Schemas, byte for byte. */
export interface ToolDescriptor {
  name: ToolName;
  title: string;
  description: string;
  inputSchema: JsonSchema & { type: 'object' };
  outputSchema: JsonSchema & { type: 'object' };
  annotations: ToolAnnotations;
}

function describe(name: ToolName): ToolDescriptor {
  const contract = TOOL_CONTRACTS[name];
  return {
    name,
    title: contract.title,
    description: contract.description,
    inputSchema: contract.inputJsonSchema as ToolDescriptor['inputSchema'],
    outputSchema: contract.outputJsonSchema as ToolDescriptor['outputSchema'],
    annotations: contract.annotations,
  };
}

/**
 * Built once at start: listing tools is a hot, allocation-free path. `run_tests` is listed only when
 * the sandbox works here (probed once at start); otherwise calling it says why.
 */
@Injectable()
export class ToolCatalog implements OnModuleInit {
  tools: readonly ToolDescriptor[] = MODEL_TOOL_NAMES.map(describe);
  listToolsResult = { tools: [...this.tools] };

  constructor(private readonly sandbox: CodeSandbox) {}

  async onModuleInit(): Promise<void> {
    const { available } = await this.sandbox.availability();
    this.tools = TOOL_NAMES.filter((name) => available || name !== 'run_tests').map(describe);
    this.listToolsResult = { tools: [...this.tools] };
  }

  /** a handful of tools: a scan is cheaper than keeping a map in step with the sandbox probe */
  outputSchemaOf(name: string): ToolDescriptor['outputSchema'] | undefined {
    return this.tools.find((tool) => tool.name === name)?.outputSchema;
  }
}
