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
 * rebound from a foreign name (and container healthchecks call 127.0.0.1). Both IPv6 spellings match.
 */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];
const HOSTNAME_CACHE_SIZE = 256;

function normalizeAllowed(hosts: readonly string[]): Set<string> {
  if (hosts.length === 0) return new Set();
  const names = hosts.map((host) => hostnameOf(host) ?? host.toLowerCase());
  return new Set([...LOOPBACK_NAMES, ...names.flatMap((name) => (name === '::1' ? ['[::1]'] : [name]))]);
}

/**
 * DNS-rebinding protection, shared by the gateway and the agent: a web page on evil.example that resolves to
 * 127.0.0.1 reaches the service with `Host: evil.example` (and its own Origin). An empty list turns it off.
 */
export class HostOriginPolicy {
  private readonly allowed: Set<string>;
  /** Host/Origin value → hostname: a client sends the same few values on every call, and URL parsing is not free */
  private readonly hostnames = new Map<string, string | undefined>();

  constructor(
    allowedHosts: readonly string[],
    /** the variable that sets the list, named in the 403 message */
    private readonly variable: string,
  ) {
    this.allowed = normalizeAllowed(allowedHosts);
  }

  get enabled(): boolean {
    return this.allowed.size > 0;
  }

  /** Why the request must be refused, or undefined when Host (and Origin, if sent) are on the list. */
  problemWith(host: string | undefined, origin: string | undefined): string | undefined {
    if (!this.enabled) return undefined;
    const hostname = host === undefined ? undefined : this.hostnameOf(host);
    if (!hostname || !this.allowed.has(hostname)) {
      return `Forbidden: Host "${host ?? ''}" is not allowed (set ${this.variable} to add it)`;
    }
    // "null" is what sandboxed iframes and file: pages send: no allow-list names it, so it is refused too
    if (origin === undefined) return undefined;
    const originHost = this.hostnameOf(origin);
    if (!originHost || !this.allowed.has(originHost)) {
      return `Forbidden: Origin "${origin}" is not allowed (set ${this.variable} to add it)`;
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
