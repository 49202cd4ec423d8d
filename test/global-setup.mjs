/**
 * Jest globalSetup (wired in jest.config.mjs): builds once (SWC, ~2 s) when dist/ is missing or older than the
 * sources, so every test that spawns a built entry point (gateway over stdio, healthcheck CLI, agent demo,
 * benchmark) runs the current code. It runs before any test file, also when a single file is run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// test/support is built too: the agent's replay demo starts the model-server emulator from dist.
const SOURCE_DIRS = ['apps', 'libs', 'config', 'test/support', 'bench'];
const BUILT_ENTRIES = [
  'dist/apps/mcp-gateway/src/main.js',
  'dist/apps/mcp-gateway/src/healthcheck.js',
  'dist/apps/agent/src/main.js',
].map((entry) => join(ROOT, entry));

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
  if (!BUILT_ENTRIES.every((entry) => existsSync(entry))) return true;
  const sources = Math.max(...SOURCE_DIRS.map((dir) => newestSourceMtime(join(ROOT, dir))));
  return BUILT_ENTRIES.some((entry) => sources > statSync(entry).mtimeMs);
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
