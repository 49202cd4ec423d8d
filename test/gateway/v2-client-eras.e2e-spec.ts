import { MODEL_TOOL_NAMES } from '@app/contracts';
import type { ModelServerEmulator } from '@app/testing';
import type { Client } from '@modelcontextprotocol/client';
import { GENERATE_REPLY, chunksOf } from './support/model-replies';
import { useEmulator, useGatewayOnEmulator } from './support/gateway-harness';
import {
  connectV2Http,
  connectV2Sse,
  gatewayStdioTransport,
  v2Client,
  type Negotiation,
} from './support/v2-clients';
import { modelTools } from './support/tool-names';

/** What every client of every era must be able to do against the gateway: list, call with progress, cancel. */
async function exercise(client: Client, emulator: ModelServerEmulator): Promise<void> {
  const { tools } = await client.listTools();
  expect(modelTools(tools.map((tool) => tool.name))).toEqual([...MODEL_TOOL_NAMES]);
  emulator.reset();
  emulator.script({ chunks: chunksOf(GENERATE_REPLY, 8), chunkDelayMs: 10 });
  const progress: number[] = [];
  const result = await client.callTool(
    { name: 'generate_code', arguments: { task: 'merge intervals' } },
    { onprogress: (p) => progress.push(p.progress) },
  );
  expect(result.isError).toBeFalsy();
  expect((result.structuredContent as { code: string }).code).toContain('def merge');
  expect(progress.length).toBeGreaterThan(0);
  emulator.reset();
  emulator.script({ kind: 'hang' });
  const controller = new AbortController();
  const call = client.callTool(
    { name: 'review_code', arguments: { code: 'x = 1' } },
    { signal: controller.signal, onprogress: () => undefined },
  );
  await emulator.waitForGenerations(1);
  controller.abort();
  await expect(call).rejects.toThrow();
  await emulator.waitForAborts(1, 5_000);
}

describe('SDK v2 clients of both eras against one gateway (HTTP, /sse)', () => {
  const fixture = useGatewayOnEmulator();

  it.each<[Negotiation, string]>([
    ['legacy', 'legacy'],
    ['auto', 'modern'],
  ])('Streamable HTTP, negotiation %s → %s era', async (negotiation, era) => {
    const client = await connectV2Http(`${fixture.gateway.baseUrl}/mcp`, negotiation);
    try {
      expect(client.getProtocolEra()).toBe(era);
      await exercise(client, fixture.emulator);
    } finally {
      await client.close();
    }
  });

  it('legacy HTTP+SSE (2024-11-05) with the v2 client', async () => {
    const client = await connectV2Sse(`${fixture.gateway.baseUrl}/sse`);
    try {
      expect(client.getProtocolEra()).toBe('legacy');
      await exercise(client, fixture.emulator);
    } finally {
      await client.close();
    }
  });
});

describe('SDK v2 clients of both eras over stdio (built gateway, child process)', () => {
  const fixture = useEmulator();

  it.each<[Negotiation, string]>([
    ['modern', 'modern'],
    ['legacy', 'legacy'],
  ])(
    'negotiation %s → %s era: list, call with progress, cancel',
    async (negotiation, era) => {
      const stderr: string[] = [];
      const client = v2Client(negotiation);
      await client.connect(gatewayStdioTransport(fixture.emulator.url, stderr));
      try {
        expect(client.getProtocolEra()).toBe(era);
        await exercise(client, fixture.emulator);
      } finally {
        await client.close();
      }
    },
    60_000,
  );
});
