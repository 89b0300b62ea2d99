// The one place that opens Redis connections and decides how each role waits for a Redis that is down or slow.
// PostgreSQL is the record and Redis only the transport (docs/architecture.md): every role may lose a command, and each role below
// says what it does then.
//
// REDIS_URL names one server (redis://, rediss://) or a Redis Cluster (redis+cluster://host:port,host:port, see
// shared/redis-url.ts); createRedis gives an ioredis Redis or Cluster accordingly, with the same per-role choices.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url.ts';

/** A connection to one Redis server or to a Redis Cluster: BullMQ takes either. */
export type RedisClient = Redis | Cluster;

export type RedisRole = 'api' | 'producer' | 'worker' | 'scheduler' | 'cli' | 'probe';

/** ioredis's own defaults, written out so that each role's choice is visible beside the others. */
const DEFAULTS = {
  connectTimeout: 10_000,
  // Commands issued while disconnected wait for the reconnect instead of failing at once.
  enableOfflineQueue: true,
  // undefined: ioredis's backoff (exponential from 50 ms to 5 s, with jitter), reconnecting for ever.
  retryStrategy: undefined,
} satisfies RedisOptions;

const ROLES: Record<RedisRole, RedisOptions> = {
  // One retry: an enqueue that cannot reach Redis should fail soon. The event is already committed to the inbox and the
  // sweeper redelivers it; a request must not wait on Redis. /readyz reports a Redis that is down.
  api: { ...DEFAULTS, maxRetriesPerRequest: 1 },
  // Enqueues from the workers (the sweepers, follow-up jobs): a few retries ride out a short failover. A failed
  // enqueue is redone by the next sweep.
  producer: { ...DEFAULTS, maxRetriesPerRequest: 3 },
  // BullMQ workers block on Redis (BRPOPLPUSH and friends) and require maxRetriesPerRequest: null: their commands must
  // wait for the reconnect however long Redis is away, or the worker stops taking jobs.
  worker: { ...DEFAULTS, maxRetriesPerRequest: null },
  // Cron ticks only enqueue, with per-period job ids, and the periodic catch-up re-enqueues what a tick lost.
  scheduler: { ...DEFAULTS, maxRetriesPerRequest: 3 },
  // A command run by an operator (or the demo): a few retries, then it fails with a message rather than hanging.
  cli: { ...DEFAULTS, maxRetriesPerRequest: 3 },
  // "Does Redis answer here?" (the demo's start-up check): one attempt, quickly, no reconnecting, so that a Redis that
  // is not there is reported in seconds. The caller connects (lazyConnect) and disconnects.
  probe: {
    connectTimeout: 3000,
    enableOfflineQueue: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  },
};

/**
 * On a cluster, how long a role's commands wait out a failover. A master that dies closes its connections; until a
 * replica takes over (cluster-node-timeout, 15 s by default, plus an election of about a second) its slots answer
 * nothing or CLUSTERDOWN. ioredis retries such a command every `retryDelayOnFailover` / `retryDelayOnClusterDown`,
 * refreshing the slot map each time, until `maxRedirections` tries are spent (its defaults, 16 × 100 ms, give up
 * after 1.6 s). The node connections themselves never reconnect: the cluster client re-reads the layout instead.
 */
const CLUSTER_ROLES: Record<RedisRole, ClusterOptions> = {
  // ioredis's defaults: a request gives up within 2 s; the inbox row is committed and the sweeper redelivers it.
  api: {},
  // About 20 s, one retry a second: longer than a failover with the default cluster-node-timeout.
  producer: { retryDelayOnFailover: 1000, retryDelayOnClusterDown: 1000, maxRedirections: 20 },
  // About 2 minutes: a worker's commands wait (single server: for ever); past that a command fails, BullMQ retries
  // its loop, and a job whose lock was lost comes back as stalled (its handler is idempotent).
  worker: { retryDelayOnFailover: 1000, retryDelayOnClusterDown: 1000, maxRedirections: 120 },
  scheduler: { retryDelayOnFailover: 1000, retryDelayOnClusterDown: 1000, maxRedirections: 20 },
  cli: { retryDelayOnFailover: 1000, retryDelayOnClusterDown: 1000, maxRedirections: 20 },
  // One attempt at the layout, no reconnecting (see the single-server probe).
  probe: { clusterRetryStrategy: () => null, lazyConnect: true, maxRedirections: 1 },
};

/**
 * A Redis connection for `role`, to one server or to a cluster (REDIS_URL). It reconnects by itself (except a probe)
 * and a failed command rejects where it was issued, so its 'error' events (one per failed reconnect) are handled
 * here: without a listener ioredis prints each one as an unhandled error.
 */
export function createRedis(url: string, role: RedisRole): RedisClient {
  const target = parseRedisUrl(url);
  let redis: RedisClient;
  if (target.kind === 'server') {
    redis = new Redis(url, ROLES[role]);
  } else {
    // Options of each node's connection: the role's, less what the cluster client decides itself (it never
    // reconnects a node, and lazyConnect / the offline queue belong to the cluster client).
    const { retryStrategy: _retry, lazyConnect, enableOfflineQueue, ...nodeOptions } = ROLES[role];
    redis = new Cluster(target.nodes, {
      ...CLUSTER_ROLES[role],
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      redisOptions: {
        ...nodeOptions,
        ...(target.username !== undefined ? { username: target.username } : {}),
        ...(target.password !== undefined ? { password: target.password } : {}),
        ...(target.tls ? { tls: {} } : {}),
      },
    });
  }
  redis.on('error', () => {});
  return redis;
}

/**
 * Deletes every key that starts with `prefix` (a test's or the demo's queue prefix): SCAN on each master of a
 * cluster (SCAN sees one node's keys only), and one UNLINK per key, so that keys of different slots never meet in
 * one command (CROSSSLOT).
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  const pattern = prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`) + '*';
  if (redis instanceof Cluster && redis.status !== 'ready') {
    // The masters are known once the cluster client has read the layout.
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('end', () => reject(new Error('the Redis Cluster connection ended before it was ready')));
    });
  }
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.unlink(key);
        await pipeline.exec();
        deleted += keys.length;
      }
    } while (cursor !== '0');
  }
  return deleted;
}
