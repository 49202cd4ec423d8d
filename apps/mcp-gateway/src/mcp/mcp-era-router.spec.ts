import type { GatewayRequest } from '../http/http-errors';
import { eraOfPost } from './mcp-era-router';

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
});
