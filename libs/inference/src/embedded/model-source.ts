import { isAbsolute, join, resolve } from 'node:path';
import { InferenceError } from '../inference.errors';
import { DEFAULT_MODEL } from './default-model';

/** Where a model comes from: a file on disk, or a URL to download into the cache directory. */
export type ModelSource =
  | { kind: 'local'; path: string }
  | { kind: 'remote'; path: string; url: string; sha256?: string; isDefault: boolean };

export interface ModelSourceOptions {
  modelFile?: string;
  cacheDir: string;
  /** base of `hf:` URIs; tests point it at a local server */
  huggingFaceBaseUrl: string;
}

const SHA256_PATTERN = /^[0-9a-f]{64}$/i;

/**
 * `hf:owner/repo/path/file.gguf` (optionally `owner/repo@revision/...` and `#sha256=<hex>`) downloads
 * from the hub into the cache; anything else is a local path. Nothing configured → the default model.
 */
export function resolveModelSource(options: ModelSourceOptions): ModelSource {
  const modelFile = options.modelFile?.trim();
  if (modelFile === undefined || modelFile === '') return defaultSource(options);
  if (!modelFile.startsWith('hf:'))
    return { kind: 'local', path: isAbsolute(modelFile) ? modelFile : resolve(modelFile) };
  return huggingFaceSource(modelFile, options);
}

function defaultSource(options: ModelSourceOptions): ModelSource {
  const { repository, revision, file, sha256 } = DEFAULT_MODEL;
  return {
    kind: 'remote',
    path: join(options.cacheDir, repository.replace('/', '--'), file),
    url: hubUrl(options.huggingFaceBaseUrl, repository, revision, file),
    ...(sha256 === undefined ? {} : { sha256 }),
    isDefault: true,
  };
}

function huggingFaceSource(uri: string, options: ModelSourceOptions): ModelSource {
  const [location = '', fragment = ''] = uri.slice('hf:'.length).split('#', 2);
  const match = /^([^/@\s]+)\/([^/@\s]+)(?:@([^/\s]+))?\/(.+\.gguf)$/i.exec(location);
  if (match === null) {
    throw new InferenceError(
      'CONFIG',
      `"${uri}" is not a model URI: use hf:<owner>/<repo>/<file>.gguf or a local .gguf path`,
    );
  }
  const [, owner = '', repo = '', revision = 'main', file = ''] = match;
  const sha256 = /(?:^|&)sha256=([^&]+)/.exec(fragment)?.[1];
  if (sha256 !== undefined && !SHA256_PATTERN.test(sha256)) {
    throw new InferenceError('CONFIG', `"${uri}": sha256 must be 64 hex characters`);
  }
  return {
    kind: 'remote',
    path: join(options.cacheDir, `${owner}--${repo}`, ...file.split('/')),
    url: hubUrl(options.huggingFaceBaseUrl, `${owner}/${repo}`, revision, file),
    ...(sha256 === undefined ? {} : { sha256: sha256.toLowerCase() }),
    isDefault: false,
  };
}

function hubUrl(baseUrl: string, repository: string, revision: string, file: string): string {
  const encodedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${repository}/resolve/${encodeURIComponent(revision)}/${encodedFile}`;
}
