import type { ChatMessage } from '@app/contracts';
import { completeLanguage } from '@app/prompts';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidParamsError, type TextBlock } from './mcp-protocol';

/** prompts/list, prompts/get and completion/complete shapes, as both SDK lines accept them. */
interface PromptMessage {
  role: 'user' | 'assistant';
  content: TextBlock;
}
export interface GetPromptParams {
  name: string;
  arguments?: Record<string, string>;
}
export interface GetPromptResult {
  [key: string]: unknown;
  description?: string;
  messages: PromptMessage[];
}
export interface ListPromptsResult {
  [key: string]: unknown;
  prompts: Array<{
    name: string;
    title?: string;
    description?: string;
    arguments?: Array<{ name: string; description?: string; required?: boolean }>;
  }>;
}
export interface CompleteParams {
  ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };
  argument: { name: string; value: string };
}
export interface CompleteResult {
  [key: string]: unknown;
  completion: { values: string[]; total?: number; hasMore?: boolean };
}

/** A prompt template as the prompts library describes it (MCP prompt metadata plus a renderer). */
export interface McpPromptTemplate {
  name: string;
  title?: string;
  description: string;
  arguments: ReadonlyArray<{ name: string; description?: string; required?: boolean }>;
  render(args: Record<string, string>): ChatMessage[];
}

/** DI token for the templates exposed as MCP prompts. */
export const PROMPT_TEMPLATE_SOURCE = Symbol('PROMPT_TEMPLATE_SOURCE');

const MAX_COMPLETIONS = 100;

/** MCP prompt messages have no system role: system text is sent as a user turn, which every client shows. */
function toPromptMessage(message: ChatMessage): PromptMessage {
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  return { role, content: { type: 'text', text: message.content } };
}

/** prompts/list, prompts/get and argument completion over the prompt templates, metadata built once. */
@Injectable()
export class PromptCatalog {
  readonly listPromptsResult: ListPromptsResult;
  private readonly byName: ReadonlyMap<string, McpPromptTemplate>;

  constructor(@Inject(PROMPT_TEMPLATE_SOURCE) templates: readonly McpPromptTemplate[]) {
    this.byName = new Map(templates.map((template) => [template.name, template]));
    this.listPromptsResult = {
      prompts: templates.map(({ name, title, description, arguments: args }) => ({
        name,
        ...(title ? { title } : {}),
        description,
        arguments: args.map((arg) => ({ ...arg })),
      })),
    };
  }

  get(params: GetPromptParams): GetPromptResult {
    const template = this.template(params.name);
    const args = params.arguments ?? {};
    const missing = template.arguments
      .filter((arg) => arg.required && !args[arg.name]?.trim())
      .map((arg) => arg.name);
    if (missing.length > 0) {
      throw new InvalidParamsError(`Prompt ${template.name} needs the argument(s): ${missing.join(', ')}`);
    }
    return { description: template.description, messages: template.render(args).map(toPromptMessage) };
  }

  complete(params: CompleteParams): CompleteResult {
    if (params.ref.type !== 'ref/prompt') {
      throw new InvalidParamsError('This server has no resource templates to complete');
    }
    this.template(params.ref.name);
    const values = params.argument.name === 'language' ? completeLanguage(params.argument.value) : [];
    const shown = values.slice(0, MAX_COMPLETIONS);
    return { completion: { values: shown, total: values.length, hasMore: values.length > shown.length } };
  }

  private template(name: string): McpPromptTemplate {
    const template = this.byName.get(name);
    if (template) return template;
    const known = [...this.byName.keys()].join(', ');
    throw new InvalidParamsError(`Unknown prompt: ${name}. Available prompts: ${known}`);
  }
}
