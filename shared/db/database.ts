// The kysely instance over a pg pool. One per process part; close it on shutdown.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar date in Asia/Shanghai must not shift with the server's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// bigint ids and counts fit comfortably in a double at this scale.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Db = Kysely<Database>;

export interface DbOptions {
  poolSize?: number;
  applicationName?: string;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
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
