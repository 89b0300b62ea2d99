// Generating a period's notices: read the stored snapshots (taking them if the period has none), build and render
// each notice, upsert it, and create its deliveries. Safe to run again and concurrently: notices are unique per
// (campaign, period, scope) and deliveries per (notice, recipient), both written with ON CONFLICT.
import type { Writable } from 'node:stream';
import type { Db } from '../db/database.ts';
import type { ProvinceRanking, Snapshot, UniversityRanking } from '../domain/ranking.types.ts';
import { findCampaignOrFail } from './find-campaign.ts';
import { takeSnapshots } from './take-snapshots.ts';
import { periodModelCases } from './model-cases.ts';
import { createDeliveries, pendingDeliveryIds } from '../repositories/delivery.repository.ts';
import { campaignTotals, loadCampaignRuleSet } from '../repositories/measures.repository.ts';
import {
  getNoticeCampaign,
  ledgerVisits,
  upsertNotice,
  type NoticeContent,
  type StoredNotice,
} from '../repositories/notice.repository.ts';
import { listPlans } from '../repositories/plan.repository.ts';
import { getSnapshot, listSnapshots } from '../repositories/snapshot.repository.ts';
import { renderChartPng, measureText } from '../adapters/charts.ts';
import { noticeCharts } from '../domain/notices/chart-options.ts';
import { writeLedgerXlsx, type LedgerResult } from '../domain/notices/ledger-xlsx.ts';
import {
  buildCentralNotice,
  buildNationalNotice,
  buildProvinceNotice,
  nationalNoticeRules,
  provinceNoticeRules,
  type NoticeModel,
} from '../domain/notices/notice-content.ts';
import { renderHtml } from '../domain/notices/render-html.ts';
import { nationalPeople, provincePeople } from '../domain/notices/people-section.ts';
import { teamLines } from '../repositories/people.repository.ts';
import { listUniversityPlans } from '../repositories/university-plan.repository.ts';
import { renderMarkdown } from '../domain/notices/render-markdown.ts';
import { renderText } from '../domain/notices/render-text.ts';

export interface GenerateResult {
  campaignId: string;
  period: string;
  asOf: string;
  /** True when the period had no snapshot and this run took it. */
  tookSnapshots: boolean;
  notices: Array<{ id: number; scope: string; subject: string }>;
  deliveriesCreated: number;
  /** Deliveries of these notices still to send (new ones and any left pending by an earlier run). */
  pendingDeliveryIds: number[];
}

/** Renders every stored form of a notice from its model. */
export function renderNotice(model: NoticeModel): Omit<NoticeContent, 'campaignId' | 'period'> {
  return {
    scope: model.scope,
    asOf: model.asOf,
    subject: model.subject,
    model,
    html: renderHtml(model),
    text: renderText(model),
    markdown: renderMarkdown(model, { flavor: 'gfm' }),
    // The main chart, inline in the mail (documents draw theirs when asked for: notice-documents.ts).
    chartPng: renderChartPng(noticeCharts(model, measureText)[0]!),
  };
}

function isUniversityRanking(s: Snapshot | undefined): s is Snapshot & UniversityRanking {
  return s !== undefined && s.scope !== 'provinces';
}

export async function generateNotices(db: Db, input: { campaignId: string; period: string }): Promise<GenerateResult> {
  const campaign = await findCampaignOrFail(db, input.campaignId, getNoticeCampaign);
  let snapshots = await listSnapshots(db, campaign.id, input.period);
  let tookSnapshots = false;
  if (!snapshots.some((s) => s.scope === 'national')) {
    try {
      snapshots = await takeSnapshots(db, { campaignId: campaign.id, period: input.period });
      tookSnapshots = true;
    } catch (err) {
      // Another run took them at the same moment (unique violation on the snapshot key): use theirs.
      if ((err as { code?: string }).code !== '23505') throw err;
      snapshots = await listSnapshots(db, campaign.id, input.period);
    }
  }
  const national = snapshots.find((s) => s.scope === 'national');
  const provinces = snapshots.find((s): s is Snapshot & ProvinceRanking => s.scope === 'provinces');
  if (!isUniversityRanking(national) || !provinces)
    throw new Error(
      `period ${input.period} of campaign ${campaign.id} has no national or province snapshot: run \`ledger rankings run\` for it`,
    );
  const asOf = national.asOf;
  const plans = await listPlans(db, campaign.id);
  // The thresholds and plan deadline the notices apply and quote (the campaign's, each province's overrides).
  const ruleSet = await loadCampaignRuleSet(db, campaign.id);
  const provinceNames = new Map(plans.map((p) => [p.provinceCode, p.provinceName]));
  // Universities' plans and leadership teams (issue 15): one read each for the whole campaign, split per province.
  const universityPlans = await listUniversityPlans(db, campaign.id);
  const teams = await teamLines(db, campaign.id, asOf);
  const peopleOf = (provinceCode: string | null) => {
    const inScope = universityPlans.filter((u) => provinceCode === null || u.provinceCode === provinceCode);
    const codes = new Set(inScope.map((u) => u.universityCode));
    return {
      asOf,
      planDeadline: ruleSet?.planDeadline ?? null,
      plans: inScope,
      teams: teams.filter((t) => codes.has(t.universityCode)),
    };
  };

  const contents: NoticeContent[] = [];
  const nationalModel: NoticeModel = buildNationalNotice({
    campaign,
    period: input.period,
    national,
    provinces,
    totals: await campaignTotals(db, campaign.id, asOf),
    plans,
    rules: ruleSet && nationalNoticeRules(ruleSet),
  });
  nationalModel.people = nationalPeople(peopleOf(null), provinceNames);
  nationalModel.modelCases = await periodModelCases(db, {
    campaignId: campaign.id,
    period: input.period,
    scope: 'national',
    asOf,
    rows: national.rows,
  });
  contents.push({ campaignId: campaign.id, period: input.period, ...renderNotice(nationalModel) });
  // A province without universities has nobody to report on: no notice.
  const provinceSnapshots = snapshots
    .filter((s): s is Snapshot & UniversityRanking => s.scope.startsWith('province:') && s.rows.length > 0)
    .sort((a, b) => a.scope.localeCompare(b.scope));
  for (const s of provinceSnapshots) {
    const code = s.scope.slice('province:'.length);
    const model = buildProvinceNotice({
      campaign,
      period: input.period,
      provinceCode: code,
      provinceName: provinceNames.get(code) ?? code,
      ranking: s,
      provinces,
      totals: await campaignTotals(db, campaign.id, s.asOf, code),
      planFiledOn: plans.find((p) => p.provinceCode === code)?.filedOn ?? null,
      rules: ruleSet && provinceNoticeRules(ruleSet, code),
    });
    model.people = provincePeople({ ...peopleOf(code), asOf: s.asOf });
    model.modelCases = await periodModelCases(db, {
      campaignId: campaign.id,
      period: input.period,
      scope: s.scope,
      asOf: s.asOf,
      rows: s.rows,
    });
    contents.push({ campaignId: campaign.id, period: input.period, ...renderNotice(model) });
  }
  // The Ministry's notice to the 部属 and 部省合建 universities (none when the list has none of them).
  const central = snapshots.find((s): s is Snapshot & UniversityRanking => s.scope === 'central');
  if (central && central.rows.length > 0) {
    const model = buildCentralNotice({
      campaign,
      period: input.period,
      ranking: central,
      totals: await campaignTotals(db, campaign.id, central.asOf, { central: true }),
      rules: ruleSet && nationalNoticeRules(ruleSet),
    });
    model.modelCases = await periodModelCases(db, {
      campaignId: campaign.id,
      period: input.period,
      scope: 'central',
      asOf: central.asOf,
      rows: central.rows,
    });
    contents.push({ campaignId: campaign.id, period: input.period, ...renderNotice(model) });
  }

  const { notices, created, pending } = await storeNotices(db, contents);
  return {
    campaignId: campaign.id,
    period: input.period,
    asOf,
    tookSnapshots,
    notices,
    deliveriesCreated: created,
    pendingDeliveryIds: pending,
  };
}

/**
 * Stores the notices and creates their deliveries (to the recipients of each notice's scope). One transaction, notices
 * in a fixed order: two concurrent runs queue behind each other's row locks, never deadlock.
 */
export async function storeNotices(
  db: Db,
  contents: NoticeContent[],
): Promise<{ notices: GenerateResult['notices']; created: number; pending: number[] }> {
  return db.transaction().execute(async (trx) => {
    const notices: GenerateResult['notices'] = [];
    for (const c of contents) notices.push({ id: await upsertNotice(trx, c), scope: c.scope, subject: c.subject });
    const ids = notices.map((n) => n.id);
    const created = await createDeliveries(trx, ids);
    return { notices, created, pending: await pendingDeliveryIds(trx, ids) };
  });
}

/** The notice's area as its file names say it. */
export function noticeArea(model: NoticeModel): string {
  return model.kind === 'national' ? '全国' : model.provinceName;
}

export function ledgerFileName(notice: { campaignId: string; period: string; model: NoticeModel }): string {
  return `电子台账-${notice.campaignId}-${notice.period}-${noticeArea(notice.model)}.xlsx`;
}

/**
 * Streams the notice's ledger (电子台账) to `out`: the scope's progress from the period's snapshot and the visits
 * behind it, from the campaign's start to the notice's cut-off. Nothing is stored: it is written on demand.
 */
export async function writeNoticeLedger(
  db: Db,
  notice: StoredNotice,
  out: Writable,
  options: { visitLimit?: number } = {},
): Promise<LedgerResult> {
  const campaign = await findCampaignOrFail(db, notice.campaignId, getNoticeCampaign);
  const snapshot = await getSnapshot(db, notice.campaignId, notice.period, notice.scope);
  const ranking = isUniversityRanking(snapshot)
    ? snapshot.rows
    : notice.model.kind === 'province'
      ? notice.model.ranking
      : undefined;
  const provinceCode = notice.scope.startsWith('province:') ? notice.scope.slice('province:'.length) : undefined;
  return writeLedgerXlsx(out, {
    ranking,
    visits: ledgerVisits(db, {
      campaignId: notice.campaignId,
      from: campaign.startDate,
      to: notice.asOf,
      provinceCode,
      central: notice.scope === 'central',
    }),
    visitLimit: options.visitLimit,
  });
}
