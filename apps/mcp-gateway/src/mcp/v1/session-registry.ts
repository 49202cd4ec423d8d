import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { GatewayMetrics } from '../../metrics/gateway-metrics';

export type SessionKind = 'streamable-http' | 'sse';

export interface McpSession<T extends Transport = Transport> {
  id: string;
  kind: SessionKind;
  transport: T;
  server: McpServer;
  lastSeenAt: number;
  /** hash of the API key that opened it; only requests with the same key may use or end it */
  owner?: string;
}

/** Never sweep less often than this, however long the TTL: an expired session should go within a minute. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * Open MCP sessions of both HTTP transports: lookup touches, idle sessions of either kind are closed after
 * GATEWAY_SESSION_TTL_SECONDS (a legacy SSE stream that only receives heartbeats is idle too), and at most
 * GATEWAY_MAX_SESSIONS are open at once so a client loop cannot exhaust memory.
 */
@Injectable()
export class McpSessionRegistry implements OnModuleDestroy {
  private readonly sessions = new Map<string, McpSession>();
  private readonly counts: Record<SessionKind, number> = { 'streamable-http': 0, sse: 0 };
  private readonly sweeper: NodeJS.Timeout;
  /** the clock; tests replace it to age sessions without waiting */
  now: () => number = Date.now;

  constructor(
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfigType,
    private readonly metrics: GatewayMetrics,
  ) {
    const interval = Math.max(10, Math.min(config.sessionIdleTtlMs / 4, MAX_SWEEP_INTERVAL_MS));
    this.sweeper = setInterval(() => void this.evictIdle(), interval).unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  hasRoom(): boolean {
    return this.sessions.size < this.config.maxSessions;
  }

  get capacity(): number {
    return this.config.maxSessions;
  }

  add<T extends Transport>(session: Omit<McpSession<T>, 'lastSeenAt'>): void {
    this.sessions.set(session.id, { ...session, lastSeenAt: this.now() });
    this.report(session.kind, +1);
  }

  /**
   * The session, marked as just used; undefined when unknown, closed, expired or opened with another API
   * key (answered like an unknown id, so a key holder cannot probe for other keys' sessions).
   */
  touch<T extends Transport>(
    id: string,
    kind: SessionKind,
    owner: string | undefined,
  ): McpSession<T> | undefined {
    const session = this.sessions.get(id);
    if (!session || session.kind !== kind || session.owner !== owner) return undefined;
    session.lastSeenAt = this.now();
    return session as McpSession<T>;
  }

  remove(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.report(session.kind, -1);
  }

  async evictIdle(): Promise<number> {
    const cutoff = this.now() - this.config.sessionIdleTtlMs;
    // legacy SSE sessions too: an open event stream with no message for a TTL is as idle as any session
    const idle = [...this.sessions.values()].filter((s) => s.lastSeenAt < cutoff);
    await Promise.all(idle.map((session) => this.close(session)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => this.close(session)));
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.closeAll();
  }

  /** Closing the server aborts its in-flight handlers, which aborts their model requests. */
  private async close(session: McpSession): Promise<void> {
    this.remove(session.id);
    await session.server.close().catch(() => undefined);
  }

  private report(kind: SessionKind, delta: number): void {
    this.counts[kind] += delta;
    this.metrics.setOpenSessions(kind, this.counts[kind]);
  }
}
