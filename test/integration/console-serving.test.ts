// The console's files as the API serves them: public, / and /console redirect, the console's own routes answered with
// its index.html (history API), a missing asset a 404, precompressed files when the browser accepts them, a CSP on
// the page, and 503 while the console is not built.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsole } from '../../services/api/console.ts';
import { useTestServices } from '../helpers/setup.ts';

const INDEX = '<!doctype html><html lang="zh-CN"><body><div id="root"></div></body></html>';
let dist: string;
let app: FastifyInstance;

beforeAll(async () => {
  dist = `${await mkdtemp(join(tmpdir(), 'console-dist-'))}/`;
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'index.html.gz'), gzipSync(INDEX));
  await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
  await writeFile(join(dist, 'assets', 'app-abc123.js.gz'), gzipSync('console.log(1)'));
  app = Fastify();
  await registerConsole(app, dist);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('serving the console', () => {
  it('redirects / and /console to /console/', async () => {
    for (const url of ['/', '/console']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/console/');
    }
  });

  it('answers the console’s own routes with its index.html, revalidated, with a Content-Security-Policy', async () => {
    for (const url of [
      '/console/',
      '/console/overview',
      '/console/provinces/440000',
      '/console/universities/4144000001?asOf=2022-04-10',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('serves hashed assets for a year, compressed when the browser accepts gzip, and a missing asset is a 404', async () => {
    const plain = await app.inject({ url: '/console/assets/app-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toContain('immutable');
    const gz = await app.inject({ url: '/console/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const missing = await app.inject({ url: '/console/assets/gone-000000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 503 with what to do while the console is not built', async () => {
    const bare = Fastify();
    await registerConsole(bare, join(dist, 'not-built/'));
    const res = await bare.inject({ url: '/console/overview' });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toMatch(/npm run build:console/);
    await bare.close();
  });
});

describe('the console in the API', () => {
  const s = useTestServices({ api: true });

  it('is public: no key is asked for its pages', async () => {
    for (const url of ['/', '/console', '/console/', '/console/overview']) {
      const res = await fetch(`${s.api.url}${url}`, { redirect: 'manual' });
      expect([200, 302, 503], url).toContain(res.status);
    }
  });
});
