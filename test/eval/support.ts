import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { loadDataset, type DatasetName, type EvalProblem, type EvalResults } from '@app/eval';
import { createCodeSandbox, type CodeSandbox } from '@app/sandbox';
import type { OracleProblem } from '@app/testing';

export const REPO_ROOT = process.cwd();
export const BUILT_EVAL = join(REPO_ROOT, 'dist/apps/eval/src/main.js');
export const BUILT_GATEWAY = join(REPO_ROOT, 'dist/apps/mcp-gateway/src/main.js');
/** `EVAL_FULL_SETS=1` runs the whole datasets (by hand); CI runs a subset to keep its time small. */
export const FULL_SETS = process.env.EVAL_FULL_SETS === '1';

export const problemsOf = (name: DatasetName) => loadDataset(name, join(REPO_ROOT, 'eval', 'datasets'));

/** The oracle's answer: the canonical solution, as a whole function (even problems) or a body (odd). */
export function canonicalAnswers(problems: readonly EvalProblem[]): OracleProblem[] {
  return problems.map((p, i) => ({
    prompt: p.prompt,
    language: p.language,
    answer: i % 2 === 0 ? `${p.prompt}${p.canonicalSolution ?? ''}` : (p.canonicalSolution ?? ''),
  }));
}

export function answers(
  problems: readonly EvalProblem[],
  answer: (p: EvalProblem) => string,
): OracleProblem[] {
  return problems.map((p) => ({ prompt: p.prompt, language: p.language, answer: answer(p) }));
}

/** What a spawned built gateway needs: a clean environment plus the model endpoint(s). */
export function gatewayEnvironment(extra: Record<string, string>): Record<string, string> {
  return { ...getDefaultEnvironment(), LOG_LEVEL: 'warn', SANDBOX: 'auto', ...extra };
}

export function testSandbox(timeoutSeconds = 10): CodeSandbox {
  return createCodeSandbox({ mode: 'bubblewrap', timeoutSeconds, memoryMb: 512, maxConcurrency: 2 });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `npm run eval` entry point; `interrupt` sends a signal once `when` says so (checked
 * every 100 ms). Killed after `timeoutMs` whatever happens.
 */
export function runEvalCli(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; interrupt?: { signal: NodeJS.Signals; when: () => boolean } } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUILT_EVAL, ...args], { env, cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    const poll = setInterval(() => {
      if (options.interrupt?.when()) {
        child.kill(options.interrupt.signal);
        clearInterval(poll);
      }
    }, 100);
    child.once('close', (code) => {
      clearTimeout(killer);
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

export const readResults = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as EvalResults;

/** Task lines in a journal so far (0 while it does not exist). */
export function journalTasks(path: string): number {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"type":"task"')).length;
  } catch {
    return 0;
  }
}
