/**
 * A small Dockerfile reader for the container tests: enough of the syntax to check what an image runs
 * (FROM/stages, ENV, USER, COPY, CMD, HEALTHCHECK, STOPSIGNAL) without a Docker engine.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  /** the image or earlier stage this one starts from */
  base: string;
  instructions: Instruction[];
}

export interface HealthcheckSpec {
  options: Record<string, string>;
  command: string[];
}

/** Joins `\` continuations and drops comments and blank lines, as the Docker parser does. */
export function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${piece}`, line: pending.line }
      : { text: piece, line: index + 1 };
    if (continued) return;
    instructions.push(toInstruction(pending.text, pending.line));
    pending = undefined;
  });
  return instructions;
}

function toInstruction(text: string, line: number): Instruction {
  const [keyword = '', ...rest] = text.split(/\s+/);
  return { keyword: keyword.toUpperCase(), args: rest.join(' '), line };
}

/** Splits instructions into build stages; ARGs before the first FROM are dropped. */
export function readStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of readInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [base = '', , alias] = instruction.args.split(/\s+/);
      stages.push({ name: alias ?? `stage-${stages.length}`, base, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export function loadDockerfile(path: string): Stage[] {
  return readStages(readFileSync(path, 'utf8'));
}

/** The stage and its ancestors (oldest first): instructions are inherited down a `FROM <stage>` chain. */
export function stageChain(stages: Stage[], name: string): Stage[] {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage named ${name}`);
  const parent = stages.find((candidate) => candidate.name === stage.base);
  return parent ? [...stageChain(stages, parent.name), stage] : [stage];
}

/** Instructions that apply to a stage, including inherited ones. */
export function effectiveInstructions(stages: Stage[], name: string, keyword: string): Instruction[] {
  return stageChain(stages, name).flatMap((stage) =>
    stage.instructions.filter((instruction) => instruction.keyword === keyword),
  );
}

/** The last value of a single-valued instruction (CMD, USER, HEALTHCHECK, ...) as the image sees it. */
export function lastInstruction(stages: Stage[], name: string, keyword: string): Instruction | undefined {
  return effectiveInstructions(stages, name, keyword).at(-1);
}

/** ENV as the running container sees it (later stages and lines override earlier ones). */
export function imageEnvironment(stages: Stage[], name: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const instruction of effectiveInstructions(stages, name, 'ENV')) {
    for (const pair of instruction.args.split(/\s+/)) {
      const separator = pair.indexOf('=');
      if (separator > 0) environment[pair.slice(0, separator)] = pair.slice(separator + 1);
    }
  }
  return environment;
}

/** Exec-form (JSON array) arguments, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) ? parsed.map(String) : undefined;
}

export function parseHealthcheck(args: string): HealthcheckSpec {
  const commandAt = args.search(/\bCMD\b/);
  if (commandAt < 0) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const options = Object.fromEntries(
    [...args.slice(0, commandAt).matchAll(/--([a-z-]+)=(\S+)/g)].map((match) => [match[1], match[2]]),
  );
  const command = execForm(args.slice(commandAt + 'CMD'.length));
  if (!command) throw new Error(`HEALTHCHECK must use exec form: ${args}`);
  return { options, command };
}

/** Docker duration (`10s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(value: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount = '0', unit = 's'] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * (units[unit] ?? 0);
  }
  return total;
}

/** `COPY [--from=x] [--chown=y] src... dest` → sources, destination and the `--from` stage. */
export function parseCopy(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  const destination = paths.pop() ?? '';
  return { from, sources: paths, destination };
}
