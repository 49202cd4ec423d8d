import { findFencedBlocks } from './code-blocks';
import { JsonSyntaxError, parseLenientJson, type JsonRepair } from './lenient-json';

export type JsonExtraction =
  { ok: true; value: unknown; repairs: JsonRepair[] } | { ok: false; error: string };

/** A stretch of the answer that may hold the JSON: a fenced block's content, or the whole answer. */
interface Region {
  start: number;
  end: number;
  fenced: boolean;
}

type Attempt =
  | { ok: true; value: unknown; start: number; end: number; repairs: JsonRepair[] }
  | { ok: false; offset: number; message: string };

/** Bounds the work on long answers full of brackets: start positions tried, and characters scanned per input character. */
const MAX_STARTS_PER_REGION = 500;
const MAX_SCAN_FACTOR = 8;
const NO_JSON_ERROR =
  'no JSON object or array found in the output; answer with a single JSON object and nothing else';

function jsonRegions(text: string): Region[] {
  const fenced = findFencedBlocks(text)
    .filter((b) => b.tag === 'json' || (b.tag === undefined && /^\s*[[{]/.test(b.code)))
    .map((b) => ({ start: b.contentStart, end: b.contentEnd, fenced: true }));
  return [...fenced, { start: 0, end: text.length, fenced: false }];
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line} col ${column}`;
}

function describeFound(found: string | undefined): string {
  if (found === undefined) return 'the output ended';
  return `found ${JSON.stringify(found)}`;
}

function tryParseAt(source: string, start: number, base: number): Attempt {
  try {
    const parsed = parseLenientJson(source, start);
    return { ok: true, value: parsed.value, start, end: parsed.end, repairs: parsed.repairs };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const message = `${error.message} at %POS% (${describeFound(error.found)})`;
    return { ok: false, offset: base + error.offset, message };
  }
}

function bracketStarts(source: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < source.length && starts.length < MAX_STARTS_PER_REGION; i++) {
    if (source[i] === '{' || source[i] === '[') starts.push(i);
  }
  return starts;
}

/**
 * Tries each `{`/`[` in the region (skipping those inside a value already tried) and keeps the widest
 * value: the answer's JSON is nearly always its biggest structure, while prose may contain "[1]".
 * On failure, the error that got furthest is the one about the JSON the model meant to write.
 */
function parseRegion(text: string, region: Region): Attempt | undefined {
  const source = text.slice(region.start, region.end);
  let best: Attempt | undefined;
  let coveredUntil = -1;
  let budget = MAX_SCAN_FACTOR * source.length + 10_000;
  for (const start of bracketStarts(source)) {
    if (start < coveredUntil) continue;
    if (budget <= 0) break;
    const attempt = tryParseAt(source, start, region.start);
    // Starts inside a failed attempt are skipped too: an inner object of a broken answer is not the answer.
    coveredUntil = attempt.ok ? attempt.end : attempt.offset - region.start;
    budget -= (attempt.ok ? attempt.end : attempt.offset - region.start) - start + 1;
    if (isBetter(attempt, best)) best = attempt;
  }
  return best;
}

function isBetter(candidate: Attempt, current: Attempt | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.ok !== current.ok) return candidate.ok;
  if (candidate.ok && current.ok) return candidate.end - candidate.start > current.end - current.start;
  return !candidate.ok && !current.ok && candidate.offset > current.offset;
}

function withContextRepairs(
  source: string,
  attempt: Attempt & { ok: true },
  fenced: boolean,
): JsonExtraction {
  const repairs: JsonRepair[] = fenced ? ['code_fence'] : [];
  const outside = source.slice(0, attempt.start) + source.slice(attempt.end);
  if (!fenced && outside.trim() !== '') repairs.push('surrounding_text');
  return { ok: true, value: attempt.value, repairs: [...repairs, ...attempt.repairs] };
}

/** Same labels as the lenient path: a fence around the JSON counts as the fence, not as prose. */
function contextRepairs(before: string, after: string): JsonRepair[] {
  // (?<![`~]): each run of fence characters is tried once, not from each of its characters (quadratic)
  if (/(?<![`~])(`{3,}|~{3,})[\w-]*\s*$/.test(before)) return ['code_fence'];
  return (before + after).trim() === '' ? [] : ['surrounding_text'];
}

/**
 * Fast path for well-behaved answers: the span from the first bracket to the last closing one is valid
 * JSON. JSON.parse is ~15x faster than the lenient parser, which then only runs on damaged answers.
 */
function strictParse(text: string): JsonExtraction | undefined {
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']')) + 1;
  if (start === -1 || end <= start) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start, end));
    return { ok: true, value, repairs: contextRepairs(text.slice(0, start), text.slice(end)) };
  } catch {
    return undefined;
  }
}

/**
 * Finds and parses the JSON in a model answer: inside a ```json fence or in prose, repairing common
 * damage (see JsonRepair). The error, on failure, is written to be sent back to the model as is.
 */
export function extractJson(text: string): JsonExtraction {
  const strict = strictParse(text);
  if (strict) return strict;
  let firstError: (Attempt & { ok: false }) | undefined;
  for (const region of jsonRegions(text)) {
    const attempt = parseRegion(text, region);
    if (attempt?.ok) return withContextRepairs(text.slice(region.start, region.end), attempt, region.fenced);
    if (attempt && !attempt.ok && (firstError === undefined || attempt.offset > firstError.offset)) {
      firstError = attempt;
    }
  }
  if (!firstError) return { ok: false, error: NO_JSON_ERROR };
  const where = lineAndColumn(text, firstError.offset);
  return { ok: false, error: `invalid JSON: ${firstError.message.replace('%POS%', where)}` };
}
