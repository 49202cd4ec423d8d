import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from '@app/contracts';
import { ApiKeys, HostOriginPolicy } from '@app/http-security';

/** Who may call the agent's API: AGENT_API_KEYS and the Host/Origin allow-list (AGENT_ALLOWED_HOSTS). */
export interface AgentHttpSecurity {
  apiKeys: readonly string[];
  allowedHosts: readonly string[];
}

export const OPEN_ACCESS: AgentHttpSecurity = { apiKeys: [], allowedHosts: [] };

/** Set on /health/* requests: whether the caller may read the readiness report (a valid key, or keys off). */
export type AgentRequest = IncomingMessage & { healthDetail?: boolean };

function refuse(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body: ErrorBody = { error: { code: 'UNAUTHORIZED', message } };
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * The gateway's protection, from the same shared implementation: a DNS-rebinding page could otherwise
 * start runs, read them (generated code included) and cancel them. /health/* stays open for orchestrators.
 */
export function accessGuard(
  security: AgentHttpSecurity,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const hosts = new HostOriginPolicy(security.allowedHosts, 'AGENT_ALLOWED_HOSTS');
  const keys = new ApiKeys(security.apiKeys, 'AGENT_API_KEYS');
  return (req: AgentRequest, res, next) => {
    if (req.url?.startsWith('/health/')) {
      // probes stay open (the status code is their signal); the report names upstreams: key holders only
      req.healthDetail = keys.check(req.headers.authorization).ok;
      return next();
    }
    const problem = hosts.problemWith(req.headers.host, req.headers.origin);
    if (problem) return refuse(res, 403, problem);
    const checked = keys.check(req.headers.authorization);
    if (!checked.ok) return refuse(res, 401, checked.message, { 'www-authenticate': 'Bearer' });
    next();
  };
}
