// The console's session cookie: `ledger_session=<random id>; Path=/; HttpOnly; SameSite=Strict[; Secure]`.
// HttpOnly keeps it from page scripts; SameSite=Strict keeps other sites' pages from sending it; Secure (unless
// SESSION_COOKIE_SECURE=false for plain-http development) keeps it off unencrypted connections. No Max-Age: the
// server ends the session (idle and absolute timeouts), and the browser forgets the cookie when it closes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../shared/config.ts';
import type { Db } from '../../shared/db/database.ts';
import type { SessionLifetimes } from '../../shared/domain/accounts.ts';
import { findLiveSession } from '../../shared/use-cases/sessions.ts';
import type { SessionLookup } from './auth.ts';

export const SESSION_COOKIE = 'ledger_session';
/** The header a cookie-authenticated request other than GET/HEAD/OPTIONS must carry, equal to the session's token. */
export const CSRF_HEADER = 'x-csrf-token';

// base64url of 32 bytes; anything else in the cookie is not a session id and is not looked up.
const SESSION_ID = /^[\w-]{43}$/;

/** The session id from the request's Cookie header(s), when there is a well-formed one. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (SESSION_ID.test(value)) return value;
  }
  return undefined;
}

const attributes = (secure: boolean) => `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

export function setSessionCookie(reply: FastifyReply, sessionId: string, secure: boolean): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=${sessionId}; ${attributes(secure)}`);
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=; ${attributes(secure)}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`,
  );
}

/** Methods that change nothing: the only ones a cookie may make without the CSRF header. */
export const isSafeMethod = (method: string): boolean => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

/** The sessions' lifetimes as configured. */
export const sessionLifetimes = (config: Config): SessionLifetimes => ({
  idleSeconds: config.SESSION_IDLE_SECONDS,
  absoluteSeconds: config.SESSION_ABSOLUTE_SECONDS,
  passwordMaxAgeDays: config.PASSWORD_MAX_AGE_DAYS,
});

/** What the auth hook calls for a cookie: the live session, read from PostgreSQL each time (no cache: logout is final). */
export const sessionLookup =
  (db: Db, config: Config): SessionLookup =>
  (sessionId) =>
    findLiveSession(db, sessionId, sessionLifetimes(config));
