import { createHash } from 'node:crypto';
import { hostnameOf, matchesAnyKey, nestsDeeperThan } from '@app/http-security';
import { isMcpPath } from './http-errors';

describe('HTTP helpers', () => {
  it('matchesAnyKey compares digests against every configured key', () => {
    const keys = ['alpha', 'beta'].map((k) => createHash('sha256').update(k).digest());
    expect(matchesAnyKey('beta', keys)).toBe(true);
    expect(matchesAnyKey('bet', keys)).toBe(false);
    expect(matchesAnyKey('', [])).toBe(false);
  });

  it('hostnameOf reads Host headers and Origins, ports and IPv6 included', () => {
    expect(hostnameOf('localhost:3000')).toBe('localhost');
    expect(hostnameOf('[::1]:3000')).toBe('[::1]');
    expect(hostnameOf('http://Evil.Example:8080')).toBe('evil.example');
    expect(hostnameOf('http://')).toBeUndefined();
  });

  it('nestsDeeperThan judges 10,000 levels without recursing', () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    expect(nestsDeeperThan(deep, 32)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 32)).toBe(false);
    expect(nestsDeeperThan({ a: { b: { c: {} } } }, 3)).toBe(true);
  });

  it('isMcpPath tells JSON-RPC routes from REST ones', () => {
    expect(isMcpPath('/mcp')).toBe(true);
    expect(isMcpPath('/messages?sessionId=1')).toBe(true);
    expect(isMcpPath('/sse')).toBe(true);
    expect(isMcpPath('/mcpx')).toBe(false);
    expect(isMcpPath('/v1/tools')).toBe(false);
    expect(isMcpPath(undefined)).toBe(false);
  });
});

describe('OpenResponses', () => {
  it('settles once every tracked response closed, or at the timeout', async () => {
    const { EventEmitter } = await import('node:events');
    const { OpenResponses } = await import('./open-responses');
    const open = new OpenResponses();
    await open.settled(10);
    const res = new EventEmitter();
    open.track(res as never);
    expect(open.size).toBe(1);
    const started = Date.now();
    await open.settled(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const waiting = open.settled(5_000);
    res.emit('close');
    await waiting;
    expect(open.size).toBe(0);
  });
});

describe('MCP fast path', () => {
  it('recognises MCP message POSTs only', async () => {
    const { isMcpMessagePost } = await import('./mcp-fast-path');
    expect(isMcpMessagePost({ method: 'POST', url: '/mcp' } as never)).toBe(true);
    expect(isMcpMessagePost({ method: 'POST', url: '/mcp?x=1' } as never)).toBe(true);
    expect(isMcpMessagePost({ method: 'GET', url: '/mcp' } as never)).toBe(false);
    expect(isMcpMessagePost({ method: 'POST', url: '/mcpx' } as never)).toBe(false);
    expect(isMcpMessagePost({ method: 'POST', url: '/v1/tools/generate_code' } as never)).toBe(false);
  });

  it('runs steps in order, stops where a step answers, and reports thrown errors', async () => {
    const { runSteps } = await import('./mcp-fast-path');
    const seen: string[] = [];
    const done: unknown[] = [];
    const step =
      (name: string, pass = true) =>
      (_req: unknown, _res: unknown, next: (e?: unknown) => void) => {
        seen.push(name);
        if (pass) next();
      };
    runSteps([step('a'), step('b')], {} as never, {} as never, (e) => done.push(e ?? 'finished'));
    runSteps([step('c', false), step('never')], {} as never, {} as never, (e) => done.push(e));
    const boom = new Error('boom');
    runSteps(
      [
        () => {
          throw boom;
        },
      ],
      {} as never,
      {} as never,
      (e) => done.push(e),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(done).toEqual(['finished', boom]);
  });
});

describe('HostOriginMiddleware', () => {
  it('decides the same once hostnames are cached, also after many distinct foreign Hosts', async () => {
    const { HostOriginMiddleware } = await import('./host-origin.middleware');
    const rejected: string[] = [];
    const logger = { rejected: (_req: unknown, _status: number, reason: string) => rejected.push(reason) };
    const guard = new HostOriginMiddleware({ allowedHosts: ['gw.internal'] } as never, logger as never);
    const res = { headersSent: true, end: () => undefined };
    const passes = (host: string, origin?: string) => {
      let passed = false;
      guard.use({ url: '/mcp', headers: { host, origin } } as never, res as never, () => (passed = true));
      return passed;
    };
    for (let round = 0; round < 2; round++) {
      expect(passes('gw.internal:8080', 'http://gw.internal')).toBe(true);
      expect(passes('localhost:3000')).toBe(true);
      expect(passes('evil.example')).toBe(false);
      expect(passes('gw.internal', 'http://evil.example')).toBe(false);
    }
    for (let i = 0; i < 300; i++) expect(passes(`evil-${i}.example`)).toBe(false);
    expect(passes('gw.internal')).toBe(true);
    expect(rejected).toHaveLength(304);
  });
});
