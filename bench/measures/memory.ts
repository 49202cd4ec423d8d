import { McpSession, SessionPool } from '../load/mcp-sessions';
import { runClosedLoop } from '../load/run-load';
import type { BenchContext } from '../subjects';
import { sleep } from '../support/processes';
import type { ServerName, ServerUnderTest } from '../support/servers';

/** Memory of a server process at one point: RSS as the OS sees it, then RSS and heap after a full GC. */
export interface MemorySample {
  rssMiB: number;
  rssAfterGcMiB: number;
  heapUsedAfterGcMiB: number;
  /** committed heap and V8-known external memory after GC: what of the RSS is V8's */
  heapTotalAfterGcMiB: number;
  externalAfterGcMiB: number;
}

/** A fresh server process through a long run of calls and a churn of sessions. */
export interface ServerMemory {
  afterWarmup: MemorySample;
  afterCalls: MemorySample;
  afterChurn: MemorySample;
  /** RSS after GC: (after churn − after calls) ÷ after calls, % */
  churnGrowthPercent: number;
  /** heap after GC, same ratio: the leak signal least blurred by allocator pages */
  churnHeapGrowthPercent: number;
  calls: number;
  callErrors: number;
  sessionsOpened: number;
  sessionsAbandoned: number;
  /** sessions still open once the idle TTL has passed (the pool's included): 0 = everything evicted */
  openSessionsAfterChurn: number;
}

export interface MemoryMeasure {
  sessionTtlSeconds: number;
  gateway: ServerMemory;
  /** the bare SDK server has no idle eviction: abandoned sessions stay (reference only) */
  baseline: ServerMemory;
}

export type ServerStarter = (name: ServerName, sessionTtlSeconds: number) => Promise<ServerUnderTest>;

/** Opens and closes sessions; every `abandonEvery`-th is dropped without DELETE (a crashed client). */
async function churnSessions(
  context: BenchContext,
  url: string,
): Promise<{ opened: number; abandoned: number }> {
  const { plan } = context;
  let opened = 0;
  let abandoned = 0;
  const result = await runClosedLoop(
    plan.churnSessions,
    plan.churnConcurrency,
    async () => {
      const session = await McpSession.open(url);
      opened += 1;
      if (opened % plan.abandonEvery !== 0) return session.terminate();
      abandoned += 1;
      return session.abandon();
    },
    plan.maxLoopMs,
  );
  if (result.errors > 0) throw new Error(`session churn: ${result.errors} failures (${result.firstError})`);
  return { opened: result.latencies.length, abandoned };
}

/** After a short pause (well under the idle TTL: the pool's sessions sit idle meanwhile). */
async function sample(server: ServerUnderTest): Promise<MemorySample> {
  await sleep(300);
  const rssMiB = await server.rssMiB();
  const afterGc = await server.memoryAfterGc();
  return {
    rssMiB,
    rssAfterGcMiB: afterGc.rssMiB,
    heapUsedAfterGcMiB: afterGc.heapUsedMiB,
    heapTotalAfterGcMiB: afterGc.heapTotalMiB,
    externalAfterGcMiB: afterGc.externalMiB,
  };
}

const growth = (before: number, after: number) => ((after - before) / before) * 100;

/** One server process through warm-up, the long run of calls and the session churn. */
export async function measureServer(context: BenchContext, server: ServerUnderTest): Promise<ServerMemory> {
  const { plan } = context;
  const pool = await SessionPool.open(server.url, plan.poolSize);
  const call = (index: number) => pool.at(index).call();
  await runClosedLoop(plan.warmupCalls, plan.concurrency, call, plan.maxLoopMs);
  const afterWarmup = await sample(server);
  const calls = await runClosedLoop(plan.memoryCalls, plan.concurrency, call, plan.maxLoopMs);
  if (calls.errors > 0) throw new Error(`${server.name}: ${calls.errors} calls failed (${calls.firstError})`);
  const afterCalls = await sample(server);
  await pool.close();
  const churn = await churnSessions(context, server.url);
  await sleep(plan.sessionTtlSeconds * 1000 + 1000);
  const afterChurn = await sample(server);
  return {
    afterWarmup,
    afterCalls,
    afterChurn,
    churnGrowthPercent: growth(afterCalls.rssAfterGcMiB, afterChurn.rssAfterGcMiB),
    churnHeapGrowthPercent: growth(afterCalls.heapUsedAfterGcMiB, afterChurn.heapUsedAfterGcMiB),
    calls: calls.latencies.length,
    callErrors: calls.errors,
    sessionsOpened: churn.opened,
    sessionsAbandoned: churn.abandoned,
    openSessionsAfterChurn: await server.openSessions(),
  };
}

export async function measureMemory(context: BenchContext, start: ServerStarter): Promise<MemoryMeasure> {
  const ttl = context.plan.sessionTtlSeconds;
  const results: Partial<Record<ServerName, ServerMemory>> = {};
  for (const name of ['gateway', 'baseline'] as const) {
    const server = await start(name, ttl);
    try {
      results[name] = await measureServer(context, server);
      context.log(`  memory ${name}: ${JSON.stringify(results[name])}`);
    } finally {
      await server.stop();
    }
  }
  return { sessionTtlSeconds: ttl, gateway: results.gateway!, baseline: results.baseline! };
}
