import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { loadHumanEval } from './humaneval.loader';
import { loadHumanEvalX } from './humaneval-x.loader';
import { loadMultiplE } from './multipl-e.loader';
import type { DatasetName, EvalLanguage, EvalProblem } from './problem';

export interface DatasetInfo {
  name: DatasetName;
  language: EvalLanguage;
  file: string;
  /** sha256 of the file as published upstream (see eval/datasets/LICENSES.md) */
  sha256: string;
  problems: number;
  load: (path: string) => AsyncGenerator<EvalProblem>;
}

/** One row per dataset: which file, which loader (one per format). */
export const DATASETS: Record<DatasetName, DatasetInfo> = {
  humaneval: {
    name: 'humaneval',
    language: 'python',
    file: 'HumanEval.jsonl.gz',
    sha256: 'b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef',
    problems: 164,
    load: loadHumanEval,
  },
  'humaneval-x-js': {
    name: 'humaneval-x-js',
    language: 'javascript',
    file: 'HumanEval-X_js.jsonl.gz',
    sha256: 'fe5d467f2c1a027b3f6f18d3729aca01f6458c1de2e2d1292a019c5aa9bed424',
    problems: 164,
    load: loadHumanEvalX,
  },
  'multipl-e-js': {
    name: 'multipl-e-js',
    language: 'javascript',
    file: 'MultiPL-E_humaneval-js.jsonl',
    sha256: '634e2eee8d6e22de07c121b972207683dd96be76256bf44bdfc1a3386b739287',
    problems: 161,
    load: loadMultiplE,
  },
  'multipl-e-ts': {
    name: 'multipl-e-ts',
    language: 'typescript',
    file: 'MultiPL-E_humaneval-ts.jsonl',
    sha256: '4b1af1050c9f226335d54a8c80553c39454a525cace3e67bdcfcc9092ba02637',
    problems: 159,
    load: loadMultiplE,
  },
};

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Refuses a data file that differs from the published one: scores on edited data are not comparable. */
export async function verifyDatasetFile(info: DatasetInfo, directory: string): Promise<string> {
  const path = join(directory, info.file);
  const actual = await sha256Of(path);
  if (actual !== info.sha256)
    throw new Error(
      `${path}: sha256 ${actual} is not the published ${info.sha256}; restore the file from git`,
    );
  return path;
}

/** Every problem of a dataset, after checking the file. */
export async function loadDataset(name: DatasetName, directory: string): Promise<EvalProblem[]> {
  const info = DATASETS[name];
  const path = await verifyDatasetFile(info, directory);
  const problems: EvalProblem[] = [];
  for await (const problem of info.load(path)) problems.push(problem);
  if (problems.length !== info.problems)
    throw new Error(`${path}: ${problems.length} problems, expected ${info.problems}`);
  return problems;
}
