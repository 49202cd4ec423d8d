import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { startRedis, type RedisUnderTest } from '../agent/support/redis-server';
import { GENERATE_REPLY } from './support/model-replies';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { messagesOf, postModern, type RawModernRequest } from './support/modern-wire';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw wire JSON, asserted field by field
type Json = Record<string, any>;

const withTasks = {
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};
const asA = { authorization: 'Bearer key-a' };

async function rpc(baseUrl: string, request: RawModernRequest): Promise<Json> {
  return (await messagesOf(await postModern(baseUrl, request))).at(-1) as Json;
}

const taskRequest = (method: string, taskId: string, key = asA): RawModernRequest => ({
  method,
  params: { taskId },
  meta: withTasks,
  headers: { 'mcp-name': taskId, ...key },
});

const generateAsTask: RawModernRequest = {
  method: 'tools/call',
  params: { name: 'generate_code', arguments: { task: 'merge intervals' } },
  meta: withTasks,
  headers: asA,
};

async function pollUntilDone(baseUrl: string, taskId: string, everyMs = 50): Promise<Json> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { result } = await rpc(baseUrl, taskRequest('tasks/get', taskId));
    if (result.status !== 'working') return result as Json;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`task ${taskId} still working`);
}

/**
 * Tasks (io.modelcontextprotocol/tasks) across replicas with GATEWAY_REDIS_URL: a task created on one
 * gateway process is polled and cancelled on another — a plain load balancer needs no task affinity.
 */
describe('MCP tasks shared by two built gateways through Redis', () => {
  let emulator: ModelServerEmulator;
  let redis: RedisUnderTest;
  const replicas: GatewayProcess[] = [];
  const replicaEnv = () => ({
    STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
    STARCODER_MODEL: 'starcoder2-7b',
    GATEWAY_API_KEYS: 'key-a,key-b',
    GATEWAY_REDIS_URL: redis.url,
  });

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    redis = await startRedis();
    for (let i = 0; i < 2; i += 1) replicas.push(await startGatewayProcess(replicaEnv()));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await redis?.stop();
    await emulator?.close();
  });

  beforeEach(() => emulator.reset());

  it('a task created on one replica is polled to its result on the other; another key cannot see it', async () => {
    const [a, b] = replicas.map((replica) => replica.baseUrl) as [string, string];
    emulator.script({ text: GENERATE_REPLY, delayMs: 300 });
    const created = await rpc(a, generateAsTask);
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    const taskId = created.result.taskId as string;
    expect((await rpc(b, taskRequest('tasks/get', taskId))).result.status).toBe('working');
    const done = await pollUntilDone(b, taskId);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.result.structuredContent.code).toContain('def merge');
    const foreign = await rpc(b, taskRequest('tasks/get', taskId, { authorization: 'Bearer key-b' }));
    expect(foreign.error).toMatchObject({ code: -32602 });
  });

  it('tasks/cancel on the other replica aborts the model request where the task runs', async () => {
    const [a, b] = replicas.map((replica) => replica.baseUrl) as [string, string];
    emulator.script({ kind: 'hang' });
    const created = await rpc(a, generateAsTask);
    const taskId = created.result.taskId as string;
    await emulator.waitForRequests(1);
    expect((await rpc(b, taskRequest('tasks/cancel', taskId))).result).toMatchObject({
      resultType: 'complete',
    });
    await emulator.waitForAborts(1, 5_000);
    const { result } = await rpc(a, taskRequest('tasks/get', taskId));
    expect(result).toMatchObject({ status: 'cancelled' });
  });

  it('a replica stopped mid-task (SIGTERM) settles the task with a retryable error, not left working', async () => {
    const leaving = await startGatewayProcess(replicaEnv());
    emulator.script({ kind: 'hang' });
    const created = await rpc(leaving.baseUrl, generateAsTask);
    const taskId = created.result.taskId as string;
    await emulator.waitForRequests(1);
    await leaving.stop(); // the shutdown grace passes, then the run is aborted and its task settled
    const { result } = await rpc(replicas[0]!.baseUrl, taskRequest('tasks/get', taskId));
    // a tool failure completes the task with an isError result (ext-tasks: "failed" is for JSON-RPC errors)
    expect(result).toMatchObject({ status: 'completed', result: { isError: true } });
    expect(result.result.content[0].text).toMatch(/^UNAVAILABLE: .*shutting down.*retry/);
  }, 60_000);

  it('a replica killed mid-task (SIGKILL): the others report its task failed once its heartbeat stops', async () => {
    const killed = await startGatewayProcess(replicaEnv());
    emulator.script({ kind: 'hang' });
    const created = await rpc(killed.baseUrl, generateAsTask);
    const taskId = created.result.taskId as string;
    await emulator.waitForRequests(1);
    killed.child.kill('SIGKILL');
    await killed.stop();
    const [a] = replicas.map((replica) => replica.baseUrl) as [string];
    expect((await rpc(a, taskRequest('tasks/get', taskId))).result.status).toBe('working');
    const settled = await pollUntilDone(a, taskId, 200);
    expect(settled).toMatchObject({ status: 'failed', error: { code: -32603 } });
    expect(settled.statusMessage).toMatch(/replica running this task stopped/);
  }, 60_000);

  it('with Redis gone, long tools answer inline instead of as tasks, and tasks come back with it', async () => {
    const [a] = replicas.map((replica) => replica.baseUrl) as [string];
    await redis.stop();
    try {
      emulator.script({ text: GENERATE_REPLY });
      const inline = await rpc(a, generateAsTask);
      expect(inline.result).toMatchObject({ resultType: 'complete' });
      expect(inline.result.structuredContent.code).toContain('def merge');
    } finally {
      await redis.restart();
    }
    emulator.script({ text: GENERATE_REPLY });
    let created: Json = {};
    for (let attempt = 0; attempt < 50 && created.result?.resultType !== 'task'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      created = await rpc(a, generateAsTask);
    }
    expect(created.result).toMatchObject({ resultType: 'task' });
  });
});
