/**
 * Static checks of docker/Dockerfile (no Docker engine on these machines): lint, pinned bases, the
 * production-only runtime, non-root user, signal handling, and the sources the build stage copies.
 * What the images execute at run time is checked against the build output in image-runtime.spec.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  effectiveInstructions,
  execForm,
  lastInstruction,
  loadDockerfile,
  parseCopy,
  parseHealthcheck,
  type Stage,
} from './support/dockerfile';
import { isIgnored, readDockerignore } from './support/dockerignore';
import { REPO_ROOT } from './support/paths';
import { run } from './support/processes';

const DOCKERFILE = join(REPO_ROOT, 'docker', 'Dockerfile');
const stages: Stage[] = loadDockerfile(DOCKERFILE);
const TARGETS = ['gateway', 'agent'] as const;

function stage(name: string): Stage {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`stage ${name} missing`);
  return found;
}

function runCommands(name: string): string[] {
  return stage(name)
    .instructions.filter((i) => i.keyword === 'RUN')
    .map((i) => i.args);
}

describe('docker/Dockerfile', () => {
  it('lints clean with dockerfilelint', async () => {
    const result = await run(process.execPath, [
      'node_modules/dockerfilelint/bin/dockerfilelint',
      '--output',
      'json',
      'docker/Dockerfile',
    ]);
    const report = JSON.parse(result.stdout) as { totalIssues: number; files: Array<{ issues: unknown[] }> };
    expect(report.files[0]?.issues).toEqual([]);
    expect(report.totalIssues).toBe(0);
    expect(result.code).toBe(0);
  });

  it('builds the gateway and the agent as separate targets from one runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime', 'gateway', 'agent']);
    expect(stage('gateway').base).toBe('runtime');
    expect(stage('agent').base).toBe('runtime');
  });

  it('starts every stage from an earlier stage or one base image pinned to an exact version', () => {
    const names = stages.map((s) => s.name);
    const external = stages.filter((s, index) => !names.slice(0, index).includes(s.base)).map((s) => s.base);
    expect(external.length).toBeGreaterThan(0);
    for (const base of external)
      expect(base).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/);
    expect(new Set(external).size).toBe(1);
  });

  it('installs from the lockfile, builds, then keeps production dependencies only', () => {
    const commands = runCommands('build').join(' && ');
    expect(commands).toMatch(/npm ci\b/);
    expect(commands.indexOf('npm run build')).toBeGreaterThan(commands.indexOf('npm ci'));
    expect(commands.indexOf('npm prune --omit=dev')).toBeGreaterThan(commands.indexOf('npm run build'));
    const runtimeCopies = effectiveInstructions(stages, 'gateway', 'COPY').map((i) => parseCopy(i.args));
    const modules = runtimeCopies.find((copy) => copy.sources.includes('/app/node_modules'));
    expect(modules?.from).toBe('build');
  });

  it('copies every source folder the SWC build compiles (nest-cli.json builder filenames)', () => {
    const nestCli = JSON.parse(readFileSync(join(REPO_ROOT, 'nest-cli.json'), 'utf8')) as {
      compilerOptions: { builder: { options: { filenames: string[] } } };
    };
    const copied = stage('build')
      .instructions.filter((i) => i.keyword === 'COPY')
      .flatMap((i) => parseCopy(i.args).sources);
    for (const folder of nestCli.compilerOptions.builder.options.filenames) expect(copied).toContain(folder);
    for (const file of [
      'package.json',
      'package-lock.json',
      'nest-cli.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ]) {
      expect(copied).toContain(file);
    }
  });

  it('copies only build-context paths that exist and that .dockerignore lets through', () => {
    const rules = readDockerignore(join(REPO_ROOT, '.dockerignore'));
    const contextSources = stages
      .flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args)))
      .filter((copy) => !copy.from)
      .flatMap((copy) => copy.sources);
    expect(contextSources.length).toBeGreaterThan(5);
    for (const source of contextSources) {
      expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: isIgnored(rules, source) }).toEqual({ source, ignored: false });
    }
  });

  it('keeps secrets, local installs and build output out of the build context', () => {
    const rules = readDockerignore(join(REPO_ROOT, '.dockerignore'));
    for (const path of [
      '.env',
      '.env.local',
      'node_modules/x',
      'libs/a/node_modules/x',
      'dist/main.js',
      '.git/HEAD',
    ]) {
      expect({ path, ignored: isIgnored(rules, path) }).toEqual({ path, ignored: true });
    }
    expect(isIgnored(rules, '.env.example')).toBe(false);
  });

  it.each(TARGETS)('%s: runs node directly as PID 1, as a non-root user, stopping on SIGTERM', (target) => {
    const command = execForm(lastInstruction(stages, target, 'CMD')?.args ?? '');
    expect(command?.[0]).toBe('node');
    expect(command?.[1]).toMatch(/^\/app\/dist\/apps\/.+\/main\.js$/);
    expect(lastInstruction(stages, target, 'ENTRYPOINT')).toBeUndefined();
    expect(lastInstruction(stages, target, 'USER')?.args).toMatch(/^(?!root$|0$)\S+$/);
    expect(lastInstruction(stages, target, 'STOPSIGNAL')?.args).toBe('SIGTERM');
  });

  it.each(TARGETS)('%s: has an exec-form node HEALTHCHECK bounded by a timeout', (target) => {
    const healthcheck = parseHealthcheck(lastInstruction(stages, target, 'HEALTHCHECK')?.args ?? '');
    expect(healthcheck.command[0]).toBe('node');
    expect(healthcheck.options.timeout).toMatch(/^\d+s$/);
    expect(healthcheck.options.interval).toMatch(/^\d+s$/);
  });

  it('no runtime stage installs or keeps npm (processes start with node, not npm)', () => {
    expect(runCommands('runtime').join(' ')).toMatch(/rm -rf[^&]*\/usr\/local\/lib\/node_modules\/npm/);
    for (const target of TARGETS) expect(runCommands(target)).toEqual([]);
  });

  it('gives the embedded engine a writable model cache that can be a volume', () => {
    const env = effectiveInstructions(stages, 'gateway', 'ENV')
      .map((i) => i.args)
      .join(' ');
    const cacheDir = /MODEL_CACHE_DIR=(\S+)/.exec(env)?.[1] ?? '';
    expect(cacheDir).not.toBe('');
    const volume = execForm(lastInstruction(stages, 'runtime', 'VOLUME')?.args ?? '') ?? [];
    expect(volume.some((dir) => cacheDir.startsWith(dir))).toBe(true);
    expect(runCommands('runtime').join(' ')).toContain(`chown -R node:node ${volume[0]}`);
  });
});

describe('node-llama-cpp binaries in the image', () => {
  const trimStep = runCommands('build').find((command) => command.includes('@node-llama-cpp')) ?? '';
  const archPackage = `linux-${process.arch}`;
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'llama-binaries-'));
    for (const name of [
      'linux-x64',
      'linux-x64-cuda',
      'linux-x64-cuda-ext',
      'linux-x64-vulkan',
      'linux-arm64',
      'linux-armv7l',
    ]) {
      mkdirSync(join(scratch, 'node_modules', '@node-llama-cpp', name), { recursive: true });
    }
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function kept(): string[] {
    return readdirSync(join(scratch, 'node_modules', '@node-llama-cpp')).sort();
  }

  it('keeps only the CPU binary of the build architecture by default (the ARG default)', async () => {
    const defaultValue = /LLAMA_BINARIES=(\S+)/.exec(
      stage('build').instructions.find((i) => i.keyword === 'ARG')?.args ?? '',
    )?.[1];
    expect(defaultValue).toBe('cpu');
    const result = await run('sh', ['-c', trimStep], {
      cwd: scratch,
      env: { ...process.env, LLAMA_BINARIES: 'cpu' },
    });
    expect(result.code).toBe(0);
    expect(kept()).toEqual([archPackage]);
  });

  it('keeps every variant with LLAMA_BINARIES=all', async () => {
    const result = await run('sh', ['-c', trimStep], {
      cwd: scratch,
      env: { ...process.env, LLAMA_BINARIES: 'all' },
    });
    expect(result.code).toBe(0);
    expect(kept()).toHaveLength(6);
  });

  it('the kept package is a real optional dependency of node-llama-cpp, installed by npm ci', () => {
    const manifest = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules/node-llama-cpp/package.json'), 'utf8'),
    ) as {
      optionalDependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.optionalDependencies)).toContain(`@node-llama-cpp/${archPackage}`);
    expect(existsSync(join(REPO_ROOT, 'node_modules', '@node-llama-cpp', archPackage, 'bins'))).toBe(true);
  });
});
