import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { DatasetFormatError } from './problem';

export interface JsonLine<T> {
  line: number;
  value: T;
}

function openText(path: string): Readable {
  const file = createReadStream(path);
  return path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
}

function parseLine(file: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(file, line, `not JSON (${(error as Error).message})`);
  }
}

/**
 * The records of a JSON Lines file (gzip'd when it ends in `.gz`), each checked against `schema`,
 * streamed one at a time. A broken line stops the iteration with its file and line number.
 */
export async function* readJsonLines<S extends z.ZodType>(
  path: string,
  schema: S,
): AsyncGenerator<JsonLine<z.infer<S>>> {
  const file = basename(path);
  const lines = createInterface({ input: openText(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const parsed = schema.safeParse(parseLine(file, line, text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'record';
      throw new DatasetFormatError(file, line, `${where}: ${issue?.message ?? 'invalid'}`);
    }
    yield { line, value: parsed.data };
  }
}
