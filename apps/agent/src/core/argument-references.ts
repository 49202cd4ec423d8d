import { ARGUMENT_REFERENCES } from '@app/prompts';
import type { BestResultTracker } from './best-result';

export type ResolvedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

type Lookup = (best: BestResultTracker) => unknown;

const REFERENCES: ReadonlyArray<{ token: string; lookup: Lookup; missing: string }> = [
  {
    token: ARGUMENT_REFERENCES.lastSpec,
    lookup: (best) => best.latestSpec,
    missing: `${ARGUMENT_REFERENCES.lastSpec} was used but there is no specification yet: call formalize_task first`,
  },
  {
    token: ARGUMENT_REFERENCES.lastCode,
    lookup: (best) => best.latestCode?.code,
    missing: `${ARGUMENT_REFERENCES.lastCode} was used but there is no code yet: call generate_code first`,
  },
  {
    token: ARGUMENT_REFERENCES.tests,
    lookup: (best) => best.latestTests?.code,
    missing: `${ARGUMENT_REFERENCES.tests} was used but this run has no tests yet: call generate_code first (it prepares them)`,
  },
];

function resolveValue(value: unknown, best: BestResultTracker): { value: unknown; problem?: string } {
  if (typeof value !== 'string') return { value };
  const reference = REFERENCES.find((r) => r.token === value.trim().toLowerCase());
  if (!reference) return { value };
  const resolved = reference.lookup(best);
  return resolved === undefined ? { value, problem: reference.missing } : { value: resolved };
}

/** Replaces `$last_spec` / `$last_code` argument values with the real values the tools produced. */
export function resolveArgumentReferences(
  args: Record<string, unknown>,
  best: BestResultTracker,
): ResolvedArguments {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const outcome = resolveValue(value, best);
    if (outcome.problem) return { ok: false, problem: outcome.problem };
    resolved[key] = outcome.value;
  }
  return { ok: true, value: resolved };
}
