import type { GatewayRequest } from '../http/http-errors';
import { classifyMcpPost, eraOfOutcome, eraOfPost } from './mcp-era-router';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

function post(body: unknown, headers: Record<string, string> = {}): GatewayRequest {
  return { method: 'POST', headers, body } as unknown as GatewayRequest;
}

describe('eraOfPost (which SDK line serves a POST /mcp)', () => {
  it('sends the 2025 handshake, session traffic and notifications to the 2025 sessions', () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25' },
    };
    expect(eraOfPost(post(initialize))).toBe('legacy');
    expect(eraOfPost(post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 's' }))).toBe(
      'legacy',
    );
    expect(eraOfPost(post({ jsonrpc: '2.0', method: 'notifications/initialized' }))).toBe('legacy');
    expect(eraOfPost(post([{ jsonrpc: '2.0', id: 3, method: 'ping' }]))).toBe('legacy');
  });

  it('leaves bodies that are not JSON-RPC to the 2025 path, whose error answers 2025 clients expect', () => {
    expect(eraOfPost(post([]))).toBe('legacy');
    expect(eraOfPost(post({ hello: 'world' }))).toBe('legacy');
    expect(eraOfPost(post(undefined))).toBe('legacy');
  });

  it('sends any 2026-07-28 claim to the modern handler, malformed ones included (it answers their errors)', () => {
    const request = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } };
    expect(
      eraOfPost(post(request, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' })),
    ).toBe('modern');
    // a modern header without the envelope, and an envelope without the headers: -32602 / -32020 from the SDK
    expect(
      eraOfPost(
        post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2026-07-28' }),
      ),
    ).toBe('modern');
    expect(eraOfPost(post(request))).toBe('modern');
  });

  it('decides exactly as the SDK classification would, without running it for plain 2025 traffic', () => {
    const claim = (version: unknown) => ({ 'io.modelcontextprotocol/protocolVersion': version });
    const bodies: unknown[] = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'generate_code', arguments: {} } },
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: claim('2026-07-28') } },
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: claim('2025-06-18') } },
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { _meta: claim(7) } },
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: [claim('2026-07-28')] } },
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { _meta: { ...ENVELOPE } } },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { _meta: claim('2026-07-28') } },
      { jsonrpc: '2.0', id: 1, result: {} },
      [{ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: claim('2026-07-28') } }],
      { id: 1, method: 'tools/list', params: { _meta: ENVELOPE } },
      'text',
      null,
    ];
    const versions = [
      undefined,
      '2025-06-18',
      '2026-07-28',
      ' \t2026-07-28 ',
      '2027-01-01',
      '\u00a02025-06-18',
      'x',
    ];
    for (const body of bodies) {
      for (const version of versions) {
        const headers: Record<string, string> =
          version === undefined ? {} : { 'mcp-protocol-version': version };
        const req = post(body, headers);
        expect({ body, version, era: eraOfPost(req) }).toEqual({
          body,
          version,
          era: eraOfOutcome(classifyMcpPost(req)),
        });
      }
    }
  });
});
