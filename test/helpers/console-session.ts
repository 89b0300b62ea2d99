// A browser's side of a console session, for tests: an account made through the use case, a login through
// POST /v1/session, then requests that carry the cookie (and the CSRF token on writes) as the console does.
import type { Db } from '../../shared/db/database.ts';
import { createUser } from '../../shared/use-cases/manage-users.ts';
import type { ApiResponse, RequestOptions, TestApi } from './api.ts';

export interface ConsoleSession {
  cookie: string;
  csrfToken: string;
  /** The Set-Cookie header of the login answer, as sent. */
  setCookie: string;
  /** A request with the cookie; non-GET requests also carry x-csrf-token unless `csrf: false` or another token. */
  request<T = any>(
    method: string,
    path: string,
    options?: Omit<RequestOptions, 'key'> & { csrf?: string | false },
  ): Promise<ApiResponse<T>>;
}

let n = 0;

/** Creates an account with this scope (a known password) and returns its name and password. */
export async function createAccount(
  db: Db,
  scope: string,
  name = `user${++n}-${process.pid}`,
): Promise<{ name: string; password: string }> {
  const password = `Correct-horse-${n}-battery`; // keeps the password rules: three classes, not the name
  await createUser(db, { name, scope, password });
  return { name, password };
}

/** The cookie pair (`ledger_session=…`) of a Set-Cookie header. */
export const cookiePair = (setCookie: string): string => setCookie.split(';')[0]!.trim();

export async function logIn(api: TestApi, name: string, password: string): Promise<ConsoleSession> {
  const res = await api.request('POST', '/v1/session', { body: { name, password } });
  if (res.status !== 200) throw new Error(`login of ${name} failed: ${res.status} ${res.text}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = cookiePair(setCookie);
  const csrfToken = (res.body as { csrfToken: string }).csrfToken;
  return {
    cookie,
    csrfToken,
    setCookie,
    request(method, path, options = {}) {
      const { csrf, ...rest } = options;
      const headers: Record<string, string> = { ...rest.headers, cookie };
      const token = csrf === undefined ? csrfToken : csrf;
      if (method !== 'GET' && token !== false) headers['x-csrf-token'] = token;
      return api.request(method, path, { ...rest, headers });
    },
  };
}

/** An account of this scope, logged in. */
export async function signedIn(api: TestApi, db: Db, scope: string): Promise<ConsoleSession & { name: string }> {
  const account = await createAccount(db, scope);
  return { ...(await logIn(api, account.name, account.password)), name: account.name };
}
