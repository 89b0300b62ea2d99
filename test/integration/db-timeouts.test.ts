// Timeouts towards PostgreSQL (createDb) and what a failure means (classifyDbError), against a real PostgreSQL: directly,
// and through a TCP proxy that can turn into a black hole (accepts, never answers), as a hung server does.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { classifyDbError, createDb, dbTimeoutsFor, type Db, type DbTimeouts } from '../../shared/db/database.ts';
import { freePort } from '../helpers/processes.ts';
import { useTestServices } from '../helpers/setup.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const services = useTestServices();
let proxy: TcpProxy;
const pools: Db[] = [];

function open(url: string, timeouts: Partial<DbTimeouts>, poolSize = 2): Db {
  const db = createDb(url, { poolSize, applicationName: 'ledger-test-timeouts', timeouts });
  pools.push(db);
  return db;
}

/** The rejection of `p` and how long it took to come. */
async function failure(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  const url = new URL(services.database.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
});

afterAll(async () => {
  for (const db of pools) await db.destroy().catch(() => {});
  await proxy?.close();
});

describe('createDb timeouts', () => {
  it('sets statement and idle-in-transaction timeouts on every session, per role from the configuration', async () => {
    const config = loadConfig({
      API_DB_STATEMENT_TIMEOUT_MS: '1500',
      DB_STATEMENT_TIMEOUT_MS: '0',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '7000',
    });
    const api = open(services.database.url, dbTimeoutsFor(config, 'api'));
    const background = open(services.database.url, dbTimeoutsFor(config, 'background'));
    const show = async (db: Db) =>
      (
        await sql<{
          s: string;
          i: string;
        }>`SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i`.execute(
          db,
        )
      ).rows[0];
    expect(await show(api)).toEqual({ s: '1500ms', i: '7s' });
    expect(await show(background)).toEqual({ s: '0', i: '7s' });
  });

  it('cancels a statement past statement_timeout: classified cancelled (rolled back), within the timeout', async () => {
    const db = open(services.database.url, { statementMs: 300 });
    const { err, ms } = await failure(sql`SELECT pg_sleep(5)`.execute(db));
    expect((err as { code?: string }).code).toBe('57014');
    expect(classifyDbError(err)).toBe('cancelled');
    expect(ms).toBeLessThan(2000);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows[0]!.one).toBe(1); // the connection goes on
  });

  it('classifies a value PostgreSQL cannot store as data and a broken constraint as integrity', async () => {
    const db = open(services.database.url, {});
    expect(classifyDbError((await failure(sql`SELECT ${'0000-01-01T00:00:00Z'}::timestamptz`.execute(db))).err)).toBe(
      'data',
    );
    expect(
      classifyDbError((await failure(sql`SELECT ${'2022-04-02T10:00:00+23:00'}::timestamptz`.execute(db))).err),
    ).toBe('data');
    const fk = sql`INSERT INTO inbox_events (client_id, event_id, body_hash, raw_body, event_type, university_code, visit_ref, occurred_at)
      VALUES (-1, 'e', 'h', '{}', 'visit.recorded', '4100000000', 'r', now())`;
    expect(classifyDbError((await failure(fk.execute(db))).err)).toBe('integrity');
  });

  it('gives up on a server that refuses or never completes a connection within the connect timeout: unreachable', async () => {
    const refused = open(`postgres://postgres@127.0.0.1:${await freePort()}/x`, { connectMs: 500 });
    expect(classifyDbError((await failure(sql`SELECT 1`.execute(refused))).err)).toBe('unreachable');
    proxy.setBlackHole(true);
    try {
      const hung = open(viaProxy(services.database.url, proxy), { connectMs: 500 });
      const { err, ms } = await failure(sql`SELECT 1`.execute(hung));
      expect(classifyDbError(err)).toBe('unreachable');
      expect(ms).toBeLessThan(2500);
    } finally {
      proxy.setBlackHole(false);
    }
  });

  it('stops waiting for a server that goes silent mid-statement (interrupted), drops that connection and works again once it answers', async () => {
    // One connection only: were the silent one handed out again, the statement after recovery would hang behind it.
    const db = open(viaProxy(services.database.url, proxy), { statementMs: 500, connectMs: 500 }, 1);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows[0]!.one).toBe(1);
    proxy.setBlackHole(true);
    const { err, ms } = await failure(sql`SELECT 2`.execute(db));
    proxy.setBlackHole(false);
    expect(classifyDbError(err)).toBe('interrupted');
    expect(ms).toBeLessThan(3000);
    expect((await sql<{ two: number }>`SELECT 2 AS two`.execute(db)).rows[0]!.two).toBe(2);
  });

  it('ends a session whose transaction stays idle past idle_in_transaction_session_timeout', async () => {
    const db = open(services.database.url, { idleInTransactionMs: 300 }, 1);
    const idle = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await new Promise((r) => setTimeout(r, 1000)); // holding the transaction while waiting on something else
      await sql`SELECT 1`.execute(trx);
    });
    await failure(idle);
    const [row] = (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name = 'ledger-test-timeouts'`.execute(
        services.db,
      )
    ).rows;
    expect(row!.n).toBe(0);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows[0]!.one).toBe(1); // the pool opens a new one
  });
});
