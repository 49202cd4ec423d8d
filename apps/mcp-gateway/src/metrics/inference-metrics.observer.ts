import {
  CODE_MODEL,
  INFERENCE_EVENTS,
  type InferenceCallFinished,
  type InferenceEvents,
  type ModelClient,
} from '@app/inference';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';

/** Feeds the inference library's call events (latency, time to first token, retries) into Prometheus. */
@Injectable()
export class InferenceMetricsObserver implements OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(INFERENCE_EVENTS) events: InferenceEvents,
    private readonly metrics: GatewayMetrics,
    @Inject(CODE_MODEL) private readonly code: ModelClient,
  ) {
    this.unsubscribe = events.subscribe({ callFinished: (event) => this.record(event) });
    this.recordStructuredOutput();
  }

  /** The dialect is detected on the first structured call: refreshed after each call, it shows once known. */
  private recordStructuredOutput(): void {
    const info = this.code.structuredOutputInfo?.();
    if (info) this.metrics.setStructuredOutput(this.code.role, info.dialect, info.source);
  }

  record(event: InferenceCallFinished): void {
    const seconds = (ms: number) => ms / 1000;
    const firstToken = event.firstTokenMs === undefined ? undefined : seconds(event.firstTokenMs);
    this.metrics.recordModelCall(event.role, event.errorCode ?? 'ok', seconds(event.latencyMs), firstToken);
    this.metrics.recordRetries(event.role, event.retries);
    if (event.role === this.code.role) this.recordStructuredOutput();
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
