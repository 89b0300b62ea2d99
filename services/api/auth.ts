// API keys: `Authorization: Bearer <key>` → sha256 hex → api_clients.key_hash (not revoked) → request.client.
//
// Who may call a route is decided on the route the router matched (its registered path, request.routeOptions.url),
// never on the raw request target: `/%61dmin/...`, `http://x/admin/...` or `/v1/../admin/...` reach the same handler as
// `/admin/...`, so only the matched route says what the request is. Routes are behind a key unless they are public.
//
// Lookups are cached for API_KEY_CACHE_SECONDS, hits and misses alike (a flood of bad keys does not reach the
// database), in a bounded cache that evicts the least recently used key, so a revoked key stops working within that
// time and a flood of new keys cannot push out the keys in use. Failed authentications are counted per source
// address: past AUTH_FAILURES_PER_MINUTE the address gets 429 and its uncached keys are not looked up at all.
//
// People use the console with a session cookie instead of a key (issue 13; shared/use-cases/sessions.ts): without an
// Authorization header, a `ledger_session` cookie is looked up (never cached, so a logout ends it at once) and sets
// request.client to the user's own client, with the same shape and scope rules as a key's. A cookie can be sent by the
// browser on its own, so every cookie request other than GET/HEAD/OPTIONS must also carry the session's CSRF token in
// `x-csrf-token` (403 otherwise). When both are sent, the key decides.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../shared/db/database.ts';
import { hashApiKey } from '../../shared/domain/api-key.ts';
import { csrfTokenMatches, type PasswordChangeDue } from '../../shared/domain/accounts.ts';
import { parseScope } from '../../shared/domain/scope.ts';
import { forbidden, Problem, sendProblem, unauthorized, unavailable } from './problem.ts';
import type { ApiClient } from './routes/route.ts';
import { CSRF_HEADER, isSafeMethod, sessionIdOf } from './session-cookie.ts';
import { findActiveClientByKeyHash } from '../../shared/use-cases/api-clients.ts';

/**
 * `public`: no key; `internal`: no key from where DOCS_METRICS_OPEN says (loopback by default), any valid key
 * elsewhere; `client`: any valid key (the route checks the scope); `admin`: an admin key.
 */
export type Access = 'public' | 'internal' | 'client' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides the access derived from the route's path (accessOfRoute). */
    access?: Access;
    /** Open to a session whose password must be changed first (saying who it is, the change itself, logout). */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    /** Set when the request was authenticated by a console session cookie rather than a key. */
    consoleSession?: { id: string; userId: number; csrfToken: string; passwordChange: PasswordChangeDue | null };
  }
}

/** The live session behind a cookie's id (null when ended or unknown); throws when the store cannot be read. */
export type SessionLookup = (sessionId: string) => Promise<{
  userId: number;
  client: ApiClient;
  csrfToken: string;
  passwordChange: PasswordChangeDue | null;
} | null>;

/** Routes anyone may call: probes and the console's files (console.ts). */
const PUBLIC_ROUTES = new Set(['/healthz', '/readyz', '/', '/console', '/console/*']);

/** The access of a route, by its registered path. Anything not listed as public needs a key (fail closed). */
export function accessOfRoute(routeUrl: string): Access {
  if (PUBLIC_ROUTES.has(routeUrl)) return 'public';
  // The metrics and the OpenAPI document with its UI: they tell an attacker much, so only operators see them.
  if (routeUrl === '/metrics' || routeUrl === '/docs' || routeUrl.startsWith('/docs/')) return 'internal';
  if (routeUrl === '/admin' || routeUrl.startsWith('/admin/')) return 'admin';
  return 'client';
}

/** The access of the matched route; undefined when no route matched (the 404 handler answers, nothing to guard). */
export function accessOfRequest(request: FastifyRequest): Access | undefined {
  const url = request.routeOptions.url;
  if (url === undefined) return undefined;
  return request.routeOptions.config.access ?? accessOfRoute(url);
}

const MAX_CACHED_KEYS = 10_000;
const MAX_TRACKED_ADDRESSES = 10_000;

/** A Map in least-recently-used order: a read moves its entry to the end; when full, the first entry goes. */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface Authenticator {
  /** The client holding this key, or null when the key is unknown or revoked. Throws when the database fails. */
  lookup(key: string): Promise<ApiClient | null>;
  /** The cached answer for this key, or undefined when it would need the database. */
  cached(key: string): Promise<ApiClient | null> | undefined;
}

export function createAuthenticator(
  db: Db,
  cacheSeconds: number,
  options: { maxCachedKeys?: number } = {},
): Authenticator {
  const cache = new LruMap<string, { expires: number; client: Promise<ApiClient | null> }>(
    options.maxCachedKeys ?? MAX_CACHED_KEYS,
  );
  const fresh = (hash: string) => {
    const hit = cache.get(hash);
    return hit && hit.expires > Date.now() ? hit.client : undefined;
  };
  return {
    cached: (key) => fresh(hashApiKey(key)),
    lookup(key) {
      const hash = hashApiKey(key);
      const hit = fresh(hash);
      if (hit) return hit;
      // Concurrent requests with the same key share one lookup; a failed lookup is not cached.
      const client = findActiveClientByKeyHash(db, hash).then((row) => {
        if (!row) return null;
        const scope = parseScope(row.scope);
        return scope ? { id: row.id, name: row.name, scope } : null; // a malformed stored scope grants nothing
      });
      if (cacheSeconds > 0) {
        cache.set(hash, { expires: Date.now() + cacheSeconds * 1000, client });
        client.catch(() => cache.delete(hash));
      }
      return client;
    },
  };
}

/** Failed authentications per source address in fixed one-minute windows. */
export class FailureLimiter {
  private readonly windows = new LruMap<string, { start: number; count: number }>(MAX_TRACKED_ADDRESSES);
  constructor(private readonly perMinute: number) {}

  /** Seconds until the address may try again, or 0 when it is under the limit. */
  waitSeconds(address: string, now = Date.now()): number {
    const w = this.windows.get(address);
    if (!w || now - w.start >= 60_000 || w.count < this.perMinute) return 0;
    return Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
  }

  /** Counts a failure; returns the seconds to wait when the address is now over the limit, else 0. */
  fail(address: string, now = Date.now()): number {
    let w = this.windows.get(address);
    if (!w || now - w.start >= 60_000) w = { start: now, count: 0 };
    w.count++;
    this.windows.set(address, w);
    return w.count > this.perMinute ? Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) : 0;
  }
}

const tooManyFailures = (perMinute: number, wait: number) =>
  new Problem(
    429,
    'Too Many Requests',
    `over ${perMinute} failed authentications per minute from this address: check the key, then retry in ${wait} s`,
    undefined,
    { 'retry-after': String(wait) },
  );

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Who may call the `internal` routes without a key: everyone, loopback callers only, or nobody. */
export type InternalOpen = 'all' | 'loopback' | 'none';

const isLoopback = (address: string) =>
  address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');

export function authHook(
  auth: Authenticator,
  options: { failuresPerMinute: number; sessions?: SessionLookup; internalOpen?: InternalOpen },
) {
  const internalOpen = options.internalOpen ?? 'loopback';
  const limiter = new FailureLimiter(options.failuresPerMinute);
  const fail = (request: FastifyRequest, problem: Problem): Problem => {
    const wait = limiter.fail(request.ip);
    return wait > 0 ? tooManyFailures(options.failuresPerMinute, wait) : problem;
  };

  async function authenticate(request: FastifyRequest): Promise<void> {
    const access = accessOfRequest(request);
    if (access === undefined || access === 'public') return;
    if (access === 'internal' && (internalOpen === 'all' || (internalOpen === 'loopback' && isLoopback(request.ip))))
      return;
    const header = request.headers.authorization;
    const sessionId = header || !options.sessions ? undefined : sessionIdOf(request);
    if (sessionId) return authenticateSession(request, access, sessionId, options.sessions!);
    if (!header)
      throw fail(
        request,
        unauthorized(
          'the Authorization header is missing: send Authorization: Bearer <key> (ledger clients create makes a key), or sign in to the console',
        ),
      );
    const m = BEARER.exec(header);
    if (!m)
      throw fail(
        request,
        unauthorized('the Authorization header is not "Bearer <key>": send Authorization: Bearer <key>'),
      );
    const key = m[1]!;
    let pending = auth.cached(key);
    if (!pending) {
      // An address over the limit does not get its guesses looked up; known keys in the cache still work.
      const wait = limiter.waitSeconds(request.ip);
      if (wait > 0) throw tooManyFailures(options.failuresPerMinute, wait);
      pending = auth.lookup(key);
    }
    let client: ApiClient | null;
    try {
      client = await pending;
    } catch (err) {
      request.log.error({ err }, 'API key lookup failed');
      throw unavailable('the key cannot be checked right now (database unreachable): retry later');
    }
    if (!client) throw fail(request, unauthorized('unknown or revoked API key: ask the operator for a valid key'));
    if (access === 'admin' && client.scope.kind !== 'admin') throw forbidden('this needs an admin key');
    request.client = client;
    request.log = request.log.child({ client: client.name });
  }

  async function authenticateSession(
    request: FastifyRequest,
    access: Access,
    sessionId: string,
    sessions: SessionLookup,
  ): Promise<void> {
    const wait = limiter.waitSeconds(request.ip);
    if (wait > 0) throw tooManyFailures(options.failuresPerMinute, wait);
    let live: Awaited<ReturnType<SessionLookup>>;
    try {
      live = await sessions(sessionId);
    } catch (err) {
      request.log.error({ err }, 'session lookup failed');
      throw unavailable('the session cannot be checked right now (database unreachable): retry later');
    }
    if (!live)
      throw fail(
        request,
        unauthorized('the session has ended (logged out, timed out or the account disabled): sign in again'),
      );
    const sent = request.headers[CSRF_HEADER];
    if (!isSafeMethod(request.method) && !csrfTokenMatches(sessionId, typeof sent === 'string' ? sent : undefined))
      throw forbidden(
        `a ${request.method} with the session cookie needs the header ${CSRF_HEADER} holding the session's csrfToken (from GET /v1/session)`,
      );
    if (access === 'admin' && live.client.scope.kind !== 'admin') throw forbidden('this needs an admin account');
    request.client = live.client;
    request.consoleSession = {
      id: sessionId,
      userId: live.userId,
      csrfToken: live.csrfToken,
      passwordChange: live.passwordChange,
    };
    if (live.passwordChange && !request.routeOptions.config.duringPasswordChange)
      throw forbidden(
        live.passwordChange === 'temporary'
          ? 'this password was set by an administrator and must be changed first: POST /v1/session/password (the console asks for it)'
          : 'this password is older than PASSWORD_MAX_AGE_DAYS and must be changed first: POST /v1/session/password',
      );
    request.log = request.log.child({ user: live.client.name });
  }

  // Answers directly instead of throwing: plugins such as bull-board install error handlers of their own.
  return async function authenticateRequest(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    try {
      await authenticate(request);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      sendProblem(reply, err);
      return reply; // fastify: the reply is sent, skip the handler
    }
    return undefined;
  };
}
