import { join, resolve } from 'node:path';

/** Jest runs from the repository root (ESM test modules have no __dirname). */
export const REPO_ROOT = resolve(process.cwd());
export const BUILT_GATEWAY = join(REPO_ROOT, 'dist/apps/mcp-gateway/src/main.js');
export const BUILT_HEALTHCHECK = join(REPO_ROOT, 'dist/apps/mcp-gateway/src/healthcheck.js');
