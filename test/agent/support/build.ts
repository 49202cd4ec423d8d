import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.cwd();
/** test/support holds the emulator the replay demo starts, so it counts as a source of the build too. */
const SOURCE_DIRS = ['apps', 'libs', 'config', 'test/support'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds (SWC, ~2 s) only when one of `entries` is missing or older than the sources: never test stale output. */
export function ensureBuilt(entries: string[]): void {
  const newest = Math.max(...SOURCE_DIRS.map((dir) => newestSource(join(ROOT, dir))));
  const stale = entries.some((entry) => !existsSync(entry) || statSync(entry).mtimeMs < newest);
  if (!stale) return;
  const nest = join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js');
  const build = spawnSync(process.execPath, [nest, 'build', 'mcp-gateway'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr || build.stdout}`);
}
