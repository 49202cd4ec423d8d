/**
 * The CLI's composition (run-command) in-process: the same path `npm run eval` takes after parsing its
 * arguments — built gateway over stdio, sandbox, journal, progress, reports — with its output captured.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { oracleCodeModel, startModelServerEmulator } from '@app/testing';
import { runEvaluation } from '../../apps/eval/src/run-command';
import type { RunOptions } from '../../apps/eval/src/cli-options';
import { canonicalAnswers, gatewayEnvironment, problemsOf, readResults, REPO_ROOT } from './support';

describe('runEvaluation (what npm run eval composes)', () => {
  it('runs, journals, reports progress and writes the three reports', async () => {
    const problems = await problemsOf('humaneval-x-js');
    const emulator = await startModelServerEmulator({ handler: oracleCodeModel(canonicalAnswers(problems)) });
    const out = join(mkdtempSync(join(tmpdir(), 'eval-run-')), 'x.json');
    const options: RunOptions = {
      command: 'run',
      dataset: 'humaneval-x-js',
      mode: 'direct',
      limit: 5,
      concurrency: 3,
      timeoutSeconds: 10,
      resume: false,
      out,
    };
    const env = gatewayEnvironment({ STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions` });
    let stdout = '';
    let stderr = '';
    try {
      const code = await runEvaluation(options, {
        repoRoot: REPO_ROOT,
        config: loadConfig(env),
        env,
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        interactive: false,
        signal: new AbortController().signal,
      });
      expect(code).toBe(0);
    } finally {
      await emulator.close();
    }
    const results = readResults(out);
    expect(results).toMatchObject({ dataset: 'humaneval-x-js', total: 5, passed: 5, complete: true });
    expect(results.config).toMatchObject({
      gateway: 'the built gateway over stdio',
      concurrency: 3,
      timeout_seconds: 10,
      limit: 5,
    });
    expect(results.config.endpoints.code).toBe(`${emulator.url}/v1/chat/completions (auto)`);
    expect(stderr).toContain('humaneval-x-js · direct: 5 problems to run');
    expect(stderr).toMatch(/5\/5 · passed 5 \(100\.0%\) · ETA 0:00/);
    expect(stdout).toContain('pass@1                 100.0%  (5/5)');
    const journal = readFileSync(out.replace(/json$/, 'jsonl'), 'utf8').trim().split('\n');
    expect(journal).toHaveLength(6);
    expect(readFileSync(out.replace(/json$/, 'md'), 'utf8')).toContain(
      '# Evaluation: humaneval-x-js (direct)',
    );
    expect(existsSync(out.replace(/json$/, 'html'))).toBe(true);
  }, 60_000);
});
