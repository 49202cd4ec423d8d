import { GENERATE_REPLY, REVIEW_REPLY } from './support/model-replies';
import { useGatewayOnEmulator } from './support/gateway-harness';
import { messagesOf, postModern, type RawModernRequest } from './support/modern-wire';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw wire JSON, asserted field by field
type Json = Record<string, any>;

const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const withTasks = { 'io.modelcontextprotocol/clientCapabilities': TASKS };

async function rpc(baseUrl: string, request: RawModernRequest): Promise<Json> {
  const messages = await messagesOf(await postModern(baseUrl, request));
  return messages.at(-1) as Json;
}

/** tasks/* requests carry Mcp-Name = taskId (ext-tasks 2026-07-28 §Streamable HTTP: Routing Headers). */
function taskRequest(method: string, taskId: string, headers: Record<string, string> = {}): RawModernRequest {
  return { method, params: { taskId }, meta: withTasks, headers: { 'mcp-name': taskId, ...headers } };
}

async function pollUntilDone(
  baseUrl: string,
  taskId: string,
  headers: Record<string, string> = {},
): Promise<Json> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { result } = await rpc(baseUrl, taskRequest('tasks/get', taskId, headers));
    if (result.status !== 'working') return result as Json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${taskId} still working`);
}

/** The Tasks extension (io.modelcontextprotocol/tasks, ext-tasks specification 2026-07-28) on the long tools. */
describe('MCP Tasks extension (2026-07-28)', () => {
  const fixture = useGatewayOnEmulator({ env: { GATEWAY_API_KEYS: 'key-a,key-b' } });

  const asA = { authorization: 'Bearer key-a' };
  const generate = (meta: Record<string, unknown> = withTasks): RawModernRequest => ({
    method: 'tools/call',
    params: { name: 'generate_code', arguments: { task: 'merge intervals' } },
    meta,
    headers: asA,
  });

  it('§Capability Negotiation: discover advertises the extension; a declaring client gets a task, polls it to completion', async () => {
    const discover = await rpc(fixture.gateway.baseUrl, { method: 'server/discover', headers: asA });
    expect(discover.result.capabilities.extensions).toEqual({ 'io.modelcontextprotocol/tasks': {} });
    fixture.emulator.script({ text: GENERATE_REPLY, delayMs: 200 });
    const created = await rpc(fixture.gateway.baseUrl, generate());
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 500 });
    const done = await pollUntilDone(fixture.gateway.baseUrl, created.result.taskId as string, asA);
    expect(done).toMatchObject({ resultType: 'complete', status: 'completed' });
    expect(done.result.structuredContent.code).toContain('def merge');
  });

  it('§Capability Negotiation: without the extension in the request the call answers inline; short tools never become tasks', async () => {
    fixture.emulator.script({ text: GENERATE_REPLY });
    const inline = await rpc(fixture.gateway.baseUrl, generate({}));
    expect(inline.result).toMatchObject({ resultType: 'complete' });
    expect(inline.result.structuredContent.code).toContain('def merge');
    fixture.emulator.script({ text: REVIEW_REPLY });
    const review = await rpc(fixture.gateway.baseUrl, {
      method: 'tools/call',
      params: { name: 'review_code', arguments: { code: 'x = 1' } },
      meta: withTasks,
      headers: asA,
    });
    expect(review.result.resultType).toBe('complete');
  });

  it('§Task Cancellation: tasks/cancel aborts the upstream model request and the task ends cancelled', async () => {
    fixture.emulator.script({ kind: 'hang' });
    const created = await rpc(fixture.gateway.baseUrl, generate());
    const taskId = created.result.taskId as string;
    await fixture.emulator.waitForRequests(1);
    const cancel = await rpc(fixture.gateway.baseUrl, taskRequest('tasks/cancel', taskId, asA));
    expect(cancel.result).toMatchObject({ resultType: 'complete' });
    await fixture.emulator.waitForAborts(1, 5_000);
    const { result } = await rpc(fixture.gateway.baseUrl, taskRequest('tasks/get', taskId, asA));
    expect(result.status).toBe('cancelled');
  });

  it('§Error Handling: unknown tasks and tasks of another key are -32602; a client without the extension gets -32021', async () => {
    fixture.emulator.script({ text: GENERATE_REPLY });
    const created = await rpc(fixture.gateway.baseUrl, generate());
    const taskId = created.result.taskId as string;
    const foreign = await rpc(
      fixture.gateway.baseUrl,
      taskRequest('tasks/get', taskId, { authorization: 'Bearer key-b' }),
    );
    expect(foreign.error.code).toBe(-32602);
    const unknown = await rpc(fixture.gateway.baseUrl, taskRequest('tasks/get', 'no-such-task', asA));
    expect(unknown.error.code).toBe(-32602);
    const undeclared = await postModern(fixture.gateway.baseUrl, {
      method: 'tasks/get',
      params: { taskId },
      headers: { ...asA, 'mcp-name': taskId },
    });
    expect(undeclared.status).toBe(400);
    expect(((await undeclared.json()) as Json).error.code).toBe(-32021);
    await pollUntilDone(fixture.gateway.baseUrl, taskId, asA);
  });
});
