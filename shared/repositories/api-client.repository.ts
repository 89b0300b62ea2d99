// API clients and their keys. Only the sha256 hex of a key is stored (key_hash); the key itself is shown once.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ApiClientRow {
  id: number;
  name: string;
  scope: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The active (not revoked) client holding the key with this hash. */
export async function findActiveClientByKeyHash(
  db: Db,
  keyHash: string,
): Promise<{ id: number; name: string; scope: string } | undefined> {
  return db
    .selectFrom('api_clients')
    .select(['id', 'name', 'scope'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function insertApiClient(
  db: Db,
  client: { name: string; scope: string; keyHash: string },
): Promise<number> {
  const row = await db
    .insertInto('api_clients')
    .values({ name: client.name, scope: client.scope, key_hash: client.keyHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listApiClients(db: Db): Promise<ApiClientRow[]> {
  return db
    .selectFrom('api_clients')
    .select(['id', 'name', 'scope', 'created_at as createdAt', 'revoked_at as revokedAt'])
    .where('kind', '=', 'key') // users' own rows (migration 0009) are accounts, listed by `ledger users list`
    .orderBy('id')
    .execute();
}

/** Revokes the active clients matching the name or id; returns the ids revoked (none when already revoked or unknown). */
export async function revokeApiClients(db: Db, by: { id: number } | { name: string }): Promise<number[]> {
  let q = db
    .updateTable('api_clients')
    .set({ revoked_at: sql`now()` })
    .where('revoked_at', 'is', null)
    .where('kind', '=', 'key');
  q = 'id' in by ? q.where('id', '=', by.id) : q.where('name', '=', by.name);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id);
}

export async function provinceExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('provinces').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

export async function universityExists(db: Db, code: string): Promise<boolean> {
  return (await db.selectFrom('universities').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}
