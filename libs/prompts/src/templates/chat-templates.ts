import type { ChatMessage } from '@app/contracts';

/** A prompt for raw-completion backends (`/v1/completions`) and the stop sequences that end its turn. */
export interface RenderedPrompt {
  prompt: string;
  stop: string[];
}
export type ChatTemplate = (messages: ChatMessage[]) => RenderedPrompt;
export type ChatTemplateFamily = 'mistral' | 'starcoder' | 'chatml';

type Turn = { role: 'user' | 'assistant'; content: string };

/** Tool results and tool calls rendered as text, for templates that have no tool roles. */
function contentOf(message: ChatMessage): string {
  if (message.role === 'tool') return `Result of ${message.name ?? 'the tool'}:\n${message.content}`;
  const calls = (message.toolCalls ?? []).map((c) =>
    JSON.stringify({ name: c.name, arguments: c.arguments }),
  );
  return [message.content, ...calls].filter((part) => part !== '').join('\n');
}

/**
 * Mistral-7B-Instruct v0.2's template accepts only alternating user/assistant turns starting with user
 * and raises on a system role. So: the system text is folded into the first user turn (as Mistral's own
 * updated template does), tool results become user turns, and consecutive same-role turns are merged.
 */
function toAlternatingTurns(messages: ChatMessage[]): Turn[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const turns: Turn[] = [];
  for (const message of messages.filter((m) => m.role !== 'system')) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content += `\n\n${contentOf(message)}`;
    else turns.push({ role, content: contentOf(message) });
  }
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', content: '' });
  const first = turns[0] as Turn;
  first.content = [...system, first.content].filter((part) => part !== '').join('\n\n');
  return turns;
}

export interface MistralOptions {
  /**
   * Most servers add the BOS token themselves when tokenising a completion prompt (vLLM, llama.cpp);
   * a literal "<s>" then yields two. Kept on by default to match the reference template; turn it off
   * for such servers.
   */
  bos?: boolean;
}

/** `<s>[INST] system\n\nuser [/INST]assistant</s>[INST] user [/INST]` — Mistral-7B-Instruct v0.1–v0.3. */
export function renderMistralInstruct(messages: ChatMessage[], options: MistralOptions = {}): string {
  const rendered = toAlternatingTurns(messages)
    .map((turn) =>
      turn.role === 'user' ? `[INST] ${turn.content.trim()} [/INST]` : `${turn.content.trim()}</s>`,
    )
    .join('');
  return `${options.bos === false ? '' : '<s>'}${rendered}`;
}

export const MISTRAL_STOP = ['</s>', '[INST]'];

const STARCODER_PREAMBLE =
  'You are an exceptionally intelligent coding assistant that consistently delivers accurate and ' +
  'reliable responses to user instructions.';

/**
 * StarCoder2-7B is a base model with no chat template. The "### Instruction / ### Response" layout is the
 * one StarCoder2-Instruct was tuned on and base models continue sensibly; the stops end the answer
 * where the model would start inventing the next instruction or file.
 */
export function renderStarCoderPrompt(messages: ChatMessage[]): RenderedPrompt {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content.trim());
  const header = [STARCODER_PREAMBLE, ...system].join('\n\n');
  const body = messages
    .filter((m) => m.role !== 'system')
    .map((m) => `${m.role === 'assistant' ? '### Response' : '### Instruction'}\n${contentOf(m).trim()}`)
    .join('\n\n');
  return { prompt: `${header}\n\n${body}\n\n### Response\n`, stop: STARCODER_STOP };
}

export const STARCODER_STOP = ['### Instruction', '<|endoftext|>', '<file_sep>'];

/** ChatML (`<|im_start|>role … <|im_end|>`): the generic fallback most instruct fine-tunes understand. */
export function renderChatMl(messages: ChatMessage[]): string {
  const turns = messages.map((m) => {
    const role = m.role === 'tool' ? 'user' : m.role;
    return `<|im_start|>${role}\n${contentOf(m).trim()}<|im_end|>\n`;
  });
  return `${turns.join('')}<|im_start|>assistant\n`;
}

export const CHATML_STOP = ['<|im_end|>', '<|im_start|>'];

const TEMPLATES: Readonly<Record<ChatTemplateFamily, ChatTemplate>> = {
  mistral: (messages) => ({ prompt: renderMistralInstruct(messages), stop: [...MISTRAL_STOP] }),
  starcoder: (messages) => {
    const rendered = renderStarCoderPrompt(messages);
    return { prompt: rendered.prompt, stop: [...rendered.stop] };
  },
  chatml: (messages) => ({ prompt: renderChatMl(messages), stop: [...CHATML_STOP] }),
};

export function chatTemplateFor(family: ChatTemplateFamily): ChatTemplate {
  return TEMPLATES[family];
}

/** Picks a template from a served model's name ("mistralai/Mistral-7B-Instruct-v0.2" → mistral). */
export function guessChatTemplateFamily(modelName: string): ChatTemplateFamily {
  const name = modelName.toLowerCase();
  if (/mistral|mixtral/.test(name)) return 'mistral';
  if (/starcoder/.test(name)) return 'starcoder';
  return 'chatml';
}
