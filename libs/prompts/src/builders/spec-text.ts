import type { FormalizeTaskOutput } from '@app/contracts';
import { bulletList, joinSections } from './prompt-spec';

/** A formalize_task output rendered as compact Markdown for the generate and review prompts. */
export function renderSpec(spec: FormalizeTaskOutput): string {
  return joinSections([
    `# ${spec.title}\n${spec.summary}`,
    `Requirements:\n${bulletList(spec.requirements)}`,
    `Acceptance criteria:\n${bulletList(spec.acceptance_criteria)}`,
    spec.constraints.length > 0 ? `Constraints:\n${bulletList(spec.constraints)}` : undefined,
    spec.assumptions.length > 0 ? `Assumptions:\n${bulletList(spec.assumptions)}` : undefined,
  ]);
}
