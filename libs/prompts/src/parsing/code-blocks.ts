import { detectLanguage, normalizeLanguage } from './language';

/** One fenced block found in a model answer. Offsets point into the original text. */
export interface FencedBlock {
  code: string;
  /** normalised info-string tag ("py" → "python"), when the fence had one */
  tag?: string;
  /** offset of the first content character and just past the last one */
  contentStart: number;
  contentEnd: number;
  /** false when the answer ended inside the block (a truncated generation) */
  terminated: boolean;
}

export interface CodeBlock {
  code: string;
  language?: string;
}

interface Line {
  text: string;
  start: number;
}

interface OpenFence {
  marker: string;
  tag?: string;
  indent: number;
  contentStart: number;
  lines: string[];
}

/** A fence opening a line (``` or ~~~, optional info string), or ending a line of prose ("Sure: ```python"). */
const OPENING_AT_START = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const OPENING_AFTER_PROSE = /^(.*?\S)[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[ \t]*$/;

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const piece of text.split('\n')) {
    lines.push({ text: piece.replace(/\r$/, ''), start });
    start += piece.length + 1;
  }
  return lines;
}

function openFence(line: Line): OpenFence | undefined {
  const atStart = OPENING_AT_START.exec(line.text);
  const match = atStart ?? OPENING_AFTER_PROSE.exec(line.text);
  if (!match) return undefined;
  const [, lead = '', marker = '```', rawTag = ''] = match;
  const tag = rawTag.replace(/^\{?\.?/, '').replace(/\}$/, '');
  return {
    marker,
    tag: tag ? normalizeLanguage(tag) : undefined,
    indent: atStart ? lead.length : 0,
    contentStart: line.start + line.text.length + 1,
    lines: [],
  };
}

/**
 * The closing fence: same character, at least as long; models also glue it to the last code line. Counted
 * from the end, not matched with `^(.*?)`{3,}$`, which retried the whole run from every start: quadratic
 * on a line of backticks.
 */
function closingPrefix(line: string, fence: OpenFence): string | undefined {
  const trimmed = line.trimEnd();
  const char = fence.marker[0] ?? '`';
  let runStart = trimmed.length;
  while (runStart > 0 && trimmed[runStart - 1] === char) runStart--;
  if (trimmed.length - runStart < fence.marker.length) return undefined;
  return trimmed.slice(0, runStart);
}

function dedent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && (line[cut] === ' ' || line[cut] === '\t')) cut++;
  return line.slice(cut);
}

function finishBlock(fence: OpenFence, contentEnd: number, terminated: boolean): FencedBlock {
  const code = fence.lines
    .map((l) => dedent(l, fence.indent))
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  return { code, tag: fence.tag, contentStart: fence.contentStart, contentEnd, terminated };
}

/** Every fenced block in order; an unterminated last fence runs to the end of the text. */
export function findFencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: OpenFence | undefined;
  for (const line of splitLines(text)) {
    if (!open) {
      open = openFence(line);
      continue;
    }
    const before = closingPrefix(line.text, open);
    if (before === undefined) {
      open.lines.push(line.text);
      continue;
    }
    if (before.trim()) open.lines.push(before);
    blocks.push(finishBlock(open, line.start + before.length, true));
    open = undefined;
  }
  if (open) blocks.push(finishBlock(open, text.length, false));
  return blocks;
}

function longest<T extends { code: string }>(blocks: T[]): T | undefined {
  return blocks.reduce<T | undefined>(
    (best, b) => (best && best.code.length >= b.code.length ? best : b),
    undefined,
  );
}

/**
 * The block a caller most likely wants: one tagged with `language` if any, else an untagged one, else
 * any; the longest within that group (models put the solution first and short usage examples after, but
 * the solution is almost always the longest).
 */
export function selectCodeBlock(text: string, language?: string): FencedBlock | undefined {
  const blocks = findFencedBlocks(text).filter((b) => b.code.trim() !== '');
  const wanted = language === undefined ? undefined : normalizeLanguage(language);
  const tagged = blocks.filter((b) => wanted !== undefined && b.tag === wanted);
  const untagged = blocks.filter((b) => b.tag === undefined);
  return longest(tagged) ?? longest(untagged) ?? longest(blocks);
}

/** See selectCodeBlock; the language is the fence's tag, else detected. Undefined when there is no fence. */
export function extractCodeBlock(text: string, language?: string): CodeBlock | undefined {
  const chosen = selectCodeBlock(text, language);
  if (!chosen) return undefined;
  const detected = chosen.tag ?? detectLanguage(chosen.code);
  return detected === undefined ? { code: chosen.code } : { code: chosen.code, language: detected };
}

/** Removes Markdown fence lines (```lang / ```), keeping everything else; trims surrounding blank lines. */
export function stripCodeFences(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^[ \t]*(`{3,}|~{3,})[^`]*$/.test(line.replace(/\r$/, '')))
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
}
