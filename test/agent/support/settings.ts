import { DEFAULT_AGENT_TUNING, type AgentSettings } from '../../../apps/agent/src/core/agent.types';

export function testSettings(overrides: Partial<AgentSettings> = {}): AgentSettings {
  return {
    gatewayUrl: 'http://127.0.0.1:1/mcp',
    maxSteps: 12,
    maxWallTimeMs: 20_000,
    maxTokens: 1_000_000,
    ...DEFAULT_AGENT_TUNING,
    ...overrides,
  };
}
