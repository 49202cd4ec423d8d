/**
 * `npm run bench`, section "agent runs": N runs queued at once on one agent (SQLite) and on two agent
 * replicas sharing one redis-server (BullMQ), with an instant emulated planner (one step per run) and the
 * real gateway. Measures runs/s, queue latency (started_at − queued_at) p50/p99 and the agents' peak RSS.
 *
 *   node dist/bench/runs/main.js [--runs 500] [--out FILE]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startModelServerEmulator } from '../../test/support/model-server-emulator';
import { freePort, startNode, waitUntil, type NodeChild } from '../support/processes';
import { startGateway } from '../support/servers';
import { summarize } from '../support/stats';

const ROOT = join(__dirname, '..', '..', '..');
const AGENT_MAIN = join(ROOT, 'dist', 'apps', 'agent', 'src', 'main.js');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface RunTimes {
  queued_at: string;
  started_at?: string;
  finished_at?: string;
  status: string;
}

export interface RunsBenchResult {
  setup: string;
  runs: number;
  runsPerSecond: number;
  queueLatencyMs: { p50: number; p99: number };
  /** started_at → finished_at of one run (one planner call and an MCP session with the gateway) */
  executionMs: { p50: number; p99: number };
  peakRssMiB: number[];
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function startAgent(env: NodeJS.ProcessEnv): Promise<{ url: string; node: NodeChild }> {
  const port = await freePort();
  const node = startNode(AGENT_MAIN, [], {
    ...process.env,
    LOG_LEVEL: 'warn',
    ...env,
    AGENT_PORT: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/health/live`)).ok, 30_000, 'agent', node);
  return { url, node };
}

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const url = `redis://127.0.0.1:${port}`;
  await new Promise<void>((ok) =>
    child.stdout?.on('data', (c: Buffer) => c.toString().includes('Ready') && ok()),
  );
  return { url, child };
}

async function post(url: string, i: number): Promise<string> {
  const res = await fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task: `bench run ${i}` }),
  });
  if (res.status !== 202) throw new Error(`POST /v1/runs answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function waitAll(url: string, ids: string[]): Promise<RunTimes[]> {
  const done: RunTimes[] = [];
  for (const id of ids) {
    for (;;) {
      const run = (await (await fetch(`${url}/v1/runs/${id}`)).json()) as RunTimes;
      if (!['queued', 'running'].includes(run.status)) {
        done.push(run);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return done;
}

/** Queues `count` runs spread over the agents' URLs, waits for all, computes the numbers. */
async function measure(
  setup: string,
  agents: Array<{ url: string; node: NodeChild }>,
  count: number,
): Promise<RunsBenchResult> {
  const ids = await Promise.all(
    Array.from({ length: count }, (_, i) => post(agents[i % agents.length]!.url, i)),
  );
  const runs = await waitAll(agents[0]!.url, ids);
  const failed = runs.filter((r) => r.status !== 'succeeded').length;
  if (failed > 0) log(`  ${failed} run(s) did not succeed`);
  const first = Math.min(...runs.map((r) => Date.parse(r.queued_at)));
  const last = Math.max(...runs.map((r) => Date.parse(r.finished_at ?? r.queued_at)));
  const latency = summarize(
    runs.map((r) => Date.parse(r.started_at ?? r.queued_at) - Date.parse(r.queued_at)),
  );
  const execution = summarize(
    runs.map((r) => Date.parse(r.finished_at ?? r.queued_at) - Date.parse(r.started_at ?? r.queued_at)),
  );
  return {
    setup,
    executionMs: { p50: execution.p50, p99: execution.p99 },
    runs: count,
    runsPerSecond: Math.round((count / ((last - first) / 1000)) * 10) / 10,
    queueLatencyMs: { p50: latency.p50, p99: latency.p99 },
    peakRssMiB: agents.map((a) => peakRssMiB(a.node.pid)),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = Number(argv[argv.indexOf('--runs') + 1] ?? 500) || 500;
  const out = resolve(
    argv.includes('--out') ? argv[argv.indexOf('--out') + 1]! : join(ROOT, 'bench', 'results', 'runs.json'),
  );
  const planner = await startModelServerEmulator({
    record: false,
    handler: () => ({ text: '{"tool":"final_answer","arguments":{"answer":"done"}}' }),
  });
  const gateway = await startGateway(planner.url);
  const common = {
    MISTRAL_ENDPOINT: `${planner.url}/chat`,
    MISTRAL_PROTOCOL: 'local-models',
    MCP_GATEWAY_URL: gateway.url,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-runs-'));
  const results: RunsBenchResult[] = [];
  try {
    log(`agent runs: ${count} queued runs, one agent (SQLite)`);
    const single = await startAgent({ ...common, AGENT_DATA_DIR: dataDir });
    results.push(await measure('1 agent, SQLite', [single], count));
    await single.node.stop();
    log(`agent runs: ${count} queued runs, two replicas on Redis (BullMQ)`);
    const redis = await startRedis();
    const replicas = [
      await startAgent({ ...common, AGENT_REDIS_URL: redis.url }),
      await startAgent({ ...common, AGENT_REDIS_URL: redis.url }),
    ];
    results.push(await measure('2 replicas, Redis', replicas, count));
    await Promise.all(replicas.map((r) => r.node.stop()));
    redis.child.kill('SIGTERM');
  } finally {
    await gateway.stop();
    await planner.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  log('setup               runs   runs/s   queue p50 ms   queue p99 ms   peak RSS MiB');
  for (const r of results)
    log(
      `${r.setup.padEnd(20)}${String(r.runs).padStart(4)}${String(r.runsPerSecond).padStart(9)}${String(r.queueLatencyMs.p50).padStart(15)}${String(r.queueLatencyMs.p99).padStart(15)}   ${r.peakRssMiB.join(' + ')}`,
    );
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ machine: process.platform, results }, null, 2)}\n`);
  log(`JSON → ${out}`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
