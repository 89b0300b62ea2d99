// Rows for ranking tests, inserted straight into the tables (universities, campaigns, employers, visits, targets).
import type { Db } from '../../shared/db/database.ts';

let seq = 0;
const next = () => ++seq;

export interface UniversitySpec {
  code: string;
  provinceCode?: string;
  name?: string;
  level?: '本科' | '专科';
  newUndergrad?: boolean;
  vocational?: boolean;
}

export async function insertUniversities(db: Db, specs: UniversitySpec[]): Promise<void> {
  await db
    .insertInto('universities')
    .values(
      specs.map((u) => ({
        code: u.code,
        name: u.name ?? `大学${u.code}`,
        province_code: u.provinceCode ?? '440000',
        city: '',
        authority: '',
        level: u.level ?? '本科',
        private: false,
        new_undergrad: u.newUndergrad ?? false,
        vocational: u.vocational ?? false,
      })),
    )
    .execute();
}

export async function insertCampaign(
  db: Db,
  c: Partial<{
    id: string;
    start: string;
    end: string;
    principalTarget: number;
    newTarget: number;
    behindFactor: number;
  }> = {},
): Promise<string> {
  const id = c.id ?? '2022';
  await db
    .insertInto('campaigns')
    .values({
      id,
      name: `${id} 访企拓岗`,
      start_date: c.start ?? '2022-03-01',
      end_date: c.end ?? '2022-08-31',
      principal_target: c.principalTarget ?? 100,
      new_target: c.newTarget ?? 100,
      behind_factor: c.behindFactor ?? 0.8,
    })
    .execute();
  return id;
}

/** Employers by name; returns their ids in order. */
export async function insertEmployers(db: Db, names: string[]): Promise<number[]> {
  const rows = await db
    .insertInto('employers')
    .values(names.map((n) => ({ canonical_name: n, normalized_name: n })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface VisitSpec {
  universityCode: string;
  employerId: number;
  visitedOn: string;
  campaignId?: string | null;
  ref?: string;
  roles?: Array<'secretary' | 'president' | 'leader'>;
  mode?: 'onsite' | 'invited' | 'online';
  positions?: number;
  internshipBase?: boolean;
  recruitmentInvite?: boolean;
  demandSurvey?: boolean;
  graduatesTracked?: number;
  satisfaction?: number | null;
  state?: 'active' | 'retracted';
}

/** Inserts visit rows as the worker would leave them (one statement: the derived tables' triggers fire once). */
export async function insertVisits(db: Db, specs: VisitSpec[]): Promise<string[]> {
  const rows = specs.map((v) => {
    const n = next();
    const roles = v.roles ?? ['leader'];
    return {
      university_code: v.universityCode,
      ref: v.ref ?? `r-${process.pid}-${n}`,
      campaign_id: v.campaignId === undefined ? '2022' : v.campaignId,
      state: v.state ?? 'active',
      occurred_at: `${v.visitedOn}T10:00:00+08:00`,
      event_id: `e-${n}`,
      inbox_id: n,
      visited_on: v.visitedOn,
      mode: v.mode ?? 'onsite',
      leaders: JSON.stringify(roles.map((role, i) => ({ role, name: `领导${i}` }))),
      has_principal: roles.some((r) => r !== 'leader'),
      employer_id: v.employerId,
      employer_name: `单位${v.employerId}`,
      positions: v.positions ?? 0,
      internship_base: v.internshipBase ?? false,
      recruitment_invite: v.recruitmentInvite ?? false,
      demand_survey: v.demandSurvey ?? false,
      graduates_tracked: v.graduatesTracked ?? 0,
      satisfaction: v.satisfaction ?? null,
    };
  });
  if (rows.length) await db.insertInto('visits').values(rows).execute();
  return rows.map((r) => r.ref);
}

export async function setPlacementRates(db: Db, campaignId: string, rates: Record<string, number>): Promise<void> {
  await db
    .insertInto('placement_rates')
    .values(
      Object.entries(rates).map(([university_code, rate]) => ({ campaign_id: campaignId, university_code, rate })),
    )
    .execute();
}

export async function setProvinceOverride(
  db: Db,
  campaignId: string,
  provinceCode: string,
  o: { principalTarget?: number; newTarget?: number; behindFactor?: number },
): Promise<void> {
  await db
    .insertInto('campaign_province_targets')
    .values({
      campaign_id: campaignId,
      province_code: provinceCode,
      principal_target: o.principalTarget ?? null,
      new_target: o.newTarget ?? null,
      behind_factor: o.behindFactor ?? null,
    })
    .execute();
}

export async function addPriorEmployer(
  db: Db,
  universityCode: string,
  employerId: number,
  name = `单位${employerId}`,
): Promise<void> {
  await db
    .insertInto('prior_employers')
    .values({
      university_code: universityCode,
      employer_name: name,
      credit_code: '',
      normalized_name: name,
      employer_id: employerId,
    })
    .execute();
}

/**
 * A small hand-computed world (campaign 2022 with targets principal 4 / new 2; 北京 overrides principal to 2 and has an
 * imported placement average 0.6). As of 2022-04-10 the national ranking is:
 *   1 G1 4144000001 新建本科, 4 principal employers → 1
 *   2 B2 4111000002 no targets, 75 employers → 0.75
 *   3 G2 4144000002 专科, principal 2/4, placement 0.7 below 广东's mean 0.8 → new 2/2 → 0.75 (fewer employers than B2)
 *   4 B1 4111000001 新建本科, principal 1/2, placement 0.5 below 0.6 → new 1/2 (the other is in its prior list) → 0.5
 *   5 G3 4144000003 placement 0.8 exactly the mean: no target, 3 employers → 0.03
 *   5 G5 4144000005 no targets, 3 employers, same positions → 0.03 (tie, listed by code)
 *   7 G4 4144000004 no visits → 0
 */
export const WORLD = {
  G1: '4144000001',
  G2: '4144000002',
  G3: '4144000003',
  G4: '4144000004',
  G5: '4144000005',
  B1: '4111000001',
  B2: '4111000002',
} as const;

export async function buildRankingWorld(db: Db): Promise<{ employers: number[] }> {
  const W = WORLD;
  await insertCampaign(db, { principalTarget: 4, newTarget: 2 });
  await insertUniversities(db, [
    { code: W.G1, newUndergrad: true },
    { code: W.G2, level: '专科' },
    { code: W.G3 },
    { code: W.G4 },
    { code: W.G5 },
    { code: W.B1, provinceCode: '110000', newUndergrad: true },
    { code: W.B2, provinceCode: '110000' },
  ]);
  await setPlacementRates(db, '2022', { [W.G1]: 0.9, [W.G2]: 0.7, [W.G3]: 0.8, [W.B1]: 0.5 });
  await db
    .insertInto('province_placement_averages')
    .values({ campaign_id: '2022', province_code: '110000', rate: 0.6 })
    .execute();
  await setProvinceOverride(db, '2022', '110000', { principalTarget: 2 });
  const employers = await insertEmployers(
    db,
    Array.from({ length: 80 }, (_, i) => `单位${String(i).padStart(3, '0')}`),
  );
  const e = (i: number) => employers[i]!;
  const v = (
    universityCode: string,
    i: number,
    roles: VisitSpec['roles'] = ['leader'],
    visitedOn = '2022-04-05',
  ): VisitSpec => ({ universityCode, employerId: e(i), visitedOn, roles, positions: 10 });
  await addPriorEmployer(db, W.B1, e(6));
  await insertVisits(db, [
    v(W.G1, 1, ['secretary']),
    v(W.G1, 2, ['president']),
    v(W.G1, 3, ['secretary']),
    v(W.G1, 4, ['president', 'leader']),
    v(W.G2, 1, ['secretary']),
    v(W.G2, 2, ['president']),
    v(W.G3, 1),
    v(W.G3, 2),
    v(W.G3, 3),
    v(W.G5, 7),
    v(W.G5, 8),
    v(W.G5, 9),
    v(W.B1, 5, ['secretary']),
    v(W.B1, 6),
    ...Array.from({ length: 75 }, (_, i) => ({ ...v(W.B2, i + 1), positions: 1 })),
    // after the cut-off of 2022-04-10: counted from 2022-04-11 on
    v(W.G5, 10, ['leader'], '2022-04-11'),
  ]);
  return { employers };
}
