// People's accounts and console sessions: the rules, without I/O. Names and passwords are checked here; a session's
// id, the hash stored of it and its CSRF token are derived here; whether a session is still alive is decided here.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { characterClasses, isKeyboardPattern } from './password-policy.ts';

/** An account name: what a person types on the login page. Letters (any script), digits and . _ @ -, 1–100. */
const NAME = /^[\p{L}\p{N}._@-]{1,100}$/u;

export function userNameProblem(name: string): string | undefined {
  if (NAME.test(name)) return undefined;
  return 'must be 1-100 letters, digits or . _ @ - (no spaces), such as gd-edu or zhang.san';
}

/** E-mail addresses are only stored for the operators' information: a light check is enough. */
export function emailProblem(email: string): string | undefined {
  return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email) ? undefined : 'is not an e-mail address such as name@example.org';
}

// Without look-alikes (0/O, 1/l/I), so an initial password read aloud or copied from a screen is typed right.
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * An initial password: 20 characters of a 56-letter alphabet, about 116 bits. Rejection sampling: no modulo bias. Drawn
 * again until it keeps the password rules a generated password can break (three classes, no keyboard run).
 */
export function generatePassword(length = 20): string {
  for (;;) {
    let out = '';
    while (out.length < length) {
      for (const byte of randomBytes(length * 2)) {
        if (byte < 224 && out.length < length) out += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
      }
    }
    const c = characterClasses(out);
    if (c.upper && c.lower && c.digit && !isKeyboardPattern(out)) return out;
  }
}

/** A new session id for the cookie: 32 random bytes, base64url. */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** What the store keeps of a session id: its sha256 (the id is 256 random bits, so no salt or slow hash is needed). */
export const hashSessionId = (sessionId: string): string => createHash('sha256').update(sessionId).digest('hex');

/**
 * The session's CSRF token, derived from its id: only a holder of the cookie can know it, the store never holds it,
 * and the console reads it from GET /v1/session (a cross-site page can neither read that answer nor the cookie).
 */
export const csrfTokenOf = (sessionId: string): string =>
  createHash('sha256').update('ledger csrf\0').update(sessionId).digest('base64url');

/** Constant-time comparison of a sent CSRF token with the session's. */
export function csrfTokenMatches(sessionId: string, sent: string | undefined): boolean {
  if (sent === undefined) return false;
  const expected = Buffer.from(csrfTokenOf(sessionId));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionLifetimes {
  idleSeconds: number;
  absoluteSeconds: number;
  /** A password older than this must be changed before anything else (PASSWORD_MAX_AGE_DAYS); 0: never. */
  passwordMaxAgeDays?: number;
}

/** Why a person must change the password before doing anything else: someone else set it, or it is too old. */
export type PasswordChangeDue = 'temporary' | 'expired';

export function passwordChangeDue(
  password: { mustChange: boolean; changedAt: Date },
  now: Date,
  maxAgeDays = 0,
): PasswordChangeDue | null {
  if (password.mustChange) return 'temporary';
  if (maxAgeDays > 0 && now.getTime() - password.changedAt.getTime() >= maxAgeDays * 86_400_000) return 'expired';
  return null;
}

/** A temporary password past its end signs in no more (an administrator resets it again). */
export const temporaryPasswordDead = (
  user: { mustChangePassword: boolean; temporaryPasswordExpiresAt: Date | null },
  now: Date,
): boolean =>
  user.mustChangePassword && user.temporaryPasswordExpiresAt !== null && user.temporaryPasswordExpiresAt <= now;

/** When a session opened now ends at the latest. */
export const sessionExpiry = (now: Date, lifetimes: SessionLifetimes): Date =>
  new Date(now.getTime() + lifetimes.absoluteSeconds * 1000);

/** `live`, or why the session is over: past its absolute end, or idle for longer than allowed. */
export function sessionState(s: SessionTimes, now: Date, lifetimes: SessionLifetimes): 'live' | 'expired' | 'idle' {
  if (now.getTime() >= s.expiresAt.getTime()) return 'expired';
  if (now.getTime() - s.lastSeenAt.getTime() >= lifetimes.idleSeconds * 1000) return 'idle';
  return 'live';
}

/**
 * Whether a request should record itself as the session's last activity. Writing on every request would make each
 * read a write; writing once per 1/10 of the idle time (at most each minute) keeps the idle timeout within 10 %.
 */
export function shouldTouchSession(lastSeenAt: Date, now: Date, idleSeconds: number): boolean {
  return now.getTime() - lastSeenAt.getTime() >= Math.min(60_000, idleSeconds * 100);
}
