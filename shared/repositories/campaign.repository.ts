// Campaigns (专项行动): dates, targets, thresholds and plan deadline, and their per-province overrides (分类指导).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface ProvinceTargets {
  provinceCode: string;
  /** null: the campaign's own value applies. */
  principalTarget: number | null;
  newTarget: number | null;
  behindFactor: number | null;
  onsiteShareFlag: number | null;
  baseWithoutTargets: number | null;
}

/** What a province may override (RULES.md §5); undefined keeps the current override. */
export type TargetOverrides = { [K in keyof Omit<ProvinceTargets, 'provinceCode'>]?: number };

export interface Campaign {
  id: string;
  name: string;
  start: string;
  end: string;
  principalTarget: number;
  newTarget: number;
  behindFactor: number;
  onsiteShareFlag: number;
  baseWithoutTargets: number;
  /** Due date of the reporting units' implementation plans (实施方案); null: none set. */
  planDeadline: string | null;
}

/** The values `campaign set` may change: everything but the id and the dates (which decide what counts). */
export type CampaignSettings = Partial<Omit<Campaign, 'id' | 'start' | 'end'>>;

export interface CampaignWithTargets extends Campaign {
  provinceTargets: ProvinceTargets[];
}

interface CampaignRow {
  id: string;
  name: string;
  start_date: string;
  end_date: string;
  principal_target: number;
  new_target: number;
  behind_factor: number;
  onsite_share_flag: number;
  base_without_targets: number;
  plan_deadline: string | null;
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    name: r.name,
    start: r.start_date,
    end: r.end_date,
    principalTarget: r.principal_target,
    newTarget: r.new_target,
    behindFactor: Number(r.behind_factor),
    onsiteShareFlag: Number(r.onsite_share_flag),
    baseWithoutTargets: r.base_without_targets,
    planDeadline: r.plan_deadline,
  };
}

const CAMPAIGN_COLUMNS = [
  'id',
  'name',
  'start_date',
  'end_date',
  'principal_target',
  'new_target',
  'behind_factor',
  'onsite_share_flag',
  'base_without_targets',
  'plan_deadline',
] as const;
const OVERRIDE_COLUMNS = [
  'province_code',
  'principal_target',
  'new_target',
  'behind_factor',
  'onsite_share_flag',
  'base_without_targets',
] as const;

/**
 * Creates the campaign unless one with that id exists (the primary key decides, no check-then-insert).
 * Returns `created: false` and the stored campaign when it already existed.
 */
export async function insertCampaign(db: Executor, c: Campaign): Promise<{ created: boolean; campaign: Campaign }> {
  const inserted = await db
    .insertInto('campaigns')
    .values({
      id: c.id,
      name: c.name,
      start_date: c.start,
      end_date: c.end,
      principal_target: c.principalTarget,
      new_target: c.newTarget,
      behind_factor: c.behindFactor,
      onsite_share_flag: c.onsiteShareFlag,
      base_without_targets: c.baseWithoutTargets,
      plan_deadline: c.planDeadline,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning(CAMPAIGN_COLUMNS)
    .executeTakeFirst();
  if (inserted) return { created: true, campaign: toCampaign(inserted) };
  const existing = await db
    .selectFrom('campaigns')
    .select(CAMPAIGN_COLUMNS)
    .where('id', '=', c.id)
    .executeTakeFirstOrThrow();
  return { created: false, campaign: toCampaign(existing) };
}

export async function findCampaign(db: Executor, id: string): Promise<Campaign | undefined> {
  const row = await db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

/**
 * Changes a campaign's own settings (targets, thresholds, plan deadline, name); a value left undefined is kept.
 * Returns the campaign after the change, undefined when there is no such campaign.
 */
export async function updateCampaignSettings(
  db: Executor,
  id: string,
  c: CampaignSettings,
): Promise<Campaign | undefined> {
  const set = {
    ...(c.name !== undefined && { name: c.name }),
    ...(c.principalTarget !== undefined && { principal_target: c.principalTarget }),
    ...(c.newTarget !== undefined && { new_target: c.newTarget }),
    ...(c.behindFactor !== undefined && { behind_factor: c.behindFactor }),
    ...(c.onsiteShareFlag !== undefined && { onsite_share_flag: c.onsiteShareFlag }),
    ...(c.baseWithoutTargets !== undefined && { base_without_targets: c.baseWithoutTargets }),
    ...(c.planDeadline !== undefined && { plan_deadline: c.planDeadline }),
  };
  if (Object.keys(set).length === 0) return findCampaign(db, id);
  const row = await db
    .updateTable('campaigns')
    .set(set)
    .where('id', '=', id)
    .returning(CAMPAIGN_COLUMNS)
    .executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

/**
 * Sets a province's overrides for a campaign; an option left undefined keeps its current override (or none).
 * Returns the province's overrides after the change.
 */
export async function upsertProvinceTargets(
  db: Executor,
  campaignId: string,
  t: { provinceCode: string } & TargetOverrides,
): Promise<ProvinceTargets> {
  const row = await db
    .insertInto('campaign_province_targets')
    .values({
      campaign_id: campaignId,
      province_code: t.provinceCode,
      principal_target: t.principalTarget ?? null,
      new_target: t.newTarget ?? null,
      behind_factor: t.behindFactor ?? null,
      onsite_share_flag: t.onsiteShareFlag ?? null,
      base_without_targets: t.baseWithoutTargets ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'province_code']).doUpdateSet({
        principal_target: sql`coalesce(EXCLUDED.principal_target, campaign_province_targets.principal_target)`,
        new_target: sql`coalesce(EXCLUDED.new_target, campaign_province_targets.new_target)`,
        behind_factor: sql`coalesce(EXCLUDED.behind_factor, campaign_province_targets.behind_factor)`,
        onsite_share_flag: sql`coalesce(EXCLUDED.onsite_share_flag, campaign_province_targets.onsite_share_flag)`,
        base_without_targets: sql`coalesce(EXCLUDED.base_without_targets, campaign_province_targets.base_without_targets)`,
      }),
    )
    .returning(OVERRIDE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toTargets(row);
}

/** Removes a province's overrides; returns whether there were any. */
export async function deleteProvinceTargets(db: Executor, campaignId: string, provinceCode: string): Promise<boolean> {
  const r = await db
    .deleteFrom('campaign_province_targets')
    .where('campaign_id', '=', campaignId)
    .where('province_code', '=', provinceCode)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

interface OverrideRow {
  province_code: string;
  principal_target: number | null;
  new_target: number | null;
  behind_factor: number | null;
  onsite_share_flag: number | null;
  base_without_targets: number | null;
}

function toTargets(r: OverrideRow): ProvinceTargets {
  return {
    provinceCode: r.province_code,
    principalTarget: r.principal_target,
    newTarget: r.new_target,
    behindFactor: r.behind_factor === null ? null : Number(r.behind_factor),
    onsiteShareFlag: r.onsite_share_flag === null ? null : Number(r.onsite_share_flag),
    baseWithoutTargets: r.base_without_targets,
  };
}

/** Every campaign (by start date, then id) with its province overrides (by province code). */
export async function listCampaigns(db: Executor): Promise<CampaignWithTargets[]> {
  const campaigns = await db
    .selectFrom('campaigns')
    .select(CAMPAIGN_COLUMNS)
    .orderBy('start_date')
    .orderBy('id')
    .execute();
  const targets = await db
    .selectFrom('campaign_province_targets')
    .select(['campaign_id', ...OVERRIDE_COLUMNS])
    .orderBy('campaign_id')
    .orderBy('province_code')
    .execute();
  return campaigns.map((c) => ({
    ...toCampaign(c),
    provinceTargets: targets.filter((t) => t.campaign_id === c.id).map(toTargets),
  }));
}
