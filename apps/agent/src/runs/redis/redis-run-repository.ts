import type { RunRetention } from '@app/config';
import type { Redis } from 'ioredis';
import type { RunStatus, StepRecord } from '../../core/agent.types';
import { TERMINAL_STATUSES, type RunDocument, type RunListQuery, type RunPage } from '../store/run-document';
import type { RunRepository, WriteGuard } from '../store/run-repository';

const PREFIX = 'agent:';
const runKey = (id: string) => `${PREFIX}run:${id}`;
const stepsKey = (id: string) => `${PREFIX}run:${id}:steps`;
const ALL = `${PREFIX}runs`;
const BY_STATUS = `${PREFIX}runs:status:`;
const SEQ = `${PREFIX}runs:seq`;
const DAY_MS = 86_400_000;

/**
 * The guarded write, atomic in Redis: applies when the stored status is allowed and `attempts` matches the
 * fence; moves the run between the per-status indexes; stores the step beside it when one is given.
 */
const GUARDED_UPDATE = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return 0 end
local allowed = false
for _, s in ipairs(cjson.decode(ARGV[1])) do if s == cur then allowed = true end end
if not allowed then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'attempts') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'attempts', ARGV[4], 'doc', ARGV[5], 'finished_ms', ARGV[6])
if cur ~= ARGV[3] then
  local seq = redis.call('HGET', KEYS[1], 'seq')
  redis.call('ZREM', ARGV[9] .. cur, ARGV[10])
  redis.call('ZADD', ARGV[9] .. ARGV[3], seq, ARGV[10])
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], ARGV[7], ARGV[8]) end
return 1`;

type RunHash = Record<string, string>;

function fromHash(hash: RunHash): RunDocument | undefined {
  if (!hash.doc) return undefined;
  const doc = JSON.parse(hash.doc) as RunDocument;
  return {
    ...doc,
    status: hash.status as RunStatus,
    attempts: Number(hash.attempts),
    cancelRequested: hash.cancel === '1',
  };
}

function serialise(doc: RunDocument): string {
  const { cancelRequested: _flag, ...document } = doc;
  return JSON.stringify(document);
}

/** Runs in Redis: a hash per run, a hash of its steps, sorted sets (by sequence) for listing and status. */
export class RedisRunRepository implements RunRepository {
  constructor(
    private readonly redis: Redis,
    readonly location: string,
  ) {}

  async insert(doc: RunDocument): Promise<void> {
    const seq = await this.redis.incr(SEQ);
    await this.redis
      .multi()
      .hset(runKey(doc.id), {
        doc: serialise(doc),
        status: doc.status,
        attempts: doc.attempts,
        seq,
        cancel: 0,
      })
      .zadd(ALL, seq, doc.id)
      .zadd(BY_STATUS + doc.status, seq, doc.id)
      .exec();
  }

  async get(id: string): Promise<RunDocument | undefined> {
    return fromHash(await this.redis.hgetall(runKey(id)));
  }

  async steps(id: string): Promise<StepRecord[]> {
    const bodies = await this.redis.hvals(stepsKey(id));
    return bodies.map((b) => JSON.parse(b) as StepRecord).sort((a, b) => a.index - b.index);
  }

  async list(query: RunListQuery): Promise<RunPage> {
    const key = query.status ? BY_STATUS + query.status : ALL;
    const max = query.cursor ? `(${query.cursor}` : '+inf';
    const flat = await this.redis.zrevrangebyscore(
      key,
      max,
      '-inf',
      'WITHSCORES',
      'LIMIT',
      0,
      query.limit + 1,
    );
    const entries: Array<{ id: string; seq: string }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i] ?? '', seq: flat[i + 1] ?? '' });
    const page = entries.slice(0, query.limit);
    const pipeline = this.redis.pipeline();
    for (const { id } of page) pipeline.hgetall(runKey(id));
    const hashes = ((await pipeline.exec()) ?? []).map(([, value]) => value as RunHash);
    const runs = hashes.map(fromHash).filter((d): d is RunDocument => d !== undefined);
    const nextCursor = entries.length > query.limit ? page[page.length - 1]?.seq : undefined;
    return { runs, nextCursor };
  }

  update(doc: RunDocument, guard: WriteGuard): Promise<boolean> {
    return this.guarded(doc, guard);
  }

  appendStep(doc: RunDocument, step: StepRecord, guard: WriteGuard): Promise<boolean> {
    return this.guarded(doc, guard, step);
  }

  private async guarded(doc: RunDocument, guard: WriteGuard, step?: StepRecord): Promise<boolean> {
    const finished = doc.finishedAt ? String(Date.parse(doc.finishedAt)) : '';
    const applied = await this.redis.eval(
      GUARDED_UPDATE,
      2,
      runKey(doc.id),
      stepsKey(doc.id),
      JSON.stringify(guard.status),
      guard.attempts === undefined ? '' : String(guard.attempts),
      doc.status,
      String(doc.attempts),
      serialise(doc),
      finished,
      step ? String(step.index) : '',
      step ? JSON.stringify(step) : '',
      BY_STATUS,
      doc.id,
    );
    return applied === 1;
  }

  async requestCancel(id: string): Promise<void> {
    if ((await this.redis.exists(runKey(id))) === 1) await this.redis.hset(runKey(id), 'cancel', 1);
  }

  async unfinished(): Promise<RunDocument[]> {
    const ids = [
      ...(await this.redis.zrange(`${BY_STATUS}queued`, 0, -1)),
      ...(await this.redis.zrange(`${BY_STATUS}running`, 0, -1)),
    ];
    const docs = await Promise.all(ids.map((id) => this.get(id)));
    return docs.filter((d): d is RunDocument => d !== undefined);
  }

  async prune(retention: RunRetention, now = new Date()): Promise<number> {
    const finished = await this.finishedRuns();
    const cutoff =
      retention.maxAgeDays === undefined ? -Infinity : now.getTime() - retention.maxAgeDays * DAY_MS;
    const doomed = finished.filter(
      (run, rank) =>
        run.finishedMs < cutoff || (retention.maxRuns !== undefined && rank >= retention.maxRuns),
    );
    if (doomed.length === 0) return 0;
    const tx = this.redis.multi();
    for (const run of doomed)
      tx.del(runKey(run.id), stepsKey(run.id))
        .zrem(ALL, run.id)
        .zrem(BY_STATUS + run.status, run.id);
    await tx.exec();
    return doomed.length;
  }

  /** finished runs, newest first, with when they finished */
  private async finishedRuns(): Promise<
    Array<{ id: string; status: RunStatus; seq: number; finishedMs: number }>
  > {
    const runs: Array<{ id: string; status: RunStatus; seq: number; finishedMs: number }> = [];
    for (const status of TERMINAL_STATUSES) {
      const flat = await this.redis.zrange(BY_STATUS + status, 0, -1, 'WITHSCORES');
      for (let i = 0; i + 1 < flat.length; i += 2)
        runs.push({ id: flat[i] ?? '', status, seq: Number(flat[i + 1]), finishedMs: 0 });
    }
    const pipeline = this.redis.pipeline();
    for (const run of runs) pipeline.hget(runKey(run.id), 'finished_ms');
    const times = (await pipeline.exec()) ?? [];
    runs.forEach((run, i) => (run.finishedMs = Number(times[i]?.[1] ?? 0)));
    return runs.sort((a, b) => b.seq - a.seq);
  }

  async close(): Promise<void> {
    // the connection belongs to the backend, which closes it
  }
}
