// `npm run demo -- --serve` (issue 13): once the demo has run, it makes one account per kind of user with
// `ledger users create` and prints the console's address with each login. Checked here on a small world instead of
// the whole demo: the six accounts are made, each signs in with the printed password, with the scope it claims.
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../services/demo/processes.ts';
import { consoleBanner, consolePort, createLogins, serveDemoConsole } from '../../services/demo/serve-console.ts';
import { runLedger } from '../helpers/cli.ts';
import { waitFor } from '../helpers/poll.ts';
import { buildRankingWorld, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const s = useTestServices({ api: { SESSION_COOKIE_SECURE: 'false' } });

describe('ledger demo --serve', () => {
  it('prints the console’s address and one working login per kind of user', async () => {
    await buildRankingWorld(s.db);
    const top = {
      rank: 1,
      universityCode: W.G1,
      universityName: '华南示范大学',
      provinceCode: '440000',
      completion: 1,
      employersVisited: 4,
      positions: 40,
    };
    const logins = await createLogins({ top: [top] }, { ...process.env, ...s.env, LOG_LEVEL: 'warn' });
    expect(logins.map((l) => [l.role, l.scope, l.lands])).toEqual([
      ['national', 'national', '/console/overview'],
      ['admin', 'admin', '/console/overview'],
      ['security', 'security', '/console/operations'],
      ['auditor', 'auditor', '/console/audit'],
      ['province', 'province:440000', '/console/provinces/440000'],
      ['university', `university:${W.G1}`, `/console/universities/${W.G1}`],
    ]);

    const banner = consoleBanner('http://127.0.0.1:3000', logins);
    expect(banner).toContain('http://127.0.0.1:3000/console/');
    for (const login of logins) {
      const line = banner.split('\n').find((l) => l.includes(login.name))!;
      expect(line).toContain(login.password);
      expect(line).toContain(login.lands);
      const res = await s.api.request('POST', '/v1/session', { body: { name: login.name, password: login.password } });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({ name: login.name, scope: login.scope });
      expect(res.body.passwordChange).toBe('temporary'); // generated: the person chooses their own at first sign-in
    }
  }, 120_000);
});

// Its own database: the accounts of the test above exist already there.
describe('ledger demo --serve --port', () => {
  const s = useTestServices({ redis: true });

  it('serves on the port --port asks for, and stops when asked', async () => {
    const port = await freePort();
    const saved = { REDIS_URL: process.env.REDIS_URL, QUEUE_PREFIX: process.env.QUEUE_PREFIX };
    // The demo's processes take the queue prefix <QUEUE_PREFIX>-demo: the file's own here.
    Object.assign(process.env, { REDIS_URL: s.env.REDIS_URL, QUEUE_PREFIX: s.env.QUEUE_PREFIX });
    const lines: string[] = [];
    try {
      const stop = new AbortController();
      const serving = serveDemoConsole({ database: s.database.name, top: [] }, (l) => lines.push(l), {
        port,
        signal: stop.signal,
      });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true, {
        what: `the API on port ${port}`,
        timeoutMs: 90_000,
      });
      stop.abort();
      await serving;
      expect(lines).toContain('stopping the API and the worker');
    } finally {
      const redis = new Redis(s.env.REDIS_URL!, { maxRetriesPerRequest: 2 });
      const keys = await redis.keys(`${s.env.QUEUE_PREFIX}-demo:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      Object.assign(process.env, saved);
    }
  }, 300_000);

  // Each `ledger` process loads the whole program: beside the full suite that alone can take half a minute.
  it('refuses a port that is taken, before the demo runs, and --port without --serve', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as { port: number }).port;
    try {
      await expect(consolePort('127.0.0.1', busy)).rejects.toThrow(`port ${busy} on 127.0.0.1 is taken`);
      // Refused before the demo runs, not after it.
      const cli = await runLedger(['demo', '--serve', '--port', String(busy), '--database', 'ledger_demo_port'], s.env);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain(`port ${busy} on 127.0.0.1 is taken`);
    } finally {
      taken.close();
    }
    const alone = await runLedger(['demo', '--port', String(port), '--database', 'ledger_demo_port'], s.env);
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toContain('--port is the port of --serve');
  }, 300_000);
});
