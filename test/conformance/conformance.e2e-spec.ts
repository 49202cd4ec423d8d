import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '../gateway/support/gateway-harness';

const SUITE_TIMEOUT_MS = 300_000;
const EXPECTED_FAILURES = join(process.cwd(), 'test/conformance/expected-failures.yml');

function runConformance(url: string): Promise<{ code: number | null; output: string }> {
  const args = ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', '--'];
  const command = ['conformance', 'server', '--url', url, '--expected-failures', EXPECTED_FAILURES];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', [...args, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * The official MCP conformance suite (server scenarios) against the gateway on an ephemeral port. Passes
 * only when every failure is a fixture scenario listed in expected-failures.yml (and every listed one fails).
 */
describe('MCP conformance suite (@modelcontextprotocol/conformance 0.1.16)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(() => gateway.close());

  it(
    'passes every scenario that applies to a tool server',
    async () => {
      const { code, output } = await runConformance(`${gateway.baseUrl}/mcp`);
      const summary = output.slice(output.indexOf('=== SUMMARY ==='));
      for (const scenario of [
        'server-initialize',
        'ping',
        'logging-set-level',
        'tools-list',
        'prompts-list',
      ]) {
        expect(summary).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
      }
      expect(summary).toMatch(/✓ server-sse-multiple-streams: \d+ passed, 0 failed/);
      expect(summary).toMatch(/✓ dns-rebinding-protection: \d+ passed, 0 failed/);
      expect({ code, tail: summary.slice(-400) }).toEqual({
        code: 0,
        tail: expect.stringContaining('Baseline check passed'),
      });
    },
    SUITE_TIMEOUT_MS,
  );
});
