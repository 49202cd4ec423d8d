import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { assembleProgram, createCodeSandbox, type CodeSandbox } from '@app/sandbox';
import { median, round } from '../support/stats';
import { HUMANEVAL_SIZE, TRIVIAL, type SandboxProgram } from './sandbox-programs';
import { check, type TargetCheck } from '../report/target-check';

/** How many executions the sandbox measure does (per program and subject). */
export interface SandboxPlan {
  sequential: number;
  concurrent: number;
}

export const SANDBOX_FULL: SandboxPlan = { sequential: 60, concurrent: 120 };
export const SANDBOX_SMOKE: SandboxPlan = { sequential: 8, concurrent: 16 };

export interface SandboxProgramMeasure {
  program: string;
  /** median wall time of one execution, sequentially */
  medianMs: { bare: number; sandboxed: number };
  addedMs: number;
  /** executions per second with `concurrency` at once */
  executionsPerSecond: { bare: number; sandboxed: number };
  concurrency: number;
}

/** loadAverage: the 1-minute load when the measure ended — on a shared machine it inflates both sides */
export type SandboxMeasure =
  | { available: true; programs: SandboxProgramMeasure[]; loadAverage: number }
  | { available: false; reason: string };

/** The interpreter the sandbox runs (pyenv shims resolved), so both sides start the same binary. */
function realPython(): string {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

/** A bare subprocess: the same program on stdin, no isolation at all. */
function runBare(python: string, source: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-I', '-B', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`exit ${code}`)),
    );
    child.stdin.end(source);
  });
}

async function runSandboxed(sandbox: CodeSandbox, program: SandboxProgram): Promise<number> {
  const started = performance.now();
  const result = await sandbox.run({ language: 'python', code: program.code, tests: program.tests });
  if (!result.passed) throw new Error(`sandboxed ${program.name} did not pass: ${result.stderr}`);
  return performance.now() - started;
}

async function throughput(run: () => Promise<number>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      await run();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - started) / 1000);
}

async function measureProgram(
  sandbox: CodeSandbox,
  python: string,
  program: SandboxProgram,
  plan: SandboxPlan,
): Promise<SandboxProgramMeasure> {
  const assembled = await assembleProgram('python', program.code, program.tests);
  if (!assembled.ok) throw new Error(assembled.message);
  const bare: number[] = [];
  const sandboxed: number[] = [];
  for (let i = 0; i < plan.sequential; i += 1) {
    bare.push(await runBare(python, assembled.source)); // interleaved: both see the same machine load
    sandboxed.push(await runSandboxed(sandbox, program));
  }
  const concurrency = availableParallelism();
  const medianMs = { bare: round(median(bare), 1), sandboxed: round(median(sandboxed), 1) };
  return {
    program: program.name,
    medianMs,
    addedMs: round(medianMs.sandboxed - medianMs.bare, 1),
    executionsPerSecond: {
      bare: round(await throughput(() => runBare(python, assembled.source), plan.concurrent, concurrency), 1),
      sandboxed: round(
        await throughput(() => runSandboxed(sandbox, program), plan.concurrent, concurrency),
        1,
      ),
    },
    concurrency,
  };
}

/**
 * Sandbox overhead: a trivial Python test and a HumanEval-size program, each sandboxed (bubblewrap,
 * rlimits, the CodeSandbox path) and as a bare python3 subprocess, side by side.
 */
export async function measureSandbox(
  plan: SandboxPlan,
  log: (line: string) => void,
): Promise<SandboxMeasure> {
  const sandbox = createCodeSandbox({
    mode: 'auto',
    timeoutSeconds: 10,
    memoryMb: 512,
    maxConcurrency: availableParallelism(),
  });
  const availability = await sandbox.availability();
  if (!availability.available) return { available: false, reason: availability.reason ?? 'unavailable' };
  const python = realPython();
  const programs: SandboxProgramMeasure[] = [];
  for (const program of [TRIVIAL, HUMANEVAL_SIZE]) {
    log(
      `sandbox: ${program.name} (${plan.sequential} sequential, ${plan.concurrent} concurrent executions each side)`,
    );
    programs.push(await measureProgram(sandbox, python, program, plan));
  }
  return { available: true, programs, loadAverage: round(loadavg()[0] ?? 0, 2) };
}

/** Targets of the sandbox section: ≤ 15 ms added per execution, ≥ 40 sandboxed executions/s. */
export function sandboxTargets(measure: SandboxMeasure | undefined): TargetCheck[] {
  if (!measure?.available) return [];
  return measure.programs.flatMap((p) => [
    check(
      `sandbox-added-${p.program}`,
      `sandbox: added ms per execution (${p.program})`,
      p.addedMs,
      '<=',
      15,
      'ms',
    ),
    check(
      `sandbox-rate-${p.program}`,
      `sandbox: executions/s at c=${p.concurrency} (${p.program})`,
      p.executionsPerSecond.sandboxed,
      '>=',
      40,
      '/s',
    ),
  ]);
}

/** The table rows of the sandbox section. */
export function sandboxRows(measure: SandboxMeasure): string[] {
  if (!measure.available) return [`sandbox: not measured — ${measure.reason}`];
  const header =
    '| program | bare python3 (ms, median) | sandboxed (ms, median) | added (ms) | bare exec/s | sandboxed exec/s |';
  const lines = measure.programs.map(
    (p) =>
      `| ${p.program} | ${p.medianMs.bare} | ${p.medianMs.sandboxed} | ${p.addedMs} | ${p.executionsPerSecond.bare} | ${p.executionsPerSecond.sandboxed} (×${p.concurrency}) |`,
  );
  const title = `Sandbox overhead (python, bubblewrap + prlimit + nice 10 vs a bare subprocess; load average ${measure.loadAverage})`;
  return [title, header, '|---|---|---|---|---|---|', ...lines];
}
