import { randomInt } from 'node:crypto';
import { bubblewrapArgs, type ExecutionLimits, type Identity } from './bubblewrap.args';
import { discoverHostLayout, type HostLayout, type Interpreter } from './host-layout';
import { runProcess, type ProcessOutcome } from '../process-runner';

/**
 * Host uids of the sandbox when the service runs as root: one per queue slot, far from real accounts, in a
 * block of this process's own. RLIMIT_NPROC counts every thread of a uid machine-wide, so two processes
 * (a gateway and an eval run, test workers) sharing uids would exhaust each other's process limit.
 */
const ROOT_MODE_BASE_UID = 100_000;
const UID_BLOCK = 256;
const PROCESS_UID_BASE = ROOT_MODE_BASE_UID + randomInt(0, 16_384) * UID_BLOCK;
const PROBE_TIMEOUT_MS = 15_000;

export interface DriverRun {
  interpreter: 'python' | 'node';
  /** path of the program inside the sandbox, e.g. /tmp/main.py */
  path: string;
  source: string;
  interpreterArgs: string[];
  limits: ExecutionLimits;
  slot: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs programs under bubblewrap; `probe()` says in one sentence why it cannot, if it cannot. */
export class BubblewrapDriver {
  private constructor(
    private readonly bwrapPath: string,
    readonly layout: HostLayout,
  ) {}

  static async create(bwrapPath: string, pythonCommand: string): Promise<BubblewrapDriver> {
    return new BubblewrapDriver(bwrapPath, await discoverHostLayout(pythonCommand));
  }

  interpreterFor(kind: 'python' | 'node'): Interpreter | undefined {
    return kind === 'python' ? this.layout.python : this.layout.node;
  }

  execute(run: DriverRun): Promise<ProcessOutcome> {
    const interpreter = this.interpreterFor(run.interpreter);
    if (!interpreter) throw new Error(`no ${run.interpreter} interpreter`);
    const argv = [interpreter.executable, ...run.interpreterArgs, run.path];
    const args = bubblewrapArgs(
      this.layout,
      interpreter.extraReadOnly,
      { path: run.path, argv },
      run.limits,
      identityFor(run.slot),
    );
    return runProcess({
      file: this.bwrapPath,
      args,
      fd3Input: run.source,
      timeoutMs: run.timeoutMs,
      signal: run.signal,
    });
  }

  /** Runs an empty Node program through the whole chain; undefined when it works, else why not. */
  async probe(limits: ExecutionLimits): Promise<string | undefined> {
    const outcome = await this.execute({
      interpreter: 'node',
      path: '/tmp/probe.js',
      source: 'process.exit(0)\n',
      interpreterArgs: [],
      limits,
      slot: 0,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    if (outcome.exitCode === 0) return undefined;
    return probeFailure(this.bwrapPath, outcome);
  }
}

function identityFor(slot: number): Identity {
  return process.getuid?.() === 0
    ? { kind: 'root', uid: PROCESS_UID_BASE + (slot % UID_BLOCK) }
    : { kind: 'user' };
}

function probeFailure(bwrapPath: string, outcome: ProcessOutcome): string {
  const detail = outcome.stderr.text.trim().split('\n')[0] ?? `exit code ${String(outcome.exitCode)}`;
  if (outcome.exitCode === 127 && /ENOENT/.test(detail)) {
    return (
      `Code execution is unavailable: bubblewrap is not installed (no "${bwrapPath}" found) — ` +
      'install it (apt-get install bubblewrap) or set SANDBOX=off.'
    );
  }
  return (
    `Code execution is unavailable: bubblewrap cannot create a sandbox here (${detail}) — ` +
    'allow user namespaces (in Docker see the README section "Code execution in Docker") or set SANDBOX=off.'
  );
}
