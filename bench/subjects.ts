import type { EmulatorControl } from './emulator/emulator-control';
import type { DirectCaller } from './load/direct';
import type { LeanPool } from './load/lean-session';
import type { SessionPool } from './load/mcp-sessions';
import type { BenchPlan } from './plan';
import type { ServerUnderTest } from './support/servers';

export type SubjectName = 'direct' | 'gateway' | 'baseline';

/** Something the bench times: the gateway, the baseline, or the emulator called directly (the reference). */
export interface Subject {
  readonly name: SubjectName;
  /** one generate_code call (direct: one generation); `onProgress` streams it */
  call(index: number, onProgress?: () => void): Promise<unknown>;
  /** CPU time the subject's server process used so far (µs); direct calls have no server */
  cpuMicros?: () => Promise<number>;
}

export interface BenchContext {
  readonly plan: BenchPlan;
  readonly emulator: EmulatorControl;
  readonly subjects: readonly Subject[];
  readonly log: (line: string) => void;
}

export function directSubject(direct: DirectCaller): Subject {
  return { name: 'direct', call: (_index, onProgress) => direct.call(onProgress && (() => onProgress())) };
}

/** The 2025 measures compare the gateway with the SDK v1 baseline; the SDK v2 one has measures/modern.ts. */
function subjectNameOf(server: ServerUnderTest): SubjectName {
  if (server.name === 'sdk-v2') throw new Error('the SDK v2 baseline is measured by measures/modern.ts');
  return server.name;
}

export function serverSubject(server: ServerUnderTest, pool: SessionPool): Subject {
  return {
    name: subjectNameOf(server),
    call: (index, onProgress) => pool.at(index).call(onProgress),
    cpuMicros: () => server.cpuMicros(),
  };
}

/** The same server through the lean client: no progress (it never sends a progressToken). */
export function leanSubject(server: ServerUnderTest, pool: LeanPool): Subject {
  return {
    name: subjectNameOf(server),
    call: (index) => pool.at(index).call(),
    cpuMicros: () => server.cpuMicros(),
  };
}

/** Round r runs the subjects in a rotated order, so no subject always runs first (or right after another). */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export function subjectNamed(context: BenchContext, name: SubjectName): Subject {
  const subject = context.subjects.find((candidate) => candidate.name === name);
  if (!subject) throw new Error(`no subject ${name}`);
  return subject;
}
