import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { BUILT_GATEWAY } from './support/built-gateway';
import {
  connectLegacySse,
  connectStreamableHttp,
  startGateway,
  useGateway,
  type RunningGateway,
} from './support/gateway-harness';

const PASSING = {
  language: 'python',
  code: 'def add(a, b):\n    return a + b',
  tests: 'assert add(2, 3) == 5',
};
const FAILING = { ...PASSING, tests: 'assert add(2, 3) == 6, "add(2, 3) should be 6"' };

interface ToolListing {
  name: string;
  description: string;
  annotations: Record<string, unknown>;
  inputSchema: { required?: string[] };
}
/** The run_tests output or the REST error body, as the assertions read them. */
interface JsonBody {
  status?: string;
  failures: { message: string }[];
  error: { code: string; message: string };
}

async function postTool(
  gateway: RunningGateway,
  name: string,
  body: unknown,
): Promise<{ status: number; body: JsonBody }> {
  const response = await fetch(`${gateway.baseUrl}/v1/tools/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as JsonBody };
}

/** run_tests through every door of the real gateway, with real bubblewrap behind it. */
describe('run_tests tool (sandbox available)', () => {
  const fixture = useGateway({ env: { SANDBOX: 'auto', SANDBOX_TIMEOUT_SECONDS: '5' } });

  it('is listed over REST with its schemas and honest annotations (executes, in a sandbox, closed world)', async () => {
    const { tools } = (await (await fetch(`${fixture.gateway.baseUrl}/v1/tools`)).json()) as {
      tools: ToolListing[];
    };
    const tool = tools.find((t) => t.name === 'run_tests')!;
    expect(tool.annotations).toEqual({
      title: 'Run tests',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(tool.description).toContain('sandbox');
    expect(tool.inputSchema.required).toEqual(['language', 'code', 'tests']);
  });

  it('REST: passing and failing tests, failures parsed; bad input is a 400 naming the field', async () => {
    const passed = await postTool(fixture.gateway, 'run_tests', PASSING);
    expect(passed.status).toBe(200);
    expect(passed.body).toMatchObject({ passed: true, status: 'passed', exit_code: 0, failures: [] });
    const failed = await postTool(fixture.gateway, 'run_tests', FAILING);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ passed: false, status: 'failed', exit_code: 1 });
    expect(failed.body.failures[0]?.message).toContain('AssertionError: add(2, 3) should be 6');
    const bad = await postTool(fixture.gateway, 'run_tests', { ...PASSING, language: 'cobol' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toContain('language');
  });

  it.each([
    ['Streamable HTTP', (url: string) => connectStreamableHttp(url)],
    ['legacy SSE', (url: string) => connectLegacySse(url)],
  ])(
    'MCP over %s: listed and callable, structuredContent is the run_tests output',
    async (_name, connect) => {
      const client: Client = await connect(fixture.gateway.baseUrl);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('run_tests');
        const result = await client.callTool({
          name: 'run_tests',
          arguments: {
            ...FAILING,
            language: 'javascript',
            code: 'const add = (a, b) => a + b;',
            tests: 'require("node:assert").strictEqual(add(2, 3), 6);',
          },
        });
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ passed: false, status: 'failed' });
        expect((result.structuredContent as JsonBody).failures[0]?.message).toContain('5 !== 6');
      } finally {
        await client.close();
      }
    },
  );

  it('a fork bomb runs while the gateway keeps answering at once', async () => {
    const bomb = {
      language: 'python',
      code: 'import os',
      tests: 'while True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
      timeout_seconds: 3,
    };
    const running = postTool(fixture.gateway, 'run_tests', bomb);
    await new Promise((resolve) => setTimeout(resolve, 800)); // let it reach the process limit
    const latencies: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const live = await fetch(`${fixture.gateway.baseUrl}/health/live`);
      latencies.push(performance.now() - started);
      expect(live.status).toBe(200);
    }
    latencies.sort((a, b) => a - b);
    expect(latencies[2]).toBeLessThan(250);
    const result = await running;
    expect(result.body.status).toBe('timeout');
  });
});

describe('run_tests where execution is unavailable', () => {
  it('SANDBOX=off: not listed; a call is a 503 with the sentence saying why and what to do', async () => {
    const gateway = await startGateway({ SANDBOX: 'off' });
    try {
      const { tools } = (await (await fetch(`${gateway.baseUrl}/v1/tools`)).json()) as {
        tools: { name: string }[];
      };
      expect(tools.map((t) => t.name)).toEqual(['formalize_task', 'generate_code', 'review_code']);
      const call = await postTool(gateway, 'run_tests', PASSING);
      expect(call.status).toBe(503);
      expect(call.body.error).toMatchObject({
        code: 'SANDBOX_UNAVAILABLE',
        message:
          'Code execution is turned off (SANDBOX=off); set SANDBOX=auto or SANDBOX=bubblewrap to enable it.',
      });
    } finally {
      await gateway.close();
    }
  });

  it('SANDBOX=bubblewrap with a bwrap that cannot work: the built gateway stops with one line, exit 78', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-bwrap-path-'));
    try {
      writeFileSync(
        join(dir, 'bwrap'),
        '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
      );
      chmodSync(join(dir, 'bwrap'), 0o755);
      const result = spawnSync(process.execPath, [BUILT_GATEWAY, '--stdio'], {
        env: { PATH: `${dir}:${process.env.PATH ?? ''}`, SANDBOX: 'bubblewrap', LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(78);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        'Invalid configuration: SANDBOX=bubblewrap, but code execution is unavailable: bubblewrap cannot create a sandbox here ' +
          '(bwrap: setting up uid map: Permission denied) — allow user namespaces (in Docker see the README section ' +
          '"Code execution in Docker") or set SANDBOX=off.',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
