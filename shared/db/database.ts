// The kysely instance over a pg pool. One per process part; close it on shutdown.
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar date in Asia/Shanghai must not shift with the server's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// bigint ids and counts fit comfortably in a double at this scale.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Db = Kysely<Database>;
/** What a repository function runs on: the pool or the caller's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface DbOptions {
  poolSize?: number;
  applicationName?: string;
  /** Session settings (`SET name = value` for every connection), on top of the defaults below. */
  settings?: Record<string, string>;
}

// JIT compilation costs hundreds of milliseconds on a query the planner misjudges as big (seen on employer blocking
// right after a bulk load, before statistics catch up); every query here is short and indexed, so it never pays.
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = { jit: 'off' };

/** The URL with the session settings added to its `options` parameter (an `options` already in the URL wins). */
export function withSessionSettings(databaseUrl: string, settings: Record<string, string>): string {
  const url = new URL(databaseUrl);
  const given = url.searchParams.get('options') ?? '';
  const added = Object.entries(settings)
    .filter(([name]) => !given.includes(`${name}=`))
    .map(([name, value]) => `-c ${name}=${value}`);
  if (added.length) url.searchParams.set('options', [given, ...added].filter(Boolean).join(' '));
  return url.toString();
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: withSessionSettings(databaseUrl, { ...DEFAULT_SETTINGS, ...options.settings }),
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'ledger',
  });
  // An idle client that loses its connection (server restart, terminated backend) must not crash the process.
  pool.on('error', () => {});
  // The same for a client that is checked out but between queries (e.g. inside a transaction): without a listener
  // its 'error' event would crash the process; the failed query surfaces to the caller and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
