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
}

export async function measureBurst(context: BenchContext): Promise<BurstMeasure> {
  const { plan } = context;
  const walls: Record<SubjectName, number[]> = { direct: [], gateway: [], baseline: [] };
  const errors: Record<SubjectName, number> = { direct: 0, gateway: 0, baseline: 0 };
  await context.emulator.setMode({ delayMs: plan.burstDelayMs });
  try {
    for (let round = 0; round < plan.rounds; round += 1) {
      for (const subject of rotated(context.subjects, round)) {
        const result = await runBurst(plan.burstCalls, (index) => subject.call(index));
        walls[subject.name].push(result.wallMs);
        errors[subject.name] += result.errors;
      }
      context.log(
        `  burst round ${round + 1}/${plan.rounds}: gateway ${walls.gateway.at(-1)?.toFixed(1)} ms`,
      );
    }
  } finally {
    await context.emulator.setMode(INSTANT);
  }
  const wallMs = {
    direct: median(walls.direct),
    gateway: median(walls.gateway),
    baseline: median(walls.baseline),
  };
  return { calls: plan.burstCalls, upstreamDelayMs: plan.burstDelayMs, rounds: plan.rounds, wallMs, errors };
}
