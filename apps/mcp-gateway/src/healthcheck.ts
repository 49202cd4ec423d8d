/**
 * Container HEALTHCHECK: connects to this instance's /mcp with the SDK client, lists the tools and exits 0
 * only when the three tools are there (1 otherwise, reason on stderr), within a bounded time.
 */
import { loadConfig } from '@app/config';
import { probeGateway } from './health/healthcheck-probe';

async function main(): Promise<number> {
  const { gateway } = loadConfig();
  const problem = await probeGateway(gateway.port, gateway.apiKeys[0]);
  if (problem === undefined) return 0;
  process.stderr.write(`unhealthy: ${problem}\n`);
  return 1;
}

void main().then((code) => process.exit(code));
