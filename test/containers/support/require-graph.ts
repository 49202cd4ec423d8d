/**
 * Follows `require()` calls of compiled CommonJS output from an entry file and collects the npm packages
 * it reaches: what an image's production-only node_modules must provide for that entry point.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

const REQUIRE = /\brequire\(\s*["']([^"']+)["']\s*\)/g;
const BUILTINS = new Set(builtinModules);

function resolveLocal(fromFile: string, specifier: string): string | undefined {
  const base = join(dirname(fromFile), specifier);
  const candidates = [base, `${base}.js`, join(base, 'index.js')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export interface RequireGraph {
  files: Set<string>;
  packages: Set<string>;
  /** relative requires that point at no file (a broken build) */
  unresolved: string[];
}

export function requireGraph(entry: string): RequireGraph {
  const graph: RequireGraph = { files: new Set(), packages: new Set(), unresolved: [] };
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.files.has(file)) continue;
    graph.files.add(file);
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      if (specifier.startsWith('.')) {
        const resolved = resolveLocal(file, specifier);
        if (resolved) pending.push(resolved);
        else graph.unresolved.push(`${file}: ${specifier}`);
      } else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) {
        graph.packages.add(packageName(specifier));
      }
    }
  }
  return graph;
}
