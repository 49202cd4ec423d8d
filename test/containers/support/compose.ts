/**
 * Reads docker-compose.yml the way Compose does for the parts the tests check: YAML merge keys (`<<`) and
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` interpolation.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: ComposeHealthcheck;
  deploy?: {
    resources?: {
      reservations?: { devices?: Array<{ driver?: string; device_ids?: string[]; capabilities?: string[] }> };
    };
  };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** Names of every variable the raw file interpolates. */
export function referencedVariables(rawText: string): string[] {
  return [...new Set([...rawText.matchAll(VARIABLE)].map((match) => match[1] ?? ''))].sort();
}

/** Compose's substitution rules for one string. */
export function interpolate(text: string, environment: Record<string, string | undefined>): string {
  return text.replace(
    VARIABLE,
    (_whole, name: string, operator: string | undefined, operand: string = '') => {
      const value = environment[name];
      const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      if (!missing) return value ?? '';
      if (operator?.endsWith('?')) throw new Error(`required variable ${name} is missing: ${operand}`);
      return operator ? operand : '';
    },
  );
}

/** Interpolates every string in a parsed document (Compose interpolates values, after YAML parsing). */
function interpolateValues(value: unknown, environment: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, environment);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, environment));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateValues(item, environment)]),
    );
  }
  return value;
}

/** Parses the file and interpolates it as `docker compose config` does, merge keys resolved. */
export function loadCompose(path: string, environment: Record<string, string | undefined> = {}): ComposeFile {
  const document: unknown = parse(readFileSync(path, 'utf8'), { merge: true });
  return interpolateValues(document, environment) as ComposeFile;
}

/** `KEY=value` lines of an env file; with `includeCommented`, `# KEY=value` lines count as documented too. */
export function readEnvFile(path: string, includeCommented = false): Map<string, string> {
  const entries = new Map<string, string>();
  const pattern = includeCommented ? /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = pattern.exec(line.trim());
    if (match?.[1] && !entries.has(match[1])) entries.set(match[1], (match[2] ?? '').trim());
  }
  return entries;
}
