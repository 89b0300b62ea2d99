// Console sign-in (docs/console-api.md): POST /v1/session checks a name and password and sets the session cookie,
// GET /v1/session (and /v1/me) says who the caller is and gives the CSRF token, DELETE /v1/session logs out.
// Guessing is limited per (account name, address) in the database (shared/domain/login-guard.ts: delays, then a lock
// of that name from that address only, and an alarm), and per address over all names in memory per API process;
// past a limit the login answers 429 without checking anything. Every try is in the audit trail.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { csrfTokenMatches, hashSessionId } from '../../../shared/domain/accounts.ts';
import { formatScope } from '../../../shared/domain/scope.ts';
import type { LoginGuardSettings } from '../../../shared/domain/login-guard.ts';
import {
  accountOptionsOf,
  changeOwnPassword,
  PasswordRefusedError,
  UserInputError,
} from '../../../shared/use-cases/manage-users.ts';
import { findLiveSession, logIn, logOut } from '../../../shared/use-cases/sessions.ts';
import { auditActorOf } from '../audit-actor.ts';
import { FailureLimiter } from '../auth.ts';
import { badRequest, forbidden, passwordRefused, Problem, unauthorized } from '../problem.ts';
import { clearSessionCookie, CSRF_HEADER, sessionIdOf, sessionLifetimes, setSessionCookie } from '../session-cookie.ts';
import { parseInput } from './console-input.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const loginBody = z.object({ name: z.string().min(1).max(200), password: z.string().min(1).max(200) }).strict();

const userSchema = {
  type: 'object',
  required: ['name', 'scope'],
  properties: { name: { type: 'string' }, scope: { type: 'string' } },
} as const;
const sessionAnswer = {
  type: 'object',
  required: ['user', 'csrfToken', 'passwordChange'],
  properties: {
    user: userSchema,
    csrfToken: { type: ['string', 'null'] },
    passwordChange: {
      type: ['string', 'null'],
      enum: ['temporary', 'expired', null],
      description:
        'set: the password must be changed (POST /v1/session/password) before anything else; temporary: an administrator set it; expired: older than PASSWORD_MAX_AGE_DAYS',
    },
  },
} as const;
const passwordBody = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) })
  .strict();

const tooManyLogins = (wait: number, locked = false) =>
  new Problem(
    429,
    'Too Many Requests',
    locked
      ? `this account is locked from this address after too many failed logins: retry in ${wait} s, or ask the security administrator to unlock it`
      : `too many failed logins for this account from this address, or from this address: retry in ${wait} s`,
    undefined,
    { 'retry-after': String(wait) },
  );

function whoAmI(request: FastifyRequest) {
  return {
    user: { name: request.client.name, scope: formatScope(request.client.scope) },
    csrfToken: request.consoleSession?.csrfToken ?? null,
    passwordChange: request.consoleSession?.passwordChange ?? null,
  };
}

export const sessionRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db, config } = deps;
  const lifetimes = sessionLifetimes(config);
  const secure = config.SESSION_COOKIE_SECURE;
  const guard: LoginGuardSettings = {
    delayAfter: config.LOGIN_DELAY_AFTER_FAILURES,
    maxDelaySeconds: 60,
    lockAfter: config.LOGIN_LOCK_AFTER_FAILURES,
    lockSeconds: config.LOGIN_LOCK_SECONDS,
    alarmPerHour: config.LOGIN_ALARM_FAILURES_PER_HOUR,
  };
  const byAddress = new FailureLimiter(config.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE);

  app.post(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Sign in to the console with an account name and password: sets the session cookie',
        tags: ['session'],
        body: {
          type: 'object',
          properties: { name: { type: 'string' }, password: { type: 'string', format: 'password' } },
        },
        response: { 200: sessionAnswer },
      },
    },
    async (request, reply) => {
      const body = parseInput(loginBody, request.body, 'body');
      const wait = byAddress.waitSeconds(request.ip);
      if (wait > 0) throw tooManyLogins(wait);
      const outcome = await logIn(db, { ...body, address: request.ip, lifetimes, guard });
      if (outcome.kind === 'wait') throw tooManyLogins(outcome.waitSeconds, outcome.locked);
      if (outcome.kind === 'refused') {
        const over = byAddress.fail(request.ip);
        request.log.info({ user: body.name }, 'login refused');
        if (over > 0) throw tooManyLogins(over);
        throw unauthorized('unknown account, wrong password or disabled account: check them, or ask an administrator');
      }
      const { session } = outcome;
      request.log.info({ user: session.client.name }, 'login');
      setSessionCookie(reply, session.sessionId, secure);
      return {
        user: { name: session.client.name, scope: formatScope(session.client.scope) },
        csrfToken: session.csrfToken,
        passwordChange: session.passwordChange,
      };
    },
  );

  for (const url of ['/v1/session', '/v1/me']) {
    app.get(
      url,
      {
        config: { duringPasswordChange: true },
        schema: {
          summary:
            url === '/v1/me'
              ? 'Who the caller is (same as GET /v1/session)'
              : "Who the caller is, and the session's CSRF token (null with an API key)",
          tags: ['session'],
          response: { 200: sessionAnswer },
        },
      },
      async (request) => whoAmI(request),
    );
  }

  app.post(
    '/v1/session/password',
    {
      config: { duringPasswordChange: true },
      schema: {
        summary:
          "Change one's own password (the current one, and a new one kept to the password rules); other sessions end",
        tags: ['session'],
        body: {
          type: 'object',
          properties: {
            currentPassword: { type: 'string', format: 'password' },
            newPassword: { type: 'string', format: 'password' },
          },
        },
        response: { 200: sessionAnswer },
      },
    },
    async (request) => {
      const session = request.consoleSession;
      if (!session) throw forbidden('only a person signed in to the console changes a password here; keys have none');
      const body = parseInput(passwordBody, request.body, 'body');
      try {
        await changeOwnPassword(
          db,
          {
            userId: session.userId,
            current: body.currentPassword,
            next: body.newPassword,
            keepSessionIdHash: hashSessionId(session.id),
          },
          accountOptionsOf(config, { actor: auditActorOf(request) }),
        );
      } catch (err) {
        if (err instanceof PasswordRefusedError) throw passwordRefused(err);
        if (err instanceof UserInputError)
          throw err.field === 'currentPassword'
            ? forbidden(err.message)
            : badRequest(err.message, [{ path: `/${err.field}`, message: err.message }]);
        throw err;
      }
      return { ...whoAmI(request), passwordChange: null };
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { access: 'public', duringPasswordChange: true },
      schema: {
        summary: 'Log out: ends the session server-side and clears the cookie (204 also without a session)',
        tags: ['session'],
      },
    },
    async (request, reply) => {
      const sessionId = sessionIdOf(request);
      if (sessionId && (await findLiveSession(db, sessionId, lifetimes))) {
        const sent = request.headers[CSRF_HEADER];
        if (!csrfTokenMatches(sessionId, typeof sent === 'string' ? sent : undefined))
          throw forbidden(`logging out needs the header ${CSRF_HEADER} holding the session's csrfToken`);
        await logOut(db, sessionId);
      }
      clearSessionCookie(reply, secure);
      return reply.code(204).send();
    },
  );
};
