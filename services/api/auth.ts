// API keys: `Authorization: Bearer <key>` → sha256 hex → api_clients.key_hash (not revoked) → request.client.
// Lookups are cached for API_KEY_CACHE_SECONDS, hits and misses alike (a flood of bad keys does not reach the
// database), so a revoked key stops working within that time.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../shared/db/database.ts';
import { parseScope } from '../../shared/domain/scope.ts';
import { findActiveClientByKeyHash } from '../../shared/repositories/api-client.repository.ts';
import { forbidden, Problem, sendProblem, unauthorized, unavailable } from './problem.ts';
import type { ApiClient } from './routes/route.ts';

const MAX_CACHED = 10_000;

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface Authenticator {
  /** The client holding this key, or null when the key is unknown or revoked. Throws when the database fails. */
  lookup(key: string): Promise<ApiClient | null>;
}

export function createAuthenticator(db: Db, cacheSeconds: number): Authenticator {
  const cache = new Map<string, { expires: number; client: Promise<ApiClient | null> }>();
  return {
    lookup(key) {
      const hash = hashKey(key);
      const now = Date.now();
      const hit = cache.get(hash);
      if (hit && hit.expires > now) return hit.client;
      // Concurrent requests with the same key share one lookup; a failed lookup is not cached.
      const client = findActiveClientByKeyHash(db, hash).then((row) => {
        if (!row) return null;
        const scope = parseScope(row.scope);
        return scope ? { id: row.id, name: row.name, scope } : null; // a malformed stored scope grants nothing
      });
      if (cacheSeconds > 0) {
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(hash, { expires: now + cacheSeconds * 1000, client });
        client.catch(() => cache.delete(hash));
      }
      return client;
    },
  };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Paths behind a key: every /v1 route, and /admin (admin keys only). */
export function needsKey(url: string): 'v1' | 'admin' | undefined {
  if (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')) return 'v1';
  if (url === '/admin' || url.startsWith('/admin/') || url.startsWith('/admin?')) return 'admin';
  return undefined;
}

export function authHook(auth: Authenticator) {
  // Answers directly instead of throwing: plugins such as bull-board install error handlers of their own.
  return async function authenticateRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      await authenticate(auth, request);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      sendProblem(reply, err);
      return reply; // fastify: the reply is sent, skip the handler
    }
    return undefined;
  };
}

async function authenticate(auth: Authenticator, request: FastifyRequest): Promise<void> {
  const area = needsKey(request.url);
  if (!area) return;
  const header = request.headers.authorization;
  if (!header) throw unauthorized('the Authorization header is missing: send Authorization: Bearer <key> (ledger clients create makes a key)');
  const m = BEARER.exec(header);
  if (!m) throw unauthorized('the Authorization header is not "Bearer <key>": send Authorization: Bearer <key>');
  let client: ApiClient | null;
  try {
    client = await auth.lookup(m[1]!);
  } catch (err) {
    request.log.error({ err }, 'API key lookup failed');
    throw unavailable('the key cannot be checked right now (database unreachable): retry later');
  }
  if (!client) throw unauthorized('unknown or revoked API key: ask the operator for a valid key');
  if (area === 'admin' && client.scope.kind !== 'admin') throw forbidden('this needs an admin key');
  request.client = client;
  request.log = request.log.child({ client: client.name });
}
