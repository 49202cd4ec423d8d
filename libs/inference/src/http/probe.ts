import type { Replica } from './replica';

/**
 * A cheap liveness probe of one replica (never a generation): its health paths in order, a 404 moving on
 * to the next (Ollama and proxies have no `/health`). A 200 is not proof the engine works (vLLM can answer
 * while hung), so the passive state of real calls is reported alongside.
 *
 * `/health` needs no key on llama-server, vLLM or TGI, so a healthy `/health` says nothing about the key:
 * the authenticated model list (`GET /v1/models`, guarded by `--api-key`) is asked too, and a 401/403
 * there makes the replica not ready, naming `keyVariable`.
 */
export async function probeReplica(
  replica: Replica,
  timeoutMs: number,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
  keyVariable = 'the API key',
): Promise<void> {
  const signals = signal ? [signal, AbortSignal.timeout(timeoutMs)] : [AbortSignal.timeout(timeoutMs)];
  const combined = AbortSignal.any(signals);
  let lastError = 'no health route answered';
  for (const path of replica.endpoint.healthPaths) {
    const outcome = await probePath(replica, path, combined, headers);
    if (outcome === 'ok')
      return markProbe(replica, await probeKey(replica, path, combined, headers, keyVariable));
    lastError = outcome;
    if (!outcome.startsWith('404')) break;
  }
  markProbe(replica, lastError);
}

/** undefined when the key is accepted (or the server has no model list to ask); otherwise why not. */
async function probeKey(
  replica: Replica,
  probedPath: string,
  signal: AbortSignal,
  headers: Record<string, string>,
  keyVariable: string,
): Promise<string | undefined> {
  const modelsPath = replica.endpoint.modelsPath;
  if (modelsPath === undefined || modelsPath === probedPath) return undefined;
  const outcome = await probePath(replica, modelsPath, signal, headers);
  if (!/^40[13] /.test(outcome)) return undefined;
  const sent = headers.authorization === undefined ? 'no key was sent' : 'the key was refused';
  return `${outcome}: ${sent} — check ${keyVariable}`;
}

/** 'ok' or what went wrong */
async function probePath(
  replica: Replica,
  path: string,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<string> {
  try {
    const response = await replica.dispatcher.request({
      origin: replica.endpoint.origin,
      path,
      method: 'GET',
      headers,
      signal,
    });
    await response.body.dump();
    if (response.statusCode < 300) return 'ok';
    return `${response.statusCode} from ${path}`;
  } catch (error) {
    const reason = signal.aborted
      ? 'no answer in time'
      : error instanceof Error
        ? error.message
        : String(error);
    return `probe of ${path} failed: ${reason}`;
  }
}

function markProbe(replica: Replica, error: string | undefined): void {
  replica.probeOk = error === undefined;
  replica.lastCheckedAt = new Date().toISOString();
  if (error !== undefined) replica.lastError = `health probe: ${error}`;
}
