import { execFile } from 'node:child_process';
import { BUILT_HEALTHCHECK } from './support/built-gateway';
import { startGateway } from './support/gateway-harness';
import { freePort } from '@app/testing';

function runHealthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BUILT_HEALTHCHECK],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, _out, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('healthcheck CLI (container HEALTHCHECK)', () => {
  it('exits 0 when /mcp lists the three tools (with the API key when keys are set)', async () => {
    const gateway = await startGateway({ GATEWAY_API_KEYS: 'probe-key' });
    try {
      const result = await runHealthcheck({
        GATEWAY_PORT: String(gateway.port),
        GATEWAY_API_KEYS: 'probe-key',
      });
      expect(result).toEqual({ code: 0, stderr: '' });
    } finally {
      await gateway.close();
    }
  });

  it('exits 1 with a reason when nothing answers', async () => {
    const result = await runHealthcheck({ GATEWAY_PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:\d+\/mcp: /);
  });
});

describe('probeGateway (in-process)', () => {
  it('is healthy against a running gateway, leaves no session behind, and names the failure otherwise', async () => {
    const { probeGateway } = await import('../../apps/mcp-gateway/src/health/healthcheck-probe');
    const { McpSessionRegistry } = await import('../../apps/mcp-gateway/src/mcp/v1/session-registry');
    const gateway = await startGateway();
    try {
      for (let probe = 0; probe < 3; probe += 1)
        expect(await probeGateway(gateway.port, undefined)).toBeUndefined();
      // 2026-07-28 is stateless: a container probing every few seconds does not fill the session table
      expect(gateway.app.get(McpSessionRegistry).size).toBe(0);
    } finally {
      await gateway.close();
    }
    expect(await probeGateway(await freePort(), undefined, 2_000)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/mcp: /,
    );
  });
});
