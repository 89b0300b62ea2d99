// Statements about whole databases rather than inside one: create one (UTF-8, or cloned from a template), mark it with a
// comment, count its tables, drop it. They run on the server's maintenance database `postgres` (or, for the table
// count, on the database itself) through a client of their own, since a pool is bound to one database.
import pg from 'pg';

/** The name of the database a URL names. */
export const databaseNameOf = (databaseUrl: string): string =>
  decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));

/** The same server's URL for another database (by default the maintenance database `postgres`). */
export function databaseUrlFor(databaseUrl: string, database = 'postgres'): string {
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

/** Creates the database named in `databaseUrl` unless it exists. Safe when several processes race. */
export async function ensureDatabase(databaseUrl: string, template?: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  if (!name)
    throw new Error(`DATABASE_URL has no database name: set it like postgres://postgres@127.0.0.1:5432/ledger`);
  return withClient(databaseUrlFor(databaseUrl), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    const ident = client.escapeIdentifier(name);
    // pg_trgm treats CJK characters as word characters only under a UTF-8 LC_CTYPE; template0 lets us choose it.
    const ddl = template
      ? `CREATE DATABASE ${ident} TEMPLATE ${client.escapeIdentifier(template)}`
      : `CREATE DATABASE ${ident} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`;
    try {
      await client.query(ddl);
      return true;
    } catch (err) {
      // Another process created it between our check and our CREATE.
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw err;
    }
  });
}

/**
 * The comment on the database `databaseUrl` names (COMMENT ON DATABASE): null when it has none, undefined when the
 * database does not exist.
 */
export async function findDatabaseComment(databaseUrl: string): Promise<string | null | undefined> {
  return withClient(databaseUrlFor(databaseUrl), async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [databaseNameOf(databaseUrl)],
    );
    return rows[0]?.comment;
  });
}

/** Sets the comment on the database `databaseUrl` names. */
export async function commentOnDatabase(databaseUrl: string, comment: string): Promise<void> {
  await withClient(databaseUrlFor(databaseUrl), (client) =>
    client.query(
      `COMMENT ON DATABASE ${client.escapeIdentifier(databaseNameOf(databaseUrl))} IS ${client.escapeLiteral(comment)}`,
    ),
  );
}

/** Tables (plain and partitioned) in the database's own schemas, PostgreSQL's catalogs left out. */
export async function countUserTables(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'`,
    );
    return rows[0]!.n;
  });
}

/** Drops the database `databaseUrl` names, ending the sessions still open on it; nothing when it does not exist. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withClient(databaseUrlFor(databaseUrl), (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(databaseNameOf(databaseUrl))} WITH (FORCE)`),
  );
}
