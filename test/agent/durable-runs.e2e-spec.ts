import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServerEmulator, type EmulatorReply, type ModelServerEmulator } from '@app/testing';
import { newRunDocument } from '../../apps/agent/src/runs/store/run-document';
import { SqliteRunRepository } from '../../apps/agent/src/runs/store/sqlite-run-repository';
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
import { collectSse } from './support/sse';

/*
 * The single-machine store for real: the BUILT agent (spawned), SQLite in a temporary AGENT_DATA_DIR,
 * the emulator as planner (text format) and the real MCP gateway in between. Restarts are real
 * processes stopping (SIGTERM) or dying (SIGKILL) and a new one starting on the same folder.
 */

const TASK = 'Write add(a, b).';

function action(tool: string, args: Record<string, unknown>, delayMs = 0): EmulatorReply {
  return { text: JSON.stringify({ tool, arguments: args }), delayMs };
}

describe('Durable runs on SQLite (built agent, restarts)', () => {
  let planner: ModelServerEmulator;
  let codeModel: ModelServerEmulator;
  let gateway: GatewayUnderTest;
  let dataDir: string;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    codeModel = await startCodeModel();
    planner = await startModelServerEmulator();
    gateway = await startGateway(codeModel);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([codeModel?.close(), planner?.close()]);
  });

  beforeEach(() => {
    planner.reset();
    dataDir = mkdtempSync(join(tmpdir(), 'agent-runs-'));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop('SIGKILL')));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<AgentProcess> {
    const agent = await startAgentProcess({
      AGENT_DATA_DIR: dataDir,
      MISTRAL_ENDPOINT: `${planner.url}/chat`,
      MISTRAL_PROTOCOL: 'local-models',
      MODEL_MAX_RETRIES: '0',
      MCP_GATEWAY_URL: gateway.mcpUrl,
      AGENT_SHUTDOWN_GRACE_SECONDS: '2',
    });
    agents.push(agent);
    return agent;
  }

  it('a finished run survives a restart: record, steps, list and SSE replay after Last-Event-ID', async () => {
    planner.script(
      action('formalize_task', { task: TASK }),
      action('generate_code', { spec: '$last_spec' }),
      action('final_answer', { answer: 'done' }),
    );
    const first = await start();
    const { body } = await postRun(first.url, TASK);
    const before = await waitForRun(first.url, body.id, isFinished);
    expect(before).toMatchObject({
      status: 'succeeded',
      worker: expect.stringContaining(`:${first.child.pid}`),
    });
    // Nest's shutdown hook closes the app, then re-raises the signal: a clean stop ends by SIGTERM.
    expect([0, 'SIGTERM']).toContain(await first.stop('SIGTERM'));
    expect(first.output()).not.toMatch(/checkpointed|ERROR/);

    const second = await start();
    const after = (await getJson(`${second.url}/v1/runs/${body.id}`)).body;
    expect(after).toEqual(before);
    expect((after.steps as unknown[]).length).toBe(3);
    const listed = (await getJson<{ runs: Array<{ id: string }> }>(`${second.url}/v1/runs?status=succeeded`))
      .body;
    expect(listed.runs.map((r) => r.id)).toEqual([body.id]);
    const replay = await collectSse(`${second.url}/v1/runs/${body.id}/events`, { 'Last-Event-ID': '1' });
    expect(replay.events.map((e) => [e.event, e.id])).toEqual([
      ['step', '2'],
      ['step', '3'],
      ['end', undefined],
    ]);
    expect(replay.events[2]?.data).toMatchObject({
      status: 'succeeded',
      result: { outcome: 'final_answer' },
    });
  }, 60_000);

  it('kill -9 during step 2: the next start resumes the run from step 1 and it finishes; never left running', async () => {
    planner.script(
      action('formalize_task', { task: TASK }),
      action('generate_code', { spec: '$last_spec' }, 30_000), // the process dies while this call is in flight
      action('generate_code', { spec: '$last_spec' }),
      action('final_answer', { answer: 'done after a crash' }),
    );
    const first = await start();
    const { body } = await postRun(first.url, TASK);
    await waitForRun(
      first.url,
      body.id,
      (run) => run.status === 'running' && (run.steps as unknown[]).length === 1,
    );
    await planner.waitForRequests(2, 5_000);
    await first.stop('SIGKILL');

    const second = await start();
    const done = await waitForRun(second.url, body.id, isFinished);
    expect(done).toMatchObject({
      status: 'succeeded',
      result: { outcome: 'final_answer', answer: 'done after a crash', spec: { title: expect.any(String) } },
      attempts: 2,
      worker: expect.stringContaining(`:${second.child.pid}`),
    });
    const steps = done.steps as Array<{ index: number; action: { tool: string } }>;
    expect(steps.map((s) => [s.index, s.action.tool])).toEqual([
      [1, 'formalize_task'],
      [2, 'generate_code'],
      [3, 'final_answer'],
    ]);
    // The resumed planner saw step 1 in its conversation: it did not start over.
    const resumedPrompt = JSON.stringify(planner.requests.at(-2)?.body);
    expect(resumedPrompt).toContain('formalize_task');
    expect(second.output()).toContain('resumed after step 1');
  }, 60_000);

  it('a run whose process keeps dying is failed with the reason instead of resumed again', async () => {
    const store = new SqliteRunRepository(dataDir);
    const doc = {
      ...newRunDocument('crash-loop', { task: TASK }),
      status: 'running' as const,
      attempts: 3,
      crashes: 2,
    };
    await store.insert(doc);
    await store.close();
    const agent = await start();
    const run = await waitForRun(agent.url, 'crash-loop', isFinished);
    expect(run).toMatchObject({
      status: 'failed',
      error: {
        code: 'WORKER_LOST',
        message: expect.stringContaining('the agent process stopped during step 1'),
      },
    });
  }, 60_000);

  it('refuses an unusable data folder or store file with one line naming the path, and keeps the file', async () => {
    const blocker = join(dataDir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const notADir = await runAgentExpectingExit({ AGENT_DATA_DIR: join(blocker, 'runs') });
    expect(notADir.code).toBe(1);
    expect(notADir.output.trim().split('\n')).toEqual([
      expect.stringContaining(`AGENT_DATA_DIR "${join(blocker, 'runs')}" is not a writable folder`),
    ]);

    const storeFile = join(dataDir, 'agent-runs.sqlite');
    writeFileSync(storeFile, 'garbage that is no database at all'.repeat(200));
    const corrupt = await runAgentExpectingExit({ AGENT_DATA_DIR: dataDir });
    expect(corrupt.code).toBe(1);
    expect(corrupt.output).toContain(
      `the run store "${storeFile}" cannot be used: it is not an SQLite database`,
    );
    expect(corrupt.output.trim().split('\n')).toHaveLength(1);

    rmSync(storeFile);
    const Database = (await import('better-sqlite3')).default;
    const foreign = new Database(storeFile);
    foreign.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    foreign.close();
    const refused = await runAgentExpectingExit({ AGENT_DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('it is an SQLite file of another application');
    const reopened = new Database(storeFile, { readonly: true });
    expect(reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual([
      'invoices',
    ]);
    reopened.close();
  }, 60_000);

  it('one process per data folder: a second store on the same folder is refused while the first is open', async () => {
    const first = new SqliteRunRepository(dataDir);
    try {
      expect(() => new SqliteRunRepository(dataDir)).toThrow(/in use by another agent process/);
    } finally {
      await first.close();
    }
    const again = new SqliteRunRepository(dataDir);
    await again.close();
  });
});
