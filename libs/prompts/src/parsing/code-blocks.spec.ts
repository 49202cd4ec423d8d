import { extractCodeBlock, findFencedBlocks, stripCodeFences } from './code-blocks';

describe('extractCodeBlock', () => {
  it('returns undefined when the text has no fence', () => {
    expect(extractCodeBlock('def f():\n    return 1')).toBeUndefined();
  });

  it('extracts a tagged block and normalises its tag', () => {
    expect(extractCodeBlock('Here:\n```py\nprint(1)\n```\nDone.')).toEqual({
      code: 'print(1)',
      language: 'python',
    });
  });

  it('prefers the block tagged with the requested language over a longer one', () => {
    const text =
      '```bash\npip install requests && echo installed && echo more\n```\n```python\nimport requests\n```';
    expect(extractCodeBlock(text, 'py')).toEqual({ code: 'import requests', language: 'python' });
  });

  it('otherwise takes the longest block', () => {
    const text = '```python\ndef add(a, b):\n    return a + b\n```\nUsage:\n```python\nadd(1, 2)\n```';
    expect(extractCodeBlock(text)?.code).toBe('def add(a, b):\n    return a + b');
  });

  it('keeps an unterminated (truncated) block', () => {
    const [block] = findFencedBlocks('```ts\nconst a: number = 1;\nconst b');
    expect(block).toMatchObject({
      code: 'const a: number = 1;\nconst b',
      tag: 'typescript',
      terminated: false,
    });
  });

  it('detects the language of an untagged block', () => {
    expect(extractCodeBlock('```\npackage main\n\nfunc main() {}\n```')).toEqual({
      code: 'package main\n\nfunc main() {}',
      language: 'go',
    });
  });

  it('handles a fence opened at the end of a prose line and closed on the last code line', () => {
    expect(extractCodeBlock('Sure! Here is the code: ```python\nx = 1\nprint(x)```')).toEqual({
      code: 'x = 1\nprint(x)',
      language: 'python',
    });
  });

  it('dedents a fence indented inside a list item and supports ~~~', () => {
    expect(extractCodeBlock('1. Step one:\n   ~~~js\n   console.log(1);\n   ~~~')).toEqual({
      code: 'console.log(1);',
      language: 'javascript',
    });
  });
});

describe('stripCodeFences', () => {
  it('removes fence lines only', () => {
    expect(stripCodeFences('```python\nx = 1\n```\n')).toBe('x = 1');
    expect(stripCodeFences('no fences here')).toBe('no fences here');
  });
});
