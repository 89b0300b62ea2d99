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

/**
 * A statement whose text begins with this comment runs as a named prepared statement: parsed once per connection, and
 * planned once when PostgreSQL finds its generic plan as good as a custom one (scalar parameters, not arrays). For the
 * short hot statements of employer resolution, planning costs more than running. Mark only fixed texts (no lists
 * that vary in length): each distinct text stays prepared for the connection's life.
 */
export const PREPARED = '/* prepared */';
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `ledger_${statementNames.size}`));
  return name;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Sends marked statements (see PREPARED) with a name, everything else as it was. */
function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [text, values, ...rest] = args;
    if (typeof text === 'string' && text.startsWith(PREPARED)) return query({ name: statementName(text), text, values }, ...rest);
    return query(...args);
  };
}

// Deadlock, serialization failure: the transaction lost a race with another one and may simply run again.
const CONFLICTS: ReadonlySet<string> = new Set(['40P01', '40001']);

/** Runs `attempt` (a statement or a whole transaction) again, up to `attempts` times in all, while it loses such races. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (!(typeof code === 'string' && CONFLICTS.has(code) && tries < attempts)) throw err;
    }
  }
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
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareMarkedStatements(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
