import type { ChatMessage } from '@app/contracts';
import {
  chatTemplateFor,
  guessChatTemplateFamily,
  renderChatMl,
  renderMistralInstruct,
  renderStarCoderPrompt,
} from './chat-templates';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: 'Add 1+1' },
];

describe('renderMistralInstruct', () => {
  it('folds the system text into the first user turn and closes assistant turns with </s>', () => {
    expect(renderMistralInstruct(conversation)).toBe(
      '<s>[INST] Be brief.\n\nHi [/INST]Hello.</s>[INST] Add 1+1 [/INST]',
    );
  });

  it('merges consecutive turns, renders tool calls and results as text, and can omit BOS', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Use the tool' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'abc123def', name: 'review_code', arguments: '{"code":"x"}' }],
      },
      { role: 'tool', name: 'review_code', toolCallId: 'abc123def', content: '{"verdict":"approve"}' },
      { role: 'user', content: 'And now?' },
    ];
    expect(renderMistralInstruct(messages, { bos: false })).toBe(
      '[INST] Use the tool [/INST]{"name":"review_code","arguments":"{\\"code\\":\\"x\\"}"}</s>' +
        '[INST] Result of review_code:\n{"verdict":"approve"}\n\nAnd now? [/INST]',
    );
  });

  it('starts with a user turn even when the conversation does not', () => {
    expect(
      renderMistralInstruct([
        { role: 'system', content: 'S' },
        { role: 'assistant', content: 'A' },
      ]),
    ).toBe('<s>[INST] S [/INST]A</s>');
  });
});

describe('renderStarCoderPrompt', () => {
  it('renders instruction/response sections ending in an open response, with stops', () => {
    const { prompt, stop } = renderStarCoderPrompt(conversation);
    expect(prompt).toMatch(/^You are an exceptionally intelligent coding assistant/);
    expect(prompt).toContain(
      '\n\nBe brief.\n\n### Instruction\nHi\n\n### Response\nHello.\n\n### Instruction\nAdd 1+1',
    );
    expect(prompt.endsWith('\n\n### Response\n')).toBe(true);
    expect(stop).toContain('### Instruction');
    expect(stop).toContain('<|endoftext|>');
  });
});

describe('renderChatMl', () => {
  it('renders every role and opens the assistant turn', () => {
    expect(renderChatMl([...conversation, { role: 'tool', name: 't', content: 'r' }])).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n' +
        '<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nAdd 1+1<|im_end|>\n' +
        '<|im_start|>user\nResult of t:\nr<|im_end|>\n<|im_start|>assistant\n',
    );
  });
});

describe('chatTemplateFor', () => {
  it.each([
    ['mistral', '</s>', '<s>[INST]'],
    ['starcoder', '### Instruction', 'You are'],
    ['chatml', '<|im_end|>', '<|im_start|>system'],
  ] as const)('%s', (family, stop, start) => {
    const rendered = chatTemplateFor(family)(conversation);
    expect(rendered.stop).toContain(stop);
    expect(rendered.prompt.startsWith(start)).toBe(true);
  });

  it('returns fresh stop arrays so callers may modify them', () => {
    const a = chatTemplateFor('mistral')(conversation);
    a.stop.push('x');
    expect(chatTemplateFor('mistral')(conversation).stop).not.toContain('x');
  });

  it('guesses the family from a model name', () => {
    expect(guessChatTemplateFamily('mistralai/Mistral-7B-Instruct-v0.2')).toBe('mistral');
    expect(guessChatTemplateFamily('bigcode/starcoder2-7b')).toBe('starcoder');
    expect(guessChatTemplateFamily('Qwen/Qwen2.5-Coder-7B-Instruct')).toBe('chatml');
  });
});
