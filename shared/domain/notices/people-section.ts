// The notices' block on universities' plans (实施方案) and their leadership teams (任务到人), issue 15 points 3-4: a
// separate section after the notice's own, the same sentences in every form (text, Markdown, HTML). Pure.
// A notice stored before this block existed has no `people`, and renders as it did.
import { filingState, lowCoverage, TEAM_COVERAGE_FLAG, type TeamLine } from '../people.ts';
import { dateZh, int, namesZh, pct } from './format.ts';
import { byProvinceCode, byUniversityCode, lowestCoverageFirst, ordered } from './list-order.ts';

export interface UniversityRef {
  universityCode: string;
  universityName: string;
  provinceCode: string;
}

/** What the repositories give: every university's filing (filedOn null: none) and each rostered team. */
export interface PeopleInput {
  asOf: string;
  planDeadline: string | null;
  plans: ReadonlyArray<UniversityRef & { filedOn: string | null }>;
  teams: ReadonlyArray<TeamLine>;
}

export interface LowTeam {
  universityCode: string;
  universityName: string;
  rosterSize: number;
  withVisits: number;
  coverage: number;
  withoutVisits: string[];
}

/** A province's universities: late and missing plans by name, low team coverage by name. */
export interface ProvincePeople {
  kind: 'province';
  planDeadline: string | null;
  universities: number;
  plansFiled: number;
  plansLate: Array<{ universityCode: string; universityName: string; filedOn: string }>;
  plansMissing: Array<{ universityCode: string; universityName: string }>;
  /** Universities with a roster, leaders on them, and those leaders with at least one visit. */
  rosters: number;
  leaders: number;
  leadersWithVisits: number;
  coverageFlag: number;
  lowCoverage: LowTeam[];
}

/** The national view: counts, and per province the numbers behind its own notice. */
export interface NationalPeople {
  kind: 'national';
  planDeadline: string | null;
  universities: number;
  plansFiled: number;
  plansLate: number;
  plansMissing: number;
  rosters: number;
  leaders: number;
  leadersWithVisits: number;
  coverageFlag: number;
  lowCoverage: number;
  /** Provinces with late or missing plans or low-coverage teams, in code order. */
  byProvince: Array<{
    provinceCode: string;
    provinceName: string;
    universities: number;
    plansLate: number;
    plansMissing: number;
    lowCoverage: number;
  }>;
}

export type PeopleBlock = ProvincePeople | NationalPeople;

function provinceFigures(input: PeopleInput): Omit<ProvincePeople, 'kind'> {
  const names = new Map(input.plans.map((p) => [p.universityCode, p.universityName]));
  const plansLate: ProvincePeople['plansLate'] = [];
  const plansMissing: ProvincePeople['plansMissing'] = [];
  let plansFiled = 0;
  for (const p of input.plans) {
    const state = filingState(p.filedOn, input.planDeadline, input.asOf);
    if (state === 'missing') plansMissing.push({ universityCode: p.universityCode, universityName: p.universityName });
    else {
      plansFiled++;
      if (state === 'late')
        plansLate.push({ universityCode: p.universityCode, universityName: p.universityName, filedOn: p.filedOn! });
    }
  }
  return {
    planDeadline: input.planDeadline,
    universities: input.plans.length,
    plansFiled,
    plansLate: plansLate.sort(byUniversityCode),
    plansMissing: plansMissing.sort(byUniversityCode),
    rosters: input.teams.filter((t) => t.rosterSize > 0).length,
    leaders: input.teams.reduce((s, t) => s + t.rosterSize, 0),
    leadersWithVisits: input.teams.reduce((s, t) => s + t.withVisits, 0),
    coverageFlag: TEAM_COVERAGE_FLAG,
    lowCoverage: ordered(lowCoverage(input.teams), lowestCoverageFirst).map((t) => ({
      universityCode: t.universityCode,
      universityName: names.get(t.universityCode) ?? t.universityCode,
      rosterSize: t.rosterSize,
      withVisits: t.withVisits,
      coverage: t.coverage,
      withoutVisits: t.withoutVisits,
    })),
  };
}

/** A province notice's block: `input` holds that province's universities only. */
export function provincePeople(input: PeopleInput): ProvincePeople {
  return { kind: 'province', ...provinceFigures(input) };
}

/** The national notice's block over every university; `provinceNames` names the provinces. */
export function nationalPeople(input: PeopleInput, provinceNames: ReadonlyMap<string, string>): NationalPeople {
  const all = provinceFigures(input);
  const provinceOf = new Map(input.plans.map((p) => [p.universityCode, p.provinceCode]));
  const codes = [...new Set(input.plans.map((p) => p.provinceCode))];
  const byProvince = codes
    .map((code) => {
      const inProvince = (u: { universityCode: string }) => provinceOf.get(u.universityCode) === code;
      return {
        provinceCode: code,
        provinceName: provinceNames.get(code) ?? code,
        universities: input.plans.filter(inProvince).length,
        plansLate: all.plansLate.filter(inProvince).length,
        plansMissing: all.plansMissing.filter(inProvince).length,
        lowCoverage: all.lowCoverage.filter(inProvince).length,
      };
    })
    .filter((p) => p.plansLate + p.plansMissing + p.lowCoverage > 0)
    .sort(byProvinceCode);
  return {
    kind: 'national',
    planDeadline: all.planDeadline,
    universities: all.universities,
    plansFiled: all.plansFiled,
    plansLate: all.plansLate.length,
    plansMissing: all.plansMissing.length,
    rosters: all.rosters,
    leaders: all.leaders,
    leadersWithVisits: all.leadersWithVisits,
    coverageFlag: all.coverageFlag,
    lowCoverage: all.lowCoverage.length,
    byProvince,
  };
}

const ROLE_FREE = (s: string) => s;

export interface PeopleOptions {
  /** Names in a list at most, the rest counted ('甲、乙等12所'): the robots' short messages. Default: all. */
  maxNames?: number;
}

/**
 * The block as titled sections of sentences, each without markup; `escape` is applied to every name (Markdown, HTML).
 * Renderers lay each section out as a heading and paragraphs.
 */
export function peopleSections(
  block: PeopleBlock | undefined,
  escape: (s: string) => string = ROLE_FREE,
  options: PeopleOptions = {},
): Array<{ title: string; lines: string[] }> {
  if (!block) return [];
  const max = options.maxNames ?? Infinity;
  const list = (items: string[], unit: string, sep = '、') => namesZh(items, max, unit, sep);
  const deadline = block.planDeadline ? `报送期限为${dateZh(block.planDeadline)}。` : '';
  const plans: string[] = [];
  const team: string[] = [];
  const flag = pct(block.coverageFlag);
  if (block.kind === 'province') {
    plans.push(
      `${deadline}本地区${int(block.universities)}所高校中，${int(block.plansFiled)}所已报送实施方案，${int(block.plansMissing.length)}所尚未报送。`,
    );
    if (block.plansLate.length)
      plans.push(
        `逾期报送的高校（${int(block.plansLate.length)}所）：${list(
          block.plansLate.map((p) => `${escape(p.universityName)}（${dateZh(p.filedOn)}报送）`),
          '所',
        )}。`,
      );
    if (block.plansMissing.length)
      plans.push(
        `尚未报送的高校（${int(block.plansMissing.length)}所）：${list(
          block.plansMissing.map((p) => escape(p.universityName)),
          '所',
        )}。`,
      );
    if (block.rosters === 0) team.push('尚无高校导入校领导班子名单。');
    else {
      team.push(
        `${int(block.rosters)}所高校导入了校领导班子名单，共${int(block.leaders)}名校领导，其中${int(block.leadersWithVisits)}名已参加走访（${pct(block.leaders ? block.leadersWithVisits / block.leaders : 0)}）。`,
      );
      team.push(
        block.lowCoverage.length
          ? `参加走访的校领导不足${flag}的高校（${int(block.lowCoverage.length)}所）：${list(
              block.lowCoverage.map(
                (t) =>
                  `${escape(t.universityName)}（${int(t.withVisits)}/${int(t.rosterSize)}，尚未走访：${list(t.withoutVisits.map(escape), '人')}）`,
              ),
              '所',
              '；',
            )}。`
          : `各高校参加走访的校领导均不低于班子的${flag}。`,
      );
    }
  } else {
    plans.push(
      `${deadline}全国${int(block.universities)}所高校中，${int(block.plansFiled)}所已报送实施方案，其中逾期报送${int(block.plansLate)}所；${int(block.plansMissing)}所尚未报送。`,
    );
    const withPlans = block.byProvince.filter((p) => p.plansLate + p.plansMissing > 0);
    if (withPlans.length)
      plans.push(
        `各省份（逾期/未报送）：${list(
          withPlans.map((p) => `${escape(p.provinceName)}${int(p.plansLate)}/${int(p.plansMissing)}所`),
          '个省份',
        )}。名单见各省份通报。`,
      );
    if (block.rosters === 0) team.push('尚无高校导入校领导班子名单。');
    else {
      team.push(
        `${int(block.rosters)}所高校导入了校领导班子名单，共${int(block.leaders)}名校领导，其中${int(block.leadersWithVisits)}名已参加走访（${pct(block.leaders ? block.leadersWithVisits / block.leaders : 0)}）；参加走访的校领导不足${flag}的高校${int(block.lowCoverage)}所。`,
      );
      const low = block.byProvince.filter((p) => p.lowCoverage > 0);
      if (low.length)
        team.push(
          `各省份：${list(
            low.map((p) => `${escape(p.provinceName)}${int(p.lowCoverage)}所`),
            '个省份',
          )}。名单见各省份通报。`,
        );
    }
  }
  return [
    { title: '附一、高校实施方案报送情况', lines: plans },
    { title: '附二、任务到人：校领导班子参加走访情况', lines: team },
  ];
}
