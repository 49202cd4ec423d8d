import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startModelServerEmulator,
  type ModelServerEmulator,
  type RecordedRequest,
} from '@app/testing';
import {
  getJson,
  isFinished,
  postRun,
  runAgentExpectingExit,
  startAgentProcess,
  waitForRun,
  type AgentProcess,
} from './support/agent-process';
import { startCodeModel, startGateway, type GatewayUnderTest } from './support/pipeline';

/** Polls /health/ready until it answers `status` (or the time is up): the last status seen. */
async function readinessWithin(url: string, status: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = (await getJson(`${url}/health/ready`)).status;
  while (seen !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = (await getJson(`${url}/health/ready`)).status;
  }
  return seen;
}
import { startRedis, type RedisUnderTest } from './support/redis-server';
import { collectSse } from './support/sse';

/*
 * Scale-out for real: two BUILT agent processes on one real redis-server (BullMQ queue, records and
 * events in Redis), the emulator as planner, the real MCP gateway. The planner counts the requests of
 * each task: a run that executed twice would show up as two.
 */

type Run = Record<string, unknown>;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function taskOf(request: RecordedRequest): string {
  const messages = (request.body as { messages?: Array<{ content?: string }> }).messages ?? [];
  return /\[(task-[\w-]+)\]/.exec(messages[0]?.content ?? '')?.[1] ?? 'unknown';
}

function isFirstTurn(request: RecordedRequest): boolean {
  return ((request.body as { messages?: unknown[] }).messages ?? []).length <= 1;
}

describe('Runs across replicas on Redis (two built agents, BullMQ)', () => {
  let planner: ModelServerEmulator;
  let codeModel: ModelServerEmulator;
  let gateway: GatewayUnderTest;
  const plannerCalls = new Map<string, number>();
  const agents: AgentProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    codeModel = await startCodeModel();
    planner = await startModelServerEmulator({
      record: false,
      // a run: one generate_code call through the gateway, then the final answer; a run counts as
      // executed once per first planner turn (a second execution would ask that turn again)
      handler: (request) => {
        const task = taskOf(request);
        const firstTurn = isFirstTurn(request);
        if (firstTurn) plannerCalls.set(task, (plannerCalls.get(task) ?? 0) + 1);
        if (task.startsWith('task-hang')) return { kind: 'hang' };
        // The first attempt of a "slow" run never answers: its worker is killed meanwhile.
        if (task.startsWith('task-slow') && firstTurn && plannerCalls.get(task) === 1)
          return { kind: 'hang' };
        const action = firstTurn
          ? { tool: 'generate_code', arguments: { task: 'say hello', language: 'python' } }
          : { tool: 'final_answer', arguments: { answer: task } };
        return { text: JSON.stringify(action), delayMs: 150 };
      },
    });
    gateway = await startGateway(codeModel);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([codeModel?.close(), planner?.close()]);
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop('SIGKILL')));
    for (const cleanup of cleanups.splice(0)) await cleanup();
    plannerCalls.clear();
  });

  async function redis(dir?: string): Promise<RedisUnderTest> {
    const server = await startRedis(dir);
    cleanups.push(() => server.stop());
    return server;
  }

  async function replica(redisUrl: string, env: Record<string, string> = {}): Promise<AgentProcess> {
    const agent = await startAgentProcess({
      ...env,
      AGENT_REDIS_URL: redisUrl,
      MISTRAL_ENDPOINT: `${planner.url}/chat`,
      MISTRAL_PROTOCOL: 'local-models',
      MODEL_MAX_RETRIES: '0',
      MCP_GATEWAY_URL: gateway.mcpUrl,
      AGENT_SHUTDOWN_GRACE_SECONDS: '2',
    });
    agents.push(agent);
    return agent;
  }

  async function postMany(targets: AgentProcess[], count: number, label: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const res = await postRun(targets[i % targets.length]!.url, `[task-${label}-${i}] say hello`);
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    return ids;
  }

  it('two replicas share 20 runs: both execute some, either serves any run and its SSE, each runs once', async () => {
    const server = await redis();
    const [a, b] = [await replica(server.url), await replica(server.url)];
    const ids = await postMany([a, b], 20, 'share');
    const done = await Promise.all(ids.map((id) => waitForRun(a.url, id, isFinished, 30_000)));
    expect(done.filter((run) => run.status !== 'succeeded')).toEqual([]);
    const workers = new Set(done.map((run) => String(run.worker).split(':').at(-1)));
    expect(workers).toEqual(new Set([String(a.child.pid), String(b.child.pid)]));
    for (let i = 0; i < 20; i += 1) expect(plannerCalls.get(`task-share-${i}`)).toBe(1);
    for (const id of ids)
      expect((await getJson<Run>(`${b.url}/v1/runs/${id}`)).body).toEqual(
        (await getJson<Run>(`${a.url}/v1/runs/${id}`)).body,
      );
    const sse = await collectSse(`${b.url}/v1/runs/${ids[0]}/events`);
    expect(sse.events.map((e) => e.event)).toEqual(['step', 'step', 'end']);
    const listed = (await getJson<{ runs: Run[] }>(`${b.url}/v1/runs?status=succeeded&limit=100`)).body;
    expect(listed.runs).toHaveLength(20);

    const hanging = await postRun(a.url, '[task-hang-1] never answers');
    const running = await waitForRun(a.url, hanging.body.id, (run) => run.status === 'running');
    const holder = String(running.worker).endsWith(`:${a.child.pid}`) ? a : b;
    const other = holder === a ? b : a;
    await new Promise((r) => setTimeout(r, 200));
    const cancelled = await getJson<Run>(`${other.url}/v1/runs/${hanging.body.id}`, { method: 'DELETE' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: { outcome: 'cancelled' } });
    await planner.waitForAborts(1, 5_000);
  }, 90_000);

  it('Redis stopped and restarted mid-load: 503 with Retry-After meanwhile, then every run finishes exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-redis-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const server = await redis(dir);
    const [a, b] = [await replica(server.url), await replica(server.url)];
    const ids = await postMany([a, b], 20, 'outage');
    await waitForRun(a.url, ids[0]!, isFinished, 20_000);
    await server.stop();
    const refused = await postRun(a.url, '[task-outage-refused] not now');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // the other replica notices the lost connection on its own schedule (ioredis sees the socket close)
    expect(await readinessWithin(b.url, 503, 5_000)).toBe(503);
    await new Promise((r) => setTimeout(r, 1_000));
    await server.restart();
    const done = await Promise.all(ids.map((id) => waitForRun(a.url, id, isFinished, 45_000)));
    expect(done.map((run) => run.status)).toEqual(ids.map(() => 'succeeded'));
    for (let i = 0; i < 20; i += 1) expect(plannerCalls.get(`task-outage-${i}`)).toBe(1);
    expect(plannerCalls.get('task-outage-refused')).toBeUndefined();
    expect((await getJson(`${b.url}/health/ready`)).status).toBe(200);
    expect((await postRun(b.url, '[task-outage-after] back')).status).toBe(202);
  }, 120_000);

  it('kill -9 of the replica running a run: the queue gives the stalled run to the other, which resumes it; an api-only replica executes nothing', async () => {
    const server = await redis();
    const lock = { AGENT_QUEUE_LOCK_SECONDS: '5' };
    const api = await replica(server.url, { ...lock, AGENT_ROLE: 'api' });
    const [a, b] = [await replica(server.url, lock), await replica(server.url, lock)];
    const { body } = await postRun(api.url, '[task-slow-1] take your time');
    const running = await waitForRun(api.url, body.id, (run) => run.status === 'running');
    const holder = String(running.worker).endsWith(`:${a.child.pid}`) ? a : b;
    const survivor = holder === a ? b : a;
    await until(() => plannerCalls.get('task-slow-1') === 1); // the holder is inside its planner call
    await holder.stop('SIGKILL');
    const done = await waitForRun(api.url, body.id, isFinished, 30_000);
    expect(done).toMatchObject({
      status: 'succeeded',
      result: { answer: 'task-slow-1' },
      attempts: 2,
      worker: expect.stringContaining(`:${survivor.child.pid}`),
    });
    expect(plannerCalls.get('task-slow-1')).toBe(2); // the step the dead worker was in is redone, once
    expect(survivor.output()).toContain('resumed after step 0');
    const ids = await postMany([api], 4, 'api');
    const viaApi = await Promise.all(ids.map((id) => waitForRun(api.url, id, isFinished, 20_000)));
    expect(viaApi.every((run) => String(run.worker).endsWith(`:${survivor.child.pid}`))).toBe(true);
    expect((await getJson(`${api.url}/health/ready`)).body).toMatchObject({
      info: { runs: { status: 'up', mode: 'redis', role: 'api' } },
    });
  }, 90_000);

  it('Redis down at start: one line naming AGENT_REDIS_URL, non-zero exit', async () => {
    const port = await freePort();
    const { code, output } = await runAgentExpectingExit({
      AGENT_REDIS_URL: `redis://:secret@127.0.0.1:${port}`,
    });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      expect.stringContaining(`AGENT_REDIS_URL=redis://:***@127.0.0.1:${port}`),
    ]);
    expect(output).not.toContain('secret');
  });
});
