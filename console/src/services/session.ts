// Signing in and out: POST/GET/DELETE /v1/session. The session itself is an HttpOnly cookie the browser keeps; the
// console only holds the CSRF token the API returns with it.
import { answer, api, send, setCsrfToken } from './client';
import type { Session } from './types';

export async function login(name: string, password: string): Promise<Session> {
  const session = await answer(api.POST('/v1/session', { body: { name, password } }));
  setCsrfToken(session.csrfToken);
  return session;
}

/** The live session, or null when there is none (401). */
export async function currentSession(): Promise<Session | null> {
  const { data, response } = await api.GET('/v1/session');
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`GET /v1/session answered ${response.status}`);
  const session = data as Session;
  setCsrfToken(session.csrfToken);
  return session;
}

export async function logout(): Promise<void> {
  await send<unknown>(api.DELETE('/v1/session'));
  setCsrfToken(null);
}

/** Changes the signed-in person's own password; the answer is the session, no longer asking for a change. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<Session> {
  return answer(api.POST('/v1/session/password', { body: { currentPassword, newPassword } }));
}
