#!/usr/bin/env node
/**
 * Container HEALTHCHECK probe: GET http://127.0.0.1:<port><path>, exit 0 on a 2xx answer, 1 otherwise.
 * Slim base images carry no curl or wget, and Node's built-in fetch avoids adding one.
 *
 *   node http-probe.mjs [path=/health/ready] [portVariable=AGENT_PORT] [defaultPort=3001]
 *
 * The port is read from an environment variable (exec-form HEALTHCHECK does not expand variables).
 * HEALTHCHECK_TIMEOUT_MS (default 5000) bounds the request so the probe ends before Docker's --timeout.
 */
const [path = '/health/ready', portVariable = 'AGENT_PORT', defaultPort = '3001'] = process.argv.slice(2);
const port = process.env[portVariable] || defaultPort;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS) || 5000;
const url = `http://127.0.0.1:${port}${path}`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  if (!response.ok) {
    console.error(`unhealthy: ${url} answered ${response.status}`);
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  const reason = error instanceof Error ? (error.cause?.code ?? error.message) : String(error);
  console.error(`unreachable: ${url} (${reason})`);
  process.exit(1);
}
