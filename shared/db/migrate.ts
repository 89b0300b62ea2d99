// `ledger migrate`: create the database when missing (UTF-8), then apply every migration under a lock.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ensureDatabase } from './databases.ts';
import { migrations } from './migrations/index.ts';

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
          throw new Error(
            `migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`,
          );
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
