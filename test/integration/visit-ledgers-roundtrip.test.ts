// The round trip of issue 14: the project's template, filled in by another program (openpyxl, committed as
// test/fixtures/visit-ledgers/template-filled.xlsx), uploaded, processed by the workers; the figures on the rankings
// endpoint equal a direct count over the visits and what the file says.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../helpers/api.ts';
import { waitFor } from '../helpers/poll.ts';
import { insertCampaign, insertUniversities } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';
import { EXPECTED, fixture, U1, U2, uploadLedger } from '../helpers/visit-ledgers.ts';

const services = useTestServices({ api: true, workers: true });
let universityKey: string;
let nationalKey: string;

beforeAll(async () => {
  await insertUniversities(services.db, [
    { code: U1, name: '往返测试大学' },
    { code: U2, name: '同省大学' },
  ]);
  await insertCampaign(services.db);
  universityKey = await createApiKey(services.db, `university:${U1}`);
  nationalKey = await createApiKey(services.db, 'national');
});

describe('template → filled by openpyxl → upload → rankings', () => {
  it('gives the figures a direct count of the visits gives, and those the file states', async () => {
    const expected = EXPECTED['template-filled.xlsx'];
    const res = await uploadLedger(
      services.api.url,
      universityKey,
      fixture('template-filled.xlsx'),
      'template-filled.xlsx',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.summary).toMatchObject({
      rows: expected.rows,
      accepted: expected.rows,
      invalid: 0,
      unprocessable: 0,
    });

    await waitFor(
      async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM inbox_events WHERE status = 'processed'`.execute(services.db);
        return rows[0]!.n;
      },
      { what: `all ${expected.rows} rows processed by the workers`, until: (n) => n === expected.rows },
    );

    const ranking = await services.api.request(
      'GET',
      '/v1/campaigns/2022/rankings?scope=province:440000&asOf=2022-08-31',
      {
        key: nationalKey,
      },
    );
    expect(ranking.status).toBe(200);
    const row = ranking.body.rows.find((r: { universityCode: string }) => r.universityCode === U1);

    const { rows: direct } = await sql<{
      employers: number;
      principal: number;
      positions: number;
      onsite: number;
      visits: number;
    }>`
      SELECT count(DISTINCT employer_id)::int AS employers,
             count(DISTINCT employer_id) FILTER (WHERE has_principal)::int AS principal,
             sum(positions)::int AS positions,
             count(*) FILTER (WHERE mode = 'onsite')::int AS onsite, count(*)::int AS visits
      FROM visits WHERE university_code = ${U1} AND state = 'active' AND campaign_id = '2022'`.execute(services.db);
    const d = direct[0]!;
    expect(d.visits).toBe(expected.rows);
    expect(row).toMatchObject({
      employersVisited: d.employers,
      principalEmployers: d.principal,
      newEmployers: d.employers, // no prior employers and no visits before the campaign: every employer is new
      positions: d.positions,
      onsiteShare: d.onsite / d.visits,
    });
    expect(row).toMatchObject({
      employersVisited: expected.employersVisited,
      principalEmployers: expected.principalEmployers,
      positions: expected.positions,
      onsiteShare: expected.onsiteShare,
    });
    expect(ranking.body.rows[0].universityCode).toBe(U1); // the other university of the province has no visits
  });
});
