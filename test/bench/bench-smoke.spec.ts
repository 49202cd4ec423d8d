import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEASURE_KEYS, type BenchResults } from '../../bench/report/results';

/*
 * `node dist/bench/main.js --smoke`: every measure with tiny counts, against the BUILT gateway. This checks
 * that the benchmark keeps working and writes complete JSON — not how fast anything is (the CI machine's
 * speed is nobody's target).
 */

const ROOT = process.cwd();
const BENCH_MAIN = join(ROOT, 'dist/bench/main.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSmoke(out: string): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH_MAIN, '--smoke', '--out', out], {
      cwd: ROOT,
      timeout: 150_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

describe('npm run bench -- --smoke (built, spawned)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  const out = join(dir, 'smoke.json');
  let run: Finished;
  let results: BenchResults;

  beforeAll(async () => {
    // test/global-setup.mjs has built dist/ (bench included) before any test file runs; building again here
    // would rewrite files under other tests' spawned processes
    expect(existsSync(BENCH_MAIN)).toBe(true);
    run = await runSmoke(out);
    if (existsSync(out)) results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
  }, 160_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('completes and prints the table with a verdict per target and the machine it ran on', () => {
    expect(run.stderr.slice(-2000)).not.toMatch(/Error:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('targets (gateway):');
    expect(run.stdout).toMatch(/^machine: .+, \d+ cores/m);
    expect(run.stdout.match(/^(PASS|FAIL) {2}/gm)?.length).toBeGreaterThanOrEqual(7);
  });

  it('writes JSON with every measure, numeric results for each subject, and the targets judged', () => {
    expect(Object.keys(results.measures).sort()).toEqual([...MEASURE_KEYS].sort());
    const { latencyC1, latencyConcurrent, throughput, burst, streaming, memory } = results.measures;
    for (const measure of [latencyC1, latencyConcurrent, results.measures.latencyC1Lean]) {
      for (const subject of ['direct', 'gateway', 'baseline'] as const) {
        expect(measure.subjects[subject].latencyMs.count).toBeGreaterThan(0);
        expect(isFiniteNumber(measure.subjects[subject].latencyMs.p99)).toBe(true);
        expect(measure.subjects[subject].errors).toBe(0);
      }
    }
    expect(isFiniteNumber(throughput.ratio)).toBe(true);
    expect(burst.errors).toEqual({ direct: 0, gateway: 0, baseline: 0 });
    expect(isFiniteNumber(streaming.firstProgress.addedMs.gateway)).toBe(true);
    expect(isFiniteNumber(streaming.chunkCost.perChunkUs.gateway)).toBe(true);
    expect(memory.gateway.callErrors).toBe(0);
    for (const run of [results.measures.modern.sequential, results.measures.modern.concurrent]) {
      for (const subject of ['direct', 'gateway-2026', 'gateway-2025', 'sdk-v2'] as const) {
        expect(run.subjects[subject].errors).toBe(0);
        expect(run.subjects[subject].latencyMs.count).toBeGreaterThan(0);
      }
      expect(isFiniteNumber(run.cpuRatioVsSdkV2)).toBe(true);
    }
    expect(memory.gateway.sessionsOpened).toBe(results.plan.churnSessions);
    expect(memory.gateway.afterChurn.rssMiB).toBeGreaterThan(0);
    expect(memory.gateway.afterChurn.heapUsedAfterGcMiB).toBeGreaterThan(0);
    const ids = results.targets.map((target) => target.id);
    for (const id of [
      'added-p50-c1',
      'added-p99-c1',
      'throughput-ratio',
      'burst-wall',
      'first-progress',
      'churn-rss-growth',
    ])
      expect(ids).toContain(id);
    expect(results.targets.every((target) => typeof target.pass === 'boolean')).toBe(true);
    expect(results.machine.cores).toBeGreaterThan(0);
    // measure 6: code execution, sandboxed vs a bare python3 (bubblewrap is installed by .ci/run)
    const sandbox = results.measures.sandbox;
    expect(sandbox?.available).toBe(true);
    if (sandbox?.available) {
      expect(sandbox.programs.map((p) => p.program)).toEqual(['trivial', 'humaneval-size']);
      for (const p of sandbox.programs) expect(isFiniteNumber(p.executionsPerSecond.sandboxed)).toBe(true);
    }
    expect(ids).toEqual(expect.arrayContaining(['sandbox-added-trivial', 'sandbox-rate-humaneval-size']));
  });
});
