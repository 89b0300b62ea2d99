// A Redis key prefix of this test file's own; its keys are deleted afterwards.
import { createRedis, deleteKeysWithPrefix } from '../../shared/redis.ts';
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
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}
