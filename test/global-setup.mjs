/**
 * Jest globalSetup: builds the apps once (SWC, ~2 s) when dist/ is older than the sources, so e2e tests that
 * spawn the built gateway as a real child process (stdio) run against the current code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SOURCE_DIRS = ['apps', 'libs', 'config'];
const BUILT_ENTRY = join(ROOT, 'dist/apps/mcp-gateway/src/main.js');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function isBuildStale() {
  if (!existsSync(BUILT_ENTRY)) return true;
  const sources = Math.max(...SOURCE_DIRS.map((dir) => newestSourceMtime(join(ROOT, dir))));
  return sources > statSync(BUILT_ENTRY).mtimeMs;
}

export default function globalSetup() {
  if (!isBuildStale()) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'mcp-gateway'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
