/**
 * `npm run eval` as a user runs it: interrupted with Ctrl-C, killed outright, resumed; and agent mode
 * end to end (the built agent service and gateway started by the harness, planner and code model on the
 * emulator, hidden tests in the sandbox).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleCodeModel, oraclePlanner, startModelServerEmulator } from '@app/testing';
import { emulatorEndpoint, startGateway } from '../gateway/support/gateway-harness';
import {
  answers,
  canonicalAnswers,
  gatewayEnvironment,
  journalTasks,
  problemsOf,
  readResults,
  runEvalCli,
} from './support';

describe('npm run eval: interrupt, crash, resume', () => {
  it('Ctrl-C keeps what finished; a crash loses nothing; --resume finishes the rest', async () => {
    const problems = (await problemsOf('humaneval')).slice(0, 10);
    // slow answers, so the interruptions land in the middle of the run
    const emulator = await startModelServerEmulator({
      handler: oracleCodeModel(canonicalAnswers(problems)),
      delayMs: 400,
    });
    const out = join(mkdtempSync(join(tmpdir(), 'eval-resume-')), 'run.json');
    const journal = out.replace(/json$/, 'jsonl');
    const env = gatewayEnvironment({ STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions` });
    const args = ['--dataset', 'humaneval', '--limit', '10', '--concurrency', '2', '--out', out];
    try {
      const interrupted = await runEvalCli(args, env, {
        interrupt: { signal: 'SIGINT', when: () => journalTasks(journal) >= 3 },
      });
      expect(interrupted.code).toBe(130);
      expect(interrupted.stderr).toContain('continue with --resume');
      const partial = readResults(out);
      expect(partial.complete).toBe(false);
      expect(partial.total).toBeGreaterThanOrEqual(3);
      expect(partial.total).toBeLessThan(10);

      const crashed = await runEvalCli([...args, '--resume'], env, {
        interrupt: { signal: 'SIGKILL', when: () => journalTasks(journal) >= partial.total + 2 },
      });
      expect(crashed.code).toBeNull();
      const kept = journalTasks(journal);
      expect(kept).toBeGreaterThanOrEqual(partial.total + 2);

      // the killed run's gateway notices its closed stdin and stops; let its last model calls settle
      const deadline = Date.now() + 10_000;
      while (emulator.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const asked = () => emulator.requests.filter((r) => r.path === '/v1/chat/completions').length;
      const before = asked();
      const finished = await runEvalCli([...args, '--resume'], env);
      expect(finished.code).toBe(0);
      expect(readResults(out)).toMatchObject({ total: 10, passed: 10, complete: true });
      // only the problems not yet in the journal were asked again
      expect(asked() - before).toBe(10 - kept);
      const lines = readFileSync(journal, 'utf8').trim().split('\n');
      expect(lines[0]).toContain('"type":"header"');
    } finally {
      await emulator.close();
    }
  }, 120_000);
});

describe('npm run eval -- --mode agent', () => {
  it('one full agent run per problem, end to end on the emulator', async () => {
    const problems = (await problemsOf('humaneval')).slice(0, 3);
    // whole functions: the agent itself runs the task's examples against the code it returns
    const oracle = answers(problems, (p) => `${p.prompt}${p.canonicalSolution ?? ''}`);
    const planner = await startModelServerEmulator({ handler: oraclePlanner(oracle) });
    const code = await startModelServerEmulator({ handler: oracleCodeModel(oracle) });
    const out = join(mkdtempSync(join(tmpdir(), 'eval-agent-')), 'agent.json');
    try {
      const env = gatewayEnvironment({
        STARCODER_ENDPOINT: `${code.url}/v1/chat/completions`,
        MISTRAL_ENDPOINT: `${planner.url}/chat`,
      });
      const run = await runEvalCli(
        ['--dataset', 'humaneval', '--mode', 'agent', '--limit', '3', '--out', out],
        env,
      );
      expect(run.code).toBe(0);
      const results = readResults(out);
      expect(results).toMatchObject({ mode: 'agent', total: 3, passed: 3 });
      // every answer is a whole function, so the agent's own check of the examples passes too
      for (const task of results.tasks) {
        expect(task).toMatchObject({ verification: 'final_answer', rounds: 2 });
        expect(task.tokens?.estimated).toBe(false);
      }
      expect(results.config.agent).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(results.config.endpoints.planner).toContain('/chat');
      // the planner really drove the runs: two turns per problem
      expect(planner.requests.filter((r) => r.path === '/chat')).toHaveLength(6);
    } finally {
      await Promise.all([planner.close(), code.close()]);
    }
  }, 120_000);
});

describe('npm run eval -- --gateway URL', () => {
  it('measures a running gateway over Streamable HTTP, with its API key', async () => {
    const problems = (await problemsOf('multipl-e-js')).slice(0, 3);
    const oracle = problems.map((p) => ({
      prompt: p.prompt,
      language: p.language,
      answer: '  return undefined;\n}',
    }));
    const emulator = await startModelServerEmulator({ handler: oracleCodeModel(oracle) });
    const gateway = await startGateway({ ...emulatorEndpoint(emulator.url), GATEWAY_API_KEYS: 'eval-key' });
    const out = join(mkdtempSync(join(tmpdir(), 'eval-remote-')), 'remote.json');
    try {
      const args = [
        '--dataset',
        'multipl-e-js',
        '--limit',
        '3',
        '--gateway',
        `${gateway.baseUrl}/mcp`,
        '--out',
        out,
      ];
      const refused = await runEvalCli(args, gatewayEnvironment({}));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/mcp/);
      const run = await runEvalCli([...args, '--gateway-key', 'eval-key'], gatewayEnvironment({}));
      expect(run.code).toBe(0);
      const results = readResults(out);
      expect(results).toMatchObject({ total: 3, passed: 0, failures_by_reason: { wrong_answer: 3 } });
      expect(results.config.gateway).toBe(`${gateway.baseUrl}/mcp`);
      expect(results.config.endpoints.code).toBe(`as configured on ${gateway.baseUrl}/mcp`);
      expect(emulator.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(3);
    } finally {
      await gateway.close();
      await emulator.close();
    }
  }, 60_000);
});
