// Console sessions: log in with a name and password, find the session behind a cookie, log out. The cookie holds a
// random id; the store holds its sha256 only, with the session's idle and absolute ends (SESSION_IDLE_SECONDS,
// SESSION_ABSOLUTE_SECONDS). Logging out, disabling the account or resetting its password deletes the rows, so a copy
// of the cookie kept elsewhere stops working at once.
import type { Db } from '../db/database.ts';
import {
  csrfTokenOf,
  hashSessionId,
  newSessionId,
  passwordChangeDue,
  sessionExpiry,
  temporaryPasswordDead,
  type PasswordChangeDue,
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
import { recordAudit } from './audit.ts';
import type { AuditActor } from '../domain/audit.ts';
import {
  afterFailure,
  callsForAlarm,
  checkLogin,
  loginNameKey,
  type LoginGuardSettings,
} from '../domain/login-guard.ts';
import {
  clearLoginFailures,
  countNameFailure,
  findLoginFailures,
  markNameAlarmed,
  saveLoginFailures,
} from '../repositories/login-failure.repository.ts';
import { moduleLogger } from '../log.ts';

const log = moduleLogger('sessions');

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
  /** Set: the session may do nothing but change the password (and log out) until it is changed. */
  passwordChange: PasswordChangeDue | null;
}

export type LogInOutcome =
  | { kind: 'ok'; session: OpenedSession }
  /** Unknown name, wrong password or disabled account alike (one 401 for all three). */
  | { kind: 'refused' }
  /** Too many failures of this name from this address: nothing was checked; retry after `waitSeconds`. */
  | { kind: 'wait'; waitSeconds: number; locked: boolean };

export interface LogInRequest {
  name: string;
  password: string;
  /** The caller's address as the API sees it (after TRUST_PROXY). */
  address: string;
  lifetimes: SessionLifetimes;
  guard: LoginGuardSettings;
  now?: Date;
}

/**
 * Checks the name and password and opens a session, under the guessing limits of shared/domain/login-guard.ts. An
 * unknown name costs the same time as a wrong password. Every try is in the audit trail: a sign-in, a failure, a try
 * refused by the limits, and the alarm when a name fails too often this hour from anywhere.
 */
export async function logIn(db: Db, request: LogInRequest): Promise<LogInOutcome> {
  const { name, password, address, lifetimes, guard } = request;
  const now = request.now ?? new Date();
  const nameKey = loginNameKey(name);
  const anonymous: AuditActor = { kind: 'anonymous', clientId: null, name, address };
  const check = checkLogin(await findLoginFailures(db, nameKey, address), now, guard);
  if (!check.allowed) {
    await recordAudit(db, {
      actor: anonymous,
      action: 'session.login',
      target: null,
      result: 'denied',
      detail: { reason: check.locked ? 'locked' : 'delay', waitSeconds: check.waitSeconds },
    });
    return { kind: 'wait', waitSeconds: check.waitSeconds, locked: check.locked };
  }
  const user = await findUserByName(db, name);
  const ok = await verifyPassword(user?.passwordHash, password);
  const scope = user ? parseScope(user.scope) : undefined;
  const dead = user !== undefined && temporaryPasswordDead(user, now);
  if (!user || !ok || user.disabledAt !== null || !scope || dead) {
    const reason = ok && dead ? 'temporary password expired' : undefined;
    await recordFailure(db, nameKey, anonymous, now, guard, user ? `user:${user.id}` : null, reason);
    return { kind: 'refused' };
  }
  const sessionId = newSessionId();
  const expiresAt = sessionExpiry(now, lifetimes);
  await deleteEndedSessions(db, lifetimes.idleSeconds);
  await db.transaction().execute(async (trx) => {
    await insertSession(trx, { idHash: hashSessionId(sessionId), userId: user.id, expiresAt, address });
    await markUserLoggedIn(trx, user.id);
    await clearLoginFailures(trx, nameKey, address);
    await recordAudit(trx, {
      actor: { kind: 'user', clientId: user.clientId, name: user.name, address },
      action: 'session.login',
      target: `user:${user.id}`,
      result: 'ok',
    });
  });
  return {
    kind: 'ok',
    session: {
      sessionId,
      csrfToken: csrfTokenOf(sessionId),
      client: { id: user.clientId, name: user.name, scope },
      expiresAt,
      passwordChange: passwordChangeDue(
        { mustChange: user.mustChangePassword, changedAt: user.passwordChangedAt },
        now,
        lifetimes.passwordMaxAgeDays,
      ),
    },
  };
}

/** Counts a failure for (name, address) and for the name this hour, records it, and raises the alarm when it is due. */
async function recordFailure(
  db: Db,
  nameKey: string,
  actor: AuditActor,
  now: Date,
  guard: LoginGuardSettings,
  target: string | null,
  reason?: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const address = actor.address!;
    const next = afterFailure(await findLoginFailures(trx, nameKey, address), now, guard);
    await saveLoginFailures(trx, nameKey, address, next);
    const name = await countNameFailure(trx, nameKey, now);
    await recordAudit(trx, {
      actor,
      action: 'session.login',
      target,
      result: 'failed',
      detail: {
        failuresFromAddress: next.failures,
        locked: next.lockedUntil !== null && next.lockedUntil > now,
        ...(reason ? { reason } : {}),
      },
    });
    if (callsForAlarm(name.failures, name.alarmed, guard) && (await markNameAlarmed(trx, nameKey, now))) {
      await recordAudit(trx, {
        actor: { kind: 'system', clientId: null, name: 'system', address: null },
        action: 'session.alarm',
        target,
        result: 'denied',
        detail: { name: actor.name, failuresThisHour: name.failures, threshold: guard.alarmPerHour },
      });
      log.error(
        { name: actor.name, failuresThisHour: name.failures },
        'security alarm: an account name fails to sign in far more often than a person would',
      );
    }
  });
}

export interface LiveSession {
  userId: number;
  client: SessionClient;
  csrfToken: string;
  passwordChange: PasswordChangeDue | null;
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
  return {
    userId: row.userId,
    client: { ...row.client, scope },
    csrfToken: csrfTokenOf(sessionId),
    passwordChange: passwordChangeDue(row.password, now, lifetimes.passwordMaxAgeDays),
  };
}

/** Ends the session server-side; true when there was one. */
export async function logOut(db: Db, sessionId: string): Promise<boolean> {
  return deleteSession(db, hashSessionId(sessionId));
}
