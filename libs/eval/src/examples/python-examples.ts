/**
 * The examples a HumanEval docstring shows (`>>> f(x)` then the value; `f(x) == y`, `f(x) ➞ y`,
 * `f(x) => y`, `f(x) returns y`, …) as a Python test program: what `verified` mode may show the model.
 *
 * Docstrings are prose, so an example is kept only when both its arguments and its expected value are
 * Python literals — checked in Python itself with `ast.literal_eval` at run time, which skips prose
 * such as `fruit_distribution("5 apples", 19) -> 19 - 5 - 6 = 8` instead of failing the whole file.
 */

export interface DocExample {
  /** the text between the call's parentheses */
  args: string;
  expected: string;
}

const ARROWS = /^\s*(?:==>|=>|➞|->|==|=|returns|should return|# =>|# returns|#\s*returns)\s*/;

/** The index just past the parenthesis closing the one at `open`, or -1 when it does not close. */
export function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') if (--depth === 0) return i + 1;
  }
  return -1;
}

/** `name(args)` at `start` of `line`: its argument text and what follows the call. */
function splitCall(line: string, start: number, name: string): { args: string; rest: string } | undefined {
  const open = start + name.length;
  if (line[open] !== '(') return undefined;
  const end = matchingParen(line, open);
  if (end < 0) return undefined;
  return { args: line.slice(open + 1, end - 1), rest: line.slice(end) };
}

function cleanExpected(text: string): string {
  return text
    .replace(/\s+#.*$/, '')
    .replace(/\.\s*$/, '')
    .trim();
}

/** `f(x) ==> y` and its spellings, anywhere on a line ("for example: f(x) == y"). */
function inlineExample(line: string, name: string): DocExample | undefined {
  const at = line.search(new RegExp(`(?<![\\w.])${name}\\(`));
  if (at < 0 || line.slice(0, at).includes('>>>')) return undefined;
  const call = splitCall(line, at, name);
  const arrow = call && ARROWS.exec(call.rest);
  if (!call || !arrow) return undefined;
  const expected = cleanExpected(call.rest.slice(arrow[0].length));
  return expected ? { args: call.args, expected } : undefined;
}

/** `>>> f(x)` followed by the value on the next line (doctest style). */
function doctestExample(lines: string[], index: number, name: string): DocExample | undefined {
  const line = lines[index]?.trim() ?? '';
  if (!line.startsWith(`>>> ${name}(`)) return undefined;
  const call = splitCall(line, 4, name);
  const expected = cleanExpected(lines[index + 1]?.trim() ?? '');
  if (!call || call.rest.trim() !== '' || expected === '' || expected.startsWith('>>>')) return undefined;
  return { args: call.args, expected };
}

/** Every example of `name` the prompt shows, in order, without duplicates. */
export function findPythonExamples(prompt: string, name: string): DocExample[] {
  const lines = prompt.split('\n');
  const found = new Map<string, DocExample>();
  lines.forEach((_, index) => {
    const example = doctestExample(lines, index, name) ?? inlineExample(lines[index] ?? '', name);
    if (example) found.set(`${example.args}\u0000${example.expected}`, example);
  });
  return [...found.values()];
}

const RUNNER = `
def _check_examples(function, examples):
    import ast
    checked = 0
    for source, args, expected in examples:
        try:
            args = ast.literal_eval("(" + args + ",)") if args.strip() else ()
            expected = ast.literal_eval(expected)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue  # prose in the docstring, not a literal example
        actual = function(*args)
        assert actual == expected, f"{source} returned {actual!r}, expected {expected!r}"
        checked += 1
`;

/** The test program, or undefined when the docstring shows no usable example. */
export function pythonExampleTests(
  prompt: string,
  name: string,
  keep: (source: string) => boolean = () => true,
): string | undefined {
  const examples = findPythonExamples(prompt, name).filter((e) => keep(`${name}(${e.args})`));
  if (examples.length === 0) return undefined;
  const rows = examples.map(
    (e) =>
      `    (${JSON.stringify(`${name}(${e.args})`)}, ${JSON.stringify(e.args)}, ${JSON.stringify(e.expected)}),`,
  );
  return `${RUNNER}\n_check_examples(${name}, [\n${rows.join('\n')}\n])\n`;
}
