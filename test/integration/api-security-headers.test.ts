// Security headers on every answer (a CSP per kind of page, frame-ancestors, nosniff, Referrer-Policy; HSTS over TLS),
// and who reads /metrics and /docs without a key: callers on this host by default (DOCS_METRICS_OPEN), and through a
// trusted proxy (TRUST_PROXY) the client's own address decides.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../services/api/security-headers.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { createReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ redis: true });

async function api(env: Record<string, string> = {}): Promise<TestApi> {
  const a = await startTestApi({
    databaseUrl: services.database.url,
    redisUrl: services.queue.url,
    prefix: services.queue.prefix,
    env,
  });
  services.closeAtEnd(() => a.close());
  return a;
}

describe('security headers', () => {
  it('are on JSON answers, errors and the OpenAPI page alike; HSTS only over TLS', async () => {
    const a = await api({ TRUST_PROXY: '127.0.0.1' });
    for (const [path, status] of [
      ['/healthz', 200],
      ['/v1/campaigns', 401],
      ['/no/such/route', 404],
      ['/docs/json', 200],
    ] as const) {
      const res = await a.request('GET', path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    const page = await a.request('GET', '/docs/static/index.html');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // Behind a TLS-terminating proxy that is trusted, the answer asks browsers to keep to https.
    const overTls = await a.request('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('give a notice its own page policy: shown in the console’s frame only, no scripts, its chart as data:', () => {
    const notice = contentSecurityPolicy('/v1/notices/:id', 'text/html; charset=utf-8');
    expect(notice).toContain("frame-ancestors 'self'");
    expect(notice).toContain("default-src 'none'");
    expect(notice).toContain('img-src data:');
    expect(notice).not.toContain('script-src');
    expect(contentSecurityPolicy('/v1/notices/:id', 'application/json')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy('/console/*', 'text/html')).toContain("frame-ancestors 'none'");
  });
});

describe('/metrics and /docs', () => {
  it('are open to this host, and elsewhere need a key (the address as the trusted proxy gives it)', async () => {
    const ref = await createReferenceData(services.db);
    const a = await api({ TRUST_PROXY: '127.0.0.1' });
    for (const path of ['/metrics', '/docs/json']) {
      expect((await a.request('GET', path)).status, path).toBe(200);
      const outside = { 'x-forwarded-for': '203.0.113.7' };
      const refused = await a.request('GET', path, { headers: outside });
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await a.request('GET', path, { headers: outside, key: ref.apiKey })).status, path).toBe(200);
    }
  });

  it('need a key from everywhere with DOCS_METRICS_OPEN=none, and from nowhere with all', async () => {
    const ref = await createReferenceData(services.db);
    const closed = await api({ DOCS_METRICS_OPEN: 'none' });
    expect((await closed.request('GET', '/metrics')).status).toBe(401);
    expect((await closed.request('GET', '/metrics', { key: ref.apiKey })).status).toBe(200);
    const open = await api({ DOCS_METRICS_OPEN: 'all', TRUST_PROXY: '127.0.0.1' });
    expect((await open.request('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
  });
});
