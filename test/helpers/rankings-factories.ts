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
    .values(specs.map((u) => ({
      code: u.code, name: u.name ?? `大学${u.code}`, province_code: u.provinceCode ?? '440000', city: '', authority: '',
      level: u.level ?? '本科', private: false, new_undergrad: u.newUndergrad ?? false, vocational: u.vocational ?? false,
    })))
    .execute();
}

export async function insertCampaign(
  db: Db,
  c: Partial<{ id: string; start: string; end: string; principalTarget: number; newTarget: number; behindFactor: number }> = {},
): Promise<string> {
  const id = c.id ?? '2022';
  await db
    .insertInto('campaigns')
    .values({
      id, name: `${id} 访企拓岗`, start_date: c.start ?? '2022-03-01', end_date: c.end ?? '2022-08-31',
      principal_target: c.principalTarget ?? 100, new_target: c.newTarget ?? 100, behind_factor: c.behindFactor ?? 0.8,
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
      university_code: v.universityCode, ref: v.ref ?? `r-${process.pid}-${n}`, campaign_id: v.campaignId === undefined ? '2022' : v.campaignId,
      state: v.state ?? 'active', occurred_at: `${v.visitedOn}T10:00:00+08:00`, event_id: `e-${n}`, inbox_id: n,
      visited_on: v.visitedOn, mode: v.mode ?? 'onsite', leaders: JSON.stringify(roles.map((role, i) => ({ role, name: `领导${i}` }))),
      has_principal: roles.some((r) => r !== 'leader'), employer_id: v.employerId, employer_name: `单位${v.employerId}`,
      positions: v.positions ?? 0, internship_base: v.internshipBase ?? false, recruitment_invite: v.recruitmentInvite ?? false,
      demand_survey: v.demandSurvey ?? false, graduates_tracked: v.graduatesTracked ?? 0, satisfaction: v.satisfaction ?? null,
    };
  });
  if (rows.length) await db.insertInto('visits').values(rows).execute();
  return rows.map((r) => r.ref);
}

export async function setPlacementRates(db: Db, campaignId: string, rates: Record<string, number>): Promise<void> {
  await db.insertInto('placement_rates').values(Object.entries(rates).map(([university_code, rate]) => ({ campaign_id: campaignId, university_code, rate }))).execute();
}

export async function setProvinceOverride(
  db: Db, campaignId: string, provinceCode: string, o: { principalTarget?: number; newTarget?: number; behindFactor?: number },
): Promise<void> {
  await db
    .insertInto('campaign_province_targets')
    .values({ campaign_id: campaignId, province_code: provinceCode, principal_target: o.principalTarget ?? null, new_target: o.newTarget ?? null, behind_factor: o.behindFactor ?? null })
    .execute();
}

export async function addPriorEmployer(db: Db, universityCode: string, employerId: number, name = `单位${employerId}`): Promise<void> {
  await db.insertInto('prior_employers').values({ university_code: universityCode, employer_name: name, credit_code: '', normalized_name: name, employer_id: employerId }).execute();
}
