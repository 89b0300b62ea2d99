// Security headers on every answer. The console, the OpenAPI UI, bull-board and a notice's HTML are served on one
// origin, so each kind gets a Content-Security-Policy of its own: the API's JSON loads nothing; the console loads its
// own files only (Ant Design writes inline styles); a notice's HTML, shown in the console's sandboxed frame, carries
// its chart as a data: image and runs nothing. No page may be framed by another origin.
import type { FastifyReply, FastifyRequest } from 'fastify';

const APP_PAGE = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const NOTICE_PAGE = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";
const DATA = "default-src 'none'; frame-ancestors 'none'";

/** The policy for an answer: by the route that answered and what it sends. */
export function contentSecurityPolicy(route: string | undefined, contentType: string): string {
  if (!contentType.startsWith('text/html')) return DATA;
  if (route === '/v1/notices/:id') return NOTICE_PAGE;
  return APP_PAGE;
}

export async function securityHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const type = String(reply.getHeader('content-type') ?? '');
  const route = request.routeOptions.url;
  if (!reply.hasHeader('content-security-policy'))
    reply.header('content-security-policy', contentSecurityPolicy(route, type));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', route === '/v1/notices/:id' ? 'SAMEORIGIN' : 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  // Browsers heed HSTS over TLS only: sent when the request came over https (directly, or per a trusted proxy).
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  return payload;
}
