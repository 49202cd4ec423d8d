import { ERROR_CODES } from '@app/contracts';
import { INITIALIZE, postMcp, useGatewayOnEmulator } from './support/gateway-harness';

/**
 * Fuzz-style: thousands of generated malformed messages and argument shapes (a fixed seed, so a failure
 * replays), each answer checked for its class, and the process checked for responsiveness between batches.
 * Bounded: MCP_CASES + REST_CASES requests at CONCURRENCY, well under a minute on a 2-core runner.
 */
const MCP_CASES = 2_000;
const REST_CASES = 1_000;
const CONCURRENCY = 8;
const SEED = 0x14c0ffee;

type Random = () => number;

function mulberry32(seed: number): Random {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const KNOWN_METHODS = [
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
];
const TOOL_NAMES = ['formalize_task', 'generate_code', 'review_code'];
const GARBAGE = [
  '{',
  '{"jsonrpc":',
  '[1,',
  'nul',
  '{"a" 1}',
  "{'jsonrpc':'2.0'}",
  '\u0000\u0001',
  '}{',
  '"unterminated',
  '{"id":1,}',
];

/** Any JSON value, nested up to `depth`. */
function jsonValue(random: Random, depth = 3): unknown {
  const kind = Math.floor(random() * (depth > 0 ? 8 : 6));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor(random() * 2_000_000) - 1_000_000;
    case 3:
      return random() * 1e6;
    case 4:
      return 'x'.repeat(Math.floor(random() * 40));
    case 5:
      return pick(random, ['', 'initialize', '2.0', '\u202e', '<script>', '../../etc/passwd', '💥']);
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => jsonValue(random, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [
          pick(random, [
            'task',
            'code',
            'language',
            'spec',
            'name',
            'arguments',
            'id',
            '__proto__',
            'constructor',
          ]),
          jsonValue(random, depth - 1),
        ]),
      );
  }
}

interface McpCase {
  body: string;
  /** the JSON-RPC error codes that are a right answer; 'result' = a result (tool errors as isError) is right */
  expect: ReadonlyArray<number | 'result' | 'accepted'>;
}

function mcpCase(random: Random, id: number): McpCase {
  const kind = Math.floor(random() * 7);
  const envelope = { jsonrpc: '2.0', id };
  switch (kind) {
    case 0:
      return { body: pick(random, GARBAGE), expect: [-32700] };
    case 1: {
      const value = jsonValue(random);
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      return { body: JSON.stringify(isObject ? { ...value, jsonrpc: '1.0' } : value), expect: [-32600] };
    }
    case 2:
      return {
        body: JSON.stringify({ ...envelope, id: pick(random, [{}, [], true, 1.5]), method: 'ping' }),
        expect: [-32600],
      };
    case 3:
      return {
        body: JSON.stringify({ ...envelope, method: `fuzz/${Math.floor(random() * 1e6)}` }),
        expect: [-32601],
      };
    case 4: {
      const params = pick(random, [5, 'params', [1, 2], true]);
      return {
        body: JSON.stringify({ ...envelope, method: pick(random, KNOWN_METHODS), params }),
        expect: [-32602],
      };
    }
    case 5: {
      const params = { name: pick(random, TOOL_NAMES), arguments: jsonValue(random) };
      // a non-object `arguments` is bad params; an object is the tool's to judge (isError result)
      const isObject =
        typeof params.arguments === 'object' && params.arguments !== null && !Array.isArray(params.arguments);
      return {
        body: JSON.stringify({ ...envelope, method: 'tools/call', params }),
        expect: isObject ? ['result', -32602] : [-32602],
      };
    }
    default: {
      const params = jsonValue(random);
      const isObject = typeof params === 'object' && params !== null && !Array.isArray(params);
      return {
        body: JSON.stringify({
          jsonrpc: '2.0',
          method: `notifications/${pick(random, ['fuzz', 'cancelled', 'progress'])}`,
          params,
        }),
        // params must be an object: a notification with any other shape is refused as a whole
        expect: isObject ? ['accepted'] : [-32600],
      };
    }
  }
}

interface JsonRpcAnswer {
  jsonrpc?: string;
  result?: { isError?: boolean; content?: Array<{ text?: string }> };
  error?: { code?: number; message?: string };
}

/** What a client gets back: the JSON-RPC message, whether sent as JSON or as one SSE event. */
function answerOf(text: string): JsonRpcAnswer {
  const data = /^data: (.*)$/m.exec(text)?.[1];
  return JSON.parse(data ?? text) as JsonRpcAnswer;
}

/** The class of an answer: a JSON-RPC error code, 'result', 'accepted' (202), or what was wrong with it. */
function classify(status: number, text: string): number | string {
  if (status === 202 && text === '') return 'accepted';
  let answer: JsonRpcAnswer;
  try {
    answer = answerOf(text);
  } catch {
    return `HTTP ${status} with a body that is not JSON-RPC: ${text.slice(0, 80)}`;
  }
  if (answer.jsonrpc !== '2.0') return `HTTP ${status} without jsonrpc 2.0`;
  if (answer.result) return 'result';
  const message = answer.error?.message ?? '';
  if (/^\s*[[{]/.test(message)) return `a raw dump as message: ${message.slice(0, 80)}`;
  return answer.error?.code ?? `HTTP ${status}: no error code`;
}

async function inBatches<T>(
  items: readonly T[],
  run: (item: T) => Promise<void>,
  between: () => Promise<void>,
) {
  for (let start = 0; start < items.length; start += CONCURRENCY * 25) {
    const batch = items.slice(start, start + CONCURRENCY * 25);
    for (let i = 0; i < batch.length; i += CONCURRENCY)
      await Promise.all(batch.slice(i, i + CONCURRENCY).map(run));
    await between();
  }
}

describe('fuzz: /mcp and the REST routes answer every malformed input with an error of the right class', () => {
  const fixture = useGatewayOnEmulator({ emulator: { record: false } });

  /** Between batches: the process answers a health probe quickly (nothing blocks the loop). */
  const responsive = async (): Promise<void> => {
    const startedAt = Date.now();
    const live = await fetch(`${fixture.gateway.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    await live.text();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  };

  it(`${MCP_CASES} generated messages on a session`, async () => {
    const init = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const random = mulberry32(SEED);
    const cases = Array.from({ length: MCP_CASES }, (_, i) => mcpCase(random, i + 10));
    const wrong: string[] = [];
    await inBatches(
      cases,
      async (item) => {
        const res = await postMcp(fixture.gateway.baseUrl, item.body, headers);
        const got = classify(res.status, await res.text());
        if (res.status >= 500 || !item.expect.includes(got as never)) {
          wrong.push(
            `${item.body.slice(0, 120)} → HTTP ${res.status}, ${String(got)} (want ${item.expect.join(' or ')})`,
          );
        }
      },
      responsive,
    );
    expect(wrong.slice(0, 20)).toEqual([]);
  }, 120_000);

  it(`${REST_CASES} generated REST bodies and tool names`, async () => {
    const random = mulberry32(SEED + 1);
    const wrong: string[] = [];
    const cases = Array.from({ length: REST_CASES }, () => {
      const name =
        random() < 0.85
          ? pick(random, TOOL_NAMES)
          : pick(random, ['nope', 'run', '..%2f', '%00', 'x'.repeat(300)]);
      const body = random() < 0.2 ? pick(random, GARBAGE) : JSON.stringify(jsonValue(random));
      return { name, body };
    });
    await inBatches(
      cases,
      async ({ name, body }) => {
        const res = await fetch(`${fixture.gateway.baseUrl}/v1/tools/${name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const text = await res.text();
        let parsed: { error?: { code?: string; message?: string } } | undefined;
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        const code = parsed?.error?.code;
        const okError = code !== undefined && (ERROR_CODES as readonly string[]).includes(code);
        const rightClass =
          res.status === 200 ||
          (res.status >= 400 && res.status < 500 && okError) ||
          (res.status >= 500 && okError && code !== 'INTERNAL');
        if (!rightClass)
          wrong.push(
            `POST /v1/tools/${name.slice(0, 20)} ${body.slice(0, 80)} → ${res.status} ${text.slice(0, 120)}`,
          );
      },
      responsive,
    );
    expect(wrong.slice(0, 20)).toEqual([]);
  }, 120_000);
});
