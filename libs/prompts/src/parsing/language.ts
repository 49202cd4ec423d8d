/** Canonical language names this lib knows; anything else passes through lower-cased. */
export const KNOWN_LANGUAGES = [
  'bash',
  'c',
  'cpp',
  'csharp',
  'css',
  'dart',
  'go',
  'haskell',
  'html',
  'java',
  'javascript',
  'json',
  'kotlin',
  'lua',
  'markdown',
  'perl',
  'php',
  'python',
  'r',
  'ruby',
  'rust',
  'scala',
  'sql',
  'swift',
  'text',
  'typescript',
  'yaml',
] as const;

const ALIASES: Readonly<Record<string, string>> = {
  py: 'python',
  py3: 'python',
  python3: 'python',
  python2: 'python',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  'node.js': 'javascript',
  ecmascript: 'javascript',
  'c++': 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  h: 'c',
  golang: 'go',
  rs: 'rust',
  cs: 'csharp',
  'c#': 'csharp',
  dotnet: 'csharp',
  rb: 'ruby',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  kt: 'kotlin',
  kts: 'kotlin',
  pl: 'perl',
  postgres: 'sql',
  postgresql: 'sql',
  mysql: 'sql',
  sqlite: 'sql',
  plpgsql: 'sql',
  yml: 'yaml',
  md: 'markdown',
  txt: 'text',
  plaintext: 'text',
  plain: 'text',
  hs: 'haskell',
  jsonc: 'json',
  json5: 'json',
};

/** "py" → "python", "C++" → "cpp", "Golang" → "go"; unknown names come back trimmed and lower-cased. */
export function normalizeLanguage(name: string): string {
  const key = name.trim().toLowerCase();
  return ALIASES[key] ?? key;
}

/** Argument completion for MCP prompts: canonical names starting with the prefix (aliases resolve too). */
export function completeLanguage(prefix: string): string[] {
  const wanted = prefix.trim().toLowerCase();
  const viaAlias = ALIASES[wanted];
  const matches = KNOWN_LANGUAGES.filter((name) => name.startsWith(wanted));
  const all =
    viaAlias !== undefined && !matches.includes(viaAlias as never) ? [viaAlias, ...matches] : [...matches];
  return all.slice(0, 100);
}

type Signal = readonly [pattern: RegExp, weight: number];

/**
 * Every pattern below runs in time linear in its input (they run on user code and model output, on the
 * event loop): line-anchored patterns match horizontal space (`[ \t]*`), never `\s*`, which crosses newlines
 * and made `^\s*def …` quadratic on runs of blank lines (60 KB of newlines blocked the process 25 s);
 * quantifiers that could scan the rest of the text from each of many starts are bounded.
 *
 * Weighted hints per language. Scores add up; a language needs at least MIN_SCORE to be reported, so
 * two-line snippets with nothing distinctive stay undefined rather than guessed.
 */
const SIGNALS: ReadonlyArray<readonly [string, readonly Signal[]]> = [
  [
    'python',
    [
      [/^[ \t]*def \w+[ \t]*\(.*\)[ \t]*(->[ \t]*[^:\n]+)?:[ \t]*$/m, 4],
      [/^[ \t]*class \w+(\(.*\))?:[ \t]*$/m, 3],
      [/^[ \t]*(from [\w.]+ import \w|import \w[\w.]*[ \t]*$)/m, 2],
      [/\belif\b|\bself\.\w|__name__|\bNone\b|\bTrue\b|\bFalse\b/, 1.5],
      [/^[ \t]*(for|while|if) .*:[ \t]*$/m, 1],
    ],
  ],
  [
    'typescript',
    [
      [/\b(interface|type) \w+(<[^>\n]{0,200}>)?\s*[={]/, 3],
      [/\bfunction \w*\s*(<[^>\n]{0,200}>)?\([^)]{0,500}\w\s*:\s*[\w[\]<>|]+/, 4],
      [/\b(const|let|var) \w+\s*:\s*[\w[\]<>|]+\s*=/, 3],
      [/\):\s*(string|number|boolean|void|Promise<|unknown|never)/, 3],
      [/\b(private|public|readonly) \w+\s*[:(]/, 2],
      [/\bimport .* from ['"]|\bexport (const|function|class|default)\b/, 1],
      [/\b(const|let) \w+\s*=|=>/, 1],
    ],
  ],
  [
    'javascript',
    [
      [/\b(const|let|var) \w+\s*=/, 1.5],
      [/\bfunction\s*\w*\s*\([^):]{0,500}\)\s*\{/, 2],
      [/console\.log\(|module\.exports|require\(['"]|document\.\w|=>/, 1.5],
      [/\bimport .* from ['"]|\bexport (const|function|class|default)\b/, 1],
    ],
  ],
  [
    'go',
    [
      [/^package \w+/m, 4],
      [/\bfunc (\(\w+ \*?\w+\) )?\w+\(/, 4],
      [/:=/, 1],
      [/\bfmt\.\w+/, 2],
    ],
  ],
  [
    'rust',
    [
      [/\bfn \w+\s*(<[^>\n]{0,200}>)?\(/, 3],
      [/\blet mut\b|\bimpl\b|println!\(|\buse \w+::|&str\b|\bVec</, 3],
      [/\bpub (fn|struct|enum)\b/, 2],
    ],
  ],
  [
    'java',
    [
      [/System\.out\.print|^import java\./m, 4],
      [/\bpublic (static )?(final )?(class|void|int|String|boolean)\b/, 3],
      [/@Override|\bString\[\] args/, 2],
    ],
  ],
  [
    'csharp',
    [
      [/^using System|Console\.Write/m, 5],
      [/\bnamespace \w+|\{\s*get;\s*(set;)?\s*\}/, 3],
      [/\bpublic (static )?(class|void|int|string|bool)\b/, 2],
    ],
  ],
  [
    'cpp',
    [
      [/#include\s*<(iostream|vector|string|map|algorithm|memory|unordered_map)>/, 5],
      [/std::|\bcout\s*<</, 4],
      [/\btemplate\s*</, 3],
    ],
  ],
  [
    'c',
    [
      [/#include\s*<\w+\.h>/, 4],
      [/\bint main\s*\(/, 2],
      [/\bprintf\(|\bmalloc\(|\bstruct \w+\s*\*/, 2],
    ],
  ],
  [
    'ruby',
    [
      [/\battr_(reader|accessor|writer)\b|\.each do\b|\bdo \|\w+(, \w+)*\|/, 4],
      [/^[ \t]*def \w+[?!]?(\(.*\))?[ \t]*$/m, 2],
      [/^[ \t]*end[ \t]*$/m, 2],
      [/\bputs\b|^[ \t]*require ['"]/m, 2],
    ],
  ],
  [
    'php',
    [
      [/<\?php/, 6],
      [/\bfunction \w+\(\$/, 4],
      [/\$\w+\s*(=|->)/, 2],
    ],
  ],
  [
    'bash',
    [
      [/^#!.*\b(ba|z)?sh\b/m, 6],
      [/^[ \t]*(fi|done|esac|then)[ \t]*$|^[ \t]*if \[/m, 3],
      [/^[ \t]*(echo|export|set -e|cd|grep|apt-get|npm|pip) /m, 1.5],
      [/\$\{?\w+\}?/, 0.5],
    ],
  ],
  [
    'sql',
    [
      [/\bSELECT\b[\s\S]{1,2000}?\bFROM\b/i, 4],
      [/\b(CREATE TABLE|INSERT INTO|DELETE FROM|ALTER TABLE)\b/i, 4],
      [/\bUPDATE \w+ SET\b/i, 4],
    ],
  ],
  [
    'kotlin',
    [
      [/\bfun \w+\s*\(/, 3],
      [/\bval \w+\s*[:=]|\bprintln\(/, 1.5],
    ],
  ],
  ['html', [[/<!DOCTYPE html>|<html\b|<\/div>|<body\b/i, 5]]],
];

const MIN_SCORE = 3;

function score(code: string, signals: readonly Signal[]): number {
  return signals.reduce((sum, [pattern, weight]) => sum + (pattern.test(code) ? weight : 0), 0);
}

/** The language shows in the first lines; a megabyte of code says nothing more, it only costs time. */
const DETECTION_SAMPLE_CHARS = 16_384;

/** Best guess of a snippet's language from weighted hints, or undefined when nothing is distinctive. */
export function detectLanguage(code: string): string | undefined {
  const sample = code.length > DETECTION_SAMPLE_CHARS ? code.slice(0, DETECTION_SAMPLE_CHARS) : code;
  let best: { language: string; score: number } | undefined;
  for (const [language, signals] of SIGNALS) {
    const total = score(sample, signals);
    if (total >= MIN_SCORE && total > (best?.score ?? 0)) best = { language, score: total };
  }
  return best?.language;
}
