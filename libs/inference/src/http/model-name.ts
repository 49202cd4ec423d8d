import { InferenceError, isInferenceError } from '../inference.errors';
import type { ModelRole } from '../inference.types';
import { raceAbort } from './call-scope';
import { envPrefix, roleLabel } from './endpoint';
import type { Replica } from './replica';
import {
  dialectFromModelList,
  type StructuredDialect,
  type StructuredOutputSetting,
} from './structured-dialect';
import { errorFromStatus, errorFromTransport } from './upstream-errors';

interface ModelList {
  data?: Array<{ id?: unknown; max_model_len?: unknown; meta?: { n_ctx?: unknown } }>;
}

/** How the structured-output dialect in use was chosen, for health and metrics. */
export interface DialectInfo {
  dialect: StructuredDialect | 'auto';
  source: 'configured' | 'detected' | 'default' | 'not detected yet';
}

/**
 * What the server says about itself in `GET /v1/models` (looked up once, then cached): the model name
 * sent upstream when none is configured, and the structured-output dialect when it is `auto`.
 */
export class ModelNameResolver {
  private lookup: Promise<string> | undefined;
  private listing: Promise<unknown> | undefined;
  private detected: StructuredDialect | undefined;

  constructor(
    private readonly role: ModelRole,
    private readonly configured: string | undefined,
    private readonly timeoutMs: number,
    /** the bearer key: servers started with an API key (vLLM `--api-key`) guard `/v1/models` too */
    private readonly headers: Record<string, string> = {},
    private readonly structuredOutput: StructuredOutputSetting = 'auto',
  ) {}

  /** The dialect for a structured request: configured, or detected once from the model list. */
  async dialect(replica: Replica, signal: AbortSignal): Promise<StructuredDialect> {
    if (this.structuredOutput !== 'auto') return this.structuredOutput;
    if (this.detected !== undefined || replica.endpoint.modelsPath === undefined)
      return this.detected ?? 'openai';
    const body = await raceAbort(this.modelList(replica), signal).catch(() => undefined);
    // a server that answered without a known owner speaks plain OpenAI; a failed lookup is asked again
    if (body !== undefined) this.detected = dialectFromModelList(body) ?? 'openai';
    return this.detected ?? 'openai';
  }

  /**
   * The context window the server serves, from its model list: vLLM `max_model_len`, llama-server
   * `meta.n_ctx` (per slot); undefined when the server does not say.
   */
  async contextWindow(replica: Replica, signal: AbortSignal): Promise<number | undefined> {
    if (replica.endpoint.modelsPath === undefined) return undefined;
    const body = await raceAbort(this.modelList(replica), signal).catch(() => undefined);
    const first = (body as ModelList | undefined)?.data?.[0];
    const size = first?.max_model_len ?? first?.meta?.n_ctx;
    return typeof size === 'number' && size > 0 ? size : undefined;
  }

  dialectInfo(): DialectInfo {
    if (this.structuredOutput !== 'auto') return { dialect: this.structuredOutput, source: 'configured' };
    if (this.detected === undefined) return { dialect: 'auto', source: 'not detected yet' };
    return { dialect: this.detected, source: 'detected' };
  }

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
    const body = await this.modelList(replica);
    const path = replica.endpoint.modelsPath ?? '/v1/models';
    return this.firstModel(body, `${replica.endpoint.origin}${path}`);
  }

  /** One shared `GET /v1/models` (parsed; undefined when not JSON); a failure is not cached. */
  private modelList(replica: Replica): Promise<unknown> {
    if (!this.listing) {
      this.listing = this.fetchModelList(replica);
      this.listing.catch(() => {
        this.listing = undefined;
      });
    }
    return this.listing;
  }

  private async fetchModelList(replica: Replica): Promise<unknown> {
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
      return parseJson(text);
    } catch (error) {
      throw isInferenceError(error) ? error : errorFromTransport(ctx, error, false);
    }
  }

  private firstModel(body: unknown, url: string): string {
    const id = (body as ModelList | undefined)?.data?.[0]?.id;
    if (typeof id === 'string' && id !== '') return id;
    const message = `${roleLabel(this.role)}: ${url} lists no model — set ${envPrefix(this.role)}_MODEL`;
    throw new InferenceError('CONFIG', message, { role: this.role, endpoint: url });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
