import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { AppConfig, ModelEndpointConfig } from '@app/config';
import type { EvalConfig } from '@app/eval';
import type { RunOptions } from './cli-options';

function endpointText(endpoint: ModelEndpointConfig): string {
  if (endpoint.urls.length === 0) return `embedded (${endpoint.modelFile ?? 'default model'})`;
  return `${endpoint.urls.join(', ')} (${endpoint.protocol})`;
}

function commit(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/**
 * What the results record about the deployment. With `--gateway URL` the endpoints are the remote
 * gateway's own, which this process cannot see: the block says so instead of guessing.
 */
export function describeConfiguration(
  options: RunOptions,
  config: AppConfig,
  where: { gateway: string; agent?: string; repoRoot: string },
): EvalConfig {
  const remote = options.gateway !== undefined;
  const usesPlanner = options.mode === 'agent' && options.agent === undefined;
  return {
    gateway: where.gateway,
    agent: where.agent,
    endpoints: {
      code: remote ? `as configured on ${options.gateway}` : endpointText(config.inference.code),
      planner: usesPlanner ? endpointText(config.inference.planner) : undefined,
    },
    models: {
      code: remote ? undefined : config.inference.code.model,
      planner: usesPlanner ? config.inference.planner.model : undefined,
    },
    concurrency: options.concurrency,
    timeout_seconds: options.timeoutSeconds,
    max_repair_rounds: options.mode === 'verified' ? options.maxRepairRounds : undefined,
    limit: options.limit,
    commit: commit(where.repoRoot),
    node: process.version,
    host: { cpus: availableParallelism(), platform: `${process.platform}-${process.arch}` },
  };
}
