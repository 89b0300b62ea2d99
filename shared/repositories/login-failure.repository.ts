// Failed sign-ins (login_failures, login_name_failures; migration 0021): per (name, address), and per name by the hour.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { LoginFailures } from '../domain/login-guard.ts';

export async function findLoginFailures(
  db: Executor,
  nameKey: string,
  address: string,
): Promise<LoginFailures | undefined> {
  return db
    .selectFrom('login_failures')
    .select(['failures', 'last_failed_at as lastFailedAt', 'locked_until as lockedUntil'])
    .where('name_key', '=', nameKey)
    .where('address', '=', address)
    .executeTakeFirst();
}

export async function saveLoginFailures(
  db: Executor,
  nameKey: string,
  address: string,
  state: LoginFailures,
): Promise<void> {
  const row = { failures: state.failures, last_failed_at: state.lastFailedAt, locked_until: state.lockedUntil };
  await db
    .insertInto('login_failures')
    .values({ name_key: nameKey, address, ...row })
    .onConflict((oc) => oc.columns(['name_key', 'address']).doUpdateSet(row))
    .execute();
}

/** Forgets the failures of a name from one address (after a sign-in there), or from all (an unlock); how many rows. */
export async function clearLoginFailures(db: Executor, nameKey: string, address?: string): Promise<number> {
  let q = db.deleteFrom('login_failures').where('name_key', '=', nameKey);
  if (address !== undefined) q = q.where('address', '=', address);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** The addresses from which a name is locked now. */
export async function listLoginLocks(db: Executor, nameKey: string, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('login_failures')
    .select('address')
    .where('name_key', '=', nameKey)
    .where('locked_until', '>', now)
    .orderBy('address')
    .execute();
  return rows.map((r) => r.address);
}

/**
 * Counts one failure of the name in its current hour (a new hour starts the count again) and returns the count; and
 * whether the alarm is still to raise this hour. Atomic: concurrent failures each get their own count.
 */
export async function countNameFailure(
  db: Executor,
  nameKey: string,
  now: Date,
): Promise<{ failures: number; alarmed: boolean }> {
  const row = await db
    .insertInto('login_name_failures')
    .values({ name_key: nameKey, window_start: now, failures: 1, alarmed_at: null })
    .onConflict((oc) =>
      oc.column('name_key').doUpdateSet({
        failures: sql`CASE WHEN login_name_failures.window_start <= ${now}::timestamptz - interval '1 hour'
                           THEN 1 ELSE login_name_failures.failures + 1 END`,
        alarmed_at: sql`CASE WHEN login_name_failures.window_start <= ${now}::timestamptz - interval '1 hour'
                             THEN NULL ELSE login_name_failures.alarmed_at END`,
        window_start: sql`CASE WHEN login_name_failures.window_start <= ${now}::timestamptz - interval '1 hour'
                               THEN ${now}::timestamptz ELSE login_name_failures.window_start END`,
      }),
    )
    .returning(['failures', 'alarmed_at'])
    .executeTakeFirstOrThrow();
  return { failures: row.failures, alarmed: row.alarmed_at !== null };
}

/** Marks this hour's alarm of the name raised; false when another process raised it first. */
export async function markNameAlarmed(db: Executor, nameKey: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('login_name_failures')
    .set({ alarmed_at: now })
    .where('name_key', '=', nameKey)
    .where('alarmed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
