// `ledger migrate`: create the database when missing (UTF-8), then apply every migration under a lock.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.ts';

/** Creates the database named in `databaseUrl` unless it exists. Safe when several processes race. */
export async function ensureDatabase(databaseUrl: string, template?: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL has no database name: set it like postgres://postgres@127.0.0.1:5432/ledger`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
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
  } finally {
    await client.end();
  }
}

export interface MigrateResult {
  created: boolean;
  applied: string[];
}

export async function migrateToLatest(databaseUrl: string): Promise<MigrateResult> {
  const created = await ensureDatabase(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Kysely's Migrator locks while migrating, but two first runs can still race creating its own
    // bookkeeping tables; a session advisory lock around the whole run serialises them.
    return await db.connection().execute(async (conn) => {
      await sql`SELECT pg_advisory_lock(7351001)`.execute(conn);
      try {
        const migrator = new Migrator({
          db: conn,
          provider: { getMigrations: async () => migrations },
        });
        const { error, results } = await migrator.migrateToLatest();
        if (error) {
          const failed = results?.find((r) => r.status === 'Error');
          throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`);
        }
        return { created, applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
      } finally {
        await sql`SELECT pg_advisory_unlock(7351001)`.execute(conn);
      }
    });
  } finally {
    await db.destroy();
  }
}
