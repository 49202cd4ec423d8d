import { MODEL_TOOL_NAMES } from '@app/contracts';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import type { Client } from '@modelcontextprotocol/client';
import { GENERATE_REPLY } from './support/model-replies';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { connectV2Http } from './support/v2-clients';
import { modelTools } from './support/tool-names';

/**
 * A plain round-robin in front of several replicas: each request goes to the next base URL, whatever came
 * before it — no sticky sessions. Records which replica answered each POST.
 */
function roundRobinFetch(replicas: string[], served: string[]): typeof fetch {
  let next = 0;
  return (input, init) => {
    const replica = replicas[next++ % replicas.length]!;
    const url = new URL(input instanceof Request ? input.url : input.toString());
    served.push(replica);
    return fetch(`${replica}${url.pathname}${url.search}`, init);
  };
}

/**
 * changelog 2026-07-28 §1 (no protocol-level sessions): two gateway processes answer one client's
 * 2026-07-28 requests alternately — nothing of a request depends on the replica that served the last one.
 */
describe('scale-out without sticky sessions (two built gateway processes)', () => {
  let emulator: ModelServerEmulator;
  const replicas: GatewayProcess[] = [];
  let client: Client;
  const served: string[] = [];

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    const env = {
      STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
      STARCODER_MODEL: 'starcoder2-7b',
    };
    // one after the other, so afterAll stops whatever did start
    for (let i = 0; i < 2; i += 1) replicas.push(await startGatewayProcess(env));
    const urls = replicas.map((replica) => replica.baseUrl);
    client = await connectV2Http(`${urls[0]}/mcp`, 'modern', roundRobinFetch(urls, served));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await emulator.close();
  });

  it('discover, list and calls alternate between the replicas and all succeed', async () => {
    expect(client.getProtocolEra()).toBe('modern');
    for (let i = 0; i < 4; i += 1) {
      const { tools } = await client.listTools({}, { cacheMode: 'bypass' });
      expect(modelTools(tools.map((tool) => tool.name))).toEqual([...MODEL_TOOL_NAMES]);
      emulator.script({ text: GENERATE_REPLY });
      const result = await client.callTool({ name: 'generate_code', arguments: { task: `task ${i}` } });
      expect(result.isError).toBeFalsy();
    }
    const [first, second] = replicas.map((replica) => replica.baseUrl);
    expect(served.filter((url) => url === first).length).toBeGreaterThanOrEqual(4);
    expect(served.filter((url) => url === second).length).toBeGreaterThanOrEqual(4);
    // strictly alternating: no request was routed back to "its" replica
    served.forEach((url, index) => expect(url).toBe(index % 2 === 0 ? first : second));
  });
});
