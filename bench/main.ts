/**
 * `npm run bench`: the model-server emulator, the gateway and a bare-SDK baseline, each in its own process,
 * measured side by side from this process (SDK clients over Streamable HTTP). Prints a table, writes JSON.
 *
 *   node dist/bench/main.js            full run (a few minutes), JSON → bench/results/latest.json
 *   node dist/bench/main.js --smoke    every measure with tiny counts (~20 s), JSON → bench/results/smoke.json
 *   node dist/bench/main.js --out FILE JSON elsewhere
 *   node dist/bench/main.js --modern-only   measure 7 alone (MCP 2026-07-28), table on stdout
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EmulatorControl } from './emulator/emulator-control';
import { DirectCaller } from './load/direct';
import { LeanModernClient } from './load/lean-modern';
import { LeanPool } from './load/lean-session';
import { SessionPool } from './load/mcp-sessions';
import { measureBurst } from './measures/burst';
import { measureLatency, warmUp } from './measures/latency';
import { measureMemory } from './measures/memory';
import { measureModern, type ModernMeasure, type ModernSubject } from './measures/modern';
import { measureStreaming } from './measures/streaming';
import { measureSandbox, sandboxRows, sandboxTargets, SANDBOX_FULL, SANDBOX_SMOKE } from './measures/sandbox';
import { FULL_PLAN, SMOKE_PLAN, type BenchPlan } from './plan';
import { ANCHORS, type BenchResults } from './report/results';
import { renderReport } from './report/table';
import { modernRows } from './report/modern-table';
import { checkTargets, modernTargets, type TargetCheck } from './report/targets';
import { directSubject, leanSubject, serverSubject, type BenchContext, type Subject } from './subjects';
import { describeMachine } from './support/machine';
import { startBaseline, startGateway, type ServerUnderTest } from './support/servers';
import { checkAllTools } from './support/sanity';

/** dist/bench/main.js → the repository root */
const ROOT = join(__dirname, '..', '..');

interface CliOptions {
  plan: BenchPlan;
  out: string;
  /** `--sandbox-only`: just the code-execution section (no servers) */
  sandboxOnly: boolean;
  /** `--modern-only`: just measure 7 (gateway, bare SDK v2 server, emulator) */
  modernOnly: boolean;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const plan = argv.includes('--smoke') ? SMOKE_PLAN : FULL_PLAN;
  const sandboxOnly = argv.includes('--sandbox-only');
  const modernOnly = argv.includes('--modern-only');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const prefix = sandboxOnly ? 'sandbox-' : modernOnly ? 'modern-' : '';
  const file = `${prefix}${plan.name === 'smoke' ? 'smoke' : 'latest'}.json`;
  return { plan, out: resolve(out ?? join(ROOT, 'bench', 'results', file)), sandboxOnly, modernOnly };
}

function verdictLine(t: TargetCheck): string {
  return `${t.pass ? 'PASS' : 'FAIL'}  ${t.description}: ${t.measured} ${t.unit} (target ${t.comparison} ${t.limit})`;
}

/** `--sandbox-only`: the sandbox section alone, printed and written as JSON. */
async function runSandboxOnly(plan: BenchPlan, out: string): Promise<void> {
  const sandbox = await measureSandbox(plan.name === 'smoke' ? SANDBOX_SMOKE : SANDBOX_FULL, log);
  const targets = sandboxTargets(sandbox);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    JSON.stringify({ plan: plan.name, machine: describeMachine(), sandbox, targets }, null, 2) + '\n',
  );
  const verdicts = targets.map(verdictLine);
  process.stdout.write(`${[...sandboxRows(sandbox), '', ...verdicts].join('\n')}\n\nJSON: ${out}\n`);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

type Measures = BenchResults['measures'];
type ServerMeasures = Omit<Measures, 'memory' | 'modern'>;

/** The servers' subjects through each client. */
interface SubjectSets {
  sdk: Subject[];
  lean: Subject[];
}

/** Measures 1–4, on the long-running gateway and baseline, interleaved round by round. */
async function runServerMeasures(context: BenchContext, sets: SubjectSets): Promise<ServerMeasures> {
  const { plan } = context;
  const lean: BenchContext = { ...context, subjects: sets.lean };
  for (const subject of [...sets.sdk, ...sets.lean]) await warmUp(context, subject, plan.warmupCalls);
  log('measure 1: added latency at concurrency 1 (SDK client, then lean client)');
  const latencyC1 = await measureLatency(context, 1, plan.sequentialCalls);
  const latencyC1Lean = await measureLatency(lean, 1, plan.sequentialCalls);
  log(
    `measure 1+2: latency and throughput at concurrency ${plan.concurrency} (SDK client, then lean client)`,
  );
  const latencyConcurrent = await measureLatency(context, plan.concurrency, plan.concurrentCalls);
  const latencyConcurrentLean = await measureLatency(lean, plan.concurrency, plan.concurrentCalls);
  log(`measure 3: ${plan.burstCalls} concurrent calls × ${plan.burstDelayMs} ms upstream`);
  const burst = await measureBurst(context);
  const burstLean = await measureBurst(lean);
  log('measure 4: streaming');
  const streaming = await measureStreaming(context);
  const { direct, gateway, baseline } = latencyConcurrent.subjects;
  const throughput = {
    concurrency: plan.concurrency,
    callsPerSecond: {
      direct: direct.callsPerSecond,
      gateway: gateway.callsPerSecond,
      baseline: baseline.callsPerSecond,
    },
    ratio: latencyConcurrent.throughputRatio,
  };
  return {
    latencyC1,
    latencyConcurrent,
    latencyC1Lean,
    latencyConcurrentLean,
    throughput,
    burst,
    burstLean,
    streaming,
  };
}

/** Measure 5 on fresh processes (short idle TTL so abandoned sessions are evicted within the run). */
function runMemoryMeasure(context: BenchContext, upstream: string): Promise<Measures['memory']> {
  log(
    `measure 5: memory (fresh processes, ${context.plan.memoryCalls} calls, ${context.plan.churnSessions} sessions)`,
  );
  return measureMemory(context, (name, ttl) =>
    name === 'gateway' ? startGateway(upstream, { sessionTtlSeconds: ttl }) : startBaseline(upstream),
  );
}

class Processes {
  readonly servers: ServerUnderTest[] = [];
  readonly pools: Array<SessionPool | LeanPool | LeanModernClient> = [];

  async stopServers(): Promise<void> {
    await Promise.all(this.pools.splice(0).map((pool) => pool.close()));
    await Promise.all(this.servers.splice(0).map((server) => server.stop()));
  }
}

async function startSubjects(
  plan: BenchPlan,
  emulator: EmulatorControl,
  direct: DirectCaller,
  processes: Processes,
): Promise<SubjectSets> {
  processes.servers.push(await startGateway(emulator.url), await startBaseline(emulator.url));
  const [gateway, baseline] = processes.servers as [ServerUnderTest, ServerUnderTest];
  for (const server of processes.servers) await checkAllTools(server);
  const sdk = [directSubject(direct)];
  const lean = [directSubject(direct)];
  for (const server of [gateway, baseline]) {
    const sdkPool = await SessionPool.open(server.url, plan.poolSize);
    const leanPool = await LeanPool.open(server.url, plan.poolSize);
    processes.pools.push(sdkPool, leanPool);
    sdk.push(serverSubject(server, sdkPool));
    lean.push(leanSubject(server, leanPool));
  }
  return { sdk, lean };
}

function modernSubject(
  name: ModernSubject['name'],
  server: ServerUnderTest,
  client: { call(): Promise<void> },
) {
  return { name, call: () => client.call(), cpuMicros: () => server.cpuMicros() } satisfies ModernSubject;
}

/**
 * Measure 7: MCP 2026-07-28. The gateway's stateless path beside its 2025 session path and a bare SDK v2
 * server (createMcpHandler on node:http), all through lean clients. A fresh gateway, like the bare server:
 * measures 1–5 leave it with a grown heap and 128 open sessions, which would be charged to the 2026 path.
 */
async function runModernMeasure(
  context: BenchContext,
  processes: Processes,
  direct: DirectCaller,
): Promise<ModernMeasure> {
  const gateway = await startGateway(context.emulator.url);
  const sdkV2 = await startBaseline(context.emulator.url, [], 'v2');
  processes.servers.push(gateway, sdkV2);
  for (const server of [gateway, sdkV2]) await checkAllTools(server);
  const modernGateway = LeanModernClient.open(gateway.url);
  const modernSdk = LeanModernClient.open(sdkV2.url);
  const sessions = await LeanPool.open(gateway.url, context.plan.poolSize);
  processes.pools.push(modernGateway, modernSdk, sessions);
  const subjects: ModernSubject[] = [
    directSubject(direct) as ModernSubject,
    modernSubject('gateway-2026', gateway, modernGateway),
    {
      name: 'gateway-2025',
      call: (index) => sessions.at(index).call(),
      cpuMicros: () => gateway.cpuMicros(),
    },
    modernSubject('sdk-v2', sdkV2, modernSdk),
  ];
  log(
    'measure 7: MCP 2026-07-28 (stateless) vs the 2025 session path vs a bare SDK v2 server (lean clients)',
  );
  return measureModern(context.plan, subjects, log);
}

/** `--modern-only`: measure 7 alone on a fresh gateway (quick to repeat while working on the 2026 path). */
async function runModernOnly(plan: BenchPlan, out: string): Promise<void> {
  const emulator = await EmulatorControl.start();
  const direct = DirectCaller.create(emulator.url);
  const processes = new Processes();
  try {
    const context: BenchContext = { plan, emulator, subjects: [], log };
    const modern = await runModernMeasure(context, processes, direct);
    const targets = modernTargets(modern);
    await mkdir(dirname(out), { recursive: true });
    const machine = describeMachine();
    await writeFile(out, JSON.stringify({ plan: plan.name, machine, modern, targets }, null, 2) + '\n');
    process.stdout.write(
      `${[...modernRows(modern), '', ...targets.map(verdictLine)].join('\n')}\n\nJSON: ${out}\n`,
    );
  } finally {
    await processes.stopServers();
    await direct.close();
    await emulator.stop();
  }
}

/** Starts everything, runs the measures, and always stops what it started. */
async function runBench(plan: BenchPlan): Promise<Measures> {
  const emulator = await EmulatorControl.start();
  const direct = DirectCaller.create(emulator.url);
  const processes = new Processes();
  try {
    const sets = await startSubjects(plan, emulator, direct, processes);
    const context: BenchContext = { plan, emulator, subjects: sets.sdk, log };
    const serverMeasures = await runServerMeasures(context, sets);
    await processes.stopServers();
    const modern = await runModernMeasure(context, processes, direct);
    await processes.stopServers();
    const memory = await runMemoryMeasure(context, emulator.url);
    log('measure 6: code execution (sandboxed vs bare python3)');
    const sandbox = await measureSandbox(plan.name === 'smoke' ? SANDBOX_SMOKE : SANDBOX_FULL, log);
    return { ...serverMeasures, modern, memory, sandbox };
  } finally {
    await processes.stopServers();
    await direct.close();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  const { plan, out, sandboxOnly, modernOnly } = parseArgs(process.argv.slice(2));
  if (sandboxOnly) return runSandboxOnly(plan, out);
  if (modernOnly) return runModernOnly(plan, out);
  const startedAt = new Date();
  const machine = describeMachine();
  log(`bench (${plan.name}) on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);
  const measures = await runBench(plan);
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const partial = {
    version: 1 as const,
    startedAt: startedAt.toISOString(),
    durationSeconds,
    machine,
    plan,
    measures,
    anchors: ANCHORS,
  };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`${renderReport(results)}\n\nJSON: ${out}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
