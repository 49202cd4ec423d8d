import { Script } from 'node:vm';
import type { EvalLanguage } from '../datasets/problem';

/**
 * MultiPL-E's prompts show the docstring examples as `// >>> f(x)` followed by `// value`, already
 * translated into JavaScript syntax ("doctests: transform"). They become `node:assert` checks; each
 * one is compiled (never run) first, so an example that is not valid JavaScript is left out instead
 * of breaking the whole test file.
 */

interface Example {
  call: string;
  expected: string;
}

/** Compiles without running: `vm.Script` only parses here. */
function parses(expression: string): boolean {
  try {
    new Script(`(${expression});`);
    return true;
  } catch {
    return false;
  }
}

function commentText(line: string | undefined): string | undefined {
  const match = /^\s*\/\/\s?(.*)$/.exec(line ?? '');
  return match?.[1]?.trim();
}

export function findEcmaScriptExamples(prompt: string): Example[] {
  const lines = prompt.split('\n');
  const examples: Example[] = [];
  lines.forEach((line, index) => {
    const call = /^>>>\s*(.+)$/.exec(commentText(line) ?? '')?.[1]?.trim();
    const expected = commentText(lines[index + 1]);
    if (!call || !expected || expected.startsWith('>>>')) return;
    if (parses(call) && parses(expected)) examples.push({ call, expected });
  });
  return examples;
}

const HEADER: Record<'javascript' | 'typescript', string> = {
  javascript: `const assert = require('node:assert');
function example(source, actual, expected) {
  try { assert.deepEqual(actual, expected); }
  catch { throw new assert.AssertionError({ message: \`\${source} returned \${JSON.stringify(actual)}, expected \${JSON.stringify(expected)}\` }); }
}`,
  typescript: `declare var require: any;
const assert = require('node:assert');
function example(source: string, actual: unknown, expected: unknown): void {
  try { assert.deepEqual(actual, expected); }
  catch { throw new assert.AssertionError({ message: \`\${source} returned \${JSON.stringify(actual)}, expected \${JSON.stringify(expected)}\` }); }
}`,
};

/** The test program, or undefined when the prompt shows no usable example. */
export function ecmaScriptExampleTests(prompt: string, language: EvalLanguage): string | undefined {
  const examples = findEcmaScriptExamples(prompt);
  if (examples.length === 0 || language === 'python') return undefined;
  const calls = examples.map((e) => `example(${JSON.stringify(e.call)}, ${e.call}, ${e.expected});`);
  return `${HEADER[language]}\n${calls.join('\n')}\n`;
}

/** HumanEval-X's examples use `console.assert`, which only prints; this one throws so failures count. */
export const throwingConsoleAssert = `console.assert = (condition, ...details) => {
  if (!condition) throw new Error(['Assertion failed', ...details.map(String)].join(': '));
};`;
