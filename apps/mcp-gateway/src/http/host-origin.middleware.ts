import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayLogger } from '../logging/gateway-logger';
import { sendHttpError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;

/** `localhost:3000` → `localhost`, `[::1]:3000` → `[::1]`; undefined when it is not a host. */
export function hostnameOf(value: string): string | undefined {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Loopback names are always allowed once a list is active: a request addressed to localhost was not
 * rebound from a foreign name (and the container healthcheck calls 127.0.0.1). Both IPv6 spellings match.
 */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];
const HOSTNAME_CACHE_SIZE = 256;

function normalizeAllowed(hosts: readonly string[]): Set<string> {
  if (hosts.length === 0) return new Set();
  const names = hosts.map((host) => hostnameOf(host) ?? host.toLowerCase());
  return new Set([...LOOPBACK_NAMES, ...names.flatMap((name) => (name === '::1' ? ['[::1]'] : [name]))]);
}

/**
 * DNS-rebinding protection: a web page on evil.example that resolves to 127.0.0.1 reaches the gateway with
 * `Host: evil.example` (and its own Origin). On by default for loopback binds; GATEWAY_ALLOWED_HOSTS sets the list.
 * Health probes are exempt: orchestrators probe by pod IP and the routes disclose nothing.
 */
@Injectable()
export class HostOriginMiddleware implements NestMiddleware<GatewayRequest, ServerResponse> {
  private readonly allowed: Set<string>;
  /** Host/Origin value → hostname: a client sends the same few values on every call, and URL parsing is not free */
  private readonly hostnames = new Map<string, string | undefined>();

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly logger: GatewayLogger,
  ) {
    this.allowed = normalizeAllowed(config.allowedHosts);
  }

  use(req: GatewayRequest, res: ServerResponse, next: Next): void {
    if (this.allowed.size === 0 || req.url?.startsWith('/health/')) return next();
    const problem = this.problemWith(req.headers.host, req.headers.origin);
    if (problem) {
      this.logger.rejected(req, 403, problem);
      return sendHttpError(req, res, 'UNAUTHORIZED', problem, { status: 403 });
    }
    next();
  }

  private problemWith(host: string | undefined, origin: string | undefined): string | undefined {
    const hostname = host === undefined ? undefined : this.hostnameOf(host);
    if (!hostname || !this.allowed.has(hostname)) {
      return `Forbidden: Host "${host ?? ''}" is not allowed (set GATEWAY_ALLOWED_HOSTS to add it)`;
    }
    // "null" is what sandboxed iframes and file: pages send: no allow-list names it, so it is refused too
    if (origin === undefined) return undefined;
    const originHost = this.hostnameOf(origin);
    if (!originHost || !this.allowed.has(originHost)) {
      return `Forbidden: Origin "${origin}" is not allowed (set GATEWAY_ALLOWED_HOSTS to add it)`;
    }
    return undefined;
  }

  private hostnameOf(value: string): string | undefined {
    if (this.hostnames.has(value)) return this.hostnames.get(value);
    // bounded: foreign clients can send any number of distinct values
    if (this.hostnames.size >= HOSTNAME_CACHE_SIZE) this.hostnames.clear();
    const hostname = hostnameOf(value);
    this.hostnames.set(value, hostname);
    return hostname;
  }
}
