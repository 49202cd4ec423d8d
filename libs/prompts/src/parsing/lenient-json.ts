/**
 * A forgiving JSON parser for what 7B models actually write. It accepts strict JSON unchanged and
 * repairs the damage seen in practice, recording each kind of repair so callers can log how often
 * a model needed help (and tests can assert it).
 */
export type JsonRepair =
  | 'code_fence'
  | 'surrounding_text'
  | 'trailing_comma'
  | 'missing_comma'
  | 'single_quotes'
  | 'smart_quotes'
  | 'comments'
  | 'unquoted_keys'
  | 'python_literals'
  | 'unescaped_quotes'
  | 'control_characters'
  | 'invalid_escapes'
  | 'truncation';

/** A syntax error at `offset` (relative to the parsed text), phrased as what was expected. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly expected: string,
    readonly offset: number,
    readonly found: string | undefined,
  ) {
    super(`expected ${expected}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LenientParse {
  value: unknown;
  /** offset just past the parsed value */
  end: number;
  repairs: JsonRepair[];
}

const CLOSING_QUOTE: Readonly<Record<string, readonly string[]>> = {
  '"': ['"'],
  "'": ["'"],
  '\u201c': ['\u201d', '\u201c'],
  '\u2018': ['\u2019', '\u2018'],
};
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const LITERALS: Readonly<Record<string, { value: unknown; repair?: JsonRepair }>> = {
  true: { value: true },
  false: { value: false },
  null: { value: null },
  True: { value: true, repair: 'python_literals' },
  False: { value: false, repair: 'python_literals' },
  None: { value: null, repair: 'python_literals' },
};
/** After a real closing quote only these may follow (spaces skipped); anything else was an inner quote. */
const AFTER_STRING = new Set([',', '}', ']', ':', '\n', '\r', '/', '"', "'", '\u201c', '\u2018']);
/** Plain string content: no backslash, no control character, no quote of any style. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must stop the run
const PLAIN_RUN = /[^\\"'\u201c\u201d\u2018\u2019\u0000-\u001f]+/y;
/** Far beyond any real answer; stops "[[[[…" from exhausting the stack. */
const MAX_DEPTH = 256;
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$-]*/y;

/** A key as the model can recognise it in an error message: quoted, escaped, at most 40 characters. */
function quoteForMessage(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/** Parses one JSON value starting at `start` (must be `{` or `[`); throws JsonSyntaxError. */
export function parseLenientJson(text: string, start = 0): LenientParse {
  const parser = new LenientJsonParser(text, start);
  const value = parser.parseValue();
  return { value, end: parser.position, repairs: [...parser.repairs] };
}

class LenientJsonParser {
  readonly repairs = new Set<JsonRepair>();
  private pos: number;
  private depth = 0;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  get position(): number {
    return this.pos;
  }

  parseValue(): unknown {
    this.skipTrivia();
    const ch = this.text[this.pos];
    if (ch === undefined) throw this.error('a value');
    if (ch === '{' || ch === '[') return this.parseNested(ch);
    if (ch in CLOSING_QUOTE) return this.parseString();
    if (/[-+.\d]/.test(ch)) return this.parseNumber();
    return this.parseLiteral();
  }

  private parseNested(open: '{' | '['): unknown {
    if (this.depth >= MAX_DEPTH) throw this.error(`at most ${MAX_DEPTH} levels of nesting`);
    this.depth++;
    const value = open === '{' ? this.parseObject() : this.parseArray();
    this.depth--;
    return value;
  }

  private parseObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    for (;;) {
      if (this.truncatedHere()) return result;
      if (this.text[this.pos] === '}') return this.consume(result);
      const key = this.parseKey();
      if (this.truncatedHere()) return result;
      if (this.text[this.pos] !== ':') throw this.error(`':' after the key ${quoteForMessage(key)}`);
      this.pos++;
      if (this.truncatedHere() || this.danglingSignAtEnd()) return result;
      Object.defineProperty(result, key, {
        value: this.parseValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!this.continuesAfterItem('}')) return result;
    }
  }

  private parseArray(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    for (;;) {
      if (this.truncatedHere()) return result;
      if (this.text[this.pos] === ']') return this.consume(result);
      if (this.danglingSignAtEnd()) return result;
      result.push(this.parseValue());
      if (!this.continuesAfterItem(']')) return result;
    }
  }

  /** "-" or "." as the very last character: a number the model did not get to write. */
  private danglingSignAtEnd(): boolean {
    if (!/^[-+.]$/.test(this.text.slice(this.pos))) return false;
    this.pos = this.text.length;
    this.repairs.add('truncation');
    return true;
  }

  /** After a member or element: a comma, the closing bracket, or (repaired) a missing comma. */
  private continuesAfterItem(close: '}' | ']'): boolean {
    if (this.truncatedHere()) return false;
    const ch = this.text[this.pos] ?? '';
    if (ch === ',') {
      this.pos++;
      this.skipTrivia();
      if (this.text[this.pos] === close) this.repairs.add('trailing_comma');
      return true;
    }
    if (ch === close) return true;
    if (this.startsItem(ch, close)) {
      this.repairs.add('missing_comma');
      return true;
    }
    throw this.error(`',' or '${close}'`);
  }

  private startsItem(ch: string, close: '}' | ']'): boolean {
    if (ch in CLOSING_QUOTE || /[A-Za-z_$]/.test(ch)) return true;
    return close === ']' && /[-\d{[]/.test(ch);
  }

  private parseKey(): string {
    const ch = this.text[this.pos] ?? '';
    if (ch in CLOSING_QUOTE) return this.parseString();
    const word = this.match(WORD);
    if (word === undefined) throw this.error('a property name in double quotes');
    this.repairs.add('unquoted_keys');
    return word;
  }

  private parseString(): string {
    const open = this.text[this.pos] ?? '"';
    this.noteQuoteStyle(open);
    const closers = CLOSING_QUOTE[open] ?? ['"'];
    this.pos++;
    let out = '';
    let firstInnerQuote: { pos: number; length: number } | undefined;
    for (;;) {
      out += this.match(PLAIN_RUN) ?? '';
      const ch = this.text[this.pos];
      if (ch === undefined) return this.endOfTextInString(out, firstInnerQuote);
      if (ch === '\\') out += this.parseEscape();
      else if (closers.includes(ch) && this.closesString()) return this.closeString(out, firstInnerQuote);
      else {
        if (closers.includes(ch)) firstInnerQuote ??= { pos: this.pos, length: out.length };
        out += this.plainChar(ch);
      }
    }
  }

  private closeString(out: string, innerQuote: { pos: number } | undefined): string {
    if (innerQuote) this.repairs.add('unescaped_quotes');
    return this.consume(out);
  }

  /**
   * The text ended inside a string. If the string had swallowed a quote as "inner", that quote most
   * likely closed it and the real damage is just after it: back up, so the error is reported there
   * instead of silently truncating a broken answer.
   */
  private endOfTextInString(out: string, innerQuote: { pos: number; length: number } | undefined): string {
    if (!innerQuote) return this.truncated(out);
    this.pos = innerQuote.pos + 1;
    return out.slice(0, innerQuote.length);
  }

  private noteQuoteStyle(open: string): void {
    if (open === "'") this.repairs.add('single_quotes');
    else if (open !== '"') this.repairs.add('smart_quotes');
  }

  /** A quote closes the string only when what follows could follow a string; otherwise it is text. */
  private closesString(): boolean {
    let next = this.pos + 1;
    while (this.text[next] === ' ' || this.text[next] === '\t') next++;
    const after = this.text[next];
    return after === undefined || AFTER_STRING.has(after);
  }

  private plainChar(ch: string): string {
    this.pos++;
    if (ch < ' ') this.repairs.add('control_characters');
    return ch;
  }

  private parseEscape(): string {
    const code = this.text[this.pos + 1];
    if (code === undefined) {
      this.pos++;
      return '';
    }
    if (code === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
      this.pos += 6;
      return String.fromCharCode(parseInt(this.text.slice(this.pos - 4, this.pos), 16));
    }
    this.pos += 2;
    const simple = SIMPLE_ESCAPES[code];
    if (simple !== undefined) return simple;
    this.repairs.add('invalid_escapes');
    // Mistral escapes underscores as in Markdown ("acceptance\_criteria"); "\_" means "_" in regexes too.
    if (code === '_') return '_';
    // "\d" in a regex the model forgot to double-escape: keep what it meant.
    return `\\${code}`;
  }

  private parseNumber(): number {
    const literal = this.match(NUMBER);
    if (literal === undefined) throw this.error('a number');
    return Number(literal.replace(/^\+/, ''));
  }

  private parseLiteral(): unknown {
    const start = this.pos;
    const word = this.match(WORD);
    const literal = word === undefined ? undefined : LITERALS[word];
    if (literal) {
      if (literal.repair) this.repairs.add(literal.repair);
      return literal.value;
    }
    if (word !== undefined && this.pos === this.text.length) return this.truncatedLiteral(word);
    this.pos = start;
    throw this.error('a value (object, array, string, number, true, false or null)');
  }

  /** `tru` at the very end of a truncated answer is the start of `true`. */
  private truncatedLiteral(word: string): unknown {
    const completed = Object.keys(LITERALS).find((name) => name.startsWith(word));
    if (completed === undefined) {
      this.pos -= word.length;
      throw this.error('a value (object, array, string, number, true, false or null)');
    }
    return this.truncated(LITERALS[completed]?.value);
  }

  /** Skips whitespace and comments; true when the text ends here (a truncated answer). */
  private truncatedHere(): boolean {
    this.skipTrivia();
    if (this.pos < this.text.length) return false;
    this.repairs.add('truncation');
    return true;
  }

  private skipTrivia(): void {
    for (;;) {
      while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
      const two = this.text.slice(this.pos, this.pos + 2);
      if (two === '//') this.skipUntil('\n', 0);
      else if (two === '/*') this.skipUntil('*/', 2);
      else return;
      this.repairs.add('comments');
    }
  }

  private skipUntil(terminator: string, terminatorLength: number): void {
    const end = this.text.indexOf(terminator, this.pos + 2);
    this.pos = end === -1 ? this.text.length : end + terminatorLength;
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text)?.[0];
    if (found) this.pos += found.length;
    return found || undefined;
  }

  private consume<T>(value: T): T {
    this.pos++;
    return value;
  }

  private truncated<T>(value: T): T {
    this.repairs.add('truncation');
    return value;
  }

  private error(expected: string): JsonSyntaxError {
    return new JsonSyntaxError(expected, this.pos, this.text[this.pos]);
  }
}
