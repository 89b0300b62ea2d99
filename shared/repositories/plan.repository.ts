// Implementation plans (实施方案): the date each province filed its plan for a campaign, against the campaign's deadline.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface ProvincePlan {
  provinceCode: string;
  provinceName: string;
  filedOn: string | null;
  /** The campaign's plan deadline; null when the campaign has none. */
  deadline: string | null;
  /** Filed after the deadline. */
  late: boolean;
}

/** Records (or corrects) the date a province filed its plan; filing again replaces the date. */
export async function filePlan(db: Executor, campaignId: string, provinceCode: string, filedOn: string): Promise<void> {
  await db
    .insertInto('province_plans')
    .values({ campaign_id: campaignId, province_code: provinceCode, filed_on: filedOn })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'province_code']).doUpdateSet({ filed_on: filedOn, recorded_at: new Date() }),
    )
    .execute();
}

/** All 31 provinces in code order, with the date each filed its plan for the campaign (null: not filed). */
export async function listPlans(db: Executor, campaignId: string): Promise<ProvincePlan[]> {
  const rows = await db
    .selectFrom('provinces as p')
    .leftJoin('province_plans as pl', (j) =>
      j.onRef('pl.province_code', '=', 'p.code').on('pl.campaign_id', '=', campaignId),
    )
    .leftJoin('campaigns as c', (j) => j.on('c.id', '=', campaignId))
    .select([
      'p.code',
      'p.name',
      'pl.filed_on',
      'c.plan_deadline',
      sql<boolean>`coalesce(pl.filed_on > c.plan_deadline, false)`.as('late'),
    ])
    .orderBy('p.code')
    .execute();
  return rows.map((r) => ({
    provinceCode: r.code,
    provinceName: r.name,
    filedOn: r.filed_on,
    deadline: r.plan_deadline,
    late: r.late,
  }));
}
