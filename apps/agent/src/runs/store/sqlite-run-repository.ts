import type { RunRetention } from '@app/config';
import type Database from 'better-sqlite3';
import type { StepRecord } from '../../core/agent.types';
import { TERMINAL_STATUSES, type RunDocument, type RunListQuery, type RunPage } from './run-document';
import type { RunRepository, WriteGuard } from './run-repository';
import { openRunDatabase } from './sqlite-open';

interface RunRow {
  seq: number;
  status: RunDocument['status'];
  attempts: number;
  cancel_requested: number;
  document: string;
}

const DAY_MS = 86_400_000;
const TERMINAL_LIST = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');
const COLUMNS = 'seq, status, attempts, cancel_requested, document';

/** Columns are the truth for what concurrent writers change (status, attempts, the cancel flag). */
function fromRow(row: RunRow): RunDocument {
  const doc = JSON.parse(row.document) as RunDocument;
  return { ...doc, status: row.status, attempts: row.attempts, cancelRequested: row.cancel_requested === 1 };
}

function finishedMs(doc: RunDocument): number | null {
  return doc.finishedAt ? Date.parse(doc.finishedAt) : null;
}

/** The guard as SQL: `status IN (...)` plus the attempts fence when given. */
function guardParams(doc: RunDocument, guard: WriteGuard) {
  const { cancelRequested: _flag, ...document } = doc;
  return {
    id: doc.id,
    status: doc.status,
    attempts: doc.attempts,
    finished: finishedMs(doc),
    document: JSON.stringify(document),
    allowed: JSON.stringify(guard.status),
    fence: guard.attempts ?? null,
  };
}

/**
 * Runs in one SQLite file (better-sqlite3: synchronous, so each method is one short transaction on this
 * thread; prepared once). Steps are rows of their own, so a step is one small insert, not a rewrite.
 */
export class SqliteRunRepository implements RunRepository {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(dataDir: string) {
    const { db, path } = openRunDatabase(dataDir);
    this.db = db;
    this.location = path;
    this.statements = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      insert: db.prepare(
        `INSERT INTO runs (id, status, attempts, created_ms, document) VALUES (@id, @status, @attempts, @created, @document)`,
      ),
      get: db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`),
      steps: db.prepare(`SELECT body FROM steps WHERE run_id = ? ORDER BY idx`).pluck(),
      list: db.prepare(
        `SELECT ${COLUMNS} FROM runs WHERE (@status IS NULL OR status = @status) AND seq < @before ORDER BY seq DESC LIMIT @limit`,
      ),
      update: db.prepare(
        `UPDATE runs SET status = @status, attempts = @attempts, finished_ms = @finished, document = @document
         WHERE id = @id AND status IN (SELECT value FROM json_each(@allowed)) AND (@fence IS NULL OR attempts = @fence)`,
      ),
      insertStep: db.prepare(`INSERT OR REPLACE INTO steps (run_id, idx, body) VALUES (?, ?, ?)`),
      cancel: db.prepare(`UPDATE runs SET cancel_requested = 1 WHERE id = ?`),
      unfinished: db.prepare(
        `SELECT ${COLUMNS} FROM runs WHERE status IN ('queued', 'running') ORDER BY seq`,
      ),
      pruneAge: db.prepare(`DELETE FROM runs WHERE status IN (${TERMINAL_LIST}) AND finished_ms < ?`),
      pruneCount: db.prepare(
        `DELETE FROM runs WHERE status IN (${TERMINAL_LIST}) AND seq <= (
           SELECT seq FROM runs WHERE status IN (${TERMINAL_LIST}) ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ),
    };
  }

  async insert(doc: RunDocument): Promise<void> {
    const { document, id, status, attempts } = guardParams(doc, { status: [] });
    this.statements.insert.run({ id, status, attempts, created: Date.parse(doc.createdAt), document });
  }

  async get(id: string): Promise<RunDocument | undefined> {
    const row = this.statements.get.get(id) as RunRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  async steps(id: string): Promise<StepRecord[]> {
    return (this.statements.steps.all(id) as string[]).map((body) => JSON.parse(body) as StepRecord);
  }

  async list(query: RunListQuery): Promise<RunPage> {
    const before = query.cursor ? Number(query.cursor) : Number.MAX_SAFE_INTEGER;
    const rows = this.statements.list.all({
      status: query.status ?? null,
      before: Number.isFinite(before) ? before : 0,
      limit: query.limit + 1,
    }) as RunRow[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? String(last.seq) : undefined;
    return { runs: page.map(fromRow), nextCursor };
  }

  async update(doc: RunDocument, guard: WriteGuard): Promise<boolean> {
    return this.statements.update.run(guardParams(doc, guard)).changes === 1;
  }

  async appendStep(doc: RunDocument, step: StepRecord, guard: WriteGuard): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.statements.update.run(guardParams(doc, guard)).changes !== 1) return false;
      this.statements.insertStep.run(doc.id, step.index, JSON.stringify(step));
      return true;
    })();
  }

  async requestCancel(id: string): Promise<void> {
    this.statements.cancel.run(id);
  }

  async unfinished(): Promise<RunDocument[]> {
    return (this.statements.unfinished.all() as RunRow[]).map(fromRow);
  }

  async prune(retention: RunRetention, now = new Date()): Promise<number> {
    let removed = 0;
    if (retention.maxAgeDays !== undefined)
      removed += this.statements.pruneAge.run(now.getTime() - retention.maxAgeDays * DAY_MS).changes;
    if (retention.maxRuns !== undefined) removed += this.statements.pruneCount.run(retention.maxRuns).changes;
    return removed;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
