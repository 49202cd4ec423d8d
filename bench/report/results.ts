import type { BurstMeasure } from '../measures/burst';
import type { LatencyMeasure } from '../measures/latency';
import type { MemoryMeasure } from '../measures/memory';
import type { ModernMeasure } from '../measures/modern';
import type { StreamingMeasure } from '../measures/streaming';
import type { SandboxMeasure } from '../measures/sandbox';
import type { BenchPlan } from '../plan';
import type { MachineInfo } from '../support/machine';
import type { TargetCheck } from './targets';

/** Public numbers the README compares against. */
export const ANCHORS = [
  {
    name: 'LiteLLM proxy',
    addedMsMedian: 4,
    note: 'median added per call, sequential, against a local mock',
  },
  { name: 'Bifrost', addedMsMedian: 0.5, note: 'median added per call, same independent benchmark' },
  {
    name: '7B model on one H100 (batched)',
    tokensPerSecond: 10_000,
    note: 'what a gateway must stream through',
  },
] as const;

/** Everything `bench/results/latest.json` holds. */
export interface BenchResults {
  version: 1;
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  plan: BenchPlan;
  measures: {
    latencyC1: LatencyMeasure;
    latencyConcurrent: LatencyMeasure;
    /** the same two measures through a minimal Streamable HTTP client (load/lean-session.ts) */
    latencyC1Lean: LatencyMeasure;
    latencyConcurrentLean: LatencyMeasure;
    throughput: {
      concurrency: number;
      callsPerSecond: Record<'direct' | 'gateway' | 'baseline', number>;
      ratio: number;
    };
    burst: BurstMeasure;
    /** the burst through the lean client */
    burstLean: BurstMeasure;
    streaming: StreamingMeasure;
    /** MCP 2026-07-28 stateless path vs the 2025 session path vs a bare SDK v2 server (lean clients) */
    modern: ModernMeasure;
    memory: MemoryMeasure;
    /** code execution: sandboxed vs bare python3 (measures/sandbox.ts) */
    sandbox?: SandboxMeasure;
  };
  targets: TargetCheck[];
  anchors: typeof ANCHORS;
}

export const MEASURE_KEYS = [
  'latencyC1',
  'latencyConcurrent',
  'latencyC1Lean',
  'latencyConcurrentLean',
  'throughput',
  'burst',
  'burstLean',
  'streaming',
  'modern',
  'memory',
  'sandbox',
] as const;
