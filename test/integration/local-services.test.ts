// infra/local-services.sh: leaves running services alone, and starts / stops project-local ones on unused ports
// (so the machine's own PostgreSQL and Redis are never touched).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.ts';
import { runLedger } from '../helpers/cli.ts';
import { freePort } from '../helpers/processes.ts';
import { redisAnswers } from '../../services/demo/local-services.ts';
import { pingDatabaseUrl as pgAnswers } from '../../shared/db/database.ts';

interface Run {
  code: number;
  out: string;
}

function script(command: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['infra/local-services.sh', command],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: stdout + stderr });
      },
    );
  });
}

describe('infra/local-services.sh', () => {
  it('does nothing when PostgreSQL and Redis already answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-local-'));
    try {
      const url = new URL(ADMIN_DATABASE_URL);
      url.pathname = '/ledger';
      const r = await script('start', {
        LEDGER_LOCAL_DIR: dir,
        DATABASE_URL: url.toString(),
        REDIS_URL: TEST_REDIS_URL,
      });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/postgres answers at .*: nothing to start/);
      expect(r.out).toMatch(/redis answers at .*: nothing to start/);
      expect(readdirSync(dir)).toEqual([]);
      const stop = await script('stop', {
        LEDGER_LOCAL_DIR: dir,
        DATABASE_URL: url.toString(),
        REDIS_URL: TEST_REDIS_URL,
      });
      expect(stop.out).toMatch(/postgres: not started by this script here; left alone/);
      expect(await pgAnswers(ADMIN_DATABASE_URL)).toBe(true);
      expect(await redisAnswers(TEST_REDIS_URL)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on unused ports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-local-'));
    const env: Record<string, string> = { LEDGER_LOCAL_DIR: dir };
    let pgUrl = '';

    beforeAll(async () => {
      const [pgPort, redisPort] = [await freePort(), await freePort()];
      pgUrl = `postgres://postgres@127.0.0.1:${pgPort}/ledger_local_check`;
      Object.assign(env, { DATABASE_URL: pgUrl, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    });

    afterAll(async () => {
      await script('stop', env);
      const mark = join(dir, 'pg.datadir');
      if (existsSync(mark)) rmSync(readFileSync(mark, 'utf8').trim(), { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    });

    it('starts PostgreSQL and Redis that answer, and `ledger migrate` works against them', async () => {
      expect(await pgAnswers(pgUrl)).toBe(false);
      const r = await script('start', env);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/initdb .*trust authentication/);
      expect(r.out).toMatch(/postgres answers at 127\.0\.0\.1:\d+/);
      expect(await redisAnswers(env.REDIS_URL!)).toBe(true);
      const migrate = await runLedger(['migrate'], { DATABASE_URL: pgUrl });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stdout).toMatch(/created the database/);
      expect(await pgAnswers(pgUrl)).toBe(true);
    });

    it('is idempotent: a second start starts nothing, and status says who started them', async () => {
      const again = await script('start', env);
      expect(again.code, again.out).toBe(0);
      expect(again.out).not.toMatch(/starting/);
      const status = await script('status', env);
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(/postgres at .*: answers \(started by this script/);
      expect(status.out).toMatch(/redis at .*: answers \(started by this script, pid \d+\)/);
    });

    it('stops what it started; stopping again is harmless', async () => {
      const stop = await script('stop', env);
      expect(stop.code, stop.out).toBe(0);
      expect(stop.out).toMatch(/stopping postgres/);
      expect(stop.out).toMatch(/stopping redis/);
      expect(await pgAnswers(pgUrl)).toBe(false);
      expect(await redisAnswers(env.REDIS_URL!)).toBe(false);
      const status = await script('status', env);
      expect(status.code).toBe(1);
      expect(status.out).toMatch(/does not answer/);
      const again = await script('stop', env);
      expect(again.code, again.out).toBe(0);
    });

    it('restarts on the data it kept', async () => {
      const r = await script('start', env);
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toMatch(/initdb/);
      expect(await pgAnswers(pgUrl)).toBe(true); // the database `ledger migrate` created is still there
      await script('stop', env);
    });
  });
});
