import { INSTANT } from '../emulator/replies';
import { runBurst } from '../load/run-load';
import { rotated, type BenchContext, type SubjectName } from '../subjects';
import { median } from '../support/stats';

/** N calls at once against an upstream that takes `delayMs`: the wall time shows any hidden pool limit. */
export interface BurstMeasure {
  calls: number;
  upstreamDelayMs: number;
  rounds: number;
  /** median round */
  wallMs: Record<SubjectName, number>;
  errors: Record<SubjectName, number>;
  /** most requests the upstream had in flight at once (= calls: nothing held any back), median round */
  upstreamPeakInFlight: Record<SubjectName, number>;
  /** first to last arrival at the upstream: the time it took to dispatch the burst, median round */
  upstreamArrivalSpreadMs: Record<SubjectName, number>;
}

export async function measureBurst(context: BenchContext): Promise<BurstMeasure> {
  const { plan } = context;
  const walls: Record<SubjectName, number[]> = { direct: [], gateway: [], baseline: [] };
  const peaks: Record<SubjectName, number[]> = { direct: [], gateway: [], baseline: [] };
  const spreads: Record<SubjectName, number[]> = { direct: [], gateway: [], baseline: [] };
  const errors: Record<SubjectName, number> = { direct: 0, gateway: 0, baseline: 0 };
  await context.emulator.setMode({ delayMs: plan.burstDelayMs });
  try {
    for (let round = 0; round < plan.rounds; round += 1) {
      for (const subject of rotated(context.subjects, round)) {
        await context.emulator.takeStats();
        const result = await runBurst(plan.burstCalls, (index) => subject.call(index));
        const upstream = await context.emulator.takeStats();
        walls[subject.name].push(result.wallMs);
        peaks[subject.name].push(upstream.peakInFlight);
        spreads[subject.name].push(upstream.arrivalSpreadMs);
        errors[subject.name] += result.errors;
      }
      context.log(
        `  burst round ${round + 1}/${plan.rounds}: gateway ${walls.gateway.at(-1)?.toFixed(1)} ms`,
      );
    }
  } finally {
    await context.emulator.setMode(INSTANT);
  }
  const medians = (values: Record<SubjectName, number[]>) => ({
    direct: median(values.direct),
    gateway: median(values.gateway),
    baseline: median(values.baseline),
  });
  return {
    calls: plan.burstCalls,
    upstreamDelayMs: plan.burstDelayMs,
    rounds: plan.rounds,
    wallMs: medians(walls),
    errors,
    upstreamPeakInFlight: medians(peaks),
    upstreamArrivalSpreadMs: medians(spreads),
  };
}
