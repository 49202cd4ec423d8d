import { McpSession, SessionPool } from '../load/mcp-sessions';
import { runClosedLoop } from '../load/run-load';
import type { BenchContext } from '../subjects';
import { sleep } from '../support/processes';
import type { ServerName, ServerUnderTest } from '../support/servers';

/** RSS of a fresh server process through a long run of calls and a churn of sessions. */
export interface ServerMemory {
  rssAfterWarmupMiB: number;
  rssAfterCallsMiB: number;
  rssAfterChurnMiB: number;
  /** (after churn − after calls) ÷ after calls, % */
  churnGrowthPercent: number;
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

/**
 * Several samples after a pause; the lowest is the least disturbed by a GC that has not run yet. Kept well
 * under the idle TTL: the pool's sessions sit idle meanwhile and must not be evicted.
 */
async function settledRss(server: ServerUnderTest): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    await sleep(200);
    samples.push(await server.rssMiB());
  }
  return Math.min(...samples);
}

async function measureServer(context: BenchContext, server: ServerUnderTest): Promise<ServerMemory> {
  const { plan } = context;
  const pool = await SessionPool.open(server.url, plan.poolSize);
  const call = (worker: number) => pool.at(worker).call();
  await runClosedLoop(plan.warmupCalls, plan.concurrency, call, plan.maxLoopMs);
  const rssAfterWarmupMiB = await settledRss(server);
  const calls = await runClosedLoop(plan.memoryCalls, plan.concurrency, call, plan.maxLoopMs);
  if (calls.errors > 0) throw new Error(`${server.name}: ${calls.errors} calls failed (${calls.firstError})`);
  const rssAfterCallsMiB = await settledRss(server);
  await pool.close();
  const churn = await churnSessions(context, server.url);
  await sleep(plan.sessionTtlSeconds * 1000 + 1000);
  const rssAfterChurnMiB = await settledRss(server);
  return {
    rssAfterWarmupMiB,
    rssAfterCallsMiB,
    rssAfterChurnMiB,
    churnGrowthPercent: ((rssAfterChurnMiB - rssAfterCallsMiB) / rssAfterCallsMiB) * 100,
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
