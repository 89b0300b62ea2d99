// The kysely instance over a pg pool. One per process part; close it on shutdown.
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
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
  /** Overrides DEFAULT_TIMEOUTS (e.g. from dbTimeoutsFor(config, role)); 0 turns one off. */
  timeouts?: Partial<DbTimeouts>;
  /**
   * false: statements marked PREPARED run unnamed like the others (DATABASE_PREPARED_STATEMENTS=off), for a pooler in
   * transaction mode that does not carry protocol-level prepared statements from one server connection to the next
   * (PgBouncer before 1.21, or with max_prepared_statements = 0). Default true.
   */
  preparedStatements?: boolean;
  /**
   * Where the session settings (timeouts, jit, `settings`) go (DATABASE_SESSION_SETTINGS): 'startup' (default) in the
   * connection's startup `options`, so they hold for every statement; 'transaction' as `SET LOCAL` sent with every
   * BEGIN, for a pooler in transaction mode, which refuses or ignores `options` and hands each transaction whichever
   * server connection is free (a plain SET would leak to other clients).
   */
  sessionSettings?: SessionSettingsMode;
}

export type SessionSettingsMode = 'startup' | 'transaction';

/**
 * How long anything towards PostgreSQL may take, in milliseconds (0: no limit). A PostgreSQL that hangs rather than
 * refuses (a lock held, a full disk, a network that drops packets) would otherwise hold every caller and its memory
 * for ever.
 */
export interface DbTimeouts {
  /** Opening a connection, and waiting for one of the pool's connections to become free. */
  connectMs: number;
  /** A statement, measured by the server (statement_timeout, incl. waiting for locks): it is cancelled and rolled back. */
  statementMs: number;
  /** A transaction left open without a statement (idle_in_transaction_session_timeout): its session is ended. */
  idleInTransactionMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<DbTimeouts> = {
  connectMs: 5000,
  statementMs: 600_000,
  idleInTransactionMs: 60_000,
};

/**
 * The client waits this much longer than statement_timeout for an answer (pg's query_timeout): past it the server is
 * not answering at all (its own cancel would have come), so the connection is dropped and whether the statement
 * committed is unknown.
 */
const QUERY_TIMEOUT_MARGIN_MS = 1000;

export type DbRole = 'api' | 'background';

/**
 * The configured timeouts of a process part: the API answers people and upstream systems, so its statements get
 * API_DB_STATEMENT_TIMEOUT_MS (seconds); workers, scheduler and commands run long statements (rankings over millions
 * of visits, rebuilds, imports) and get DB_STATEMENT_TIMEOUT_MS.
 */
export function dbTimeoutsFor(config: Config, role: DbRole): DbTimeouts {
  return {
    connectMs: config.DB_CONNECT_TIMEOUT_MS,
    statementMs: role === 'api' ? config.API_DB_STATEMENT_TIMEOUT_MS : config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** The configured options of a process part's pool: its timeouts and how it talks through a pooler. */
export function dbOptionsFor(
  config: Config,
  role: DbRole,
): Required<Pick<DbOptions, 'timeouts' | 'preparedStatements' | 'sessionSettings'>> {
  return {
    timeouts: dbTimeoutsFor(config, role),
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS === 'on',
    sessionSettings: config.DATABASE_SESSION_SETTINGS,
  };
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
/**
 * The name is a hash of the text, the same in every process: behind a pooler, a server connection may hold the
 * statements another process prepared, and a name must never stand for another text there (a counter would).
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name)
    statementNames.set(text, (name = `ledger_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

// 26000: the named statement is not on this server connection; 42P05: another client prepared it there. Either means
// a pooler hands this client's statements to server connections it did not prepare them on.
const PREPARED_ON_ANOTHER_CONNECTION: ReadonlySet<string> = new Set(['26000', '42P05']);

/** What the instrumented clients of one pool share. */
interface PoolState {
  prepared: boolean;
  /** Sent with every BEGIN when the session settings go per transaction (sessionSettings 'transaction'). */
  setLocal?: string;
  queryTimeoutMs: number;
}

const quoteSetting = (value: string) => `'${value.replace(/'/g, "''")}'`;
const BEGIN = /^\s*(begin|start transaction)\b[^;]*$/i;

type QueryFn = (...args: unknown[]) => unknown;

/** Marks an error raised while a statement was on its way or running (see classifyDbError). */
const SENT = Symbol('ledger.statementSent');

/**
 * Sends marked statements (see PREPARED) with a name, everything else as it was; marks the errors of a statement as
 * raised after it was sent; and drops a connection whose statement got no answer in time. pg's query_timeout only
 * stops waiting: the statement stays active on the connection, which goes back to the pool and would hold every later
 * statement behind the one that never ends.
 */
function instrumentClient(client: pg.PoolClient, state: PoolState): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [given, values, ...rest] = args;
    // Only plain statements (kysely sends text and values) get the read timeout: a cursor (pg-cursor) reads for as
    // long as its consumer takes, and is bounded by statement_timeout on the server instead.
    if (typeof given !== 'string') return query(...args);
    const named = state.prepared && given.startsWith(PREPARED);
    const name = named ? { name: statementName(given) } : {};
    // BEGIN has no parameters, so it goes by the simple protocol, which takes several statements in one round trip.
    const withSettings = state.setLocal && BEGIN.test(given) && !(values as unknown[] | undefined)?.length;
    const text = withSettings ? `${given}; ${state.setLocal}` : given;
    const result = query({ text, values, query_timeout: state.queryTimeoutMs || undefined, ...name }, ...rest);
    if (!(result instanceof Promise)) return result;
    return result.then(
      // Several statements answer with one result each: the caller asked for the first.
      (res: unknown) => (withSettings && Array.isArray(res) ? res[0] : res),
      (err: unknown) => {
        if (err instanceof Error) {
          Object.defineProperty(err, SENT, { value: true });
          if (err.message === 'Query read timeout') void client.end().catch(() => {});
          const code = (err as { code?: unknown }).code;
          if (named && typeof code === 'string' && PREPARED_ON_ANOTHER_CONNECTION.has(code) && state.prepared) {
            // Detected: a pooler in transaction mode that does not track prepared statements. This statement failed
            // (its transaction is aborted; jobs and requests retry); every later one of this pool runs unnamed.
            state.prepared = false;
            process.emitWarning(
              `PostgreSQL answered ${code} (${err.message}) to a prepared statement: a pooler in transaction mode ` +
                'is carrying them between server connections; prepared statements are now off for this pool. ' +
                'Set DATABASE_PREPARED_STATEMENTS=off (PgBouncer < 1.21, or max_prepared_statements = 0).',
              'LedgerPreparedStatementsWarning',
            );
          }
        }
        throw err;
      },
    );
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

/**
 * What a failed statement means for the caller:
 * - `unreachable`: no connection could be had (refused, timed out, database missing, too many connections): the
 *   statement was never sent, nothing happened;
 * - `interrupted`: the connection broke or stopped answering after the statement was sent: it may have committed;
 * - `cancelled`: the server cancelled it (statement_timeout, a cancel request): it rolled back;
 * - `data` (SQLSTATE class 22) and `integrity` (class 23): the statement's values cannot be stored; the same input will
 *   fail again, so it is the input's error, not an outage;
 * - `refused`: any other error the server answered with (a trigger, a full disk, an exhausted retry): it rolled back.
 */
export type DbFailure = 'unreachable' | 'interrupted' | 'cancelled' | 'data' | 'integrity' | 'refused';

// Errors of the connection itself rather than of the statement: class 08 (connection exception), 57P01-57P03
// (administrator or crash shutdown, cannot connect now), 53300 (too many connections), 3D000 (no such database),
// class 28 (authentication).
const CONNECTION_SQLSTATE = /^(08|57P0|53300|3D000|28)/;

export function classifyDbError(err: unknown): DbFailure {
  // Only the server's answers carry a SQLSTATE; a socket's errno code (EPIPE) must not pass for one.
  const sqlstate = err instanceof pg.DatabaseError ? err.code : undefined;
  const sent = typeof err === 'object' && err !== null && SENT in err;
  if (sqlstate?.startsWith('22')) return 'data';
  if (sqlstate?.startsWith('23')) return 'integrity';
  if (sqlstate === '57014') return 'cancelled';
  // Without a SQLSTATE the failure is the socket's (ECONNREFUSED, ECONNRESET, a connect or read timeout).
  if (sqlstate === undefined || CONNECTION_SQLSTATE.test(sqlstate)) return sent ? 'interrupted' : 'unreachable';
  return 'refused';
}

/**
 * True when PostgreSQL accepts a connection to exactly this URL's database and answers a statement within
 * `timeoutMs` to connect (start-up checks: is a server there at all, before any pool exists).
 */
export async function pingDatabaseUrl(databaseUrl: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The pg pool under a Db (createDb), with the settings, timeouts and statement handling of `options`. */
export function createPool(databaseUrl: string, options: DbOptions = {}): pg.Pool {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const serverTimeouts = {
    statement_timeout: String(timeouts.statementMs),
    idle_in_transaction_session_timeout: String(timeouts.idleInTransactionMs),
  };
  const settings = { ...DEFAULT_SETTINGS, ...serverTimeouts, ...options.settings };
  const perTransaction = options.sessionSettings === 'transaction';
  const state: PoolState = {
    prepared: options.preparedStatements ?? true,
    queryTimeoutMs: timeouts.statementMs > 0 ? timeouts.statementMs + QUERY_TIMEOUT_MARGIN_MS : 0,
    ...(perTransaction
      ? {
          setLocal: Object.entries(settings)
            .map(([name, value]) => `SET LOCAL ${name} = ${quoteSetting(value)}`)
            .join('; '),
        }
      : {}),
  };
  const pool = new pg.Pool({
    connectionString: perTransaction ? databaseUrl : withSessionSettings(databaseUrl, settings),
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'ledger',
    connectionTimeoutMillis: timeouts.connectMs,
    // Notices a peer that vanished without closing (a crashed host, a dropped route) on idle connections too.
    keepAlive: true,
  });
  // An idle client that loses its connection (server restart, terminated backend) must not crash the process.
  pool.on('error', () => {});
  // The same for a client that is checked out but between queries (e.g. inside a transaction): without a listener
  // its 'error' event would crash the process; the failed query surfaces to the caller and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    instrumentClient(client, state);
  });
  return pool;
}

export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(databaseUrl, options) }) });
}
