// The demo's own database. The demo drops and re-creates it on every run, so it must never take another database for
// its own: it marks the database it creates (COMMENT ON DATABASE, set before anything else is written) and drops only
// a marked one, or one with no tables; anything else is refused unless --force. The production database name (`ledger`,
// and whatever DATABASE_URL names) is refused outright. These are server-level statements on the maintenance
// database, outside any ledger schema, so they live here beside the demo rather than in a repository.
import pg from 'pg';
import { ensureDatabase } from '../../shared/db/migrate.ts';

export const DEMO_DATABASE_MARKER =
  'ledger demo database: created by `ledger demo`, dropped and re-created by every run';

/** The demo will not use or drop this database; the message says why and what to do instead. */
export class DemoDatabaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoDatabaseRefusedError';
  }
}

const databaseOf = (databaseUrl: string): string =>
  decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));

function urlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Refuses `ledger` and the database DATABASE_URL names: those are where production data lives, --force or not. */
export function refuseProductionDatabase(database: string, databaseUrl: string): void {
  const production = new Set(['ledger', databaseOf(databaseUrl)]);
  if (production.has(database)) {
    throw new DemoDatabaseRefusedError(
      `--database ${database} is a production database name (${[...production].join(', ')}): the demo drops its database on every run; give it one of its own, e.g. --database ledger_demo`,
    );
  }
}

/**
 * Drops `database` on the server of `databaseUrl` if it is the demo's (marked), empty, or `force` is set; refuses
 * otherwise. Nothing to do when it does not exist.
 */
export async function dropDemoDatabase(
  databaseUrl: string,
  database: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const maintenance = urlFor(databaseUrl, 'postgres');
  const found = await withClient(maintenance, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [database],
    );
    return rows[0];
  });
  if (!found) return;
  if (found.comment !== DEMO_DATABASE_MARKER && !options.force) {
    const tables = await withClient(urlFor(databaseUrl, database), async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'`,
      );
      return rows[0]!.n;
    });
    if (tables > 0) {
      throw new DemoDatabaseRefusedError(
        `database ${database} holds ${tables} tables and was not created by ledger demo: choose another --database, or add --force to drop it with everything in it`,
      );
    }
  }
  await withClient(maintenance, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`),
  );
}

/** Creates `database` and marks it as the demo's before anything is written to it; returns its URL. */
export async function createDemoDatabase(databaseUrl: string, database: string): Promise<string> {
  const url = urlFor(databaseUrl, database);
  await ensureDatabase(url);
  await withClient(urlFor(databaseUrl, 'postgres'), (client) =>
    client.query(
      `COMMENT ON DATABASE ${client.escapeIdentifier(database)} IS ${client.escapeLiteral(DEMO_DATABASE_MARKER)}`,
    ),
  );
  return url;
}
