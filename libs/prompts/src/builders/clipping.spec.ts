import { buildGenerateCodePrompt } from './generate.prompt';
import { buildReviewCodePrompt } from './review.prompt';

const HUGE_SPEC = {
  title: 'Huge',
  summary: 'A spec with tens of thousands of requirements',
  requirements: Array.from({ length: 30_000 }, (_, i) => `requirement number ${i} must hold`),
  acceptance_criteria: Array.from({ length: 5_000 }, (_, i) => `criterion ${i}`),
  constraints: [],
  assumptions: [],
  open_questions: [],
};

const promptChars = (messages: ReadonlyArray<{ content: string }>) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

/** One clipping policy for every prompt input: a spec is clipped like context and code, with the marker. */
describe('prompt inputs are clipped by one policy', () => {
  it('generate_code: a spec with 30,000 requirements is clipped, head and tail kept', () => {
    const { messages } = buildGenerateCodePrompt({ task: 't', language: 'python', spec: HUGE_SPEC });
    const user = messages[1]?.content ?? '';
    expect(promptChars(messages)).toBeLessThan(40_000);
    expect(user).toContain('requirement number 0 must hold');
    expect(user).toMatch(/characters omitted/);
  });

  it('review_code: an object or a text spec is clipped too', () => {
    const object = buildReviewCodePrompt({ code: 'x = 1', spec: HUGE_SPEC });
    expect(promptChars(object.messages)).toBeLessThan(40_000);
    const text = buildReviewCodePrompt({ code: 'x = 1', spec: 'must '.repeat(4_000) });
    expect(promptChars(text.messages)).toBeLessThan(40_000);
  });
});
