// The one place that opens Redis connections and decides how each role waits for a Redis that is down or slow.
// PostgreSQL is the record and Redis only the transport (README): every role may lose a command, and each role below
// says what it does then.
import { Redis, type RedisOptions } from 'ioredis';

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
 * A Redis connection for `role`. It reconnects by itself (except a probe) and a failed command rejects where it was
 * issued, so its 'error' events (one per failed reconnect) are handled here: without a listener ioredis prints each
 * one as an unhandled error.
 */
export function createRedis(url: string, role: RedisRole): Redis {
  const redis = new Redis(url, ROLES[role]);
  redis.on('error', () => {});
  return redis;
}
