import { Inject, Injectable } from '@nestjs/common';
import type { ExecutionLimits } from './drivers/bubblewrap.args';
import { BubblewrapDriver } from './drivers/bubblewrap.driver';
import { compileErrorOutput, toRunOutput } from './outcome';
import { assembleProgram } from './program';
import { SandboxError } from './sandbox.errors';
import { SANDBOX_OPTIONS } from './sandbox.tokens';
import {
  MAX_TIMEOUT_SECONDS,
  SANDBOX_LANGUAGES,
  type RunTestsOutput,
  type RunTestsRequest,
  type SandboxAvailability,
  type SandboxLanguage,
  type SandboxOptions,
} from './sandbox.types';
import { SlotPool } from './slot-pool';

const MIB = 1024 * 1024;
/** V8 reserves address space for its code range and heap cages up front: node gets this much on top. */
const NODE_RESERVED_ADDRESS_SPACE_MB = 1024;
const OFF_REASON =
  'Code execution is turned off (SANDBOX=off); set SANDBOX=auto or SANDBOX=bubblewrap to enable it.';

type Ready = { availability: SandboxAvailability; driver?: BubblewrapDriver };

/**
 * Runs a program with its tests in a sandbox (bubblewrap) and reports the outcome as `run_tests` output.
 * At most `maxConcurrency` executions run at once; the rest wait in a queue.
 */
@Injectable()
export class CodeSandbox {
  private readonly pool: SlotPool;
  private ready: Promise<Ready> | undefined;

  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {
    this.pool = new SlotPool(Math.max(1, options.maxConcurrency));
  }

  get mode(): SandboxOptions['mode'] {
    return this.options.mode;
  }

  /** Whether execution works here (probed once, on first use); when not, one sentence why and what to do. */
  async availability(): Promise<SandboxAvailability> {
    return (await this.prepare()).availability;
  }

  /** Runs `code` followed by `tests`; resolves with the outcome, rejects only if it could not run at all. */
  async run(request: RunTestsRequest, signal?: AbortSignal): Promise<RunTestsOutput> {
    validate(request);
    const driver = await this.driverFor(request.language);
    const program = await assembleProgram(request.language, request.code, request.tests);
    if (!program.ok) return compileErrorOutput(program.message);
    const timeoutSeconds = Math.min(
      request.timeoutSeconds ?? this.options.timeoutSeconds,
      MAX_TIMEOUT_SECONDS,
    );
    const slot = await this.pool.acquire(signal);
    try {
      const outcome = await driver.execute({
        interpreter: program.interpreter,
        path: `/tmp/${program.fileName}`,
        source: program.source,
        interpreterArgs: this.interpreterArgs(program.interpreter),
        limits: this.limits(program.interpreter, timeoutSeconds),
        slot,
        timeoutMs: timeoutSeconds * 1000,
        signal,
      });
      if (outcome.stoppedFor === 'aborted') signal?.throwIfAborted();
      return toRunOutput(program.interpreter, outcome, timeoutSeconds);
    } finally {
      this.pool.release(slot);
    }
  }

  private async driverFor(language: SandboxLanguage): Promise<BubblewrapDriver> {
    const { availability, driver } = await this.prepare();
    if (!driver) throw new SandboxError('SANDBOX_UNAVAILABLE', availability.reason ?? OFF_REASON);
    if (!availability.languages.includes(language)) {
      const message = `Cannot run ${language} here: "${this.options.pythonCommand ?? 'python3'}" was not found — install Python 3 or put it on PATH.`;
      throw new SandboxError('LANGUAGE_UNAVAILABLE', message);
    }
    return driver;
  }

  private prepare(): Promise<Ready> {
    this.ready ??= this.probe();
    return this.ready;
  }

  private async probe(): Promise<Ready> {
    if (this.options.mode === 'off') return { availability: unavailable(OFF_REASON) };
    if (process.platform !== 'linux') {
      return {
        availability: unavailable(
          `Code execution is unavailable: the sandbox needs Linux with bubblewrap (this is ${process.platform}) — run the gateway on Linux or in its Docker image, or set SANDBOX=off.`,
        ),
      };
    }
    const driver = await BubblewrapDriver.create(
      this.options.bwrapPath ?? 'bwrap',
      this.options.pythonCommand ?? 'python3',
    );
    const failure = await driver.probe(this.limits('node', 10));
    if (failure) return { availability: unavailable(failure) };
    const languages = SANDBOX_LANGUAGES.filter((language) => language !== 'python' || driver.layout.python);
    return { availability: { available: true, driver: 'bubblewrap', languages }, driver };
  }

  private interpreterArgs(interpreter: 'python' | 'node'): string[] {
    // -I: ignore PYTHON* variables and user site-packages; -B: write no .pyc
    if (interpreter === 'python') return ['-I', '-B'];
    return [`--max-old-space-size=${this.options.memoryMb}`];
  }

  private limits(interpreter: 'python' | 'node', timeoutSeconds: number): ExecutionLimits {
    const reserved = interpreter === 'node' ? NODE_RESERVED_ADDRESS_SPACE_MB : 0;
    return {
      cpuSeconds: Math.ceil(timeoutSeconds) + 1,
      addressSpaceBytes: (this.options.memoryMb + reserved) * MIB,
      processes: 64,
      openFiles: 256,
      fileSizeBytes: 16 * MIB,
      tmpBytes: 64 * MIB,
    };
  }
}

function unavailable(reason: string): SandboxAvailability {
  return { available: false, driver: 'none', reason, languages: [] };
}

function validate(request: RunTestsRequest): void {
  if (!SANDBOX_LANGUAGES.includes(request.language)) {
    throw new SandboxError(
      'INVALID_REQUEST',
      `language must be one of ${SANDBOX_LANGUAGES.join(', ')} (got "${String(request.language)}")`,
    );
  }
  const timeout = request.timeoutSeconds;
  if (timeout !== undefined && !(timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
    throw new SandboxError(
      'INVALID_REQUEST',
      `timeout_seconds must be between 1 and ${MAX_TIMEOUT_SECONDS} (got ${timeout})`,
    );
  }
}
