import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Jest runs from the repository root (ESM test modules have no __dirname). */
export const REPO_ROOT = resolve(process.cwd());
export const BUILT_GATEWAY = join(REPO_ROOT, 'dist/apps/mcp-gateway/src/main.js');
export const BUILT_HEALTHCHECK = join(REPO_ROOT, 'dist/apps/mcp-gateway/src/healthcheck.js');

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

/** Same check as test/global-setup.mjs, for when a spec runs on its own: build once if dist is stale. */
export function ensureGatewayBuilt(): void {
  const stale =
    !existsSync(BUILT_GATEWAY) ||
    ['apps', 'libs', 'config'].some(
      (dir) => newestSource(join(REPO_ROOT, dir)) > statSync(BUILT_GATEWAY).mtimeMs,
    );
  if (!stale) return;
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'mcp-gateway'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
