/** `.dockerignore` semantics for the patterns this repository uses: globs, `**`, `!` re-includes. */
import { readFileSync } from 'node:fs';

interface Rule {
  pattern: RegExp;
  include: boolean;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => {
      if (part === '**/' || part === '**') return '(?:.*/)?';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  // a pattern that names a directory excludes everything below it too
  return new RegExp(`^${body}(?:/.*)?$`);
}

export function readDockerignore(path: string): Rule[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      return { pattern: globToRegExp(include ? line.slice(1) : line), include };
    });
}

/** True when the path (relative to the build context) is left out of the context; the last match wins. */
export function isIgnored(rules: Rule[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.pattern.test(path)) ignored = !rule.include;
  }
  return ignored;
}
