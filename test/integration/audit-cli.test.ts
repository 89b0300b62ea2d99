// `ledger audit verify | list | export` through the real command line, against a trail that someone with the
// database's superuser edits behind the triggers (session_replication_role = replica turns them off).
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, SYSTEM_ACTOR } from '../../shared/use-cases/audit.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
let env: { DATABASE_URL: string };
const ENTRIES = 8;

/** Runs statements as a superuser would, with the append-only triggers off. */
async function behindTriggers(...statements: string[]): Promise<void> {
  await services.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    for (const s of statements) await sql.raw(s).execute(trx);
  });
}

beforeAll(async () => {
  env = { DATABASE_URL: services.database.url };
  for (let i = 1; i <= ENTRIES; i += 1) {
    await recordAudit(services.db, {
      actor: i % 2 ? SYSTEM_ACTOR : { kind: 'user', clientId: 3, name: '李审计', address: '10.1.2.3' },
      action: i % 2 ? 'recipients.add' : 'targets.set',
      target: i === 4 ? '=HYPERLINK("http://x")' : `thing:${i}`,
      after: { n: i, name: `名称${i}` },
      result: 'ok',
    });
  }
  await sql`CREATE TABLE audit_backup AS SELECT * FROM audit_log`.execute(services.db);
  await sql`CREATE TABLE audit_head_backup AS SELECT * FROM audit_head`.execute(services.db);
});

// Each case starts from the intact trail again.
afterEach(async () => {
  await behindTriggers(
    'DELETE FROM audit_log',
    'INSERT INTO audit_log SELECT * FROM audit_backup',
    'DELETE FROM audit_head',
    'INSERT INTO audit_head SELECT * FROM audit_head_backup',
  );
});

describe('ledger audit verify', { timeout: 120_000 }, () => {
  it('exits 0 saying how many entries are intact', async () => {
    const res = await runLedger(['audit', 'verify'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`audit trail intact: ${ENTRIES} entries verify`);
    const json = await runLedger(['audit', 'verify', '--json'], env);
    expect(jsonOut(json)).toMatchObject({ ok: true, entries: ENTRIES });
  });

  it('names a changed entry and what differs', async () => {
    await behindTriggers(`UPDATE audit_log SET after = '{"n": 3, "name": "改过"}' WHERE seq = 3`);
    const res = await runLedger(['audit', 'verify'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('audit entry 3 was changed after it was written');
    expect(res.stderr).toContain('recorded fields no longer hash');
    expect(res.stderr).toContain('2 entries before it verify');
  });

  it('names a deleted middle entry', async () => {
    await behindTriggers('DELETE FROM audit_log WHERE seq = 5');
    const res = await runLedger(['audit', 'verify', '--json'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('audit entry 5 is missing');
    expect(jsonOut(res)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('names deleted last entries (the head still counts them)', async () => {
    await behindTriggers(`DELETE FROM audit_log WHERE seq > ${ENTRIES - 2}`);
    const res = await runLedger(['audit', 'verify'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`audit entries from ${ENTRIES - 1} on are missing`);
  });

  it('names a replaced middle entry whose hash was recomputed (the next one no longer links to it)', async () => {
    await behindTriggers(`UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = 4`);
    const res = await runLedger(['audit', 'verify'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/audit entry 4 was changed/);
  });

  it('names a head that does not match the last entry, and entries beyond the head', async () => {
    await behindTriggers(`UPDATE audit_head SET hash = repeat('b', 64)`);
    const res = await runLedger(['audit', 'verify'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`audit entry ${ENTRIES}, the last stored, does not match the chain's head`);

    await behindTriggers(
      `UPDATE audit_head SET (seq, hash) = (SELECT seq, hash FROM audit_backup WHERE seq = ${ENTRIES - 1})`,
    );
    const beyond = await runLedger(['audit', 'verify'], env);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toContain(`audit entries from ${ENTRIES} on lie beyond the chain's head`);
  });
});

describe('ledger audit list and export', { timeout: 120_000 }, () => {
  it('lists newest first, filtered by actor and action', async () => {
    const all = jsonOut<Array<{ seq: number }>>(await runLedger(['audit', 'list', '--json'], env));
    expect(all.map((e) => e.seq)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const byActor = jsonOut<Array<{ seq: number; actor: { name: string; address: string } }>>(
      await runLedger(['audit', 'list', '--actor', '李审计', '--action', 'targets', '--json'], env),
    );
    expect(byActor.map((e) => e.seq)).toEqual([8, 6, 4, 2]);
    expect(byActor[0]!.actor.address).toBe('10.1.2.3');
    const none = await runLedger(['audit', 'list', '--since', '2999-01-01'], env);
    expect(none.stdout).toContain('no audit entries');
    const bad = await runLedger(['audit', 'list', '--since', 'yesterday'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ISO 8601');
  });

  it('exports CSV and xlsx with formulas made inert', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-export-'));
    const csv = join(dir, 'audit.csv');
    const res = await runLedger(['audit', 'export', '--file', csv, '--action', 'targets'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('wrote 4 audit entries');
    const text = await readFile(csv, 'utf8');
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'seq,at,actor_kind,actor_client_id,actor_name,address,action,target,result,before,after,detail,hash',
    );
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://x"")",`);

    const xlsx = join(dir, 'audit.xlsx');
    expect((await runLedger(['audit', 'export', '--file', xlsx], env)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.getWorksheet('审计日志')!;
    expect(ws.rowCount).toBe(ENTRIES + 1);
    expect(ws.getRow(2).getCell(7).value).toBe('recipients.add');

    const unknown = await runLedger(['audit', 'export', '--file', join(dir, 'audit.txt')], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('name it .csv or .xlsx');
  });
});
