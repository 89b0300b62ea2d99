// A Redis key prefix of this test file's own; its keys are deleted afterwards.
import { createRedis } from '../../shared/redis.ts';
import { TEST_REDIS_URL } from './services.ts';
import { uniqueName } from './test-db.ts';

export interface TestRedis {
  url: string;
  prefix: string;
  cleanup(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = uniqueName('ledger_test');
  return {
    url: TEST_REDIS_URL,
    prefix,
    async cleanup() {
      const redis = createRedis(TEST_REDIS_URL, 'cli');
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
