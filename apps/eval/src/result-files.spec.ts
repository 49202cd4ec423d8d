import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunOptions } from './cli-options';
import { chooseResultPaths, pathsFor } from './result-files';

const options = (over: Partial<RunOptions> = {}): RunOptions => ({
  command: 'run',
  dataset: 'humaneval',
  mode: 'direct',
  concurrency: 4,
  timeoutSeconds: 10,
  resume: false,
  ...over,
});

describe('result files', () => {
  const root = mkdtempSync(join(tmpdir(), 'eval-files-'));
  const folder = join(root, 'eval', 'results');

  it('puts the journal and reports beside the JSON', () => {
    expect(pathsFor('/r/a.json')).toEqual({
      json: '/r/a.json',
      journal: '/r/a.jsonl',
      markdown: '/r/a.md',
      html: '/r/a.html',
    });
  });

  it('defaults to eval/results/<dataset>-<mode>-<time>.json', () => {
    const paths = chooseResultPaths(options(), root, new Date('2026-12-06T04:05:06.789Z'));
    expect(paths.json).toBe(join(folder, 'humaneval-direct-2026-12-06T04-05-06Z.json'));
  });

  it('a bare --resume continues the newest run of the same dataset and mode', () => {
    mkdirSync(folder, { recursive: true });
    for (const [name, age] of [
      ['humaneval-direct-old', 100],
      ['humaneval-direct-new', 10],
      ['humaneval-agent-newest', 1],
    ] as const) {
      writeFileSync(join(folder, `${name}.jsonl`), '');
      const at = new Date(Date.now() - age * 1000);
      utimesSync(join(folder, `${name}.jsonl`), at, at);
    }
    expect(chooseResultPaths(options({ resume: true }), root).json).toBe(
      join(folder, 'humaneval-direct-new.json'),
    );
    expect(() => chooseResultPaths(options({ resume: true, mode: 'verified' }), root)).toThrow(
      /no earlier humaneval verified run/,
    );
  });
});
