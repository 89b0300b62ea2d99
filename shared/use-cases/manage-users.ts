// People's accounts: create (with a generated initial password unless one is given), list, disable, reset the password.
// The CLI (`ledger users …`) and the console's operations page (/v1/admin/users) both go through here.
//
// Passwords are hashed with argon2id (@node-rs/argon2: maintained, prebuilt for each platform inside the npm package,
// so no compiler or download at install) at its defaults, which are OWASP's minimum for argon2id: 19 MiB, 2 passes,
// 1 lane (about 20 ms here). The PHC string stores the parameters, so raising them later still verifies old hashes.
import { loginNameKey } from '../domain/login-guard.ts';
import { clearLoginFailures, listLoginLocks } from '../repositories/login-failure.repository.ts';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { passwordPolicy } from '../common-passwords.ts';
import { emailProblem, generatePassword, userNameProblem } from '../domain/accounts.ts';
import type { AuditActor } from '../domain/audit.ts';
import {
  describePasswordRefusals,
  passwordRefusals,
  type PasswordPolicy,
  type PasswordRefusal,
} from '../domain/password-policy.ts';
import { CLIENT_SCOPES_TEXT, formatScope, parseScope, type ClientScope } from '../domain/scope.ts';
import {
  deleteSessionsOfUser,
  findUserById,
  findUserByName,
  insertUser,
  insertUserClient,
  listUsers,
  markUserDisabled,
  setUserPassword,
  type UserRow,
} from '../repositories/user.repository.ts';
import { listLiveProxyGrants } from '../repositories/proxy-grant.repository.ts';
import { recordAudit, SYSTEM_ACTOR } from './audit.ts';

/** Algorithm.Argon2id: the package declares it as a const enum, which cannot be imported at run time. */
const ARGON2ID = 2 as Algorithm;

export const hashPassword = (password: string): Promise<string> => hash(password, { algorithm: ARGON2ID });

// Verified against when the name is unknown, so that an unknown name takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Whether the password matches the stored hash; with no hash (unknown user), spends the same time and says no. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (stored === undefined) {
    dummyHash ??= hashPassword(generatePassword());
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false); // a malformed stored hash grants nothing
}

/** A refused request: `field` names the offending input (name, scope, email, password). */
export class UserInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

/** A password that breaks the rules: every broken rule, with its code (shared/domain/password-policy.ts). */
export class PasswordRefusedError extends UserInputError {
  constructor(readonly refusals: PasswordRefusal[]) {
    super('password', `the password is refused: ${describePasswordRefusals(refusals)}`);
    this.name = 'PasswordRefusedError';
  }
}

/** Throws PasswordRefusedError when the password breaks a rule. */
export function checkPassword(password: string, name: string | null, policy: PasswordPolicy = passwordPolicy()): void {
  const refusals = passwordRefusals(password, name, policy);
  if (refusals.length > 0) throw new PasswordRefusedError(refusals);
}

/** Who asks, for the audit trail, the rules a chosen password must keep, and how long a temporary one lasts. */
export interface AccountOptions {
  actor?: AuditActor;
  policy?: PasswordPolicy;
  /** Hours a generated password lasts (TEMPORARY_PASSWORD_HOURS); default 72. */
  temporaryHours?: number;
  /** Make a chosen password temporary too (`--temporary`). */
  temporary?: boolean;
}

/** The account options the configuration gives (password rules, a temporary password's hours), plus the caller's. */
export function accountOptionsOf(
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'TEMPORARY_PASSWORD_HOURS'>,
  extra: Omit<AccountOptions, 'policy' | 'temporaryHours'> = {},
): AccountOptions {
  return {
    policy: passwordPolicy(config.PASSWORD_MIN_LENGTH),
    temporaryHours: config.TEMPORARY_PASSWORD_HOURS,
    ...extra,
  };
}

/** When a password set for someone else stops working: generated ones always, chosen ones when asked. */
function temporaryUntil(generated: boolean, options: AccountOptions): Date | null {
  if (!generated && !options.temporary) return null;
  return new Date(Date.now() + (options.temporaryHours ?? 72) * 3_600_000);
}

export class UserNameTakenError extends Error {
  constructor(readonly userName: string) {
    super(`a user named ${userName} exists already: choose another name, or reset its password`);
    this.name = 'UserNameTakenError';
  }
}

export class UnknownUserError extends Error {
  constructor(readonly user: string | number) {
    super(`no user ${typeof user === 'number' ? `with id ${user}` : `named ${user}`}: see \`ledger users list\``);
    this.name = 'UnknownUserError';
  }
}

export interface User {
  id: number;
  name: string;
  scope: string;
  email: string | null;
  createdAt: string;
  passwordChangedAt: string;
  lastLoginAt: string | null;
  disabledAt: string | null;
  /** The password was set by someone else and must be changed at first sign-in; it stops working at temporaryUntil. */
  mustChangePassword: boolean;
  temporaryUntil: string | null;
  /** 代录 grants: `province:CODE` or `university:CODE` (shared/use-cases/proxy-grants.ts). */
  proxy: string[];
}

const toUser = (r: UserRow, proxy: string[] = []): User => ({
  id: r.id,
  name: r.name,
  scope: r.scope,
  email: r.email,
  createdAt: r.createdAt.toISOString(),
  passwordChangedAt: r.passwordChangedAt.toISOString(),
  lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
  disabledAt: r.disabledAt?.toISOString() ?? null,
  mustChangePassword: r.mustChangePassword,
  temporaryUntil: r.mustChangePassword ? (r.temporaryPasswordExpiresAt?.toISOString() ?? null) : null,
  proxy,
});

export interface NewUser {
  name: string;
  scope: string;
  email?: string | null;
  /** Chosen by the operator (read from stdin); otherwise one is generated and returned once. */
  password?: string;
}

function checkNewUser(input: NewUser, policy: PasswordPolicy | undefined): ClientScope {
  const nameProblem = userNameProblem(input.name);
  if (nameProblem) throw new UserInputError('name', `name ${nameProblem}`);
  const scope = parseScope(input.scope);
  if (!scope) throw new UserInputError('scope', `scope ${JSON.stringify(input.scope)} is not ${CLIENT_SCOPES_TEXT}`);
  if (input.email) {
    const problem = emailProblem(input.email);
    if (problem) throw new UserInputError('email', `email ${problem}`);
  }
  if (input.password !== undefined) checkPassword(input.password, input.name, policy);
  return scope;
}

/** Creates the account and its client row in one transaction; the password is returned when it was generated. */
export async function createUser(
  db: Db,
  input: NewUser,
  options: AccountOptions = {},
): Promise<{ user: User; password: string | null }> {
  const scope = checkNewUser(input, options.policy);
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const id = await db.transaction().execute(async (trx) => {
    const clientId = await insertUserClient(trx, input.name, formatScope(scope));
    const userId = await insertUser(trx, {
      name: input.name,
      email: input.email ?? null,
      passwordHash,
      clientId,
      temporaryUntil: temporaryUntil(input.password === undefined, options),
    });
    if (userId === undefined) throw new UserNameTakenError(input.name);
    await recordAudit(trx, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'user.create',
      target: `user:${userId}`,
      after: { name: input.name, scope: formatScope(scope), email: input.email ?? null },
      result: 'ok',
      detail: { password: input.password === undefined ? 'generated' : 'chosen' },
    });
    return userId;
  });
  const row = await findUserById(db, id);
  return { user: toUser(row!), password: input.password === undefined ? password : null };
}

export async function listAllUsers(db: Db): Promise<User[]> {
  const rows = await listUsers(db);
  const grants = new Map<number, string[]>();
  for (const g of await listLiveProxyGrants(db)) {
    const text = g.provinceCode !== null ? `province:${g.provinceCode}` : `university:${g.universityCode}`;
    grants.set(g.userId, [...(grants.get(g.userId) ?? []), text]);
  }
  return rows.map((r) => toUser(r, grants.get(r.id)));
}

async function resolveUser(db: Db, who: { id: number } | { name: string }): Promise<UserRow> {
  const row = 'id' in who ? await findUserById(db, who.id) : await findUserByName(db, who.name);
  if (!row) throw new UnknownUserError('id' in who ? who.id : who.name);
  return row;
}

/** Disables the account and ends its sessions at once; disabling a disabled account changes nothing. */
export async function disableUser(
  db: Db,
  who: { id: number } | { name: string },
  options: AccountOptions = {},
): Promise<{ user: User; changed: boolean }> {
  const row = await resolveUser(db, who);
  const changed = await db.transaction().execute(async (trx) => {
    const done = await markUserDisabled(trx, row.id);
    const sessions = await deleteSessionsOfUser(trx, row.id);
    if (done)
      await recordAudit(trx, {
        actor: options.actor ?? SYSTEM_ACTOR,
        action: 'user.disable',
        target: `user:${row.id}`,
        before: { name: row.name, disabledAt: null },
        result: 'ok',
        detail: { sessionsEnded: sessions },
      });
    return done;
  });
  return { user: toUser((await findUserById(db, row.id))!), changed };
}

/**
 * Lifts the locks that failed sign-ins put on a name (from whichever addresses) and forgets its failures; returns the
 * addresses it was locked from. Audited. Works for any name typed, account or not.
 */
export async function unlockUser(
  db: Db,
  name: string,
  options: AccountOptions = {},
): Promise<{ name: string; addresses: string[] }> {
  const nameKey = loginNameKey(name);
  return db.transaction().execute(async (trx) => {
    const addresses = await listLoginLocks(trx, nameKey, new Date());
    const cleared = await clearLoginFailures(trx, nameKey);
    await recordAudit(trx, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'user.unlock',
      target: null,
      result: 'ok',
      detail: { name, lockedFrom: addresses, failureRowsCleared: cleared },
    });
    return { name, addresses };
  });
}

/** A person changes their own password: the current one is checked, the new one kept to the rules; audited. */
export async function changeOwnPassword(
  db: Db,
  input: { userId: number; current: string; next: string; keepSessionIdHash?: string },
  options: AccountOptions = {},
): Promise<{ user: User; sessionsEnded: number }> {
  const row = await resolveUser(db, { id: input.userId });
  const stored = await findUserByName(db, row.name);
  if (!(await verifyPassword(stored?.passwordHash, input.current))) {
    await recordAudit(db, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'user.change-password',
      target: `user:${row.id}`,
      result: 'denied',
      detail: { reason: 'current password wrong' },
    });
    throw new UserInputError('currentPassword', 'the current password is wrong');
  }
  if (input.next === input.current)
    throw new UserInputError('newPassword', 'the new password must differ from the current one');
  checkPassword(input.next, row.name, options.policy);
  const passwordHash = await hashPassword(input.next);
  const sessionsEnded = await db.transaction().execute(async (trx) => {
    await setUserPassword(trx, row.id, passwordHash, null);
    // Other sessions end (someone who knew the old password is out); the one changing it stays.
    const ended = await deleteSessionsOfUser(trx, row.id, input.keepSessionIdHash);
    await recordAudit(trx, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'user.change-password',
      target: `user:${row.id}`,
      result: 'ok',
      detail: { name: row.name, wasTemporary: row.mustChangePassword, sessionsEnded: ended },
    });
    return ended;
  });
  return { user: toUser((await findUserById(db, row.id))!), sessionsEnded };
}

/** Sets a new password (generated unless given) and ends the account's sessions. */
export async function resetPassword(
  db: Db,
  who: { id: number } | { name: string },
  chosen?: string,
  options: AccountOptions = {},
): Promise<{ user: User; password: string | null }> {
  const row = await resolveUser(db, who);
  if (chosen !== undefined) checkPassword(chosen, row.name, options.policy);
  const password = chosen ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await setUserPassword(trx, row.id, passwordHash, temporaryUntil(chosen === undefined, options));
    const sessions = await deleteSessionsOfUser(trx, row.id);
    await recordAudit(trx, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'user.reset-password',
      target: `user:${row.id}`,
      result: 'ok',
      detail: { name: row.name, password: chosen === undefined ? 'generated' : 'chosen', sessionsEnded: sessions },
    });
  });
  return { user: toUser((await findUserById(db, row.id))!), password: chosen === undefined ? password : null };
}
