// `npm run demo -- --serve` (issue 13): once the demo has run, it makes one account per kind of user with
// `ledger users create` and prints the console's address with each login. Checked here on a small world instead of
// the whole demo: the six accounts are made, each signs in with the printed password, with the scope it claims.
import { describe, expect, it } from 'vitest';
import { consoleBanner, createLogins } from '../../services/demo/serve-console.ts';
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
