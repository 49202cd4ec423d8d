import { checkJsonRpcBody, checkJsonRpcMessage, isInitializeAttempt } from './json-rpc-guard';
import { LineReader, idFromEdges } from './line-reader';

describe('LineReader', () => {
  it('splits lines across chunks and skips an oversized one, keeping its edges', () => {
    const reader = new LineReader(10);
    expect(reader.feed(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ kind: 'line', text: '{"a":1}' }]);
    expect(reader.feed(Buffer.from(':2}\r\n'))).toEqual([{ kind: 'line', text: '{"b":2}' }]);
    const events = reader.feed(Buffer.from(`{"x":"${'y'.repeat(1000)}","id":3}\nok\n`));
    expect(events[0]).toMatchObject({ kind: 'oversized', bytes: 1015 });
    expect(events[1]).toEqual({ kind: 'line', text: 'ok' });
  });

  it('holds at most the limit plus the edges of an endless line (memory stays bounded)', () => {
    const reader = new LineReader(1024);
    for (let i = 0; i < 1000; i++) expect(reader.feed(Buffer.alloc(64 * 1024, 0x61))).toEqual([]);
    const [event] = reader.feed(Buffer.from('\n'));
    expect(event).toMatchObject({ kind: 'oversized', bytes: 1000 * 64 * 1024 });
  });
});

describe('idFromEdges', () => {
  it('reads a top-level id written first or last, never a nested one', () => {
    expect(idFromEdges('{"jsonrpc":"2.0","id":7,"method":"x"', '')).toBe(7);
    expect(idFromEdges('{"method":"tools/call"', '…"}},"jsonrpc":"2.0","id":"abc"}')).toBe('abc');
    expect(idFromEdges('{"method":"tools/call"', '…,"arguments":{"id":5}}}')).toBeNull();
    expect(idFromEdges('{"params":{"id":1', 'xyz')).toBeNull();
  });
});

describe('JSON-RPC guard', () => {
  it('tells shape errors (-32600) from bad params (-32602) and lets valid messages through', () => {
    expect(checkJsonRpcBody([])).toMatchObject({ code: -32600, id: null });
    expect(checkJsonRpcMessage({ hello: 1 })).toMatchObject({ code: -32600 });
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', id: {}, method: 'ping' })).toMatchObject({ code: -32600 });
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 5 })).toMatchObject({ code: -32600, id: 1 });
    const bad = checkJsonRpcMessage({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {} });
    expect(bad).toMatchObject({
      code: -32602,
      id: 2,
      message: expect.stringMatching(/^Invalid params for tools\/call: params\.name/),
    });
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', id: 3, method: 'ping' })).toBeUndefined();
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', id: 3, method: 'no/such/method' })).toBeUndefined();
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', id: 3, result: {} })).toBeUndefined();
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBeUndefined();
    expect(checkJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/x', params: 5 })).toMatchObject({
      code: -32600,
    });
    expect(isInitializeAttempt([{ method: 'initialize', params: { protocolVersion: 5 } }])).toBe(true);
  });
});
