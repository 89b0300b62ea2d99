// The lists of the generated notices against the store: with more universities behind than the national notice
// shows, it lists the worst ones (ordered here from the stored ranking rows), says how many of how many in every
// form, and the attached ledger holds them all; the province and central notices list theirs worst first too.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_LIST_ROWS } from '../../shared/domain/notices/format.ts';
import { PROGRESS_COLUMNS, PROGRESS_SHEET } from '../../shared/domain/notices/ledger-xlsx.ts';
import type { UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { getNotice, type StoredNotice } from '../../shared/repositories/notice.repository.ts';
import { generateNotices, writeNoticeLedger } from '../../shared/use-cases/generate-notices.ts';
import { insertCampaign, insertEmployers, insertUniversities, insertVisits } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
const PROVINCES = ['110000', '440000', '510000'];
const N = 150;
/** Employers each university visits (principal target 10: completion k/10); behind below 0.8 × 66 % time progress. */
const K = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 6, 10];
const codeOf = (i: number) => `${PROVINCES[i % 3]!.slice(0, 2)}${String(10000000 + i * 37)}`;

beforeAll(async () => {
  await insertCampaign(services.db, { principalTarget: 10, newTarget: 10 });
  await insertUniversities(
    services.db,
    Array.from({ length: N }, (_, i) => ({ code: codeOf(i), provinceCode: PROVINCES[i % 3]!, newUndergrad: true })),
  );
  // every fifth university is 部属: the central notice ranks them among themselves
  await services.db
    .updateTable('universities')
    .set({ central: 'ministry' })
    .where(
      'code',
      'in',
      Array.from({ length: N / 5 }, (_, j) => codeOf(j * 5)),
    )
    .execute();
  const employers = await insertEmployers(
    services.db,
    Array.from({ length: 12 }, (_, i) => `名单单位${i}`),
  );
  await insertVisits(
    services.db,
    Array.from({ length: N }, (_, i) =>
      Array.from({ length: K[i % K.length]! }, (_, j) => ({
        universityCode: codeOf(i),
        employerId: employers[j]!,
        visitedOn: '2022-05-10',
        roles: ['secretary' as const],
        mode: (i + j) % 3 === 0 ? ('online' as const) : ('onsite' as const),
        positions: (i * 7 + j) % 5,
      })),
    ).flat(),
  );
}, 120_000);

/** A scope's stored ranking rows, read straight from the snapshot table. */
async function snapshotRows(scope: string): Promise<UniversityRankRow[]> {
  const { rows } = await sql<{ rows: UniversityRankRow[] }>`
    SELECT rows FROM ranking_snapshots WHERE campaign_id = '2022' AND period = '2022-W26' AND scope = ${scope}`.execute(
    services.db,
  );
  return rows[0]!.rows;
}

/** Worst first by the ranking keys: lowest completion, fewest employers visited, fewest positions, then code. */
const worstFirst = (rows: UniversityRankRow[]) =>
  rows
    .filter((r) => r.behind)
    .sort(
      (a, b) =>
        a.completion - b.completion ||
        a.employersVisited - b.employersVisited ||
        a.positions - b.positions ||
        (a.universityCode < b.universityCode ? -1 : 1),
    )
    .map((r) => r.universityCode);

const codesIn = (text: string) => [...text.matchAll(/大学(\d{10})/g)].map((m) => m[1]!);
const between = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));

let notices: StoredNotice[];
beforeAll(async () => {
  const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W26' });
  notices = await Promise.all(result.notices.map(async (n) => (await getNotice(services.db, n.id))!));
});
const noticeOf = (scope: string) => notices.find((n) => n.scope === scope)!;

describe('universities behind in the generated notices', () => {
  it('the national notice shows the worst ones, says how many of how many, and attaches them all', async () => {
    const expected = worstFirst(await snapshotRows('national'));
    expect(expected.length).toBeGreaterThan(NOTICE_LIST_ROWS);
    const shown = expected.slice(0, NOTICE_LIST_ROWS);
    const n = noticeOf('national');
    const note = `按完成度由低到高列出${NOTICE_LIST_ROWS}所，共${expected.length}所，完整名单见附件《电子台账》`;
    expect(codesIn(between(n.html, '四、进度落后高校', '五、典型'))).toEqual(shown);
    expect(codesIn(between(n.text, '四、进度落后高校', '五、典型'))).toEqual(shown);
    expect(codesIn(between(n.markdown, '## 四、进度落后高校', '## 五、典型'))).toEqual(shown);
    for (const form of [n.html, n.text, n.markdown]) expect(form).toContain(note);
    expect(n.model.kind === 'national' && n.model.behind.map((r) => r.universityCode)).toEqual(expected);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeNoticeLedger(services.db, n, out);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as never);
    const sheet = wb.getWorksheet(PROGRESS_SHEET)!;
    const codeCol = PROGRESS_COLUMNS.indexOf('高校代码') + 1;
    const statusCol = PROGRESS_COLUMNS.indexOf('状态') + 1;
    const behindInLedger: string[] = [];
    sheet.eachRow((row, i) => {
      if (i > 1 && row.getCell(statusCol).value === '落后') behindInLedger.push(String(row.getCell(codeCol).value));
    });
    expect(behindInLedger.sort()).toEqual([...expected].sort());
  });

  it('province and central notices name all theirs, worst first', async () => {
    for (const scope of ['province:440000', 'central']) {
      const expected = worstFirst(await snapshotRows(scope));
      expect(expected.length).toBeGreaterThan(5);
      const n = noticeOf(scope);
      expect(codesIn(between(n.text, '四、进度落后高校', '五、'))).toEqual(expected);
      expect(codesIn(between(n.html, '四、进度落后高校', '五、'))).toEqual(expected);
      expect(codesIn(between(n.markdown, '## 四、进度落后高校', '## 五、'))).toEqual(expected);
    }
  });
});
