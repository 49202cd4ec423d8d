import type { ModelClient } from '@app/inference';
import { describeError } from '../core/agent.errors';
import { McpToolGateway } from '../tools/mcp-tool-gateway';
import type { Write } from './transcript-printer';

const PROBE_TIMEOUT_MS = 5_000;

/** Why the demo cannot run against the configured endpoints, or undefined when it can. */
export async function checkDemoPrerequisites(
  planner: ModelClient,
  gatewayUrl: string,
): Promise<string | undefined> {
  try {
    const health = await planner.checkHealth(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    const lastError = health.replicas.find((r) => r.lastError)?.lastError;
    if (health.state === 'down')
      return `the planner (${health.protocol}) is down${lastError ? `: ${lastError}` : ''}`;
  } catch (error) {
    return `the planner cannot be reached: ${describeError(error)}`;
  }
  try {
    await new McpToolGateway({ kind: 'http', url: gatewayUrl }).ping(AbortSignal.timeout(PROBE_TIMEOUT_MS));
  } catch (error) {
    return `the MCP gateway at ${gatewayUrl} cannot be reached (${describeError(error)}); start it with \`npm run start:gateway\``;
  }
  return undefined;
}

/** The one clear message when the demo cannot use real models: what to set, and the replay alternative. */
export function explainDemoFailure(problem: string, write: Write): number {
  write(
    [
      '',
      `The demo could not run against real models: ${problem}.`,
      'To run it on your model servers, set for example:',
      '  MISTRAL_ENDPOINT=http://gpu-host:8000/v1/chat/completions   (planner, Mistral-7B-Instruct; or …/chat for local-models)',
      '  STARCODER_ENDPOINT=http://gpu-host:8001/v1/completions      (code model, StarCoder2; for the gateway)',
      '  MCP_GATEWAY_URL=http://127.0.0.1:3000/mcp                   (a running gateway: npm run start:gateway)',
      'Without endpoints the embedded engine downloads the default GGUF models, which needs network access.',
      'To see the whole pipeline without any model, run the scripted replay: npm run demo -- --replay',
      '',
    ].join('\n'),
  );
  return 2;
}
