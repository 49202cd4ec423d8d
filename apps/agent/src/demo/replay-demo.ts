import { createModelClient } from '@app/inference';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { AgentOrchestrator } from '../core/agent-orchestrator.service';
import { DEFAULT_AGENT_TUNING, type AgentSettings, type RunView } from '../core/agent.types';
import { McpToolGateway, type GatewayTarget } from '../tools/mcp-tool-gateway';
import { runDemoScenarios } from './demo-runner';
import { replayCodeModelReply, replayPlannerReply } from './replay-script';
import type { Write } from './transcript-printer';

export const REPLAY_BANNER = [
  '┌──────────────────────────────────────────────────────────────────────────────┐',
  '│ SCRIPTED REPLAY — not a model. The planner and code-model answers below are  │',
  '│ canned replies served by the model-server emulator over HTTP; the inference  │',
  '│ client, the MCP gateway, the prompts, the parsers and the agent loop are     │',
  '│ real. Set MISTRAL_ENDPOINT / STARCODER_ENDPOINT and drop --replay to run the │',
  '│ same scenarios on real models.                                               │',
  '└──────────────────────────────────────────────────────────────────────────────┘',
].join('\n');

const REPLAY_SETTINGS: AgentSettings = {
  gatewayUrl: 'stdio',
  maxSteps: 8,
  maxWallTimeMs: 120_000,
  maxTokens: 32_000,
  ...DEFAULT_AGENT_TUNING,
};

export interface ReplayDemoOptions {
  /** how to reach a real gateway whose code model is the emulator at `codeModelUrl` */
  gatewayTarget: (codeModelUrl: string) => GatewayTarget;
  write: Write;
  /** a little latency so the transcript visibly progresses; 0 in tests */
  delayMs?: number;
}

async function startEmulators(delayMs: number): Promise<[ModelServerEmulator, ModelServerEmulator]> {
  const planner = await startModelServerEmulator({
    delayMs,
    models: ['mistral-7b-instruct (replay)'],
    handler: (request) => ({ text: replayPlannerReply(request.body) }),
  });
  const code = await startModelServerEmulator({
    delayMs: delayMs * 2,
    models: ['starcoder2-7b (replay)'],
    handler: (request) => ({ text: replayCodeModelReply(request.body) }),
  });
  return [planner, code];
}

/** `npm run demo -- --replay`: both scenarios through the whole pipeline, with scripted model answers. */
export async function runReplayDemo(options: ReplayDemoOptions): Promise<RunView[]> {
  options.write(`${REPLAY_BANNER}\n`);
  const [plannerEmulator, codeEmulator] = await startEmulators(options.delayMs ?? 150);
  const planner = createModelClient({
    role: 'planner',
    urls: [`${plannerEmulator.url}/chat`],
    protocol: 'local-models',
  });
  try {
    const gateway = new McpToolGateway(options.gatewayTarget(`${codeEmulator.url}/v1/chat/completions`));
    const orchestrator = new AgentOrchestrator(planner, gateway, REPLAY_SETTINGS);
    return await runDemoScenarios(orchestrator, options.write);
  } finally {
    await planner.close();
    await Promise.all([plannerEmulator.close(), codeEmulator.close()]);
  }
}
