/**
 * `npm run eval`: pass@1 of this deployment on HumanEval and its JavaScript/TypeScript versions, through
 * the same gateway (or agent) users get; the hidden tests run in the sandbox. See libs/eval/README.md.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentWithDotEnv, loadConfig, runOrExitOnConfigError } from '@app/config';
import { renderComparison, type EvalResults } from '@app/eval';
import { parseCliOptions, UsageError, USAGE, type CompareOptions, type RunOptions } from './cli-options';
import { runEvaluation } from './run-command';

/** dist/apps/eval/src → the repository root */
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

const stdout = (text: string) => void process.stdout.write(text);
const stderr = (text: string) => void process.stderr.write(text);

function readResults(path: string): EvalResults {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EvalResults;
  } catch (error) {
    throw new UsageError(`${path}: not a results file (${(error as Error).message})`);
  }
}

function compare(options: CompareOptions): number {
  stdout(`${renderComparison(readResults(options.a), readResults(options.b), { all: options.all })}\n`);
  return 0;
}

/** The first Ctrl-C stops cleanly (finished problems are kept); a second one exits at once. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    stderr('\nstopping: cancelling the problems in flight (Ctrl-C again to quit at once)…\n');
    controller.abort();
  });
  return controller.signal;
}

async function run(options: RunOptions): Promise<number> {
  const env = Object.fromEntries(
    Object.entries(environmentWithDotEnv()).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return runEvaluation(options, {
    repoRoot: REPO_ROOT,
    config: loadConfig(env),
    env,
    stdout,
    stderr,
    interactive: process.stderr.isTTY === true,
    signal: interruptSignal(),
  });
}

async function main(): Promise<void> {
  try {
    const options = parseCliOptions(process.argv.slice(2));
    if (options.command === 'help') return void stdout(USAGE);
    process.exitCode = options.command === 'compare' ? compare(options) : await run(options);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof Error)) throw error;
    stderr(`eval: ${error.message}\n${error instanceof UsageError ? `\n${USAGE}` : ''}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

void runOrExitOnConfigError(main);
