import { PromptError } from '../prompts.errors';
import { findPromptTemplate, PROMPT_TEMPLATES } from './prompt-templates';

describe('PROMPT_TEMPLATES', () => {
  it('lists formalize, generate and review with their required arguments', () => {
    expect(PROMPT_TEMPLATES.map((t) => t.name)).toEqual(['formalize_task', 'generate_code', 'review_code']);
    const required = PROMPT_TEMPLATES.map((t) => t.arguments.filter((a) => a.required).map((a) => a.name));
    expect(required).toEqual([['task'], ['task'], ['code']]);
  });

  it('renders only user/assistant messages, with the instructions folded in', () => {
    for (const template of PROMPT_TEMPLATES) {
      const messages = template.render({
        task: 'sum a list',
        code: 'print(1)',
        language: 'py',
        focus: 'security, style',
      });
      expect(messages.every((m) => m.role === 'user' || m.role === 'assistant')).toBe(true);
      expect(messages[0]?.content.length).toBeGreaterThan(100);
    }
  });

  it('passes focus as a list and treats blank arguments as absent', () => {
    const [message] = findPromptTemplate('review_code').render({
      code: 'x = 1',
      focus: 'security,\nstyle',
      spec: '',
    });
    expect(message?.content).toContain('Focus on:\n- security\n- style');
    expect(message?.content).not.toContain('What the code should do');
  });

  it('rejects missing required arguments with a field-level message', () => {
    expect(() => findPromptTemplate('formalize_task').render({})).toThrow(PromptError);
    expect(() => findPromptTemplate('generate_code').render({ language: 'go' })).toThrow(
      /prompt "generate_code": task: /,
    );
  });

  it('names the available prompts when one is unknown', () => {
    expect(() => findPromptTemplate('nope')).toThrow(
      'unknown prompt "nope"; available: formalize_task, generate_code, review_code',
    );
    try {
      findPromptTemplate('nope');
    } catch (error) {
      expect((error as PromptError).code).toBe('UNKNOWN_PROMPT');
    }
  });
});
