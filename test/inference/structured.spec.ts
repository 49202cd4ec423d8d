import { generateStructured, type InferenceError } from '@app/inference';
import { z } from 'zod';
import { useEmulatorAndClients, USER, rejectionOf } from './helpers';

const verdict = z.object({ verdict: z.enum(['approve', 'request_changes']), issues: z.array(z.string()) });

/** Structured output: schema sent where supported, lenient parse, one repair round, then INVALID_RESPONSE. */
describe('generateStructured', () => {
  const fixture = useEmulatorAndClients();
  const { clients } = fixture;

  const posts = () =>
    fixture.emu.requests.filter((r) => r.method === 'POST').map((r) => r.body as Record<string, unknown>);

  it('sends the JSON Schema as response_format and parses a fenced answer', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/chat/completions`], model: 'm' });
    fixture.emu.script({ text: '```json\n{"verdict":"approve","issues":[],}\n```' });
    const out = await generateStructured(client, { messages: USER }, verdict, { name: 'review' });
    expect(out.value).toEqual({ verdict: 'approve', issues: [] });
    expect(out.repaired).toBe(false);
    expect(out.repairs.length).toBeGreaterThan(0);
    const format = posts()[0]?.response_format as {
      json_schema: { name: string; schema: { properties: object }; strict: boolean };
    };
    expect(format.json_schema.name).toBe('review');
    expect(format.json_schema.strict).toBe(true);
    expect(Object.keys(format.json_schema.schema.properties)).toEqual(['verdict', 'issues']);
  });

  it('runs one repair round with the parse error fed back', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/chat/completions`], model: 'm' });
    fixture.emu.script(
      { text: 'Sure! The code looks fine.' },
      { text: '{"verdict":"approve","issues":["none"]}' },
    );
    const out = await generateStructured(client, { messages: USER }, verdict);
    expect(out).toMatchObject({ value: { verdict: 'approve', issues: ['none'] }, repaired: true });
    const repairMessages = posts()[1]?.messages as Array<{ role: string; content: string }>;
    expect(repairMessages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(repairMessages[1]?.content).toBe('Sure! The code looks fine.');
    expect(repairMessages[2]?.content).toContain('could not be used');
  });

  it('fails with INVALID_RESPONSE, the error and an excerpt after the repair round also fails', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/chat/completions`], model: 'm' });
    fixture.emu.script({ text: 'no json here' }, { text: '{"verdict":"maybe","issues":[]}' });
    const error = (await rejectionOf(
      generateStructured(client, { messages: USER }, verdict),
    )) as InferenceError;
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('even after one repair round');
    expect(error.message).toContain('verdict');
    expect(error.message).toContain('Output began: "{"verdict":"maybe"');
    expect(posts()).toHaveLength(2);
  });

  it('says the answer was cut at max_tokens when the repair round is cut too', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/chat/completions`], model: 'm' });
    const cut = { text: 'Looking at the loop, the first thing to', finishReason: 'length' };
    fixture.emu.script(cut, cut);
    const error = (await rejectionOf(
      generateStructured(client, { messages: USER, maxTokens: 16 }, verdict),
    )) as InferenceError;
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', details: { truncated: true } });
    expect(error.message).toContain('even after one repair round');
    expect(error.message).toContain('cut at the token limit of 16');
  });

  it('skips the repair round when repair is false', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/chat/completions`], model: 'm' });
    fixture.emu.script({ text: 'nope' });
    const error = (await rejectionOf(
      generateStructured(client, { messages: USER }, verdict, { repair: false }),
    )) as InferenceError;
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).not.toContain('repair round');
    expect(posts()).toHaveLength(1);
  });

  it('sends no schema to local-models (unsupported) and still parses', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/chat`] });
    fixture.emu.script({ text: 'Here: {"verdict": "request_changes", "issues": ["x"]}' });
    const out = await generateStructured(client, { messages: USER }, verdict);
    expect(out.value.verdict).toBe('request_changes');
    expect(posts()[0]?.response_format).toBeUndefined();
  });

  it('keeps a caller-provided jsonSchema', async () => {
    const client = clients.create({ urls: [`${fixture.emu.url}/v1/completions`], model: 'm' });
    fixture.emu.script({ text: '{"verdict":"approve","issues":[]}' });
    const jsonSchema = { name: 'custom', schema: { type: 'object' } };
    await generateStructured(client, { messages: USER, jsonSchema }, verdict);
    expect(posts()[0]?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { ...jsonSchema, strict: true },
    });
  });
});
