import { InferenceHealthIndicator } from '@app/inference';
import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

const PROBE_CACHE_MS = 5_000;

/** The code model's readiness, probed at most once per window: orchestrators probe every few seconds per replica. */
@Injectable()
export class ModelReadiness {
  private probe?: { result: Promise<HealthIndicatorResult>; expiresAt: number };

  constructor(private readonly inference: InferenceHealthIndicator) {}

  check(): Promise<HealthIndicatorResult> {
    const now = Date.now();
    if (!this.probe || this.probe.expiresAt <= now) {
      const probe = { result: this.inference.check('code', 'code_model'), expiresAt: now + PROBE_CACHE_MS };
      // a download or load in progress is not cached: its percent is what a person watching wants
      void probe.result.then((result) => {
        if (result.code_model?.loading !== undefined) probe.expiresAt = 0;
      });
      this.probe = probe;
    }
    return this.probe.result;
  }
}
