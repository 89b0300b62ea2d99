// The campaign summary (总结, issue 15 point 10): after the end date, one notice of kind `summary` (period
// `summary`) per scope the periodic notices have — national, each reporting unit with universities and the central
// universities (部属 and 部省合建, when there are any) — built as of
// the end date like a periodic notice (totals, final ranking, plans, who fell behind), plus model cases over the whole
// campaign, completion week by week (from the weekly snapshots; a week without one is computed, not stored) and the
// comparison with the previous campaign (campaigns.previous_campaign_id). Stored and delivered like the notices, to
// the same recipients, once each (storeNotices); running it again replaces the content and sends nothing twice.
import type { Db } from '../db/database.ts';
import { defaultAsOf, expectedShare, periodsBetween } from '../domain/periods.ts';
import type { ProvinceRanking, Ranking, UniversityRanking, UniversityRankRow } from '../domain/ranking.types.ts';
import { improvedUniversities } from '../domain/notices/model-cases.ts';
import {
  buildCentralNotice,
  buildNationalNotice,
  buildProvinceNotice,
  CENTRAL_AREA,
  nationalNoticeRules,
  provinceNoticeRules,
  type NoticeCampaign,
  type NoticeModel,
} from '../domain/notices/notice-content.ts';
import {
  compareCompletions,
  completionStats,
  summarySubject,
  SUMMARY_PERIOD,
  type CampaignComparison,
  type WeekPoint,
} from '../domain/notices/summary-block.ts';
import { rankChangesAgainst } from '../domain/ranking.ts';
import { provinceOfScope } from '../domain/scope.ts';
import { previousCampaignId } from '../repositories/campaign-link.repository.ts';
import { campaignTotals, loadCampaignRuleSet } from '../repositories/measures.repository.ts';
import { getNoticeCampaign, type NoticeContent } from '../repositories/notice.repository.ts';
import { listPlans } from '../repositories/plan.repository.ts';
import { latestWeeklyRanksBefore, weeklySnapshots } from '../repositories/snapshot-history.repository.ts';
import { computeAllRankings } from './compute-rankings.ts';
import { findCampaignOrFail } from './find-campaign.ts';
import { renderNotice, storeNotices, type GenerateResult } from './generate-notices.ts';
import { scopeModelEmployers } from './model-cases.ts';

export { SUMMARY_PERIOD };

export class SummaryNotDueError extends Error {
  constructor(campaignId: string, endDate: string) {
    super(`campaign ${campaignId} ends on ${endDate}: its summary (总结) can be generated from the day after`);
    this.name = 'SummaryNotDueError';
  }
}

const isUniversityRanking = (r: Ranking): r is UniversityRanking => r.scope !== 'provinces';
const completions = (rows: readonly UniversityRankRow[]) =>
  new Map(rows.map((r) => [r.universityCode, r.completion] as const));

/** Each scope's completion week by week: the stored weekly snapshot, or the ranking computed as of the week's end. */
async function weeklyPoints(db: Db, campaign: NoticeCampaign, scopes: string[]): Promise<Map<string, WeekPoint[]>> {
  const stored = new Map<string, Map<string, number[]>>();
  for (const scope of scopes) {
    const weeks = await weeklySnapshots<UniversityRankRow>(db, campaign.id, scope);
    stored.set(scope, new Map(weeks.map((w) => [w.period, w.rows.map((r) => r.completion)])));
  }
  const out = new Map<string, WeekPoint[]>(scopes.map((s) => [s, []]));
  for (const week of periodsBetween('week', campaign.startDate, campaign.endDate)) {
    const asOf = defaultAsOf(week, campaign.endDate);
    let computed: Map<string, number[]> | undefined;
    if (scopes.some((s) => !stored.get(s)!.has(week.id))) {
      const all = await computeAllRankings(db, campaign.id, asOf);
      computed = new Map(all.filter(isUniversityRanking).map((r) => [r.scope, r.rows.map((x) => x.completion)]));
    }
    const expected = expectedShare({ start: campaign.startDate, end: campaign.endDate }, asOf);
    for (const scope of scopes) {
      const list = stored.get(scope)!.get(week.id) ?? computed?.get(scope) ?? [];
      out.get(scope)!.push({ period: week.id, asOf, ...completionStats(list), expected });
    }
  }
  return out;
}

async function sinceLastWeek(db: Db, campaignId: string, ranking: Ranking, asOf: string): Promise<Ranking> {
  const last = await latestWeeklyRanksBefore(db, campaignId, ranking.scope, asOf);
  const changes = rankChangesAgainst(ranking.rows, last?.ranks);
  return { ...ranking, rows: ranking.rows.map((r, i) => ({ ...r, rankChange: changes[i]! })) } as Ranking;
}

export async function generateSummary(db: Db, input: { campaignId: string; today: string }): Promise<GenerateResult> {
  const campaign = await findCampaignOrFail(db, input.campaignId, getNoticeCampaign);
  if (input.today <= campaign.endDate) throw new SummaryNotDueError(campaign.id, campaign.endDate);
  const asOf = campaign.endDate;
  // Each ranking's rank changes are against the last weekly snapshot before the end: the last periodic notice.
  const rankings = await Promise.all(
    (await computeAllRankings(db, campaign.id, asOf)).map((r) => sinceLastWeek(db, campaign.id, r, asOf)),
  );
  const national = rankings.find((r): r is UniversityRanking => r.scope === 'national')!;
  const provinces = rankings.find((r): r is ProvinceRanking => r.scope === 'provinces')!;
  // The reporting units the periodic notices address: those with universities.
  const units = rankings
    .filter((r): r is UniversityRanking => r.scope.startsWith('province:') && r.rows.length > 0)
    .sort((a, b) => a.scope.localeCompare(b.scope));
  // The 部属 and 部省合建 universities, as the periodic notices address them (none when the list has none).
  const central = rankings.find((r): r is UniversityRanking => r.scope === 'central' && r.rows.length > 0);
  const [plans, ruleSet, previousId] = await Promise.all([
    listPlans(db, campaign.id),
    loadCampaignRuleSet(db, campaign.id),
    previousCampaignId(db, campaign.id),
  ]);
  const previous = previousId ? await getNoticeCampaign(db, previousId) : undefined;
  const previousRankings = previous ? await computeAllRankings(db, previous.id, previous.endDate) : [];
  const weeks = await weeklyPoints(db, campaign, [
    'national',
    ...units.map((u) => u.scope),
    ...(central ? [central.scope] : []),
  ]);
  const provinceNames = new Map(plans.map((p) => [p.provinceCode, p.provinceName]));

  async function complete(model: NoticeModel, ranking: UniversityRanking, area: string): Promise<NoticeContent> {
    const filter = ranking.scope === 'central' ? { central: true } : (provinceOfScope(ranking.scope) ?? undefined);
    const before = previousRankings.find((r): r is UniversityRanking => r.scope === ranking.scope);
    const beforeMap = before ? completions(before.rows) : undefined;
    let comparison: CampaignComparison | null = null;
    if (previous && before) {
      comparison = {
        previousCampaignId: previous.id,
        previousCampaignName: previous.name,
        previousTotals: await campaignTotals(db, previous.id, previous.endDate, filter),
        previousMeanCompletion: completionStats(before.rows.map((r) => r.completion)).meanCompletion,
        meanCompletion: completionStats(ranking.rows.map((r) => r.completion)).meanCompletion,
        ...compareCompletions(completions(ranking.rows), beforeMap!),
      };
    }
    const summary: NoticeModel = {
      ...model,
      period: SUMMARY_PERIOD,
      periodLabel: '专项行动全程',
      subject: summarySubject(area, campaign.name),
      modelCases: {
        since: previous && before ? `上一轮专项行动（${previous.name}）结束时` : null,
        ...(await scopeModelEmployers(db, { campaignId: campaign.id, scope: ranking.scope, asOf })),
        improved: improvedUniversities(ranking.rows, beforeMap),
      },
      summary: {
        campaignStart: campaign.startDate,
        campaignEnd: campaign.endDate,
        weeks: weeks.get(ranking.scope) ?? [],
        comparison,
      },
    };
    return { campaignId: campaign.id, period: SUMMARY_PERIOD, ...renderNotice(summary) };
  }

  const contents: NoticeContent[] = [];
  const nationalModel = buildNationalNotice({
    campaign,
    period: SUMMARY_PERIOD,
    national,
    provinces,
    totals: await campaignTotals(db, campaign.id, asOf),
    plans,
    rules: ruleSet && nationalNoticeRules(ruleSet),
  });
  contents.push(await complete(nationalModel, national, '全国'));
  for (const unit of units) {
    const code = provinceOfScope(unit.scope)!;
    const name = provinceNames.get(code) ?? code;
    const model = buildProvinceNotice({
      campaign,
      period: SUMMARY_PERIOD,
      provinceCode: code,
      provinceName: name,
      ranking: unit,
      provinces,
      totals: await campaignTotals(db, campaign.id, asOf, code),
      planFiledOn: plans.find((p) => p.provinceCode === code)?.filedOn ?? null,
      rules: ruleSet && provinceNoticeRules(ruleSet, code),
    });
    contents.push(await complete(model, unit, name));
  }
  if (central) {
    const model = buildCentralNotice({
      campaign,
      period: SUMMARY_PERIOD,
      ranking: central,
      totals: await campaignTotals(db, campaign.id, asOf, { central: true }),
      rules: ruleSet && nationalNoticeRules(ruleSet),
    });
    contents.push(await complete(model, central, `${CENTRAL_AREA}高校`));
  }
  const { notices, created, pending } = await storeNotices(db, contents);
  return {
    campaignId: campaign.id,
    period: SUMMARY_PERIOD,
    asOf,
    tookSnapshots: false,
    notices,
    deliveriesCreated: created,
    pendingDeliveryIds: pending,
  };
}
