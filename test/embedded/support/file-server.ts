import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  url: string;
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export interface FileServerOptions {
  body: Buffer;
  /** the first GET sends only this many bytes, then destroys the socket */
  cutFirstResponseAt?: number;
  /** sent on HEAD like the hub's redirect does */
  linkedEtag?: string;
  status?: number;
  /** with `status`: send the start of the error page, then keep the connection open without ending it */
  stallErrorBody?: boolean;
  /** answer Range requests with the whole file (200), like servers without range support */
  ignoreRange?: boolean;
  /** a slow link: send the body in pieces of this many bytes, `trickleDelayMs` apart */
  trickleBytes?: number;
  trickleDelayMs?: number;
}

/** Writes `body` in pieces with a pause between them; stops when the client goes away. */
function trickle(response: ServerResponse, body: Buffer, bytes: number, delayMs: number): void {
  let offset = 0;
  const next = () => {
    if (response.destroyed) return;
    const piece = body.subarray(offset, offset + bytes);
    offset += piece.length;
    if (offset >= body.length) return void response.end(piece);
    response.write(piece);
    setTimeout(next, delayMs);
  };
  next();
}

/** A real HTTP server on 127.0.0.1 serving one file with Range support, the way the hub's CDN does. */
export async function startFileServer(options: FileServerOptions): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  let gets = 0;
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    if (options.status !== undefined && options.stallErrorBody)
      return void response.writeHead(options.status).write('<html>bad gateway');
    if (options.status !== undefined) return void response.writeHead(options.status).end('nope');
    if (request.method === 'HEAD') {
      const etag = options.linkedEtag === undefined ? {} : { 'x-linked-etag': `"${options.linkedEtag}"` };
      return void response.writeHead(302, { location: request.url, ...etag }).end();
    }
    const requested = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    if (requested >= options.body.length) return void response.writeHead(416).end();
    const start = options.ignoreRange ? 0 : requested;
    const slice = options.body.subarray(start);
    const headers = { 'content-length': String(slice.length), 'accept-ranges': 'bytes' };
    if (start > 0)
      response.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${options.body.length - 1}/${options.body.length}`,
      });
    else response.writeHead(200, headers);
    if (++gets === 1 && options.cutFirstResponseAt !== undefined) {
      response.write(slice.subarray(0, options.cutFirstResponseAt), () => response.destroy());
      return;
    }
    if (options.trickleBytes !== undefined)
      return trickle(response, slice, options.trickleBytes, options.trickleDelayMs ?? 10);
    response.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
