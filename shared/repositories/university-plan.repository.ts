// Universities' implementation plans (实施方案): the date each university filed its plan for a campaign and an optional
// link to the document, against the campaign's plan deadline (the provinces' filings are in plan.repository.ts).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface UniversityPlan {
  universityCode: string;
  universityName: string;
  provinceCode: string;
  /** null: not filed. */
  filedOn: string | null;
  link: string | null;
  /** The campaign's plan deadline; null when it has none. */
  deadline: string | null;
  /** Filed after the deadline. */
  late: boolean;
}

/** Records (or corrects) a university's filing: filing again replaces the date and the link. */
export async function fileUniversityPlan(
  db: Executor,
  campaignId: string,
  universityCode: string,
  filedOn: string,
  link: string | null,
): Promise<void> {
  await db
    .insertInto('university_plans')
    .values({ campaign_id: campaignId, university_code: universityCode, filed_on: filedOn, document_url: link })
    .onConflict((oc) =>
      oc
        .columns(['campaign_id', 'university_code'])
        .doUpdateSet({ filed_on: filedOn, document_url: link, recorded_at: new Date() }),
    )
    .execute();
}

/**
 * Every university in the scope (all, one province's, or one university) in code order, with its filing for the
 * campaign (null: not filed).
 */
export async function listUniversityPlans(
  db: Executor,
  campaignId: string,
  where: { provinceCode?: string; universityCode?: string } = {},
): Promise<UniversityPlan[]> {
  let q = db
    .selectFrom('universities as u')
    .leftJoin('university_plans as pl', (j) =>
      j.onRef('pl.university_code', '=', 'u.code').on('pl.campaign_id', '=', campaignId),
    )
    .leftJoin('campaigns as c', (j) => j.on('c.id', '=', campaignId))
    .select([
      'u.code',
      'u.name',
      'u.province_code',
      'pl.filed_on',
      'pl.document_url',
      'c.plan_deadline',
      sql<boolean>`coalesce(pl.filed_on > c.plan_deadline, false)`.as('late'),
    ]);
  if (where.provinceCode) q = q.where('u.province_code', '=', where.provinceCode);
  if (where.universityCode) q = q.where('u.code', '=', where.universityCode);
  const rows = await q.orderBy('u.code').execute();
  return rows.map((r) => ({
    universityCode: r.code,
    universityName: r.name,
    provinceCode: r.province_code,
    filedOn: r.filed_on,
    link: r.document_url,
    deadline: r.plan_deadline,
    late: r.late,
  }));
}
