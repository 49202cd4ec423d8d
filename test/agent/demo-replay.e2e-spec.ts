import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';

/*
 * `npm run demo -- --replay` end to end: the BUILT agent spawns the BUILT gateway over stdio, both
 * scenarios must complete. A stale build is rebuilt first so the test never checks old output.
 */

const ROOT = process.cwd();
const AGENT_MAIN = join(ROOT, 'dist/apps/agent/src/main.js');
const GATEWAY_MAIN = join(ROOT, 'dist/apps/mcp-gateway/src/main.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[], env: Record<string, string>, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGENT_MAIN, ...args], {
      env: { ...process.env, ...env },
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo -- --replay (built, spawned)', () => {
  beforeAll(() => {
    expect(existsSync(AGENT_MAIN) && existsSync(GATEWAY_MAIN)).toBe(true);
  }, 130_000);

  it('runs both scenarios to completion and says plainly that it is a scripted replay', async () => {
    const { code, stdout, stderr } = await runDemo(['--demo'], { DEMO_MODE: 'replay' }, 90_000);
    expect(stderr).not.toMatch(/Error:/);
    expect(code).toBe(0);
    expect(stdout).toContain('SCRIPTED REPLAY — not a model');
    expect(stdout).toContain('Scenario 1/2');
    expect(stdout).toContain('Scenario 2/2');
    expect(stdout.match(/■ SUCCEEDED \(final_answer\)/g)).toHaveLength(2);
    expect(stdout).toContain('✓ formalize_task');
    expect(stdout).toContain('✓ generate_code');
    expect(stdout).toContain('def slugify(title: str) -> str:');
    expect(stdout).toContain('✗ rejected, error sent back to the planner');
    expect(stdout).toContain('→ calling generate_code…');
    expect(stdout).toMatch(/planner \(\d+ ms\): \{"tool":"review_code","arguments":\{"snippet"/);
    expect(stdout).toContain('request_changes, score 3/10');
    expect(stdout).toContain('text[-1 - i]');
    expect(stdout).toContain('2/2 scenarios succeeded.');
  }, 100_000);

  it('without --replay and without reachable models, exits with a message naming the variables and the replay option', async () => {
    const env = {
      MISTRAL_ENDPOINT: 'http://127.0.0.1:9/chat',
      MCP_GATEWAY_URL: 'http://127.0.0.1:9/mcp',
      DEMO_MODE: '',
    };
    const { code, stdout } = await runDemo(['--demo'], env, 60_000);
    expect(code).toBe(2);
    expect(stdout).toContain('MISTRAL_ENDPOINT=');
    expect(stdout).toContain('STARCODER_ENDPOINT=');
    expect(stdout).toContain('npm run demo -- --replay');
  }, 70_000);

  it('the tool gateway client also speaks MCP over stdio to the built gateway', async () => {
    const gateway = new McpToolGateway({
      kind: 'stdio',
      command: process.execPath,
      args: [GATEWAY_MAIN, '--stdio'],
      env: {
        PATH: process.env.PATH ?? '',
        STARCODER_ENDPOINT: 'http://127.0.0.1:9/v1/completions',
        LOG_LEVEL: 'silent',
      },
    });
    const session = await gateway.connect();
    try {
      expect(session.tools.map((t) => t.name)).toEqual([
        'formalize_task',
        'generate_code',
        'review_code',
        'run_tests',
      ]);
      expect(session.tools[0]?.parameters).toMatchObject({ type: 'object', required: ['task'] });
    } finally {
      await session.close();
    }
  }, 30_000);
});
