import { parseGenerateCodeOutput } from './generate-output';

describe('parseGenerateCodeOutput on unfenced answers', () => {
  it.each([
    ['prose with code punctuation', 'Well; the {answer} is (probably) = something we cannot say.'],
    ['random tokens from an untrained model', 'qz}{;(=)x vv;;{ kp(=)\nzz{ ]( ;= lo\n'],
    ['a sentence ending in a semicolon', 'I would rather not; maybe later (sorry) {thanks}'],
  ])('refuses %s instead of returning it as code', (_name, answer) => {
    expect(parseGenerateCodeOutput(answer, 'python')).toEqual({
      ok: false,
      error: 'no code found in the answer; reply with one ```python code block',
    });
  });

  it.each([
    ['statements', 'x = add(1, 2);\nconsole.log(x);', 'javascript'],
    ['a brace-delimited block', 'total = 0\nfor (i = 0; i < n; i++) {\n  total += i;\n}', 'c'],
  ])('still accepts bare %s', (_name, answer, language) => {
    const parsed = parseGenerateCodeOutput(answer, language);
    expect(parsed).toMatchObject({ ok: true, repairs: ['unfenced_code'] });
  });
});
