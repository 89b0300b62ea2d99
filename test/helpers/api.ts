// The real API (startApi: its own pool, Redis connection and producer) on a free port of 127.0.0.1, and API keys.
import { randomBytes } from 'node:crypto';
import { startApi } from '../../services/api/index.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Db } from '../../shared/db/database.ts';
import { hashApiKey } from '../../shared/domain/api-key.ts';

export interface TestApiOptions {
  /** The test's database (createTestDatabase().url). */
  databaseUrl: string;
  /** Redis (createTestRedis().url or a private redis-server). */
  redisUrl: string;
  /** BullMQ key prefix (createTestRedis().prefix). */
  prefix: string;
  /** Further settings, e.g. { RATE_LIMIT_PER_MINUTE: '5', API_KEY_CACHE_SECONDS: '1' }. */
  env?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON (incl. problem+json), else undefined. */
  body: T;
  text: string;
}

export interface RequestOptions {
  /** API key, sent as Authorization: Bearer <key>. */
  key?: string;
  /** Sent as JSON (JSON.stringify) unless `raw` is given. */
  body?: unknown;
  /** A body sent as is (content-type application/json unless headers say otherwise). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export async function startTestApi(options: TestApiOptions): Promise<TestApi> {
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DB_POOL_SIZE: '5',
    ...options.env,
  });
  const api = await startApi(config);
  const url = api.url!;
  return {
    url,
    close: () => api.close(),
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
      let body: string | Buffer | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      let parsed: unknown;
      if (type.includes('json') && text) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed as never, text };
    },
  };
}

/** Creates an API client with this scope (`university:CODE`, `province:CODE`, `national`, `admin`); returns its key. */
export async function createApiKey(
  db: Db,
  scope: string,
  name = `test-${scope}-${randomBytes(3).toString('hex')}`,
): Promise<string> {
  const key = `lk_${randomBytes(32).toString('base64url')}`;
  await db
    .insertInto('api_clients')
    .values({ name, scope, key_hash: hashApiKey(key) })
    .execute();
  return key;
}
