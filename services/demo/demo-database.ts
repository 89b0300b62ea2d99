// The demo's own database. The demo drops and re-creates it on every run, so it must never take another database for
// its own: it marks the database it creates (COMMENT ON DATABASE, set before anything else is written) and drops only
// a marked one, or one with no tables; anything else is refused unless --force. The production database name (`ledger`,
// and whatever DATABASE_URL names) is refused outright. The rules are the demo's and live here; the server-level
// statements they use are in shared/db/databases.ts.
import {
  commentOnDatabase,
  countUserTables,
  databaseNameOf,
  databaseUrlFor,
  dropDatabase,
  ensureDatabase,
  findDatabaseComment,
} from '../../shared/db/databases.ts';

export const DEMO_DATABASE_MARKER =
  'ledger demo database: created by `ledger demo`, dropped and re-created by every run';

/** The demo will not use or drop this database; the message says why and what to do instead. */
export class DemoDatabaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoDatabaseRefusedError';
  }
}

/** Refuses `ledger` and the database DATABASE_URL names: those are where production data lives, --force or not. */
export function refuseProductionDatabase(database: string, databaseUrl: string): void {
  const production = new Set(['ledger', databaseNameOf(databaseUrl)]);
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
  const url = databaseUrlFor(databaseUrl, database);
  const comment = await findDatabaseComment(url);
  if (comment === undefined) return;
  if (comment !== DEMO_DATABASE_MARKER && !options.force) {
    const tables = await countUserTables(url);
    if (tables > 0) {
      throw new DemoDatabaseRefusedError(
        `database ${database} holds ${tables} tables and was not created by ledger demo: choose another --database, or add --force to drop it with everything in it`,
      );
    }
  }
  await dropDatabase(url);
}

/** Creates `database` and marks it as the demo's before anything is written to it; returns its URL. */
export async function createDemoDatabase(databaseUrl: string, database: string): Promise<string> {
  const url = databaseUrlFor(databaseUrl, database);
  await ensureDatabase(url);
  await commentOnDatabase(url, DEMO_DATABASE_MARKER);
  return url;
}
