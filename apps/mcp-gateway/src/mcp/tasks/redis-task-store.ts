import { Redis } from 'ioredis';
import type { StoredTask, TaskSnapshot, TaskStore } from './task-store';

const KEY_PREFIX = 'mcp-gateway:task:';
const CANCEL_CHANNEL = 'mcp-gateway:task-cancel';

/**
 * The first terminal state wins across replicas: the snapshot is replaced only while the stored status is
 * still `working` (a run finishing after a cancel on another replica does not revive the task). The hash's
 * expiry (the task's ttlMs) is left as it is.
 */
const SETTLE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'working' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'snapshot', ARGV[2])
return 1`;

const MARK_ALIVE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'aliveAt', ARGV[1])
return 1`;

function keyOf(taskId: string): string {
  return `${KEY_PREFIX}${taskId}`;
}

/**
 * Tasks in Redis (GATEWAY_REDIS_URL): one hash per task (`status`, `snapshot` as JSON, `owner`) that expires
 * with the task, and a pub/sub channel on which tasks/cancel reaches the replica that runs the task. While
 * Redis is unreachable, tools answer inline instead of as tasks (ioredis keeps reconnecting).
 */
export class RedisTaskStore implements TaskStore {
  readonly kind = 'redis';
  private readonly subscriber: Redis;

  private constructor(
    private readonly redis: Redis,
    private readonly onError: (error: Error) => void,
  ) {
    // the subscription may wait for the connection (and ioredis renews it after a reconnect)
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const client of [redis, this.subscriber]) client.on('error', onError);
  }

  static connect(url: string, onError: (error: Error) => void): RedisTaskStore {
    // commands fail fast while disconnected rather than queue: a tool call must not wait on Redis
    const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    return new RedisTaskStore(redis, onError);
  }

  canStore(): boolean {
    return this.redis.status === 'ready';
  }

  async create({ snapshot, owner, aliveAt }: StoredTask): Promise<void> {
    const key = keyOf(snapshot.taskId);
    const fields = {
      status: snapshot.status,
      snapshot: JSON.stringify(snapshot),
      owner,
      aliveAt: String(aliveAt ?? Date.now()),
    };
    await this.redis.multi().hset(key, fields).pexpire(key, snapshot.ttlMs).exec();
  }

  async load(taskId: string): Promise<StoredTask | undefined> {
    const [snapshot, owner, aliveAt] = await this.redis.hmget(keyOf(taskId), 'snapshot', 'owner', 'aliveAt');
    if (snapshot == null || owner == null) return undefined;
    return { snapshot: JSON.parse(snapshot) as TaskSnapshot, owner, aliveAt: Number(aliveAt ?? 0) };
  }

  /** HSET on a key that expired meanwhile would recreate a bare hash: only tasks that still exist are marked. */
  async markAlive(taskIds: readonly string[], at: number): Promise<void> {
    if (taskIds.length === 0) return;
    const batch = this.redis.pipeline();
    for (const taskId of taskIds) batch.eval(MARK_ALIVE_SCRIPT, 1, keyOf(taskId), String(at));
    await batch.exec();
  }

  async settle(next: TaskSnapshot): Promise<boolean> {
    const applied = await this.redis.eval(
      SETTLE_SCRIPT,
      1,
      keyOf(next.taskId),
      next.status,
      JSON.stringify(next),
    );
    return applied === 1;
  }

  async requestCancel(taskId: string): Promise<void> {
    await this.redis.publish(CANCEL_CHANNEL, taskId);
  }

  onCancelRequest(listener: (taskId: string) => void): void {
    this.subscriber.on('message', (channel: string, taskId: string) => {
      if (channel === CANCEL_CHANNEL) listener(taskId);
    });
    this.subscriber.subscribe(CANCEL_CHANNEL).catch((error: unknown) => this.onError(asError(error)));
  }

  async close(): Promise<void> {
    await Promise.all([this.subscriber, this.redis].map(closeClient));
  }
}

/** QUIT lets writes in flight finish; a client that is not connected is just dropped (QUIT would wait). */
async function closeClient(client: Redis): Promise<void> {
  if (client.status !== 'ready') return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
