// People's accounts (users) and their console sessions (user_sessions), migration 0009. A user's scope is that of its
// own api_clients row (kind 'user'), the one scope record a key and a person share.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface UserRow {
  id: number;
  name: string;
  scope: string;
  email: string | null;
  clientId: number;
  createdAt: Date;
  passwordChangedAt: Date;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  /** Set by someone else (generated, or reset): to be changed at first sign-in, and dead after it expires. */
  mustChangePassword: boolean;
  temporaryPasswordExpiresAt: Date | null;
}

export interface UserWithHash extends UserRow {
  passwordHash: string;
}

const userColumns = [
  'u.id',
  'u.name',
  'c.scope',
  'u.email',
  'u.client_id as clientId',
  'u.created_at as createdAt',
  'u.password_changed_at as passwordChangedAt',
  'u.last_login_at as lastLoginAt',
  'u.disabled_at as disabledAt',
  'u.must_change_password as mustChangePassword',
  'u.temporary_password_expires_at as temporaryPasswordExpiresAt',
] as const;

const users = (db: Executor) => db.selectFrom('users as u').innerJoin('api_clients as c', 'c.id', 'u.client_id');

/** The account's own client row: what request.client.id is for this person. */
export async function insertUserClient(db: Executor, name: string, scope: string): Promise<number> {
  const row = await db
    .insertInto('api_clients')
    .values({ name, scope, kind: 'user', key_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts the user; undefined when the name is taken (nothing inserted). */
export async function insertUser(
  db: Executor,
  user: {
    name: string;
    email: string | null;
    passwordHash: string;
    clientId: number;
    /** A temporary password's end; null for one the person chose. */
    temporaryUntil: Date | null;
  },
): Promise<number | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      name: user.name,
      email: user.email,
      password_hash: user.passwordHash,
      client_id: user.clientId,
      must_change_password: user.temporaryUntil !== null,
      temporary_password_expires_at: user.temporaryUntil,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function listUsers(db: Executor): Promise<UserRow[]> {
  return users(db).select(userColumns).orderBy('u.id').execute();
}

export async function findUserByName(db: Executor, name: string): Promise<UserWithHash | undefined> {
  return users(db)
    .select([...userColumns, 'u.password_hash as passwordHash'])
    .where('u.name', '=', name)
    .executeTakeFirst();
}

export async function findUserById(db: Executor, id: number): Promise<UserRow | undefined> {
  return users(db).select(userColumns).where('u.id', '=', id).executeTakeFirst();
}

/** Disables the user and revokes its client row; returns false when it was already disabled or is unknown. */
export async function markUserDisabled(db: Executor, id: number): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ disabled_at: sql`now()` })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .returning('client_id')
    .executeTakeFirst();
  if (!row) return false;
  await db
    .updateTable('api_clients')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', row.client_id)
    .where('revoked_at', 'is', null)
    .execute();
  return true;
}

/** Sets the password; `temporaryUntil` makes it temporary (to be changed at first sign-in, dead after that time). */
export async function setUserPassword(
  db: Executor,
  id: number,
  passwordHash: string,
  temporaryUntil: Date | null,
): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({
      password_hash: passwordHash,
      password_changed_at: sql`now()`,
      must_change_password: temporaryUntil !== null,
      temporary_password_expires_at: temporaryUntil,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function markUserLoggedIn(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('users')
    .set({ last_login_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function insertSession(
  db: Executor,
  session: { idHash: string; userId: number; expiresAt: Date; address: string | null },
): Promise<void> {
  await db
    .insertInto('user_sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      expires_at: session.expiresAt,
      address: session.address,
    })
    .execute();
}

export interface SessionRow {
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** The user's client, as request.client carries it. */
  client: { id: number; name: string; scope: string };
  password: { mustChange: boolean; changedAt: Date };
}

/** The session with this id hash, whatever its times, if its user is enabled; the caller decides whether it lives. */
export async function findSessionOfEnabledUser(db: Executor, idHash: string): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('api_clients as c', 'c.id', 'u.client_id')
    .select([
      's.user_id',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'c.id as client_id',
      'u.name',
      'c.scope',
      'u.must_change_password',
      'u.password_changed_at',
    ])
    .where('s.id_hash', '=', idHash)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    client: { id: row.client_id, name: row.name, scope: row.scope },
    password: { mustChange: row.must_change_password, changedAt: row.password_changed_at },
  };
}

export async function touchSession(db: Executor, idHash: string, at: Date): Promise<void> {
  await db.updateTable('user_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Executor, idHash: string): Promise<boolean> {
  const r = await db.deleteFrom('user_sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Ends the user's sessions, except the one with `keepIdHash` when given. */
export async function deleteSessionsOfUser(db: Executor, userId: number, keepIdHash?: string): Promise<number> {
  let q = db.deleteFrom('user_sessions').where('user_id', '=', userId);
  if (keepIdHash !== undefined) q = q.where('id_hash', '<>', keepIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Sessions past their absolute end, or idle longer than idleSeconds: removed at each login, so the table stays small. */
export async function deleteEndedSessions(db: Executor, idleSeconds: number): Promise<number> {
  const r = await db
    .deleteFrom('user_sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', sql<Date>`now()`),
        eb('last_seen_at', '<=', sql<Date>`now() - make_interval(secs => ${idleSeconds})`),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
