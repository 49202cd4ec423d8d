import { Logger } from '@nestjs/common';
import {
  chooseDemoGateway,
  explainDemoFailure,
  plannerProblem,
} from '../../../apps/agent/src/demo/demo-preflight';
import { runDemoScenarios } from '../../../apps/agent/src/demo/demo-runner';
import { TranscriptPrinter, summarizeObservation } from '../../../apps/agent/src/demo/transcript-printer';
import { AgentOrchestrator } from '../../../apps/agent/src/core/agent-orchestrator.service';
import { settingsFromConfig } from '../../../apps/agent/src/agent-app.module';
import { McpToolGateway } from '../../../apps/agent/src/tools/mcp-tool-gateway';
import { FakePlanner, FakeToolGateway, textCall } from '../support/fakes';
import { testSettings } from '../support/settings';

// No Nest app here to pass `logger: false` to: silence the orchestrator's Logger, which would print to the console.
beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('demo support', () => {
  it('summarises tool results in one line each', () => {
    expect(
      summarizeObservation('formalize_task', { title: 'T', requirements: [1, 2], acceptance_criteria: [] }),
    ).toBe('spec "T": 2 requirements, 0 acceptance criteria');
    expect(summarizeObservation('generate_code', { language: 'go', code: 'a\nb' })).toBe('go code, 2 lines');
    expect(
      summarizeObservation('review_code', { verdict: 'approve', score: 8, issues: [], summary: 'ok' }),
    ).toBe('approve, score 8/10, 0 issue(s) — ok');
    expect(summarizeObservation('other', 'plain text')).toBe('plain text');
  });

  it('prints every step and the outcome; stops after an infrastructure failure', async () => {
    let out = '';
    const planner = new FakePlanner([
      textCall('generate_code', { task: 't' }),
      { text: 'oops' },
      textCall('final_answer', { answer: 'fine' }),
    ]);
    const views = await runDemoScenarios(
      new AgentOrchestrator(planner, new FakeToolGateway(), testSettings()),
      (t) => (out += t),
    );
    expect(views).toHaveLength(2);
    expect(out).toContain('[step 1] asking the planner…');
    expect(out).toContain('→ calling generate_code…');
    expect(out).toContain('planner (');
    expect(out).toContain('✓ generate_code');
    expect(out).toContain('✗ rejected, error sent back to the planner: no JSON action');
    expect(out).toContain('final answer: fine');
    expect(out).toContain('code (python, from generate_code at step 1)');

    out = '';
    const broken = new FakeToolGateway();
    broken.failConnect = new Error('ECONNREFUSED');
    const failed = await runDemoScenarios(
      new AgentOrchestrator(new FakePlanner([]), broken, testSettings()),
      (t) => (out += t),
    );
    expect(failed).toHaveLength(1);
    expect(out).toContain('FAILED (gateway_error)');
    expect(out).toContain('Skipping the remaining scenarios');
  });

  it('prints tool errors and non-final outcomes', () => {
    let out = '';
    const printer = new TranscriptPrinter((t) => (out += t));
    printer.step({
      index: 1,
      kind: 'tool_error',
      startedAt: '',
      modelOutput: { text: '', toolCalls: [{ id: 'a', name: 'review_code', arguments: '{}' }] },
      action: { tool: 'review_code', arguments: {} },
      error: 'timeout',
      feedback: '',
      timings: { modelMs: 1, toolMs: 2, totalMs: 3 },
      tokens: { prompt: 1, completion: 1, total: 2, estimated: true },
    });
    expect(out).toContain('tokens: 2 = 1 prompt + 1 completion (estimated)');
    expect(out).toContain('planner (1 ms): [{"id":"a"');
    expect(out).toContain('✗ review_code failed (2 ms): timeout');
  });

  it('checks the planner before the demo', async () => {
    const planner = new FakePlanner([]);
    expect(await plannerProblem(planner)).toBeUndefined();
    planner.checkHealth = async () => ({
      role: 'planner',
      protocol: 'embedded',
      state: 'down',
      replicas: [
        { url: 'x', state: 'down', circuit: 'closed', consecutiveFailures: 1, lastError: 'no model file' },
      ],
    });
    expect(await plannerProblem(planner)).toBe('the planner (embedded) is down: no model file');
    planner.checkHealth = () => Promise.reject(new Error('boom'));
    expect(await plannerProblem(planner)).toContain('boom');
  });

  it('falls back to the spawned gateway when the configured one is unreachable', async () => {
    let out = '';
    await expect(
      chooseDemoGateway(
        new McpToolGateway({ kind: 'http', url: 'http://127.0.0.1:9/mcp' }),
        { kind: 'http', url: 'http://127.0.0.1:9/other' },
        (t) => (out += t),
      ),
    ).rejects.toThrow();
    expect(out).toContain('No MCP gateway at http://127.0.0.1:9/mcp');
  });

  it('explains what to set when real models are not available', () => {
    let out = '';
    expect(explainDemoFailure('planner down', (t) => (out += t))).toBe(2);
    expect(out).toContain('MISTRAL_ENDPOINT=');
    expect(out).toContain('npm run demo -- --replay');
  });

  it('uses the configured gateway when it answers', async () => {
    let out = '';
    const configured = new FakeToolGateway();
    expect(await chooseDemoGateway(configured, { kind: 'http', url: 'unused' }, (t) => (out += t))).toBe(
      configured,
    );
    expect(out).toBe('Using the MCP gateway at fake://gateway\n');
  });

  it('derives the loop settings from agentConfig, with the first gateway API key when keys are enforced', () => {
    const agent = {
      host: 'h',
      port: 1,
      apiKeys: [],
      allowedHosts: [],
      gatewayUrl: 'u',
      maxSteps: 5,
      maxWallTimeMs: 10,
      maxTokens: 99,
    };
    const settings = settingsFromConfig(agent);
    expect(settings).toMatchObject({
      gatewayUrl: 'u',
      maxSteps: 5,
      maxWallTimeMs: 10,
      maxTokens: 99,
      maxFormatRetries: 3,
    });
    expect(settings.gatewayApiKey).toBeUndefined();
    expect(settingsFromConfig(agent, { apiKeys: ['k1', 'k2'] }).gatewayApiKey).toBe('k1');
    expect(settingsFromConfig(agent, { apiKeys: [] }).gatewayApiKey).toBeUndefined();
    const withOwnKey = { ...agent, gatewayApiKey: 'agent-key' };
    expect(settingsFromConfig(withOwnKey, { apiKeys: ['k1'] }).gatewayApiKey).toBe('agent-key');
  });
});
