import ts from 'typescript';
import type { EvalLanguage, EvalProblem } from '../datasets/problem';
import {
  escapeRegExp,
  noCode,
  normalizeCompletion,
  withNewline,
  type Assembly,
  type ProgramAssembler,
} from './assembly';

const NAME = '[A-Za-z_$][\\w$]*';

/** `function f(`, `async function f(`, `const f = …`, `let f: T = …`, at the start of a line. */
function declarationPattern(name: string): RegExp {
  const n = escapeRegExp(name);
  return new RegExp(
    `^(?:export\\s+)?(?:async\\s+)?(?:function\\s*\\*?\\s*${n}\\s*[(<]|(?:const|let|var)\\s+${n}\\b)`,
    'm',
  );
}

export function definesEcmaScriptFunction(code: string, name: string): boolean {
  return declarationPattern(name).test(code);
}

/** Names a chunk of code declares at the start of a line with `const`/`let`/`class` (redeclaring throws). */
function lexicalNames(code: string): Set<string> {
  const pattern = new RegExp(`^(?:export\\s+)?(?:const|let|class)\\s+(${NAME})`, 'gm');
  return new Set([...code.matchAll(pattern)].map((m) => m[1] ?? ''));
}

/** `export` makes a CommonJS script reference `exports`; the harness runs a plain script. */
function dropExports(code: string): string {
  return code.replace(/^export\s+(?:default\s+)?(?=(?:async\s+)?(?:function|const|let|var|class)\b)/gm, '');
}

/** Syntax errors only (no type check): what would stop the program before any test runs. */
function parses(code: string, language: EvalLanguage): boolean {
  const fileName = language === 'typescript' ? 'program.ts' : 'program.js';
  const output = ts.transpileModule(code, { fileName, reportDiagnostics: true, compilerOptions: {} });
  return (output.diagnostics ?? []).length === 0;
}

/** What precedes the entry point's declaration in the prompt: its doc comment and any helpers. */
function preambleOf(problem: EvalProblem): string {
  const matches = [...problem.prompt.matchAll(new RegExp(declarationPattern(problem.entryPoint), 'gm'))];
  const last = matches.at(-1);
  return last?.index === undefined ? '' : problem.prompt.slice(0, last.index);
}

/**
 * A whole function replaces the prompt's open declaration. The prompt's helpers stay, unless the answer
 * redeclares one of them with `const`/`let` (a SyntaxError in one script): then the answer stands alone.
 */
function assembleFunction(problem: EvalProblem, code: string): string {
  const preamble = preambleOf(problem);
  const answerNames = lexicalNames(code);
  const clash = [...lexicalNames(preamble)].some((name) => answerNames.has(name));
  return clash ? `${code}\n` : `${preamble}${code}\n`;
}

/**
 * MultiPL-E and HumanEval-X run `prompt + completion + "\n" + tests`; their completions end with the
 * function's closing brace. A body that forgot it gets it, when that is what makes the program parse.
 */
function assembleBody(problem: EvalProblem, code: string, language: EvalLanguage): string {
  const joined = `${withNewline(problem.prompt)}${code}\n`;
  if (parses(joined, language)) return joined;
  const closed = `${joined}}\n`;
  return parses(closed, language) ? closed : joined;
}

function ecmaScriptAssembler(language: 'javascript' | 'typescript'): ProgramAssembler {
  return {
    language,
    assemble(problem: EvalProblem, completion: string): Assembly {
      const code = dropExports(normalizeCompletion(completion));
      if (code.trim() === '') return noCode();
      if (definesEcmaScriptFunction(code, problem.entryPoint))
        return { ok: true, code: assembleFunction(problem, code), tests: problem.tests, shape: 'function' };
      return { ok: true, code: assembleBody(problem, code, language), tests: problem.tests, shape: 'body' };
    },
  };
}

export const javascriptAssembler = ecmaScriptAssembler('javascript');
export const typescriptAssembler = ecmaScriptAssembler('typescript');
