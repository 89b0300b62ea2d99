// `ledger visits template` and `ledger visits import` (issue 14): the same road and answers as the upload endpoint,
// the annotated copy written next to the file, and whole mode's count printed before anything is retracted.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { insertCampaign, insertUniversities } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';
import { EXPECTED, FIXTURES, readAnnotated, U1, U2 } from '../helpers/visit-ledgers.ts';
import { waitFor } from '../helpers/poll.ts';

const services = useTestServices({ redis: true, workers: true });
const dir = mkdtempSync(join(tmpdir(), 'ledger-visits-'));

beforeAll(async () => {
  await insertUniversities(services.db, [{ code: U1 }, { code: U2 }]);
  await insertCampaign(services.db);
});

const ledger = (args: string[]) => runLedger(['visits', ...args], services.env as { DATABASE_URL: string });

async function processed(): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'processed'`.execute(services.db);
  return rows[0]!.n;
}

describe('ledger visits template', () => {
  it('writes the template', async () => {
    const out = join(dir, '模板.xlsx');
    const res = await ledger(['template', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['走访台账', '填写说明']);
  });
});

describe('ledger visits import', () => {
  it('imports a GBK CSV for a university, prints the API’s answers and writes F.checked.xlsx beside it; the workers apply it', async () => {
    const file = join(dir, 'spellings-gbk.csv');
    copyFileSync(join(FIXTURES, 'spellings-gbk.csv'), file);
    const res = await ledger(['import', '--file', file, '--university', U1, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = jsonOut<{ rows: Array<{ status: string }>; summary: Record<string, unknown>; annotated: string }>(res);
    expect(out.summary).toMatchObject({ format: 'csv', encoding: 'GBK', rows: 11, accepted: 11 });
    expect(out.annotated).toBe(join(dir, 'spellings-gbk.checked.xlsx'));
    const { cells } = await readAnnotated(readFileSync(out.annotated));
    expect(cells.get('O1')?.value).toBe('状态');
    expect(cells.get('O2')?.value).toBe('已接收');
    await waitFor(async () => (await processed()) >= 11, { what: 'the 11 imported visits processed by the workers' });
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM visits WHERE university_code = ${U1} AND state = 'active'`.execute(services.db);
    expect(rows[0]!.n).toBe(11);

    const again = await ledger(['import', '--file', file, '--university', U1]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('duplicate 11');
  });

  it('answers rows of another university as outside the scope of --university', async () => {
    const file = join(dir, 'province.xlsx');
    copyFileSync(join(FIXTURES, 'province.xlsx'), file);
    const res = await ledger(['import', '--file', file, '--university', U1, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = jsonOut<{ rows: Array<{ ref: string; universityCode: string; status: string }> }>(res);
    expect(out.rows.find((r) => r.ref === 'P-01' && r.universityCode === U1)?.status).toBe('accepted');
    expect(out.rows.find((r) => r.ref === 'P-01' && r.universityCode === U2)?.status).toBe('unprocessable');
    expect(EXPECTED['province.xlsx'].rows).toHaveLength(out.rows.length);
  });

  it('prints the count of a whole ledger’s retractions and stores nothing without --yes', async () => {
    const file = join(dir, 'whole.csv');
    const write = (refs: string[]) =>
      writeFileSync(
        file,
        [
          '走访编号,走访日期,走访形式,带队校领导,用人单位名称',
          ...refs.map((r) => `${r},2022-05-01,线上,李四（校长）,整本${r}`),
        ].join('\n'),
      );
    write(['Z-1', 'Z-2']);
    expect((await ledger(['import', '--file', file, '--university', U2])).code).toBe(0);
    write(['Z-1']);
    const refused = await ledger(['import', '--file', file, '--university', U2, '--mode', 'whole']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/1 visit\(s\) of this campaign .* would be retracted .*--yes/);
    const dry = await ledger(['import', '--file', file, '--university', U2, '--mode', 'whole', '--dry-run', '--json']);
    expect(jsonOut<{ summary: Record<string, unknown> }>(dry).summary).toMatchObject({ dryRun: true, retracted: 1 });
    const applied = await ledger(['import', '--file', file, '--university', U2, '--mode', 'whole', '--yes', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(jsonOut<{ summary: Record<string, unknown> }>(applied).summary).toMatchObject({
      retracted: 1,
      duplicate: 1,
    });
  });

  it('refuses a bad file with one line and exit status 1', async () => {
    const res = await ledger(['import', '--file', join(FIXTURES, 'encrypted.xlsx'), '--university', U1]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^ledger: .*加密.*encrypted/);
    const missing = await ledger(['import', '--file', join(dir, 'nope.xlsx'), '--university', U1]);
    expect(missing.code).toBe(1);
    expect((await ledger(['import', '--file', join(FIXTURES, 'spellings.xlsx'), '--university', '123'])).code).not.toBe(
      0,
    );
  });
});
