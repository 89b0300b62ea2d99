// The notice model (定期通报): what a national or a province notice says, built from stored snapshots, totals and
// plans. Pure: no I/O; the renderers (HTML, text, Markdown, chart) only lay this model out.
import { DEFAULT_RULES, rulesFor, type CampaignRules, type ProvinceOverride } from '../measures.ts';
import type {
  CampaignTotals,
  ProvinceRankRow,
  ProvinceRanking,
  UniversityRankRow,
  UniversityRanking,
} from '../ranking.types.ts';
import { expectedShare } from '../periods.ts';
import { cutList, dateZh, NOTICE_LIST_ROWS, periodZh } from './format.ts';
import {
  behindWorstFirst,
  BEHIND_ORDER_ZH,
  byProvinceCode,
  lowestOnsiteShareFirst,
  ordered,
  provincesByRank,
  provincesMostBehindFirst,
  universitiesByRank,
} from './list-order.ts';
import type { NationalPeople, ProvincePeople } from './people-section.ts';
import type { ModelCases } from './model-cases.ts';
import type { SummaryFigures } from './summary-block.ts';

/** `national`, a reporting unit's `province:CODE` (兵团: `province:660000`), or `central` (部属 and 部省合建). */
export type NoticeScope = 'national' | 'central' | `province:${string}`;

/** The area the central notice addresses (its subject: 关于部属和部省合建高校书记校长…的通报). */
export const CENTRAL_AREA = '部属和部省合建';

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

/**
 * The campaign's settings a notice applies and quotes: the campaign's own in the national notice, the province's (its
 * overrides over the campaign's) in a province notice. Absent values are the defaults.
 */
export interface NoticeRules {
  behindFactor: number;
  onsiteShareFlag: number;
  /** Due date of the implementation plans; null: the campaign set none, so no filing is late. */
  planDeadline: string | null;
  /** National notice: some province has its own behind factor (the notice says so beside the campaign's). */
  behindFactorVaries?: boolean;
}

const DEFAULT_NOTICE_RULES: NoticeRules = {
  behindFactor: DEFAULT_RULES.behindFactor,
  onsiteShareFlag: DEFAULT_RULES.onsiteShareFlag,
  planDeadline: null,
};

/** What the store holds about a campaign's rules (measures.repository loadCampaignRuleSet). */
export interface RuleSet {
  campaign: CampaignRules;
  planDeadline: string | null;
  overrides: ReadonlyMap<string, ProvinceOverride>;
}

/** The national notice quotes the campaign's rules, and says when a province has its own behind factor. */
export function nationalNoticeRules(r: RuleSet): NoticeRules {
  const behindFactorVaries = [...r.overrides.values()].some(
    (o) => o.behindFactor != null && o.behindFactor !== r.campaign.behindFactor,
  );
  return {
    behindFactor: r.campaign.behindFactor,
    onsiteShareFlag: r.campaign.onsiteShareFlag,
    planDeadline: r.planDeadline,
    behindFactorVaries,
  };
}

/** A province notice applies and quotes the province's rules. */
export function provinceNoticeRules(r: RuleSet, provinceCode: string): NoticeRules {
  const rules = rulesFor(r.campaign, r.overrides.get(provinceCode));
  return { behindFactor: rules.behindFactor, onsiteShareFlag: rules.onsiteShareFlag, planDeadline: r.planDeadline };
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
  /** Behind when completion < behindFactor × expectedProgress (the campaign's; in a province notice the province's). */
  behindFactor: number;
  /** Due date of the implementation plans; null when the campaign set none. */
  planDeadline: string | null;
  /** 典型 (model-cases.ts); absent in notices stored before them. */
  modelCases?: ModelCases;
  /** Only in a campaign summary (总结, summary-block.ts): completion by week and the previous campaign. */
  summary?: SummaryFigures;
}

export interface NationalNotice extends NoticeHead {
  kind: 'national';
  scope: 'national';
  provinces: ProvinceRankRow[];
  /** Provinces with no implementation plan (实施方案) filed by the cut-off, in code order. */
  plansMissing: Array<{ provinceCode: string; provinceName: string }>;
  /** Provinces that filed by the cut-off but after the deadline (late), in code order. */
  plansLate: Array<{ provinceCode: string; provinceName: string; filedOn: string }>;
  /** Some province has a behind factor of its own. */
  behindFactorVaries: boolean;
  /** Universities behind, counted per province (provinces with none are left out), most first. */
  behindByProvince: Array<{ provinceCode: string; provinceName: string; behind: number; universities: number }>;
  /** Every university behind, worst first (list-order.ts behindWorstFirst); the notice shows the first ones. */
  behind: UniversityLine[];
  /** 典型: the top of each ranking. */
  examples: {
    provinces: ProvinceRankRow[];
    universities: UniversityLine[];
    /** The first of each province's ranking, in the provinces' rank order. */
    provinceLeaders: UniversityLine[];
  };
  /** Universities' plans and leadership teams (issue 15), a block of its own; absent in notices stored before it. */
  people?: NationalPeople;
}

/**
 * A reporting unit's notice (a province's or 兵团's), or the central notice (scope `central`: the 部属 and 部省合建
 * universities ranked among themselves; provinceCode '', provinceName CENTRAL_AREA, no province rank, no plan).
 */
export interface ProvinceNotice extends NoticeHead {
  kind: 'province';
  scope: `province:${string}` | 'central';
  provinceCode: string;
  provinceName: string;
  /** The province's row in the province ranking, when that snapshot exists. */
  provinceRank: ProvinceRankRow | null;
  planFiledOn: string | null;
  /** Filed by the cut-off, after the deadline. */
  planLate: boolean;
  ranking: UniversityRankRow[];
  /** completion = 1: every applicable target met; rank order. */
  meeting: UniversityRankRow[];
  /** Worst first (list-order.ts behindWorstFirst). */
  behind: UniversityRankRow[];
  /** The province's on-site share threshold (坚持实地走访为主). */
  onsiteShareFlag: number;
  /** Under the principal-leader target with an on-site share below onsiteShareFlag; lowest share first. */
  onsiteFlagged: UniversityRankRow[];
  /** The province's universities' plans and leadership teams (issue 15); absent in notices stored before it. */
  people?: ProvincePeople;
}

export type NoticeModel = NationalNotice | ProvinceNotice;

export const TOP_PROVINCES = 3;
export const TOP_UNIVERSITIES = 10;

/** 时间进度: days from the start to the cut-off, both included, over the campaign's days (0 before, 1 after). */
export function expectedProgress(startDate: string, endDate: string, asOf: string): number {
  return expectedShare({ start: startDate, end: endDate }, asOf);
}

export function noticeSubject(areaName: string, period: string): string {
  return `关于${areaName}高校书记校长访企拓岗促就业专项行动进展情况的通报（${periodZh(period)}）`;
}

function head(
  campaign: NoticeCampaign,
  period: string,
  asOf: string,
  areaName: string,
  totals: CampaignTotals,
  universities: number,
  rules: NoticeRules,
) {
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
    behindFactor: rules.behindFactor,
    planDeadline: rules.planDeadline,
  };
}

/** Filed after the deadline (never when there is no deadline or no filing). */
export const isLate = (filedOn: string | null, deadline: string | null): boolean =>
  filedOn !== null && deadline !== null && filedOn > deadline;

/**
 * Whether a row is flagged for its on-site share: the rankings' own flag (judged against the province's threshold);
 * snapshots stored before thresholds were per campaign carry none, and are judged against `threshold`.
 */
export function onsiteFlagged(r: UniversityRankRow, threshold: number): boolean {
  return r.onsiteFlag ?? (r.targets.principal !== null && r.onsiteShare !== null && r.onsiteShare < threshold);
}

export interface NationalInput {
  campaign: NoticeCampaign;
  period: string;
  national: UniversityRanking;
  provinces: ProvinceRanking;
  totals: CampaignTotals;
  plans: PlanFiling[];
  rules?: NoticeRules;
}

export function buildNationalNotice(input: NationalInput): NationalNotice {
  const { national, provinces } = input;
  const rules = input.rules ?? DEFAULT_NOTICE_RULES;
  const names = new Map<string, string>(input.plans.map((p) => [p.provinceCode, p.provinceName]));
  for (const p of provinces.rows) names.set(p.provinceCode, p.provinceName);
  const line = (r: UniversityRankRow): UniversityLine => ({
    ...r,
    provinceName: names.get(r.provinceCode) ?? r.provinceCode,
  });

  const rows = ordered(national.rows, universitiesByRank);
  const provinceRows = ordered(provinces.rows, provincesByRank);
  const behind = ordered(
    rows.filter((r) => r.behind),
    behindWorstFirst,
  ).map(line);
  const perProvince = new Map<string, { behind: number; universities: number }>();
  for (const r of rows) {
    const c = perProvince.get(r.provinceCode) ?? { behind: 0, universities: 0 };
    c.universities++;
    if (r.behind) c.behind++;
    perProvince.set(r.provinceCode, c);
  }
  const behindByProvince = [...perProvince]
    .filter(([, c]) => c.behind > 0)
    .map(([provinceCode, c]) => ({ provinceCode, provinceName: names.get(provinceCode) ?? provinceCode, ...c }))
    .sort(provincesMostBehindFirst);

  // A plan filed after the cut-off was not filed as of the notice's date.
  const plansMissing = input.plans
    .filter((p) => p.filedOn === null || p.filedOn > national.asOf)
    .map((p) => ({ provinceCode: p.provinceCode, provinceName: p.provinceName }))
    .sort(byProvinceCode);
  const plansLate = input.plans
    .filter(
      (p): p is PlanFiling & { filedOn: string } =>
        p.filedOn !== null && p.filedOn <= national.asOf && isLate(p.filedOn, rules.planDeadline),
    )
    .map((p) => ({ provinceCode: p.provinceCode, provinceName: p.provinceName, filedOn: p.filedOn }))
    .sort(byProvinceCode);

  // The national ranking uses the same keys as each province's, so a province's first row here is its leader.
  const leaders = new Map<string, UniversityLine>();
  for (const r of rows)
    if (!leaders.has(r.provinceCode) && r.employersVisited > 0) leaders.set(r.provinceCode, line(r));
  const provinceLeaders = provinceRows
    .map((p) => leaders.get(p.provinceCode))
    .filter((r): r is UniversityLine => r !== undefined);

  return {
    kind: 'national',
    scope: 'national',
    ...head(input.campaign, input.period, national.asOf, '全国', input.totals, national.rows.length, rules),
    provinces: provinceRows,
    plansMissing,
    plansLate,
    behindFactorVaries: rules.behindFactorVaries ?? false,
    behindByProvince,
    behind,
    examples: {
      provinces: provinceRows.filter((p) => p.meanCompletion > 0).slice(0, TOP_PROVINCES),
      universities: rows
        .filter((r) => r.employersVisited > 0)
        .slice(0, TOP_UNIVERSITIES)
        .map(line),
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
  rules?: NoticeRules;
}

export function buildProvinceNotice(input: ProvinceInput): ProvinceNotice {
  const rows = ordered(input.ranking.rows, universitiesByRank);
  const asOf = input.ranking.asOf;
  const rules = input.rules ?? DEFAULT_NOTICE_RULES;
  // A plan filed after the cut-off was not filed as of the notice's date.
  const planFiledOn = input.planFiledOn !== null && input.planFiledOn <= asOf ? input.planFiledOn : null;
  return {
    kind: 'province',
    scope: `province:${input.provinceCode}`,
    ...head(input.campaign, input.period, asOf, input.provinceName, input.totals, rows.length, rules),
    provinceCode: input.provinceCode,
    provinceName: input.provinceName,
    provinceRank: input.provinces?.rows.find((p) => p.provinceCode === input.provinceCode) ?? null,
    planFiledOn,
    planLate: isLate(planFiledOn, rules.planDeadline),
    ranking: rows,
    meeting: rows.filter((r) => r.completion >= 1),
    behind: ordered(
      rows.filter((r) => r.behind),
      behindWorstFirst,
    ),
    onsiteShareFlag: rules.onsiteShareFlag,
    onsiteFlagged: ordered(
      rows.filter((r) => onsiteFlagged(r, rules.onsiteShareFlag)),
      lowestOnsiteShareFirst,
    ),
  };
}

/** The central notice: the 部属 and 部省合建 universities' ranking among themselves, under the campaign's rules. */
export function buildCentralNotice(
  input: Omit<ProvinceInput, 'provinceCode' | 'provinceName' | 'provinces' | 'planFiledOn'>,
): ProvinceNotice {
  const model = buildProvinceNotice({ ...input, provinceCode: '', provinceName: CENTRAL_AREA, planFiledOn: null });
  return { ...model, scope: 'central' };
}

/** A threshold as the notice writes it: 0.5 → '50%', 0.333 → '33.3%'. */
export function shareZh(x: number): string {
  return `${Number((x * 100).toFixed(1))}%`;
}

/** The province's plan in words, without the final 。: filed (and whether late), or not filed (and whether overdue). */
export function planStatusZh(m: ProvinceNotice): string {
  // The central universities' plans are filed with their units: the central notice says where they also stand.
  if (m.scope === 'central') return '上述高校同时列入所在省份（兵团）的排名';
  if (m.planFiledOn === null) {
    return m.planDeadline !== null && m.asOf > m.planDeadline
      ? `实施方案尚未报送（报送期限为${dateZh(m.planDeadline)}）`
      : '实施方案尚未报送';
  }
  const filed = `实施方案已于${dateZh(m.planFiledOn)}报送`;
  return m.planLate && m.planDeadline !== null ? `${filed}，晚于${dateZh(m.planDeadline)}的报送期限` : filed;
}

/** The national notice's late filings in words, without the final 。; '' when none. */
export function plansLateZh(m: NationalNotice, escape: (s: string) => string = (s) => s): string {
  if (m.plansLate.length === 0) return '';
  return `逾期报送实施方案的省份（${m.plansLate.length}个）：${m.plansLate.map((p) => `${escape(p.provinceName)}（${dateZh(p.filedOn)}报送）`).join('、')}`;
}

/**
 * The national notice's behind universities as a notice shows them: the first `max`, worst first, and the sentence
 * saying how many of how many (null when all are shown).
 */
export function behindListed(
  m: NationalNotice,
  max = NOTICE_LIST_ROWS,
): { shown: UniversityLine[]; noteZh: string | null } {
  return cutList(m.behind, max, BEHIND_ORDER_ZH);
}

/** When a university is behind, in words: '完成度低于时间进度的80%' (and that provinces may differ). */
export function behindRuleZh(m: NoticeModel): string {
  const varies = m.kind === 'national' && m.behindFactorVaries ? '（部分省份另有规定）' : '';
  return `完成度低于时间进度的${shareZh(m.behindFactor)}${varies}`;
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
export function chartSeries(model: NoticeModel): {
  values: number[];
  expected: number;
  label: string;
  /** Each bar's own time progress (the summary's weeks); the single line otherwise. */
  expectedSeries?: number[];
} {
  if (model.summary) {
    return {
      values: model.summary.weeks.map((w) => w.meanCompletion),
      expected: model.expectedProgress,
      expectedSeries: model.summary.weeks.map((w) => w.expected),
      label: '各周平均完成度（按周）',
    };
  }
  if (model.kind === 'national') {
    return {
      values: model.provinces.map((p) => p.meanCompletion),
      expected: model.expectedProgress,
      label: '各省份高校平均完成度（按排名）',
    };
  }
  return {
    values: model.ranking.map((r) => r.completion),
    expected: model.expectedProgress,
    label: `${model.provinceName}各高校完成度（按排名）`,
  };
}
