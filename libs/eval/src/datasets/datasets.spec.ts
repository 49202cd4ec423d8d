import { copyFileSync, mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASETS, loadDataset } from './catalog';
import { loadMultiplE } from './multipl-e.loader';
import { DatasetFormatError, type EvalProblem } from './problem';

const DATA = join(process.cwd(), 'eval', 'datasets');

async function collect(iterable: AsyncIterable<EvalProblem>): Promise<EvalProblem[]> {
  const all: EvalProblem[] = [];
  for await (const problem of iterable) all.push(problem);
  return all;
}

describe('dataset loaders', () => {
  it('loads every dataset with its published count, each problem complete', async () => {
    for (const info of Object.values(DATASETS)) {
      const problems = await loadDataset(info.name, DATA);
      expect(problems).toHaveLength(info.problems);
      for (const p of problems) {
        expect(p.language).toBe(info.language);
        expect(p.prompt).toContain(p.entryPoint);
        expect(p.tests.length).toBeGreaterThan(0);
      }
      expect(new Set(problems.map((p) => p.taskId)).size).toBe(info.problems);
    }
  });

  it('builds the program tail each dataset harness builds', async () => {
    const [humaneval] = await loadDataset('humaneval', DATA);
    expect(humaneval?.tests.trimEnd().endsWith('check(has_close_elements)')).toBe(true);
    const x = (await loadDataset('humaneval-x-js', DATA)).find((p) => p.taskId === 'JavaScript/10');
    expect(x).toMatchObject({ entryPoint: 'makePalindrome', failOnOutput: true });
    const ts = (await loadDataset('multipl-e-ts', DATA)).find((p) => p.taskId === 'HumanEval_23_strlen');
    expect(ts).toMatchObject({ entryPoint: 'strlen', language: 'typescript', failOnOutput: false });
    expect(ts?.tests).toContain("require('node:assert')");
  });

  it('refuses a data file that differs from the published one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-data-'));
    copyFileSync(join(DATA, 'MultiPL-E_humaneval-js.jsonl'), join(dir, 'MultiPL-E_humaneval-js.jsonl'));
    appendFileSync(join(dir, 'MultiPL-E_humaneval-js.jsonl'), '\n');
    await expect(loadDataset('multipl-e-js', dir)).rejects.toThrow(/sha256 .* is not the published/);
  });

  it('names the file and line of a malformed record', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eval-data-')), 'broken.jsonl');
    const good = JSON.stringify({ name: 'A', language: 'js', prompt: 'function a(){\n', tests: 'a();' });
    writeFileSync(path, `${good}\n{"name": "B", "language": "cobol"}\nnot json\n`);
    const error = await collect(loadMultiplE(path)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as Error).message).toMatch(/broken\.jsonl:2: language/);
  });
});
