import type { AgentRunsConfig } from '@app/config';
import type { RunBackend } from '../run-backend';
import { RunStoreError } from '../store/run-repository';

export async function createRedisBackend(config: AgentRunsConfig): Promise<RunBackend> {
  throw new RunStoreError(`AGENT_REDIS_URL (${config.redisUrl}): Redis mode is not available in this build`);
}
