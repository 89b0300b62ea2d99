// Issue 15 points 8-10 against the real store: the demand ledger (用人单位需求台账) equals a plain aggregate over the
// visits after record, amend and retract, over the API as JSON and as .xlsx (read back) and from `ledger demand
// export`; `campaign create --prior-from` (an employer visited in 2022 is not 新开拓 in 2023, and 2022 keeps its
// figures); model cases (典型) in a periodic notice; the campaign summary generated, delivered once per recipient and
// compared with the previous campaign.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/job.ts';
import { processVisitEvents } from '../../jobs/process-visit-events.job.ts';
import { loadConfig } from '../../shared/config.ts';
import { rootLogger } from '../../shared/log.ts';
import { DEMAND_COLUMNS, DEMAND_SHEET } from '../../shared/domain/notices/demand-xlsx.ts';
import { universityFigures } from '../../shared/repositories/measures.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { getNotice } from '../../shared/repositories/notice.repository.ts';
import { deliver, deliverySettings } from '../../shared/use-cases/deliver-notices.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { generateSummary, SummaryNotDueError } from '../../shared/use-cases/generate-summary.ts';
import { takeSnapshots } from '../../shared/use-cases/take-snapshots.ts';
import { createApiKey } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import {
  createReferenceData,
  insertInboxEvents,
  retraction,
  visitEvent,
  type VisitEventBody,
} from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true, api: true });
let ctx: JobContext;
let a: Awaited<ReturnType<typeof createReferenceData>>;
let b: Awaited<ReturnType<typeof createReferenceData>>;
let nationalKey: string;
let provinceKey: string;
const UA = '4144000101';
const UB = '4144000102';

beforeAll(async () => {
  ctx = {
    db: services.db,
    producer: services.producer,
    config: loadConfig(services.env),
    log: rootLogger.child({ test: 'demand-summary' }),
  };
  a = await createReferenceData(services.db, { universityCode: UA });
  b = await createReferenceData(services.db, { universityCode: UB });
  nationalKey = await createApiKey(services.db, 'national');
  provinceKey = await createApiKey(services.db, 'province:440000');
});

async function apply(events: VisitEventBody[]) {
  const ids = await insertInboxEvents(services.db, a.clientId, events);
  expect((await processVisitEvents(ctx, ids)).processed).toBe(events.length);
}

/** The ledger computed from scratch: a plain aggregate over the active visits of the campaign. */
async function scratch() {
  const { rows } = await sql<{
    name: string;
    visits: number;
    universities: number;
    positions: number;
    new_positions: number;
    hired: number;
    bases: number;
    first_on: string;
    last_on: string;
    majors: string[] | null;
  }>`
    SELECT e.canonical_name AS name, count(*)::int AS visits, count(DISTINCT v.university_code)::int AS universities,
      sum(v.positions)::int AS positions, sum(v.new_positions)::int AS new_positions, sum(v.hired)::int AS hired,
      count(DISTINCT v.university_code) FILTER (WHERE v.internship_base)::int AS bases,
      min(v.visited_on) AS first_on, max(v.visited_on) AS last_on,
      (SELECT array_agg(DISTINCT m ORDER BY m) FROM visits w, jsonb_array_elements_text(w.majors) m
        WHERE w.employer_id = v.employer_id AND w.campaign_id = '2022' AND w.state = 'active') AS majors
    FROM visits v JOIN employers e ON e.id = v.employer_id
    WHERE v.campaign_id = '2022' AND v.state = 'active'
    GROUP BY e.canonical_name, v.employer_id ORDER BY e.canonical_name`.execute(services.db);
  return rows.map((r) => ({
    employerName: r.name,
    visits: r.visits,
    universities: r.universities,
    positions: r.positions,
    newPositions: r.new_positions,
    hired: r.hired,
    internshipBases: r.bases,
    firstVisitedOn: r.first_on,
    lastVisitedOn: r.last_on,
    majors: [...(r.majors ?? [])].sort((x, y) => x.localeCompare(y, 'zh-Hans-CN')),
  }));
}

async function ledgerJson(query = '') {
  const r = await services.api.request('GET', `/v1/campaigns/2022/employer-demand?pageSize=500${query}`, {
    key: nationalKey,
  });
  expect(r.status).toBe(200);
  return r.body as { total: number; rows: Array<Record<string, unknown> & { employerName: string }> };
}

async function expectLedgerEqualsScratch() {
  const expected = await scratch();
  const got = await ledgerJson();
  expect(got.total).toBe(expected.length);
  const byName = [...got.rows].sort((x, y) => x.employerName.localeCompare(y.employerName));
  expect(byName.map((r) => ({ ...r, employerId: undefined, creditCode: undefined, visitedBy: undefined }))).toEqual(
    expected.map((e) => ({ ...e, employerId: undefined, creditCode: undefined, visitedBy: undefined })),
  );
  return got;
}

const at = (day: number) => `2022-05-${String(day).padStart(2, '0')}T10:00:00+08:00`;

describe('demand ledger (用人单位需求台账)', () => {
  it('equals a plain aggregate over the visits after record, amend and retract, over JSON, .xlsx and the CLI', async () => {
    await apply([
      visitEvent(a, {
        occurredAt: at(1),
        visit: {
          ref: 'd-1',
          visitedOn: '2022-04-01',
          employer: { name: '需求甲科技有限公司' },
          outcomes: { positions: 40, newPositions: 10, hired: 2, internshipBase: true },
          majors: ['计算机科学与技术', '软件工程'],
        },
      }),
      visitEvent(b, {
        occurredAt: at(1),
        visit: {
          ref: 'd-2',
          visitedOn: '2022-05-03',
          employer: { name: '需求甲科技有限公司' },
          outcomes: { positions: 20, hired: 5 },
          majors: ['软件工程', '数据科学'],
        },
      }),
      visitEvent(a, {
        occurredAt: at(1),
        visit: {
          ref: 'd-3',
          visitedOn: '2022-04-10',
          employer: { name: '需求乙制造有限公司' },
          outcomes: { positions: 100, newPositions: 30, hired: 1 },
        },
      }),
    ]);
    let got = await expectLedgerEqualsScratch();
    const jia = got.rows.find((r) => r.employerName === '需求甲科技有限公司')!;
    expect(jia).toMatchObject({
      visits: 2,
      universities: 2,
      positions: 60,
      hired: 7,
      majors: ['计算机科学与技术', '软件工程', '数据科学'].sort((x, y) => x.localeCompare(y, 'zh-Hans-CN')),
      firstVisitedOn: '2022-04-01',
      lastVisitedOn: '2022-05-03',
    });
    expect((jia.visitedBy as Array<{ universityCode: string }>).map((v) => v.universityCode)).toEqual([UA, UB]);
    // default order: most positions first; sort=hired: most hired first
    expect(got.rows[0]!.employerName).toBe('需求乙制造有限公司');
    expect((await ledgerJson('&sort=hired')).rows[0]!.employerName).toBe('需求甲科技有限公司');

    // amend: more positions, other majors
    await apply([
      visitEvent(a, {
        type: 'visit.amended',
        occurredAt: at(2),
        visit: {
          ref: 'd-1',
          visitedOn: '2022-04-02',
          employer: { name: '需求甲科技有限公司' },
          outcomes: { positions: 70, newPositions: 0, hired: 4 },
          majors: ['机械工程'],
        },
      }),
    ]);
    got = await expectLedgerEqualsScratch();
    expect(got.rows.find((r) => r.employerName === '需求甲科技有限公司')).toMatchObject({ positions: 90, hired: 9 });

    // retract: the employer visited only there leaves the ledger
    await apply([retraction(a, 'd-3', { occurredAt: at(3) })]);
    got = await expectLedgerEqualsScratch();
    expect(got.rows.map((r) => r.employerName)).toEqual(['需求甲科技有限公司']);

    // .xlsx over the API (Accept), read back
    const x = await fetch(`${services.api.url}/v1/campaigns/2022/employer-demand`, {
      headers: {
        authorization: `Bearer ${provinceKey}`,
        accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
    });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-disposition')).toContain(encodeURIComponent('用人单位需求台账-2022-province-440000'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    const ws = wb.getWorksheet(DEMAND_SHEET)!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...DEMAND_COLUMNS]);
    const row = (ws.getRow(2).values as unknown[]).slice(1);
    expect(row.slice(0, 9)).toEqual([
      '需求甲科技有限公司',
      undefined,
      2,
      2,
      90,
      0,
      9,
      0,
      '数据科学、机械工程、软件工程'
        .split('、')
        .sort((p, q) => p.localeCompare(q, 'zh-Hans-CN'))
        .join('、'),
    ]);
    expect(ws.rowCount).toBe(2);

    // the CLI writes the same workbook
    const dir = mkdtempSync(join(tmpdir(), 'demand-'));
    try {
      const out = join(dir, 'gd.xlsx');
      const r = await runLedger(
        ['demand', 'export', '--campaign', '2022', '--scope', 'province:440000', '--out', out, '--json'],
        services.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(jsonOut(r)).toMatchObject({ employers: 1 });
      const cli = new ExcelJS.Workbook();
      await cli.xlsx.load(readFileSync(out) as never);
      expect((cli.getWorksheet(DEMAND_SHEET)!.getRow(2).values as unknown[]).slice(1, 8)).toEqual(row.slice(0, 7));
      const bad = await runLedger(
        ['demand', 'export', '--campaign', '2022', '--scope', 'provinces', '--out', out],
        services.env,
      );
      expect(bad.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // scope rules
    expect(
      (
        await services.api.request('GET', '/v1/campaigns/2022/employer-demand?scope=province:110000', {
          key: provinceKey,
        })
      ).status,
    ).toBe(403);
    expect(
      (await services.api.request('GET', '/v1/campaigns/2022/employer-demand?scope=provinces', { key: nationalKey }))
        .status,
    ).toBe(400);
    expect((await ledgerJson('&scope=province:110000')).total).toBe(0);
  });
});

describe('典型 in a periodic notice', () => {
  it('names the employer with most graduates hired and the university whose completion rose most', async () => {
    await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W18' });
    // university B visits four more employers in week 19: its completion rises
    await apply(
      [1, 2, 3, 4].map((i) =>
        visitEvent(b, {
          occurredAt: at(10),
          visit: {
            ref: `m-${i}`,
            visitedOn: '2022-05-10',
            employer: { name: `典型丙公司${i}` },
            outcomes: { positions: 1 },
          },
        }),
      ),
    );
    const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W19' });
    const national = (await getNotice(services.db, result.notices.find((n) => n.scope === 'national')!.id))!;
    expect(national.model.modelCases?.byHired[0]).toMatchObject({ employerName: '需求甲科技有限公司', hired: 9 });
    expect(national.model.modelCases?.improved.map((u) => u.universityCode)).toEqual([UB]);
    expect(national.text).toContain('附：典型：用人单位与高校');
    expect(national.text).toContain('吸纳毕业生较多的用人单位：需求甲科技有限公司（录用毕业生9人');
    expect(national.html).toContain('典型：用人单位与高校');
    expect(national.markdown).toContain('## 附：典型：用人单位与高校');
  });
});

describe('prior-from and the campaign summary (总结)', () => {
  let server: Server;
  let hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a 2022 employer is not 新开拓 in 2023, and 2022 keeps its figures', async () => {
    const before = await universityFigures(
      services.db,
      { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' },
      '2022-08-31',
    );
    const create = await runLedger(
      [
        'campaign',
        'create',
        '--id',
        '2023',
        '--start',
        '2023-03-01',
        '--end',
        '2023-08-31',
        '--prior-from',
        '2022',
        '--json',
      ],
      services.env,
    );
    expect(create.code, create.stderr).toBe(0);
    expect(jsonOut(create)).toMatchObject({
      created: true,
      priorFrom: { previousCampaignId: '2022', universities: 2 },
    });
    const wrong = await runLedger(
      ['campaign', 'create', '--id', '2021x', '--start', '2022-05-01', '--end', '2022-09-01', '--prior-from', '2022'],
      services.env,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not before --start');
    const a23 = { ...a, campaignId: '2023' };
    await apply([
      visitEvent(a23, {
        occurredAt: '2023-04-01T10:00:00+08:00',
        visit: {
          ref: 'y-1',
          visitedOn: '2023-04-01',
          employer: { name: '需求甲科技有限公司' },
          outcomes: { positions: 5, hired: 1 },
        },
      }),
      visitEvent(a23, {
        occurredAt: '2023-04-01T10:00:00+08:00',
        visit: {
          ref: 'y-2',
          visitedOn: '2023-04-02',
          employer: { name: '全新丁有限公司' },
          outcomes: { positions: 3 },
        },
      }),
    ]);
    const f23 = await universityFigures(
      services.db,
      { id: '2023', startDate: '2023-03-01', endDate: '2023-08-31' },
      '2023-08-31',
    );
    expect(f23.get(UA)).toMatchObject({ employersVisited: 2, newEmployers: 1 });
    const after = await universityFigures(
      services.db,
      { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' },
      '2022-08-31',
    );
    expect(after).toEqual(before);
  });

  it('is refused before the end, then generated per scope, delivered once, and compares with 2022', async () => {
    await expect(generateSummary(services.db, { campaignId: '2023', today: '2023-08-31' })).rejects.toBeInstanceOf(
      SummaryNotDueError,
    );
    const { port } = server.address() as { port: number };
    const recipient = await addRecipient(services.db, {
      scope: 'national',
      kind: 'webhook',
      address: `http://127.0.0.1:${port}/hook`,
      format: 'json',
    });
    const first = await generateSummary(services.db, { campaignId: '2023', today: '2023-09-01' });
    expect(first.notices.map((n) => n.scope)).toEqual(['national', 'province:440000']);
    expect(first.deliveriesCreated).toBe(1);
    const settings = deliverySettings(ctx.config);
    for (const id of first.pendingDeliveryIds) await deliver(services.db, id, settings, { finalAttempt: false });
    expect(hits).toHaveLength(1);
    const sent = JSON.parse(hits[0]!) as { notice: { period: string; text: string } };
    expect(sent.notice.period).toBe('summary');
    expect(sent.notice.text).toContain('附：专项行动总结：全程走势与对比');
    expect(sent.notice.text).toContain('与上一轮专项行动（2022 访企拓岗）相比：走访2次（上一轮6次');

    const again = await generateSummary(services.db, { campaignId: '2023', today: '2023-09-02' });
    expect(again.deliveriesCreated).toBe(0);
    expect(again.pendingDeliveryIds).toEqual([]);
    expect(again.notices.map((n) => n.id)).toEqual(first.notices.map((n) => n.id));

    const national = (await getNotice(services.db, first.notices[0]!.id))!;
    expect(national.model.summary?.weeks.length).toBe(27);
    expect(national.model.summary?.comparison).toMatchObject({ previousCampaignId: '2022', universitiesCompared: 2 });
    expect(national.model.modelCases?.byPositions[0]).toMatchObject({ employerName: '需求甲科技有限公司' });
    expect(national.chartPng.subarray(1, 4).toString()).toBe('PNG');

    const list = await services.api.request('GET', '/v1/campaigns/2023/notices?kind=summary', { key: nationalKey });
    expect(list.body.notices.map((n: { kind: string; scope: string }) => [n.kind, n.scope])).toEqual([
      ['summary', 'national'],
      ['summary', 'province:440000'],
    ]);
    expect(recipient.created).toBe(true);
    hits = [];
  });

  it('gives rank changes since the last weekly notice, and says 全国 once in a title whose campaign name has it', async () => {
    const first = await generateSummary(services.db, { campaignId: '2023', today: '2023-09-02' });
    const before = (await getNotice(services.db, first.notices[0]!.id))!;
    expect(before.text).toContain('新进'); // no weekly snapshot of 2023 yet: nothing to compare with
    await takeSnapshots(services.db, { campaignId: '2023', period: '2023-W34' }); // the last weekly notice's ranks
    await services.db
      .updateTable('campaigns')
      .set({ name: '2023年全国高校书记校长访企拓岗促就业专项行动' })
      .where('id', '=', '2023')
      .execute();
    const again = await generateSummary(services.db, { campaignId: '2023', today: '2023-09-03' });
    const national = (await getNotice(services.db, again.notices[0]!.id))!;
    expect(national.text).not.toContain('新进'); // every unit was ranked that week, and nothing moved since
    expect(national.text).toContain('持平');
    expect(national.subject).toBe('关于2023年全国高校书记校长访企拓岗促就业专项行动工作情况的总结通报');
  });
});
