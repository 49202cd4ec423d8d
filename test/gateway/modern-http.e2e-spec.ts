import { MODEL_TOOL_NAMES, TOOL_CONTRACTS } from '@app/contracts';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import Ajv2020 from 'ajv/dist/2020.js';
import { FORMALIZE_REPLY, GENERATE_REPLY, REVIEW_REPLY, chunksOf } from './support/model-replies';
import { useGatewayOnEmulator } from './support/gateway-harness';
import { modelTools } from './support/tool-names';

const MODERN = '2026-07-28';
const ajv = new Ajv2020({ strict: false });

async function connectModern(url: string): Promise<Client> {
  const client = new Client(
    { name: 'modern-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** A v2 SDK client pinned to 2026-07-28 against the real gateway: no initialize, no session. */
describe('MCP 2026-07-28 over Streamable HTTP (SDK v2 client, pinned)', () => {
  const fixture = useGatewayOnEmulator({ connect: (gateway) => connectModern(`${gateway.baseUrl}/mcp`) });

  it('negotiates the modern era and lists the tools in a fixed order with the contracts’ schemas', async () => {
    expect(fixture.client.getProtocolEra()).toBe('modern');
    const { tools } = await fixture.client.listTools();
    expect(modelTools(tools.map((tool) => tool.name))).toEqual([...MODEL_TOOL_NAMES]);
    for (const tool of tools) {
      expect(tool.inputSchema).toEqual(
        TOOL_CONTRACTS[tool.name as keyof typeof TOOL_CONTRACTS].inputJsonSchema,
      );
    }
  });

  it('calls each tool with progress while the model streams; structuredContent matches outputSchema', async () => {
    const { tools } = await fixture.client.listTools();
    const calls = {
      formalize_task: { args: { task: 'merge overlapping intervals' }, reply: FORMALIZE_REPLY },
      generate_code: { args: { task: 'merge overlapping intervals' }, reply: GENERATE_REPLY },
      review_code: { args: { code: 'def div(a, b):\n    return a / b\n' }, reply: REVIEW_REPLY },
    };
    for (const tool of tools.filter((listed) => listed.name in calls)) {
      const call = calls[tool.name as keyof typeof calls];
      fixture.emulator.script({ chunks: chunksOf(call.reply, 16), chunkDelayMs: 5 });
      const progress: number[] = [];
      const result = await fixture.client.callTool(
        { name: tool.name, arguments: call.args },
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(result.isError).toBeFalsy();
      expect(ajv.validate(tool.outputSchema!, result.structuredContent)).toBe(true);
      expect(progress.length).toBeGreaterThan(0);
    }
  });

  it('cancelling a call (closing its response stream) aborts the upstream model request', async () => {
    fixture.emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = fixture.client.callTool(
      { name: 'generate_code', arguments: { task: 'x' } },
      { signal: controller.signal, onprogress: () => undefined },
    );
    await fixture.emulator.waitForRequests(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await fixture.emulator.waitForAborts(1, 5_000);
  });
});
