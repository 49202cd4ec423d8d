import type { GenerateCodeOutput } from '@app/contracts';
import { z } from 'zod';
import { findFencedBlocks, selectCodeBlock, stripCodeFences } from './code-blocks';
import { detectLanguage, normalizeLanguage } from './language';
import { parseStructured, type StructuredParse } from './parse-structured';

const MAX_EXPLANATION_CHARS = 1_000;
/** "Sure! Here is the code:" is chatter, not explanation; "Here is how it works: …" is explanation. */
const CHATTER_START = /^\s*(sure|certainly|of course|absolutely|okay|ok|here(?:'s| is| are| you go))\b/i;
const isChatter = (line: string): boolean =>
  CHATTER_START.test(line) && (/:\s*$/.test(line) || line.trim().length < 60);
const jsonAnswerSchema = z.object({
  code: z.string().min(1),
  explanation: z.string().optional(),
  language: z.string().optional(),
});

/**
 * Backends without stop sequences (local-models `/chat`) let a base model run on into the next turn or
 * file; everything from the first such marker on is not part of the answer.
 */
const TURN_MARKERS = /<\|endoftext\|>|<file_sep>|<\|im_end\|>|<\/s>|\n### Instruction\b|\[INST\]/;

function cutAtTurnMarkers(text: string): string {
  const marker = TURN_MARKERS.exec(text);
  return marker ? text.slice(0, marker.index) : text;
}

function proseOutsideBlocks(text: string): string {
  const blocks = findFencedBlocks(text);
  let prose = '';
  let cursor = 0;
  for (const block of blocks) {
    prose += `${text.slice(cursor, block.contentStart)}\n`;
    cursor = block.contentEnd;
  }
  // A fence opened at the end of a prose line ("Here: ```go") leaves its marker in the prose.
  // (?<![ \t]): start only where a run of blanks starts, or each start retries the whole run (quadratic)
  return stripCodeFences(prose + text.slice(cursor)).replace(
    /(?<![ \t])[ \t]*(`{3,}|~{3,})[\w+#.-]*[ \t]*$/gm,
    '',
  );
}

function explanationFrom(prose: string): string {
  const lines = prose.split('\n').filter((line) => line.trim() !== '' && !isChatter(line));
  const joined = lines.join(' ').replace(/\s+/g, ' ').trim();
  return joined.length <= MAX_EXPLANATION_CHARS ? joined : `${joined.slice(0, MAX_EXPLANATION_CHARS - 1)}…`;
}

function fromJson(text: string, language: string): StructuredParse<GenerateCodeOutput> | undefined {
  const parsed = parseStructured(text, jsonAnswerSchema);
  if (!parsed.ok) return undefined;
  const { code, explanation = '', language: stated } = parsed.value;
  const value = { language: normalizeLanguage(stated ?? language), code: stripCodeFences(code), explanation };
  return { ok: true, value, repairs: ['json_answer', ...parsed.repairs] };
}

function looksLikeJsonAnswer(text: string): boolean {
  return /^\s*(```(json)?\s*)?\{\s*"?(code|language|explanation)"?\s*:/i.test(text);
}

/**
 * Reads a generate_code answer: the fenced block in the requested language (an unterminated fence from a
 * truncated answer counts), prose around it as the explanation; a JSON answer {"code", "explanation"}
 * when the model wrote one; and bare code when a completion model skipped the fence. Fails only when
 * there is no code at all, with a message meant for the repair round.
 */
export function parseGenerateCodeOutput(
  answer: string,
  language: string,
): StructuredParse<GenerateCodeOutput> {
  const requested = normalizeLanguage(language);
  const text = cutAtTurnMarkers(answer);
  const block = selectCodeBlock(text, requested);
  if (looksLikeJsonAnswer(text) || block?.tag === 'json') {
    const json = fromJson(text, requested);
    if (json) return json;
  }
  if (block) {
    // An untagged or "text" fence says nothing about the language: trust the request over a guess.
    const tag = block.tag === undefined || block.tag === 'text' ? requested : block.tag;
    const value = { language: tag, code: block.code, explanation: explanationFrom(proseOutsideBlocks(text)) };
    return { ok: true, value, repairs: [] };
  }
  return fromBareText(text, requested);
}

/** Statement shapes: a call, an assignment, a lone bracket line, a line ending a statement or opening a block. */
const CODE_LINE = [
  /^\s*[A-Za-z_$][\w$.]*(\[[^\]]*\])?\s*(\(.*\)\s*[;{:]?|[-+*/%|&]?=(?!=).+|\+\+|--)\s*;?\s*$/,
  /^\s*[{}()[\];,]+\s*$/,
  /^\s*(return|if|else|for|while|import|from|const|let|var|fn|func|def|class|public|private|static|#include|using|package|struct|enum|interface|type|switch|case|try|catch|except|finally|raise|throw|print|echo)\b/,
];

/**
 * Bare text is accepted as code only when most of its lines look like statements (or a language was
 * detected): a single `;` or `{` is not enough, random tokens and prose with punctuation have them too.
 */
function looksLikeCode(code: string): boolean {
  if (detectLanguage(code) !== undefined) return true;
  // whitespace runs collapsed first: the patterns' adjacent \s* would otherwise split a long run every way
  // (cubic: `a()` + 2,000 spaces + `x` took 2 s)
  const lines = code
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '');
  const codeLike = lines.filter((line) => CODE_LINE.some((pattern) => pattern.test(line))).length;
  return lines.length > 0 && codeLike * 2 >= lines.length;
}

/** No fence: a completion model that wrote code directly, or a model that wrote only prose (an error). */
function fromBareText(text: string, language: string): StructuredParse<GenerateCodeOutput> {
  const lines = text.split('\n');
  // an index, not shift() in a loop: each shift moves every remaining line (quadratic on blank lines)
  const first = lines.findIndex((line) => line.trim() !== '' && !isChatter(line));
  const code = (first < 0 ? '' : lines.slice(first).join('\n')).trimEnd();
  if (!looksLikeCode(code)) {
    return { ok: false, error: `no code found in the answer; reply with one \`\`\`${language} code block` };
  }
  return { ok: true, value: { language, code, explanation: '' }, repairs: ['unfenced_code'] };
}
