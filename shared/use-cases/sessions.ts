// Console sessions: log in with a name and password, find the session behind a cookie, log out. The cookie holds a
// random id; the store holds its sha256 only, with the session's idle and absolute ends (SESSION_IDLE_SECONDS,
// SESSION_ABSOLUTE_SECONDS). Logging out, disabling the account or resetting its password deletes the rows, so a copy
// of the cookie kept elsewhere stops working at once.
import type { Db } from '../db/database.ts';
import {
  csrfTokenOf,
  hashSessionId,
  newSessionId,
  sessionExpiry,
  sessionState,
  shouldTouchSession,
  type SessionLifetimes,
} from '../domain/accounts.ts';
import { parseScope, type ClientScope } from '../domain/scope.ts';
import {
  deleteEndedSessions,
  deleteSession,
  findSessionOfEnabledUser,
  findUserByName,
  insertSession,
  markUserLoggedIn,
  touchSession,
} from '../repositories/user.repository.ts';
import { verifyPassword } from './manage-users.ts';

/** Who a session acts as: the same shape as an API key's client (its id is the user's own api_clients row). */
export interface SessionClient {
  id: number;
  name: string;
  scope: ClientScope;
}

export interface OpenedSession {
  sessionId: string;
  csrfToken: string;
  client: SessionClient;
  expiresAt: Date;
}

/**
 * Checks the name and password and opens a session; null for an unknown name, a wrong password or a disabled account
 * alike (the caller answers one 401 for all three, and an unknown name costs the same time as a wrong password).
 */
export async function logIn(
  db: Db,
  name: string,
  password: string,
  lifetimes: SessionLifetimes,
  address: string | null,
): Promise<OpenedSession | null> {
  const user = await findUserByName(db, name);
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || user.disabledAt !== null) return null;
  const scope = parseScope(user.scope);
  if (!scope) return null; // a malformed stored scope grants nothing
  const sessionId = newSessionId();
  const expiresAt = sessionExpiry(new Date(), lifetimes);
  await deleteEndedSessions(db, lifetimes.idleSeconds);
  await insertSession(db, { idHash: hashSessionId(sessionId), userId: user.id, expiresAt, address });
  await markUserLoggedIn(db, user.id);
  return {
    sessionId,
    csrfToken: csrfTokenOf(sessionId),
    client: { id: user.clientId, name: user.name, scope },
    expiresAt,
  };
}

export interface LiveSession {
  client: SessionClient;
  csrfToken: string;
}

/** The live session behind a cookie's id, recording the activity; null when unknown, ended or its user disabled. */
export async function findLiveSession(
  db: Db,
  sessionId: string,
  lifetimes: SessionLifetimes,
  now = new Date(),
): Promise<LiveSession | null> {
  const idHash = hashSessionId(sessionId);
  const row = await findSessionOfEnabledUser(db, idHash);
  if (!row) return null;
  if (sessionState(row, now, lifetimes) !== 'live') {
    await deleteSession(db, idHash);
    return null;
  }
  const scope = parseScope(row.client.scope);
  if (!scope) return null;
  if (shouldTouchSession(row.lastSeenAt, now, lifetimes.idleSeconds)) await touchSession(db, idHash, now);
  return { client: { ...row.client, scope }, csrfToken: csrfTokenOf(sessionId) };
}

/** Ends the session server-side; true when there was one. */
export async function logOut(db: Db, sessionId: string): Promise<boolean> {
  return deleteSession(db, hashSessionId(sessionId));
}
