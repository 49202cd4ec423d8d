import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import {
  AgentCodeSource,
  buildResults,
  DATASETS,
  evaluate,
  GatewayCodeSource,
  loadDataset,
  ProgressBar,
  readJournal,
  renderSummaryTable,
  ResultJournal,
  type CodeSource,
  type EvalProblem,
  type ProgramRunner,
  type RunHeader,
  type TaskResult,
} from '@app/eval';
import { createCodeSandbox, sandboxOptionsFromConfig } from '@app/sandbox';
import { startAgentStack, stdioGateway, type Environment } from './built-services';
import type { RunOptions } from './cli-options';
import { describeConfiguration } from './eval-config';
import { McpToolClient } from './mcp-tool-client';
import { chooseResultPaths, writeReports, type ResultPaths } from './result-files';

export interface RunContext {
  repoRoot: string;
  config: AppConfig;
  env: Environment;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  interactive: boolean;
  /** aborted on Ctrl-C: in-flight problems are cancelled, finished ones kept */
  signal: AbortSignal;
}

/** The code source for the mode, plus what to close afterwards and where it measured. */
interface Source {
  source: CodeSource;
  gateway: string;
  agent?: string;
  close: () => Promise<void>;
}

async function gatewaySource(options: RunOptions, context: RunContext): Promise<Source> {
  const target = options.gateway
    ? ({ kind: 'http', url: options.gateway, apiKey: options.gatewayKey } as const)
    : stdioGateway(context.repoRoot, context.env);
  const tools = await McpToolClient.connect(target, context.signal);
  const verified = options.mode === 'verified';
  const source = new GatewayCodeSource(tools, { verified, maxRepairRounds: options.maxRepairRounds });
  return { source, gateway: tools.describe(), close: () => tools.close() };
}

async function agentSource(options: RunOptions, context: RunContext): Promise<Source> {
  if (options.agent) {
    const source = new AgentCodeSource({ baseUrl: options.agent });
    return { source, gateway: 'the agent’s own', agent: options.agent, close: async () => undefined };
  }
  const env = options.gatewayKey ? { ...context.env, MCP_GATEWAY_API_KEY: options.gatewayKey } : context.env;
  const stack = await startAgentStack(context.repoRoot, env, options.gateway);
  const source = new AgentCodeSource({ baseUrl: stack.agentUrl });
  return { source, gateway: stack.gatewayUrl, agent: stack.agentUrl, close: () => stack.stop() };
}

/** The sandbox the hidden tests run in; a machine where it cannot work is told why before any model call. */
async function sandboxRunner(config: AppConfig): Promise<ProgramRunner> {
  const sandbox = createCodeSandbox(sandboxOptionsFromConfig(config.sandbox));
  const availability = await sandbox.availability();
  if (!availability.available)
    throw new Error(`the hidden tests cannot run: ${availability.reason ?? 'no sandbox'}`);
  return sandbox;
}

/** The problems this run still has to do: the first `--limit`, minus those a resumed journal finished. */
function pendingProblems(
  all: EvalProblem[],
  options: RunOptions,
  done: readonly TaskResult[],
): EvalProblem[] {
  const chosen = options.limit === undefined ? all : all.slice(0, options.limit);
  const finished = new Set(done.map((t) => t.task_id));
  return chosen.filter((p) => !finished.has(p.taskId));
}

function resumed(options: RunOptions, paths: ResultPaths): { header?: RunHeader; done: TaskResult[] } {
  if (!options.resume) return { done: [] };
  const { header, tasks } = readJournal(paths.journal);
  if (header.dataset !== options.dataset || header.mode !== options.mode)
    throw new Error(
      `${paths.journal} is a ${header.dataset} ${header.mode} run, not ${options.dataset} ${options.mode}`,
    );
  return { header, done: tasks };
}

export async function runEvaluation(options: RunOptions, context: RunContext): Promise<number> {
  const info = DATASETS[options.dataset];
  const problems = await loadDataset(options.dataset, join(context.repoRoot, 'eval', 'datasets'));
  const paths = chooseResultPaths(options, context.repoRoot);
  const previous = resumed(options, paths);
  const pending = pendingProblems(problems, options, previous.done);
  const expected = options.limit === undefined ? problems.length : Math.min(options.limit, problems.length);
  const runner = await sandboxRunner(context.config);
  const source =
    options.mode === 'agent' ? await agentSource(options, context) : await gatewaySource(options, context);
  try {
    const header: RunHeader = previous.header ?? {
      dataset: options.dataset,
      mode: options.mode,
      dataset_size: info.problems,
      started_at: new Date().toISOString(),
      config: describeConfiguration(options, context.config, { ...source, repoRoot: context.repoRoot }),
    };
    return await execute({
      options,
      context,
      header,
      paths,
      pending,
      done: previous.done,
      runner,
      source: source.source,
      expected,
    });
  } finally {
    await source.close();
  }
}

interface Execution {
  options: RunOptions;
  context: RunContext;
  header: RunHeader;
  paths: ResultPaths;
  pending: EvalProblem[];
  done: TaskResult[];
  runner: ProgramRunner;
  source: CodeSource;
  expected: number;
}

/** The embedded engine may first download its model: say so, or the first minutes look like a hang. */
function embeddedHint(header: RunHeader): string {
  return header.config.endpoints.code === 'embedded (default model)'
    ? ' — the first problem waits while the default GGUF model is downloaded (once, ~1.1 GB)'
    : '';
}

async function execute(run: Execution): Promise<number> {
  const { options, context, paths } = run;
  const journal = new ResultJournal(paths.journal);
  if (!options.resume) journal.start(run.header);
  context.stderr(
    `${options.dataset} · ${options.mode}: ${run.pending.length} problems to run${run.done.length ? ` (${run.done.length} already done)` : ''}; journal ${paths.journal}\n`,
  );
  context.stderr(`code model: ${run.header.config.endpoints.code}${embeddedHint(run.header)}\n`);
  const progress = new ProgressBar({
    total: run.expected,
    done: run.done,
    write: context.stderr,
    interactive: context.interactive,
  });
  const started = performance.now();
  const fresh = await evaluate({
    problems: run.pending,
    source: run.source,
    runner: run.runner,
    concurrency: options.concurrency,
    timeoutSeconds: options.timeoutSeconds,
    signal: context.signal,
    onResult: (result) => (journal.record(result), progress.update(result)),
  }).finally(() => progress.finish());
  const tasks = [...run.done, ...fresh];
  const results = buildResults(run.header, tasks, {
    at: new Date(),
    wallMs: Math.round(performance.now() - started),
    expected: run.expected,
  });
  writeReports(paths, results);
  context.stdout(`${renderSummaryTable(results)}\n`);
  context.stderr(`results: ${paths.json}\nreport:  ${paths.markdown} · ${paths.html}\n`);
  if (!results.complete)
    context.stderr(
      `interrupted: ${results.total} of ${run.expected} finished; continue with --resume --out ${paths.json}\n`,
    );
  return results.complete ? 0 : 130;
}
