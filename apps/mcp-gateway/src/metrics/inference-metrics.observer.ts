import { INFERENCE_EVENTS, type InferenceCallFinished, type InferenceEvents } from '@app/inference';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';

/** Feeds the inference library's call events (latency, time to first token, retries) into Prometheus. */
@Injectable()
export class InferenceMetricsObserver implements OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(INFERENCE_EVENTS) events: InferenceEvents,
    private readonly metrics: GatewayMetrics,
  ) {
    this.unsubscribe = events.subscribe({ callFinished: (event) => this.record(event) });
  }

  record(event: InferenceCallFinished): void {
    const seconds = (ms: number) => ms / 1000;
    const firstToken = event.firstTokenMs === undefined ? undefined : seconds(event.firstTokenMs);
    this.metrics.recordModelCall(event.role, event.errorCode ?? 'ok', seconds(event.latencyMs), firstToken);
    this.metrics.recordRetries(event.role, event.retries);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
