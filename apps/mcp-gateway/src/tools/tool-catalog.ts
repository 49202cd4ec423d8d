import {
  TOOL_CONTRACTS,
  TOOL_NAMES,
  type JsonSchema,
  type ToolAnnotations,
  type ToolName,
} from '@app/contracts';
import { Injectable } from '@nestjs/common';

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

/** Built once at start: listing tools is a hot, allocation-free path. */
@Injectable()
export class ToolCatalog {
  readonly tools: readonly ToolDescriptor[] = TOOL_NAMES.map(describe);
  readonly listToolsResult = { tools: [...this.tools] };
  private readonly outputSchemas = new Map<string, ToolDescriptor['outputSchema']>(
    this.tools.map((tool) => [tool.name, tool.outputSchema]),
  );

  outputSchemaOf(name: string): ToolDescriptor['outputSchema'] | undefined {
    return this.outputSchemas.get(name);
  }
}
