import { InferenceError, isInferenceError } from '../inference.errors';
import type { ModelRole } from '../inference.types';
import { raceAbort } from './call-scope';
import { envPrefix, roleLabel } from './endpoint';
import type { Replica } from './replica';
import { errorFromStatus, errorFromTransport } from './upstream-errors';

interface ModelList {
  data?: Array<{ id?: unknown }>;
}

/** The model name sent upstream: configured, or the first of `GET /v1/models` (looked up once, then cached). */
export class ModelNameResolver {
  private lookup: Promise<string> | undefined;

  constructor(
    private readonly role: ModelRole,
    private readonly configured: string | undefined,
    private readonly timeoutMs: number,
    /** the bearer key: servers started with an API key (vLLM `--api-key`) guard `/v1/models` too */
    private readonly headers: Record<string, string> = {},
  ) {}

  resolve(replica: Replica, signal: AbortSignal): Promise<string | undefined> {
    if (this.configured !== undefined || replica.endpoint.modelsPath === undefined)
      return Promise.resolve(this.configured);
    if (!this.lookup) {
      this.lookup = this.fetchFirstModel(replica);
      // a failed lookup is not cached: the next call asks again (maybe another replica)
      this.lookup.catch(() => {
        this.lookup = undefined;
      });
    }
    // concurrent calls share the lookup: one caller giving up stops its own wait, not the lookup itself
    return raceAbort(this.lookup, signal);
  }

  private async fetchFirstModel(replica: Replica): Promise<string> {
    const path = replica.endpoint.modelsPath ?? '/v1/models';
    const ctx = { role: this.role, url: `${replica.endpoint.origin}${path}` };
    try {
      const response = await replica.dispatcher.request({
        origin: replica.endpoint.origin,
        path,
        method: 'GET',
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.body.text();
      if (response.statusCode >= 400) throw errorFromStatus(ctx, response.statusCode, text);
      return this.firstModel(text, ctx.url);
    } catch (error) {
      throw isInferenceError(error) ? error : errorFromTransport(ctx, error, false);
    }
  }

  private firstModel(text: string, url: string): string {
    let id: unknown;
    try {
      id = (JSON.parse(text) as ModelList).data?.[0]?.id;
    } catch {
      id = undefined;
    }
    if (typeof id === 'string' && id !== '') return id;
    const message = `${roleLabel(this.role)}: ${url} lists no model — set ${envPrefix(this.role)}_MODEL`;
    throw new InferenceError('CONFIG', message, { role: this.role, endpoint: url });
  }
}
