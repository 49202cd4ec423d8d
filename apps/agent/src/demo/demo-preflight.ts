import type { ModelClient } from '@app/inference';
import { describeError } from '../core/agent.errors';
import { McpToolGateway, type GatewayTarget } from '../tools/mcp-tool-gateway';
import type { ToolGateway } from '../tools/tool-gateway';
import type { Write } from './transcript-printer';

const PROBE_TIMEOUT_MS = 5_000;

/** Why the planner cannot serve the demo, or undefined when it can (a model still to download is fine). */
export async function plannerProblem(planner: ModelClient): Promise<string | undefined> {
  try {
    const health = await planner.checkHealth(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    const lastError = health.replicas.find((r) => r.lastError)?.lastError;
    if (health.state === 'down')
      return `the planner (${health.protocol}) is down${lastError ? `: ${lastError}` : ''}`;
    return undefined;
  } catch (error) {
    return `the planner cannot be reached: ${describeError(error)}`;
  }
}

/**
 * The configured gateway when it answers; otherwise the built gateway spawned over stdio with the same
 * environment, so `npm run demo` needs no second terminal.
 */
export async function chooseDemoGateway(
  configured: ToolGateway,
  fallback: GatewayTarget,
  write: Write,
): Promise<ToolGateway> {
  const where = configured.describe();
  try {
    await configured.ping(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    write(`Using the MCP gateway at ${where}\n`);
    return configured;
  } catch (error) {
    write(`No MCP gateway at ${where} (${describeError(error)}): starting the built gateway over stdio.\n`);
    const spawned = new McpToolGateway(fallback);
    await spawned.ping();
    return spawned;
  }
}

/** The one clear message when the demo cannot use real models: what to set, and the replay alternative. */
export function explainDemoFailure(problem: string, write: Write): number {
  write(
    [
      '',
      `The demo could not run against real models: ${problem}`,
      'To run it on your model servers, set for example:',
      '  MISTRAL_ENDPOINT=http://gpu-host:8000/v1/chat/completions   (planner, Mistral-7B-Instruct; …/chat for local-models)',
      '  STARCODER_ENDPOINT=http://gpu-host:8001/v1/completions      (code model, StarCoder2, used by the gateway)',
      '  MCP_GATEWAY_URL=http://127.0.0.1:3000/mcp                   (optional: a running gateway; else one is spawned)',
      'Without endpoints the embedded engine downloads the default GGUF models, which needs network access',
      '(or point MISTRAL_MODEL_FILE / STARCODER_MODEL_FILE at local GGUF files).',
      'To see the whole pipeline without any model, run the scripted replay: npm run demo -- --replay',
      '',
    ].join('\n'),
  );
  return 2;
}
