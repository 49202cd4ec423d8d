import type * as NodeLlamaCpp from 'node-llama-cpp';

export type NodeLlamaCppModule = typeof NodeLlamaCpp;

type NativeImport = (specifier: string) => Promise<NodeLlamaCppModule>;

let loading: Promise<NodeLlamaCppModule> | undefined;

/**
 * node-llama-cpp is ESM with top-level await. The CommonJS build (SWC) rewrites `import()` into
 * `require()`, which Node refuses for such modules (ERR_REQUIRE_ASYNC_MODULE); there we fall back to a
 * native `import()` that the compiler cannot see. Under Jest (ESM mode) the plain `import()` works.
 */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  loading ??= importNodeLlamaCpp();
  return loading;
}

async function importNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  try {
    return await import('node-llama-cpp');
  } catch (error) {
    if (!isRequireOfEsmError(error)) throw error;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the only way to keep a real import() in CommonJS output
    const nativeImport = new Function('specifier', 'return import(specifier)') as NativeImport;
    return nativeImport('node-llama-cpp');
  }
}

function isRequireOfEsmError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_REQUIRE_ASYNC_MODULE' || code === 'ERR_REQUIRE_ESM';
}
