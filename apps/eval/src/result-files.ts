import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderHtmlReport, renderMarkdownReport, type EvalResults } from '@app/eval';
import type { RunOptions } from './cli-options';

/** The results JSON and, beside it, the journal, the Markdown and the HTML report. */
export interface ResultPaths {
  json: string;
  journal: string;
  markdown: string;
  html: string;
}

export function pathsFor(json: string): ResultPaths {
  const stem = json.replace(/\.json$/i, '');
  return { json, journal: `${stem}.jsonl`, markdown: `${stem}.md`, html: `${stem}.html` };
}

function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
}

/** The newest journal of this dataset and mode in the default folder: what a bare `--resume` continues. */
function newestJournal(folder: string, prefix: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const journals = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.jsonl'))
    .map((name) => join(folder, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return journals[0];
}

/** `--out`, or `eval/results/<dataset>-<mode>-<time>.json`; a bare `--resume` reuses the newest such run. */
export function chooseResultPaths(options: RunOptions, repoRoot: string, now = new Date()): ResultPaths {
  if (options.out) return pathsFor(resolve(options.out));
  const folder = join(repoRoot, 'eval', 'results');
  const prefix = `${options.dataset}-${options.mode}-`;
  const previous = options.resume ? newestJournal(folder, prefix) : undefined;
  if (options.resume && !previous)
    throw new Error(
      `--resume: no earlier ${options.dataset} ${options.mode} run in ${folder}; give --out FILE`,
    );
  if (previous) return pathsFor(previous.replace(/\.jsonl$/, '.json'));
  return pathsFor(join(folder, `${prefix}${timestamp(now)}.json`));
}

export function writeReports(paths: ResultPaths, results: EvalResults): void {
  mkdirSync(dirname(paths.json), { recursive: true });
  writeFileSync(paths.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(paths.markdown, renderMarkdownReport(results));
  writeFileSync(paths.html, renderHtmlReport(results));
}
