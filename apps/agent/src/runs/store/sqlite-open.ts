import Database from 'better-sqlite3';
import { accessSync, constants, closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RunStoreError } from './run-repository';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';

export const STORE_FILE = 'agent-runs.sqlite';
const SQLITE_HEADER = 'SQLite format 3\0';
const LOCK_WAIT_MS = 2_000;

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code}: ${message ?? ''}` : String(message ?? error);
}

/** Creates the folder when missing; a folder this user cannot write is refused with its path. */
function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new RunStoreError(
      `AGENT_DATA_DIR "${dir}" is not a writable folder (${describe(error)}): create it, give this user write access, or point AGENT_DATA_DIR elsewhere`,
      { cause: error },
    );
  }
}

/** A non-empty file that does not start with the SQLite header is not ours to open (nor to replace). */
function assertSqliteHeader(path: string): void {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return; // no file yet: a new store is created
  }
  if (size === 0) return;
  const fd = openSync(path, 'r');
  const header = Buffer.alloc(16);
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER)
    throw foreignOrCorrupt(path, 'it is not an SQLite database');
}

function foreignOrCorrupt(path: string, why: string, cause?: unknown): RunStoreError {
  return new RunStoreError(
    `the run store "${path}" cannot be used: ${why}. It was left untouched; move it away (or restore a backup), or set AGENT_DATA_DIR to another folder`,
    { cause },
  );
}

function migrate(db: Database.Database, path: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  const appId = Number(db.pragma('application_id', { simple: true }));
  const tables = Number(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get());
  if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0))
    throw foreignOrCorrupt(path, 'it is an SQLite file of another application');
  if (version > SCHEMA_VERSION)
    throw foreignOrCorrupt(
      path,
      `it was written by a newer agent (schema ${version}, this one knows ${SCHEMA_VERSION})`,
    );
  for (const migration of MIGRATIONS) if (migration.version > version) db.exec(migration.sql);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/**
 * Opens (or creates) the store file. EXCLUSIVE locking mode: this process holds the file until it exits
 * (the OS drops the lock on kill -9), so a second agent on the same folder is refused instead of both
 * "recovering" each other's running runs. WAL without shared memory then works within the one process.
 */
function openLocked(path: string): Database.Database {
  const db = new Database(path, { timeout: LOCK_WAIT_MS });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => migrate(db, path)).exclusive();
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw foreignOrCorrupt(path, `its integrity check failed (${String(check)})`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function classifyOpenError(path: string, error: unknown): RunStoreError {
  if (error instanceof RunStoreError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new RunStoreError(
      `the run store "${path}" is in use by another agent process: one process per AGENT_DATA_DIR (set AGENT_REDIS_URL to run several)`,
      { cause: error },
    );
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return foreignOrCorrupt(path, `it is corrupt (${describe(error)})`, error);
  return new RunStoreError(`the run store "${path}" cannot be opened (${describe(error)})`, { cause: error });
}

/** The store file in `dataDir`, checked, locked and migrated; `:memory:` for a throw-away store. */
export function openRunDatabase(dataDir: string): { db: Database.Database; path: string } {
  if (dataDir === ':memory:') return { db: openLocked(':memory:'), path: ':memory:' };
  ensureWritableDir(dataDir);
  const path = join(dataDir, STORE_FILE);
  assertSqliteHeader(path);
  try {
    return { db: openLocked(path), path };
  } catch (error) {
    throw classifyOpenError(path, error);
  }
}
