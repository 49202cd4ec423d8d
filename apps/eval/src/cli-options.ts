import { parseArgs } from 'node:util';
import { DATASET_NAMES, EVAL_MODES, type DatasetName, type EvalMode } from '@app/eval';

export const USAGE = `usage:
  npm run eval -- --dataset <${DATASET_NAMES.join(' | ')}> [options]
  npm run eval -- compare A.json B.json [--all]

options:
  --mode <direct | verified | agent>   how code is generated (default direct)
  --limit N                            only the first N problems
  --concurrency K                      problems in flight at once (default 4)
  --timeout S                          seconds each hidden-test run may take (default 10, at most 60)
  --max-repair-rounds R                verified mode: generate_code's repair rounds (default: the tool's)
  --out FILE                           results JSON (default eval/results/<dataset>-<mode>-<time>.json);
                                       FILE.jsonl, FILE.md and FILE.html are written beside it
  --resume                             continue the run journaled at --out (or the newest of this dataset and mode)
  --gateway URL                        measure a running gateway (Streamable HTTP /mcp) instead of starting one
  --gateway-key KEY                    bearer key for --gateway when it has GATEWAY_API_KEYS
  --agent URL                          agent mode: a running agent service instead of starting one
`;

export interface RunOptions {
  command: 'run';
  dataset: DatasetName;
  mode: EvalMode;
  limit?: number;
  concurrency: number;
  timeoutSeconds: number;
  maxRepairRounds?: number;
  out?: string;
  resume: boolean;
  gateway?: string;
  gatewayKey?: string;
  agent?: string;
}

export interface CompareOptions {
  command: 'compare';
  a: string;
  b: string;
  all: boolean;
}

export type CliOptions = RunOptions | CompareOptions | { command: 'help' };

/** A command line that cannot run: the message says what to change. */
export class UsageError extends Error {}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
}

function url(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^https?:\/\/\S+$/.test(raw)) throw new UsageError(`--${name} must be an http(s) URL (got "${raw}")`);
  return raw;
}

const RUN_FLAGS = {
  dataset: { type: 'string' },
  mode: { type: 'string' },
  limit: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'max-repair-rounds': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  gateway: { type: 'string' },
  'gateway-key': { type: 'string' },
  agent: { type: 'string' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function compareOptions(positionals: string[], all: boolean): CompareOptions {
  const [, a, b, ...extra] = positionals;
  if (!a || !b || extra.length > 0)
    throw new UsageError('compare takes exactly two results files: compare A.json B.json');
  return { command: 'compare', a, b, all };
}

export function parseCliOptions(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: RUN_FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (positionals[0] === 'compare') return compareOptions(positionals, values.all ?? false);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const dataset = oneOf('dataset', values.dataset, DATASET_NAMES);
  if (!dataset) throw new UsageError(`--dataset is required: one of ${DATASET_NAMES.join(', ')}`);
  const mode = oneOf('mode', values.mode, EVAL_MODES) ?? 'direct';
  if (values.agent !== undefined && mode !== 'agent')
    throw new UsageError('--agent applies to --mode agent only');
  return {
    command: 'run',
    dataset,
    mode,
    limit: integer('limit', values.limit, 1, 100_000),
    concurrency: integer('concurrency', values.concurrency, 1, 256) ?? 4,
    timeoutSeconds: integer('timeout', values.timeout, 1, 60) ?? 10,
    maxRepairRounds: integer('max-repair-rounds', values['max-repair-rounds'], 0, 5),
    out: values.out,
    resume: values.resume ?? false,
    gateway: url('gateway', values.gateway),
    gatewayKey: values['gateway-key'],
    agent: url('agent', values.agent),
  };
}
