import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TINY_GGUF_VOCAB_SIZE } from '@app/testing';

/**
 * A real llama.cpp `llama-server` for integration tests: the binary that `scripts/build-llama-server.sh`
 * builds from the llama.cpp source bundled in node-llama-cpp into a per-machine cache, keyed by the
 * bundle's commit (the same path is computed here). `LLAMA_SERVER_BIN` points elsewhere.
 */
// Jest runs from the repository root (ESM test modules have no __dirname)
const BUNDLE = join(process.cwd(), 'node_modules/node-llama-cpp/llama/gitRelease.bundle');

function bundleCommit(): string | undefined {
  try {
    const heads = execFileSync('git', ['bundle', 'list-heads', BUNDLE], { encoding: 'utf8' });
    return heads.split(/\s/)[0] || undefined;
  } catch {
    return undefined;
  }
}

/** The cached binary, or undefined when it was not built on this machine. */
export function llamaServerBinary(): string | undefined {
  const configured = process.env.LLAMA_SERVER_BIN;
  if (configured) return existsSync(configured) ? configured : undefined;
  const commit = bundleCommit();
  if (commit === undefined) return undefined;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const binary = join(cache, 'code-model-mcp', 'llama-server', commit, 'llama-server');
  return existsSync(binary) && existsSync(join(dirname(binary), '.complete')) ? binary : undefined;
}

/**
 * `describe` when the binary exists; in CI (where `.ci/run` builds it first) a missing binary is a
 * failure, elsewhere the suite is skipped with the command that builds it.
 */
export function describeWithLlamaServer(name: string, body: (binary: string) => void): void {
  const binary = llamaServerBinary();
  if (binary !== undefined) return describe(name, () => body(binary));
  if (process.env.CI) {
    describe(name, () => {
      it('has a llama-server binary', () => {
        throw new Error(
          'llama-server is not built: .ci/run runs scripts/build-llama-server.sh before the tests',
        );
      });
    });
    return;
  }
  describe.skip(`${name} — SKIPPED: llama-server not built; run scripts/build-llama-server.sh (≈ 10 min once)`, () => {
    it('needs the binary', () => undefined);
  });
  process.stderr.write(
    `[llama-server suite] skipped: no binary; build it with scripts/build-llama-server.sh\n`,
  );
}

export interface LlamaServerOptions {
  binary: string;
  model: string;
  /** `-np`: generations at once */
  slots?: number;
  apiKey?: string;
  jinja?: boolean;
  chatTemplateFile?: string;
  /** tokens per answer when the request sets none */
  maxTokens?: number;
  ignoreEos?: boolean;
  /** the port to bind (0 = a free one); a restart reuses the previous port */
  port?: number;
  extraArgs?: string[];
}

export interface RunningLlamaServer {
  readonly url: string;
  readonly port: number;
  /** everything the server printed so far */
  log(): string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL, as a crash would */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Bytes 0x80–0xFF of the tiny GGUF's byte vocabulary: alone they are invalid UTF-8, which the server refuses. */
function nonAsciiByteBans(): string {
  const firstByteId = TINY_GGUF_VOCAB_SIZE - 257;
  const ids = Array.from({ length: 128 }, (_, i) => firstByteId + 0x80 + i);
  // one comma-separated -l flag: repeated -l flags keep only the last
  return ids.map((id) => `${id}-inf`).join(',');
}

function argumentsFor(options: LlamaServerOptions): string[] {
  const args = [
    ...['-m', options.model, '--host', '127.0.0.1', '--port', String(options.port ?? 0)],
    // the tiny model's training context is small; give it room for real prompts
    ...['--override-kv', 'llama.context_length=int:16384', '-c', String(4096 * (options.slots ?? 1))],
    ...['-np', String(options.slots ?? 1), '-t', '1', '-l', nonAsciiByteBans(), '--no-webui'],
    ...['-n', String(options.maxTokens ?? 64)],
  ];
  if (options.apiKey) args.push('--api-key', options.apiKey);
  if (options.jinja) args.push('--jinja');
  if (options.chatTemplateFile) args.push('--chat-template-file', options.chatTemplateFile);
  if (options.ignoreEos) args.push('--ignore-eos');
  return [...args, ...(options.extraArgs ?? [])];
}

export async function startLlamaServer(options: LlamaServerOptions): Promise<RunningLlamaServer> {
  const child = spawn(options.binary, argumentsFor(options), {
    env: { ...process.env, LD_LIBRARY_PATH: dirname(options.binary) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new LlamaServerProcess(child);
  await server.ready();
  return server;
}

const START_TIMEOUT_MS = 30_000;

class LlamaServerProcess implements RunningLlamaServer {
  private output: string[] = [];
  private listeners = new Set<() => void>();
  private exited: Promise<void>;
  port = 0;

  constructor(private readonly child: ChildProcess) {
    const onData = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      for (const listener of this.listeners) listener();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output.join('');
  }

  async ready(): Promise<void> {
    await this.waitForLog(/listening on http:\/\/127\.0\.0\.1:(\d+)/, START_TIMEOUT_MS);
    this.port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.log())?.[1]);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const status = await fetch(`${this.url}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new Error(`llama-server did not become healthy:\n${this.log().slice(-2000)}`);
  }

  waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    if (pattern.test(this.log())) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.log())) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`llama-server never logged ${pattern}:\n${this.log().slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      void this.exited.then(() => check());
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
