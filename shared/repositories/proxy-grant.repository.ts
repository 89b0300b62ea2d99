// 代录 grants (proxy_grants, migration 0021): given per province or per university to a person's account.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface ProxyGrantRow {
  id: number;
  userId: number;
  provinceCode: string | null;
  universityCode: string | null;
  grantedAt: Date;
  grantedBy: string;
}

const columns = [
  'id',
  'user_id as userId',
  'province_code as provinceCode',
  'university_code as universityCode',
  'granted_at as grantedAt',
  'granted_by as grantedBy',
] as const;

/** Inserts a live grant; undefined when the same one is live already. */
export async function insertProxyGrant(
  db: Executor,
  grant: { userId: number; provinceCode: string | null; universityCode: string | null; grantedBy: string },
): Promise<ProxyGrantRow | undefined> {
  return db
    .insertInto('proxy_grants')
    .values({
      user_id: grant.userId,
      province_code: grant.provinceCode,
      university_code: grant.universityCode,
      granted_by: grant.grantedBy,
    })
    .onConflict((oc) =>
      oc
        .expression(sql`user_id, coalesce(province_code, ''), coalesce(university_code, '')`)
        .where('revoked_at', 'is', null)
        .doNothing(),
    )
    .returning(columns)
    .executeTakeFirst();
}

/** Revokes the live grant; undefined when there was none. */
export async function revokeProxyGrant(
  db: Executor,
  grant: { userId: number; provinceCode: string | null; universityCode: string | null; revokedBy: string },
): Promise<ProxyGrantRow | undefined> {
  return db
    .updateTable('proxy_grants')
    .set({ revoked_at: sql`now()`, revoked_by: grant.revokedBy })
    .where('user_id', '=', grant.userId)
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`province_code IS NOT DISTINCT FROM ${grant.provinceCode}`)
    .where(sql<boolean>`university_code IS NOT DISTINCT FROM ${grant.universityCode}`)
    .returning(columns)
    .executeTakeFirst();
}

/** Live grants of the given users (all users when omitted), oldest first. */
export async function listLiveProxyGrants(db: Executor, userIds?: number[]): Promise<ProxyGrantRow[]> {
  let q = db.selectFrom('proxy_grants').select(columns).where('revoked_at', 'is', null);
  if (userIds) {
    if (userIds.length === 0) return [];
    q = q.where('user_id', 'in', userIds);
  }
  return q.orderBy('id').execute();
}

/** Live grants of the person whose own client row this is. */
export async function listLiveProxyGrantsOfClient(
  db: Executor,
  clientId: number,
): Promise<Array<{ provinceCode: string | null; universityCode: string | null }>> {
  return db
    .selectFrom('proxy_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.province_code as provinceCode', 'g.university_code as universityCode'])
    .where('u.client_id', '=', clientId)
    .where('g.revoked_at', 'is', null)
    .execute();
}
