// 代录 grants: give, revoke and read the right of a person's account to write a university's visits for it
// (shared/domain/proxy.ts), per province (reporting unit) or per university. Each change is audited in its transaction.
import type { Db, Executor } from '../db/database.ts';
import type { AuditActor } from '../domain/audit.ts';
import { NO_PROXY_GRANTS, writesForOthers, type ProxyGrants } from '../domain/proxy.ts';
import { BINGTUAN_CODE, BINGTUAN_SCOPE, maySubmitFor, parseScope } from '../domain/scope.ts';
import { provinceExists, universityExists } from '../repositories/api-client.repository.ts';
import { findUniversityProvinces } from '../repositories/inbox.repository.ts';
import {
  insertProxyGrant,
  listLiveProxyGrantsOfClient,
  revokeProxyGrant,
} from '../repositories/proxy-grant.repository.ts';
import { findUserByName } from '../repositories/user.repository.ts';
import { recordAudit, SYSTEM_ACTOR } from './audit.ts';
import { UnknownUserError, UserInputError } from './manage-users.ts';

/** What a grant is for: one province (a 6-digit code, or `bingtuan`) or one university (10 digits). */
export type ProxyTarget = { province: string } | { university: string };

/** The grant's target as `users list` shows it: `province:440000` or `university:4144010558`. */
export const formatProxyTarget = (g: { provinceCode: string | null; universityCode: string | null }): string =>
  g.provinceCode !== null ? `province:${g.provinceCode}` : `university:${g.universityCode}`;

async function resolveTarget(
  db: Db,
  target: ProxyTarget,
): Promise<{ provinceCode: string | null; universityCode: string | null }> {
  if ('province' in target) {
    const code = target.province === BINGTUAN_SCOPE ? BINGTUAN_CODE : target.province;
    if (!/^\d{6}$/.test(code) || (code !== BINGTUAN_CODE && !(await provinceExists(db, code))))
      throw new UserInputError(
        'province',
        `${target.province} is not a province code (e.g. 440000 广东省) or bingtuan`,
      );
    return { provinceCode: code, universityCode: null };
  }
  const code = target.university;
  if (!/^\d{10}$/.test(code) || !(await universityExists(db, code)))
    throw new UserInputError('university', `${code} is not the 10-digit code of an imported university`);
  return { provinceCode: null, universityCode: code };
}

export interface ProxyGrantChange {
  user: string;
  target: string;
  changed: boolean;
}

/** Gives the account a grant; giving a live grant again changes nothing. */
export async function grantProxy(
  db: Db,
  name: string,
  target: ProxyTarget,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<ProxyGrantChange> {
  const user = await findUserByName(db, name);
  if (!user) throw new UnknownUserError(name);
  const scope = parseScope(user.scope);
  if (!scope || !writesForOthers(scope))
    throw new UserInputError('name', `${name} (${user.scope}) writes its own university's visits: it needs no grant`);
  const resolved = await resolveTarget(db, target);
  const text = formatProxyTarget(resolved);
  // A grant beyond what the account's scope may write for would do nothing: say so instead.
  const province =
    resolved.provinceCode ??
    (await findUniversityProvinces(db, [resolved.universityCode!])).get(resolved.universityCode!);
  if (province === undefined || !maySubmitFor(scope, resolved.universityCode ?? '', province))
    throw new UserInputError(
      'name',
      `${name} (${user.scope}) may not write for ${text} whatever its grants: a grant only covers universities within its scope`,
    );
  return changeGrant(db, { id: user.id, name }, text, actor, 'grant', (trx) =>
    insertProxyGrant(trx, { userId: user.id, ...resolved, grantedBy: actor.name ?? actor.kind }),
  );
}

/** Revokes the account's grant; revoking one it does not hold changes nothing. */
export async function revokeProxy(
  db: Db,
  name: string,
  target: ProxyTarget,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<ProxyGrantChange> {
  const user = await findUserByName(db, name);
  if (!user) throw new UnknownUserError(name);
  const resolved = await resolveTarget(db, target);
  const text = formatProxyTarget(resolved);
  return changeGrant(db, { id: user.id, name }, text, actor, 'revoke', (trx) =>
    revokeProxyGrant(trx, { userId: user.id, ...resolved, revokedBy: actor.name ?? actor.kind }),
  );
}

/** Writes a grant's change and, when it changed something, its audit entry, in one transaction. */
function changeGrant(
  db: Db,
  user: { id: number; name: string },
  text: string,
  actor: AuditActor,
  change: 'grant' | 'revoke',
  write: (trx: Db) => Promise<unknown>,
): Promise<ProxyGrantChange> {
  return db.transaction().execute(async (trx) => {
    const row = await write(trx);
    const state = { name: user.name, proxy: text };
    if (row)
      await recordAudit(trx, {
        actor,
        action: `user.${change}-proxy`,
        target: `user:${user.id}`,
        ...(change === 'grant' ? { after: state } : { before: state }),
        result: 'ok',
      });
    return { user: user.name, target: text, changed: row !== undefined };
  });
}

/** The live grants of the person whose own client row this is (none for a key). */
export async function proxyGrantsOfClient(db: Executor, clientId: number): Promise<ProxyGrants> {
  const rows = await listLiveProxyGrantsOfClient(db, clientId);
  if (rows.length === 0) return NO_PROXY_GRANTS;
  return {
    provinces: new Set(rows.flatMap((r) => (r.provinceCode !== null ? [r.provinceCode] : []))),
    universities: new Set(rows.flatMap((r) => (r.universityCode !== null ? [r.universityCode] : []))),
  };
}
