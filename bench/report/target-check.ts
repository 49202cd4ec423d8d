/** One target of the bench: what was measured, the limit, and whether it holds. */
export interface TargetCheck {
  id: string;
  description: string;
  measured: number;
  limit: number;
  unit: string;
  comparison: '<=' | '>=';
  pass: boolean;
}

/** A measure that is not a finite number (nothing measured) never passes. */
export function check(
  id: string,
  description: string,
  measured: number,
  comparison: '<=' | '>=',
  limit: number,
  unit: string,
): TargetCheck {
  const pass = Number.isFinite(measured) && (comparison === '<=' ? measured <= limit : measured >= limit);
  return { id, description, measured, limit, unit, comparison, pass };
}
