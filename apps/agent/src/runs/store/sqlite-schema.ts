/**
 * Schema of the SQLite run store, versioned in code: `PRAGMA user_version` says which migrations a file
 * has; each start applies the missing ones in one transaction. Append migrations, never edit one that
 * shipped. `application_id` marks the file as ours, so a foreign SQLite file is refused, not reused.
 */
export const APPLICATION_ID = 0x434d4152; // "CMAR": code-model agent runs

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        finished_ms INTEGER,
        document TEXT NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_status ON runs (status, seq);
      CREATE INDEX runs_by_finish ON runs (finished_ms) WHERE finished_ms IS NOT NULL;
      CREATE TABLE steps (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
