// The web console (console/, built into console/dist by `npm run build:console`) served by the API process under
// /console/, public like the login page it starts with: every figure it shows comes from the /v1 routes, which check
// the session or key as always. Paths under /console/ that are not files are the console's own routes (history API),
// answered with its index.html; a missing asset stays a 404. `/` and `/console` redirect to /console/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { Problem, sendProblem } from './problem.ts';

export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));
export const CONSOLE_PATH = '/console/';

/** The console's own pages may be framed only by itself (the notice viewer frames /v1/notices/{id}?format=html). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Ant Design writes its styles into <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** A path under /console/ that names a file (an asset, the map) rather than a page of the console. */
const looksLikeFile = (url: string) => /\/assets\/|\.[a-z0-9]{1,8}(\?|$)/i.test(url.split('#')[0]!);

export async function registerConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PATH, 302));
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PATH, 302));
  await app.register(
    async (scope) => {
      // Not a file: a page of the console (its router decides), unless it plainly names a file.
      scope.setNotFoundHandler((request, reply) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          return sendProblem(reply, new Problem(405, 'Method Not Allowed', 'the console is read with GET'));
        }
        // Looked up per request: a console built after the API started is served without a restart.
        if (!existsSync(`${dist}index.html`)) {
          return sendProblem(
            reply,
            new Problem(503, 'Service Unavailable', 'the console is not built: run npm run build:console'),
          );
        }
        if (looksLikeFile(request.url)) {
          return sendProblem(
            reply,
            new Problem(404, 'Not Found', `no file ${request.url.split('?')[0]} in the console`),
          );
        }
        return reply.sendFile('index.html');
      });
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        index: 'index.html',
        // Vite writes .br and .gz beside each file (console/vite.config.ts): served as they are when accepted.
        preCompressed: true,
        cacheControl: false,
        schemaHide: true,
        // console/dist may not exist yet (not built): the not-found handler above says so.
        suppressWarning: true,
        setHeaders(reply, path) {
          void reply.header('x-content-type-options', 'nosniff');
          // Hashed file names change with their content; index.html names them, so it is always revalidated.
          if (path.includes('/assets/')) void reply.header('cache-control', 'public, max-age=31536000, immutable');
          else void reply.header('cache-control', 'no-cache');
          if (/\.html(\.gz|\.br)?$/.test(path)) void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        },
      });
    },
    { prefix: '/console' },
  );
}
