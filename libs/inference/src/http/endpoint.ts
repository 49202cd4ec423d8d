import { InferenceError } from '../inference.errors';
import type { ModelProtocol, ModelRole } from '../inference.types';

export type HttpProtocol = Exclude<ModelProtocol, 'embedded'>;

/** Where one replica's routes live, resolved once from its configured URL. */
export interface ReplicaEndpoint {
  /** the URL as configured, minus any credentials (used in messages and health reports) */
  url: string;
  /** scheme://host:port, the key of the connection pool */
  origin: string;
  generatePath: string;
  /** `GET` model list (OpenAI-compatible only) */
  modelsPath?: string;
  /** cheap probes in order of preference */
  healthPaths: string[];
}

/** The env variables a person edits to fix an endpoint, for error messages. */
export function envPrefix(role: ModelRole): string {
  return role === 'code' ? 'STARCODER' : 'MISTRAL';
}

export function roleLabel(role: ModelRole): string {
  return role === 'code' ? 'code model' : 'planner model';
}

const SUFFIXES: Array<[string, HttpProtocol]> = [
  ['/chat/completions', 'openai-chat'],
  ['/completions', 'openai-completions'],
  ['/chat', 'local-models'],
];

function trimSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/** `auto` → a protocol from the URL path: `/chat`, `/v1/chat/completions`, `/v1/completions`, `/v1` or a bare host. */
export function detectProtocol(url: string): HttpProtocol {
  const path = trimSlash(parseUrl(url).pathname);
  for (const [suffix, protocol] of SUFFIXES) if (path.endsWith(suffix)) return protocol;
  return 'openai-chat';
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new InferenceError(
      'CONFIG',
      `"${url}" is not a valid model endpoint URL (expected http(s)://host:port/path)`,
    );
  }
}

/** The OpenAI base path (`/v1` or a proxy prefix ending in it) from whatever path was configured. */
function openAiBase(path: string): string {
  for (const [suffix] of SUFFIXES) if (path.endsWith(suffix)) return path.slice(0, -suffix.length);
  return path === '' ? '/v1' : path;
}

/** The URL without user:password, for messages, results and health reports. */
function displayUrl(parsed: URL, url: string): string {
  if (parsed.username === '' && parsed.password === '') return url;
  const safe = new URL(parsed.href);
  safe.username = '';
  safe.password = '';
  return safe.href;
}

export function resolveEndpoint(configured: string, protocol: HttpProtocol): ReplicaEndpoint {
  const parsed = parseUrl(configured);
  const url = displayUrl(parsed, configured);
  const path = trimSlash(parsed.pathname);
  if (protocol === 'local-models') {
    return {
      url,
      origin: parsed.origin,
      generatePath: path === '' ? '/chat' : path,
      healthPaths: ['/health'],
    };
  }
  const base = openAiBase(path);
  const route = protocol === 'openai-chat' ? '/chat/completions' : '/completions';
  return {
    url,
    origin: parsed.origin,
    generatePath: `${base}${route}`,
    modelsPath: `${base}/models`,
    // vLLM/TGI/llama.cpp answer /health; Ollama and proxies only the model list
    healthPaths: ['/health', `${base}/models`],
  };
}
