// The notice model (定期通报): what a national or a province notice says, built from stored snapshots, totals and
// plans. Pure: no I/O; the renderers (HTML, text, Markdown, chart) only lay this model out.
import type { CampaignTotals, ProvinceRankRow, ProvinceRanking, UniversityRankRow, UniversityRanking } from '../domain/ranking.types.ts';
import { expectedShare } from '../domain/periods.ts';
import { dateZh, periodZh } from './format.ts';

export type NoticeScope = 'national' | `province:${string}`;

export interface NoticeCampaign {
  id: string;
  name: string;
  startDate: string;
  endDate: string;
}

export interface PlanFiling {
  provinceCode: string;
  provinceName: string;
  filedOn: string | null;
}

/** A university row with its province's name, for lists that span provinces. */
export type UniversityLine = UniversityRankRow & { provinceName: string };

interface NoticeHead {
  scope: NoticeScope;
  campaignId: string;
  campaignName: string;
  period: string;
  /** '2022年第14周' / '2022年4月'. */
  periodLabel: string;
  /** Cut-off date of the snapshot (YYYY-MM-DD) and as written in the notice. */
  asOf: string;
  asOfText: string;
  subject: string;
  /** Share of the campaign's days elapsed at the cut-off (时间进度), 0..1. */
  expectedProgress: number;
  totals: CampaignTotals;
  /** Universities in scope (all of them, visited or not). */
  universities: number;
}

export interface NationalNotice extends NoticeHead {
  kind: 'national';
  scope: 'national';
  provinces: ProvinceRankRow[];
  /** Provinces with no implementation plan (实施方案) filed by the cut-off. */
  plansMissing: Array<{ provinceCode: string; provinceName: string }>;
  /** Universities behind, counted per province (provinces with none are left out), most first. */
  behindByProvince: Array<{ provinceCode: string; provinceName: string; behind: number; universities: number }>;
  /** Every university behind, in national rank order. */
  behind: UniversityLine[];
  /** 典型: the top of each ranking. */
  examples: {
    provinces: ProvinceRankRow[];
    universities: UniversityLine[];
    /** The first of each province's ranking, in the provinces' rank order. */
    provinceLeaders: UniversityLine[];
  };
}

export interface ProvinceNotice extends NoticeHead {
  kind: 'province';
  scope: `province:${string}`;
  provinceCode: string;
  provinceName: string;
  /** The province's row in the province ranking, when that snapshot exists. */
  provinceRank: ProvinceRankRow | null;
  planFiledOn: string | null;
  ranking: UniversityRankRow[];
  /** completion = 1: every applicable target met. */
  meeting: UniversityRankRow[];
  behind: UniversityRankRow[];
  /** Under the principal-leader target with an on-site share below 50 % (坚持实地走访为主). */
  onsiteFlagged: UniversityRankRow[];
}

export type NoticeModel = NationalNotice | ProvinceNotice;

export const ONSITE_MIN_SHARE = 0.5;
export const TOP_PROVINCES = 3;
export const TOP_UNIVERSITIES = 10;

/** 时间进度: days from the start to the cut-off, both included, over the campaign's days (0 before, 1 after). */
export function expectedProgress(startDate: string, endDate: string, asOf: string): number {
  return expectedShare({ start: startDate, end: endDate }, asOf);
}

export function noticeSubject(areaName: string, period: string): string {
  return `关于${areaName}高校书记校长访企拓岗促就业专项行动进展情况的通报（${periodZh(period)}）`;
}

function head(campaign: NoticeCampaign, period: string, asOf: string, areaName: string, totals: CampaignTotals, universities: number) {
  return {
    campaignId: campaign.id,
    campaignName: campaign.name,
    period,
    periodLabel: periodZh(period),
    asOf,
    asOfText: dateZh(asOf),
    subject: noticeSubject(areaName, period),
    expectedProgress: expectedProgress(campaign.startDate, campaign.endDate, asOf),
    totals,
    universities,
  };
}

export interface NationalInput {
  campaign: NoticeCampaign;
  period: string;
  national: UniversityRanking;
  provinces: ProvinceRanking;
  totals: CampaignTotals;
  plans: PlanFiling[];
}

export function buildNationalNotice(input: NationalInput): NationalNotice {
  const { national, provinces } = input;
  const names = new Map<string, string>(input.plans.map((p) => [p.provinceCode, p.provinceName]));
  for (const p of provinces.rows) names.set(p.provinceCode, p.provinceName);
  const line = (r: UniversityRankRow): UniversityLine => ({ ...r, provinceName: names.get(r.provinceCode) ?? r.provinceCode });

  const behind = national.rows.filter((r) => r.behind).map(line);
  const perProvince = new Map<string, { behind: number; universities: number }>();
  for (const r of national.rows) {
    const c = perProvince.get(r.provinceCode) ?? { behind: 0, universities: 0 };
    c.universities++;
    if (r.behind) c.behind++;
    perProvince.set(r.provinceCode, c);
  }
  const behindByProvince = [...perProvince]
    .filter(([, c]) => c.behind > 0)
    .map(([provinceCode, c]) => ({ provinceCode, provinceName: names.get(provinceCode) ?? provinceCode, ...c }))
    .sort((a, b) => b.behind - a.behind || a.provinceCode.localeCompare(b.provinceCode));

  // A plan filed after the cut-off was not filed as of the notice's date.
  const plansMissing = input.plans
    .filter((p) => p.filedOn === null || p.filedOn > national.asOf)
    .map((p) => ({ provinceCode: p.provinceCode, provinceName: p.provinceName }))
    .sort((a, b) => a.provinceCode.localeCompare(b.provinceCode));

  // The national ranking uses the same keys as each province's, so a province's first row here is its leader.
  const leaders = new Map<string, UniversityLine>();
  for (const r of national.rows) if (!leaders.has(r.provinceCode) && r.employersVisited > 0) leaders.set(r.provinceCode, line(r));
  const provinceLeaders = provinces.rows.map((p) => leaders.get(p.provinceCode)).filter((r): r is UniversityLine => r !== undefined);

  return {
    kind: 'national',
    scope: 'national',
    ...head(input.campaign, input.period, national.asOf, '全国', input.totals, national.rows.length),
    provinces: provinces.rows,
    plansMissing,
    behindByProvince,
    behind,
    examples: {
      provinces: provinces.rows.filter((p) => p.meanCompletion > 0).slice(0, TOP_PROVINCES),
      universities: national.rows.filter((r) => r.employersVisited > 0).slice(0, TOP_UNIVERSITIES).map(line),
      provinceLeaders,
    },
  };
}

export interface ProvinceInput {
  campaign: NoticeCampaign;
  period: string;
  provinceCode: string;
  provinceName: string;
  ranking: UniversityRanking;
  provinces?: ProvinceRanking;
  totals: CampaignTotals;
  planFiledOn: string | null;
}

export function buildProvinceNotice(input: ProvinceInput): ProvinceNotice {
  const rows = input.ranking.rows;
  const asOf = input.ranking.asOf;
  return {
    kind: 'province',
    scope: `province:${input.provinceCode}`,
    ...head(input.campaign, input.period, asOf, input.provinceName, input.totals, rows.length),
    provinceCode: input.provinceCode,
    provinceName: input.provinceName,
    provinceRank: input.provinces?.rows.find((p) => p.provinceCode === input.provinceCode) ?? null,
    planFiledOn: input.planFiledOn !== null && input.planFiledOn <= asOf ? input.planFiledOn : null,
    ranking: rows,
    meeting: rows.filter((r) => r.completion >= 1),
    behind: rows.filter((r) => r.behind),
    onsiteFlagged: rows.filter((r) => r.targets.principal !== null && r.onsiteShare !== null && r.onsiteShare < ONSITE_MIN_SHARE),
  };
}

/** A university's status as the notice words it. */
export function statusZh(r: UniversityRankRow): string {
  if (r.completion >= 1) return '达标';
  if (r.behind) return '落后';
  return '推进中';
}

/** What the targets are, in words: '正职100家、新拓100家' / '无量化目标'. */
export function targetsZh(r: UniversityRankRow): string {
  const parts: string[] = [];
  if (r.targets.principal !== null) parts.push(`正职走访${r.targets.principal}家`);
  if (r.targets.new !== null) parts.push(`新拓${r.targets.new}家`);
  return parts.length ? parts.join('、') : '无量化目标';
}

/** The bars of the progress chart: provinces by mean completion, or a province's universities by completion. */
export function chartSeries(model: NoticeModel): { values: number[]; expected: number; label: string } {
  if (model.kind === 'national') {
    return { values: model.provinces.map((p) => p.meanCompletion), expected: model.expectedProgress, label: '各省份高校平均完成度（按排名）' };
  }
  return { values: model.ranking.map((r) => r.completion), expected: model.expectedProgress, label: `${model.provinceName}各高校完成度（按排名）` };
}
