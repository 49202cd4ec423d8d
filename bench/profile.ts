/**
 * Where the CPU goes: runs one server under `node --cpu-prof` with the bench load and summarises the profile.
 *
 *   node dist/bench/profile.js gateway|baseline|sdk-v2 [--calls 5000] [--concurrency 1] [--stream] [--lean|--modern]
 *
 * `--modern` drives MCP 2026-07-28 (load/lean-modern.ts: stateless POSTs); `sdk-v2` is the bare SDK v2 server.
 *
 * Writes the raw `.cpuprofile` under bench/results/profiles/ (open it in Chrome DevTools) and prints self and
 * inclusive CPU time per area (package, our app/libs, Node internals, GC) and the hottest functions, in ms
 * and in µs per call.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EmulatorControl } from './emulator/emulator-control';
import { LeanModernClient } from './load/lean-modern';
import { LeanPool } from './load/lean-session';
import { SessionPool } from './load/mcp-sessions';
import { runClosedLoop } from './load/run-load';
import { summarizeProfile, type CostLine } from './support/cpu-profile';
import { startBaseline, startGateway, type ServerUnderTest } from './support/servers';

const ROOT = join(__dirname, '..', '..');

interface ProfileArgs {
  target: 'gateway' | 'baseline' | 'sdk-v2';
  calls: number;
  concurrency: number;
  stream: boolean;
  /** the lean client (load/lean-session.ts) instead of the SDK client */
  lean: boolean;
  /** the 2026-07-28 lean client (load/lean-modern.ts) */
  modern: boolean;
}

const TARGETS = ['gateway', 'baseline', 'sdk-v2'] as const;

function numberAfter(argv: readonly string[], flag: string, fallback: number): number {
  const index = argv.indexOf(flag);
  return index >= 0 ? Number(argv[index + 1]) : fallback;
}

function parseArgs(argv: readonly string[]): ProfileArgs {
  const target = TARGETS.find((name) => name === argv[0]) ?? 'gateway';
  return {
    target,
    calls: numberAfter(argv, '--calls', 5000),
    concurrency: numberAfter(argv, '--concurrency', 1),
    stream: argv.includes('--stream'),
    lean: argv.includes('--lean'),
    modern: argv.includes('--modern'),
  };
}

function lines(title: string, costs: CostLine[], calls: number): string[] {
  const row = (cost: CostLine) =>
    `  ${cost.selfMs.toFixed(1).padStart(9)} ms ${((cost.selfMs / calls) * 1000).toFixed(1).padStart(8)} µs/call  ${cost.name}`;
  return [title, ...costs.map(row)];
}

async function startTarget(args: ProfileArgs, upstream: string, dir: string): Promise<ServerUnderTest> {
  const flags = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'];
  if (args.target === 'gateway') return startGateway(upstream, { nodeFlags: flags });
  return startBaseline(upstream, flags, args.target === 'sdk-v2' ? 'v2' : 'v1');
}

type Caller = { call(index: number): Promise<unknown>; close(): Promise<void> };

async function openCaller(args: ProfileArgs, url: string): Promise<Caller> {
  if (args.modern) {
    const client = LeanModernClient.open(url);
    return { call: () => client.call(), close: () => client.close() };
  }
  const size = Math.max(args.concurrency, 8);
  const onProgress = args.stream ? () => undefined : undefined;
  if (args.lean) {
    const pool = await LeanPool.open(url, size);
    return { call: (index) => pool.at(index).call(), close: () => pool.close() };
  }
  const pool = await SessionPool.open(url, size);
  return { call: (index) => pool.at(index).call(onProgress), close: () => pool.close() };
}

async function profile(args: ProfileArgs): Promise<void> {
  const dir = join(ROOT, 'bench', 'results', 'profiles', `${args.target}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const emulator = await EmulatorControl.start();
  try {
    if (args.stream) await emulator.setMode({ delayMs: 0, streamChunks: 200, chunkDelayMs: 0 });
    const server = await startTarget(args, emulator.url, dir);
    const caller = await openCaller(args, server.url);
    const call = (index: number) => caller.call(index);
    await runClosedLoop(500, args.concurrency, call);
    const result = await runClosedLoop(args.calls, args.concurrency, call, 300_000);
    await caller.close();
    await server.stop();
    process.stdout.write(
      `${args.target}: ${result.latencies.length} calls at c=${args.concurrency} in ${result.wallMs.toFixed(0)} ms\n`,
    );
  } finally {
    await emulator.stop();
  }
  await report(dir, args.calls + 500);
}

async function report(dir: string, calls: number): Promise<void> {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  const summary = await summarizeProfile(join(dir, file));
  const out = [
    `profile: ${join(dir, file)}`,
    `busy ${summary.busyMs.toFixed(0)} ms (${((summary.busyMs / calls) * 1000).toFixed(1)} µs per call, warm-up included), idle ${summary.idleMs.toFixed(0)} ms`,
    ...lines('self time by area:', summary.byArea, calls),
    ...lines('self time by area, Node internals charged to their caller:', summary.chargedByArea, calls),
    ...lines('inclusive time by area (area anywhere on the stack):', summary.inclusiveByArea, calls),
    ...lines('hottest functions (self):', summary.topFunctions, calls),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

profile(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
