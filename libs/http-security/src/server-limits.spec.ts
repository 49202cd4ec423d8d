import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { applyServerTimeouts, DEFAULT_SERVER_TIMEOUTS } from './server-limits';

const STALL_MS = 300;

async function listen(handler: (res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => handler(res));
  applyServerTimeouts(server, { ...DEFAULT_SERVER_TIMEOUTS, writeStallMs: STALL_MS });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function request(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  return socket;
}

function closedWithin(res: ServerResponse, ms: number): Promise<number | 'open'> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - startedAt);
    });
  });
}

describe('a write-stall bound for clients that stop reading', () => {
  it('a response the client does not read is dropped after writeStallMs, freeing its buffer', async () => {
    let response: ServerResponse | undefined;
    const { server, port } = await listen((res) => {
      response = res;
      res.end(Buffer.alloc(32 * 1024 * 1024, 0x61)); // ~52 MB answers were held for as long as nobody read
    });
    const client = request(port);
    client.pause();
    while (!response) await new Promise((resolve) => setTimeout(resolve, 10));
    const closedAfter = await closedWithin(response, 10 * STALL_MS);
    expect(closedAfter).not.toBe('open');
    client.destroy();
    server.close();
  });

  it('a quiet stream with nothing left to write is not cut', async () => {
    let response: ServerResponse | undefined;
    const { server, port } = await listen((res) => {
      response = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
    });
    const client = request(port);
    client.resume();
    while (!response) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await closedWithin(response, 4 * STALL_MS)).toBe('open');
    client.destroy();
    server.closeAllConnections();
    server.close();
  });
});
