import {
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { Dispatcher } from 'undici';
import { isInferenceError } from '../inference.errors';
import type { EndpointState, ReplicaHealth } from '../inference.types';
import type { ReplicaEndpoint } from './endpoint';

export interface CircuitSettings {
  /** consecutive failures that open the circuit */
  failureThreshold: number;
  /** how long an open circuit rejects calls before one test call may pass (half-open) */
  halfOpenAfterMs: number;
}

/** Failures that say the replica itself is unwell (not the request, the caller or a rate limit). */
export function countsAgainstReplica(error: unknown): boolean {
  if (!isInferenceError(error)) return false;
  if (error.code === 'TIMEOUT') return error.details.phase !== 'total' && !error.details.serverBusy;
  if (error.code !== 'UPSTREAM_ERROR') return false;
  const status = error.details.status;
  return status === undefined || status >= 500;
}

/** One URL of an endpoint: its connection pool, circuit breaker and passive health. */
export class Replica {
  readonly breaker: CircuitBreakerPolicy;
  consecutiveFailures = 0;
  inFlight = 0;
  /** clock time of the last token or answer any call received from here: a busy server still makes progress */
  lastProgressAt = Number.NEGATIVE_INFINITY;
  lastError: string | undefined;
  lastCheckedAt: string | undefined;
  /** last probe result; undefined until probed */
  probeOk: boolean | undefined;
  private openedAt = 0;

  constructor(
    readonly endpoint: ReplicaEndpoint,
    readonly dispatcher: Dispatcher,
    private readonly circuit: CircuitSettings,
  ) {
    this.breaker = circuitBreaker(handleWhen(countsAgainstReplica), {
      halfOpenAfter: circuit.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(circuit.failureThreshold),
    });
    // cockatiel measures the open period with Date.now(); so do we, to agree on when it may half-open
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
  }

  get url(): string {
    return this.endpoint.url;
  }

  get circuitState(): ReplicaHealth['circuit'] {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return 'closed';
    if (state === CircuitState.HalfOpen) return 'half-open';
    return Date.now() - this.openedAt >= this.circuit.halfOpenAfterMs ? 'half-open' : 'open';
  }

  /** Whether a call may go here now: closed, or open long enough for a test call (and none running). */
  get available(): boolean {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return true;
    if (state === CircuitState.HalfOpen) return false;
    return this.circuitState === 'half-open';
  }

  get state(): EndpointState {
    if (!this.available || this.probeOk === false) return 'down';
    if (this.consecutiveFailures > 0 || this.circuitState !== 'closed') return 'degraded';
    return 'up';
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.lastError = undefined;
  }

  recordFailure(error: unknown): void {
    if (!countsAgainstReplica(error)) return;
    this.consecutiveFailures += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  health(): ReplicaHealth {
    return {
      url: this.url,
      state: this.state,
      circuit: this.circuitState,
      lastError: this.lastError,
      lastCheckedAt: this.lastCheckedAt,
      consecutiveFailures: this.consecutiveFailures,
    };
  }
}

const STATE_RANK: Record<EndpointState, number> = { up: 0, degraded: 1, down: 2 };

/**
 * Replicas to try, best first: available circuits only, untried in this call before tried ones, healthy
 * before degraded, then the least busy (spreads load across equal replicas).
 */
export function rankReplicas(replicas: readonly Replica[], tried: ReadonlySet<Replica>): Replica[] {
  return replicas
    .filter((replica) => replica.available)
    .sort(
      (a, b) =>
        Number(tried.has(a)) - Number(tried.has(b)) ||
        STATE_RANK[a.state] - STATE_RANK[b.state] ||
        a.inFlight - b.inFlight,
    );
}
