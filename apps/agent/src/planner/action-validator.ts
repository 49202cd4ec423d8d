import type { ToolDefinition } from '@app/contracts';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { PlannedAction } from '../core/agent.types';

/** Ajv names the root `data`; the planner knows it as the arguments. */
function readable(message: string): string {
  return message.replace(/\bdata(?=[/ ])/g, 'arguments');
}

export type ValidationOutcome = { ok: true } | { ok: false; problem: string };

/** Checks a planned call against the tool's `inputSchema` from `tools/list`, before it costs a model call. */
export class ActionValidator {
  private readonly validators = new Map<string, JsonSchemaValidator<unknown>>();

  constructor(private readonly tools: readonly ToolDefinition[]) {
    const provider = new AjvJsonSchemaValidator();
    for (const tool of tools) this.validators.set(tool.name, provider.getValidator(tool.parameters));
  }

  validate(action: PlannedAction): ValidationOutcome {
    const validator = this.validators.get(action.tool);
    if (!validator) return { ok: false, problem: this.unknownToolProblem(action.tool) };
    const result = validator(action.arguments);
    if (result.valid) return { ok: true };
    return { ok: false, problem: `invalid arguments for ${action.tool}: ${readable(result.errorMessage)}` };
  }

  private unknownToolProblem(name: string): string {
    const names = this.tools.map((t) => t.name).join(', ');
    return `there is no tool named "${name}"; the tools are: ${names}, final_answer`;
  }
}
