// Visit events of the demo campaign, university by university (lazily: 300,000 events never sit in memory at once).
// Shapes: activity per university from the generator, a share of visits to partners on the university's prior list
// and the rest to employers new to it (mostly local, a few popular), more visits in spring than in August, the
// university's leaders from its team (principal leaders on part of the visits, some leaders on none, a few names
// mistyped), staff on part of the visits and some visits by staff alone, the kind of place, three modes, outcomes
// (new positions, graduates hired, majors asked for), some amendments and retractions, and employer names typed the
// ways people type them (the `typeEmployer` function).
import { leaderName, mistypedLeader, type DemoEmployer, type DemoUniversity } from './campaign-generator.ts';
import { createRandom, cumulative, type Random } from './random.ts';

export interface DemoEvent {
  eventId: string;
  type: 'visit.recorded' | 'visit.amended' | 'visit.retracted';
  occurredAt: string;
  campaignId?: string;
  visit: Record<string, unknown> & { ref: string; universityCode: string };
}

/** How a person types an employer's name (and credit code) into their university's system. */
export type TypeEmployer = (employer: DemoEmployer, rnd: Random) => { name: string; creditCode?: string };

export interface VisitPlan {
  campaignId: string;
  start: string; // YYYY-MM-DD
  end: string;
  visits: number;
  seed: number;
  typeEmployer: TypeEmployer;
  /** Each university's prior list (indexes into the employers): about `priorShare` of its visits go to them. */
  prior?: PriorLists;
}

/** University code → the employers (indexes) on its prior list: its partners from before the campaign. */
export type PriorLists = ReadonlyMap<string, readonly number[]>;

const MAJORS = [
  '计算机科学与技术',
  '软件工程',
  '电子信息工程',
  '机械设计制造及其自动化',
  '电气工程及其自动化',
  '土木工程',
  '会计学',
  '财务管理',
  '市场营销',
  '临床医学',
  '护理学',
  '汉语言文学',
  '英语',
  '法学',
  '数据科学与大数据技术',
  '人工智能',
  '通信工程',
  '化学工程与工艺',
  '物流管理',
  '学前教育',
];
const VOCATIONAL_MAJORS = [
  '数控技术',
  '机电一体化技术',
  '工业机器人技术',
  '电子商务',
  '大数据与会计',
  '护理',
  '汽车检测与维修技术',
  '建筑工程技术',
  '计算机网络技术',
  '现代物流管理',
  '学前教育',
  '酒店管理与数字化运营',
  '软件技术',
  '药学',
];
const STAFF_ROLES = cumulative([35, 40, 25]);
const STAFF_ROLE_NAMES = ['teacher', 'counsellor', 'administrator'] as const;

const DAY_MS = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Visits per university, proportional to its activity, summing to `total`. */
export function visitsPerUniversity(universities: readonly DemoUniversity[], total: number): number[] {
  const sum = universities.reduce((a, u) => a + u.activity, 0);
  const raw = universities.map((u) => (total * u.activity) / sum);
  const counts = raw.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (missing-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}

/** Employers of each province, for local choice. */
function byProvince(employers: readonly DemoEmployer[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  employers.forEach((e, i) => {
    let list = map.get(e.provinceCode);
    if (!list) map.set(e.provinceCode, (list = []));
    list.push(i);
  });
  return map;
}

/** Popular employers first: a power law over the list's order. */
const skewed = (rnd: Random, length: number): number => Math.min(length - 1, Math.floor(length * rnd.next() ** 2.2));

export function* generateVisitEvents(
  universities: readonly DemoUniversity[],
  employers: readonly DemoEmployer[],
  plan: VisitPlan,
): Generator<DemoEvent> {
  const rnd = createRandom(plan.seed);
  const local = byProvince(employers);
  const days = Math.round((Date.parse(plan.end) - Date.parse(plan.start)) / DAY_MS) + 1;
  // Spring ramps up, May–June peaks, August (summer holiday) slows down.
  const dayWeights = cumulative(
    Array.from({ length: days }, (_, d) => {
      const x = d / days;
      return 0.4 + Math.sin(Math.PI * Math.min(1, x * 1.25)) + (x > 0.85 ? -0.3 : 0);
    }),
  );
  const counts = visitsPerUniversity(universities, plan.visits);
  for (let u = 0; u < universities.length; u++) {
    const uni = universities[u]!;
    const pool = local.get(uni.provinceCode) ?? [];
    const prior = plan.prior?.get(uni.code) ?? [];
    const known = new Set(prior);
    // A third to a half of a university's visits, on average, go to partners it already had.
    const priorShare = prior.length ? Math.min(0.75, Math.max(0.15, 0.42 + rnd.normal() * 0.1)) : 0;
    const principalShare = 0.25 + rnd.next() * 0.6;
    const onsiteShare = 0.4 + rnd.next() * 0.5;
    const staffShare = 0.15 + rnd.next() * 0.45;
    const staffOnlyShare = rnd.chance(0.6) ? rnd.next() * 0.12 : 0;
    const principals = uni.team.filter((l) => l.role !== 'leader');
    // Part of the team takes part: some deputies make no visit at all (the team's coverage varies).
    const engagement = 0.3 + rnd.next() * 0.7;
    const deputies = uni.team.filter((l) => l.role === 'leader' && rnd.chance(engagement));
    const majors = uni.vocational ? VOCATIONAL_MAJORS : MAJORS;
    /** An employer new to the university: local mostly, popular ones more often, never one of its prior list. */
    const newEmployer = (): number => {
      let i = 0;
      for (let attempt = 0; attempt < 20; attempt++) {
        i = pool.length > 0 && rnd.chance(0.75) ? pool[skewed(rnd, pool.length)]! : skewed(rnd, employers.length);
        if (!known.has(i)) return i;
      }
      return rnd.int(0, employers.length - 1);
    };
    const named = (l: { role: string; name: string }) => ({
      role: l.role,
      name: rnd.chance(0.03) ? mistypedLeader(l.name) : l.name,
    });
    for (let n = 0; n < counts[u]!; n++) {
      const employerIndex = prior.length && rnd.chance(priorShare) ? rnd.pick(prior) : newEmployer();
      const employer = employers[employerIndex]!;
      const visitedOn = addDays(plan.start, rnd.weighted(dayWeights));
      const staffOnly = rnd.chance(staffOnlyShare);
      const leaders: Array<{ role: string; name: string }> = [];
      if (!staffOnly) {
        if (rnd.chance(principalShare)) leaders.push(named(rnd.pick(principals)));
        if (leaders.length === 0 || rnd.chance(0.3))
          leaders.push(named(deputies.length ? rnd.pick(deputies) : rnd.pick(principals)));
      }
      const staff: Array<{ role: string; name?: string }> = [];
      if (staffOnly || rnd.chance(staffShare))
        for (let k = rnd.int(1, staffOnly ? 4 : 3); k > 0; k--) {
          const role = STAFF_ROLE_NAMES[rnd.weighted(STAFF_ROLES)]!;
          staff.push(rnd.chance(0.5) ? { role, name: leaderName(rnd) } : { role });
        }
      const modeDraw = rnd.next();
      const mode =
        modeDraw < onsiteShare ? 'onsite' : modeDraw < onsiteShare + (1 - onsiteShare) * 0.7 ? 'invited' : 'online';
      const ref = `V${String(n + 1).padStart(5, '0')}`;
      const positions = rnd.chance(0.8) ? rnd.int(1, 60) * (rnd.chance(0.1) ? 5 : 1) : 0;
      const outcomes: Record<string, number | boolean> = {
        positions,
        internshipBase: rnd.chance(0.25),
        recruitmentInvite: rnd.chance(0.45),
        demandSurvey: rnd.chance(0.6),
        graduatesTracked: rnd.int(0, 12),
        satisfaction: rnd.int(3, 5),
      };
      // 开拓增量岗位: part of the positions are new ones; graduates hired through the visit.
      if (positions > 0 && rnd.chance(0.55))
        outcomes.newPositions = rnd.int(1, Math.max(1, Math.ceil(positions * 0.6)));
      if (rnd.chance(0.35)) outcomes.hired = rnd.int(1, positions > 20 ? 12 : 5);
      const visit: DemoEvent['visit'] = {
        ref,
        universityCode: uni.code,
        visitedOn,
        mode,
        leaders,
        employer: { ...plan.typeEmployer(employer, rnd), regionCode: employer.regionCode },
        outcomes,
      };
      if (staff.length) visit.staff = staff;
      // The kind of place on most visits (走进企业、走进园区、走进行业); now and then one the form calls 其他.
      if (rnd.chance(0.88))
        visit.placeKind = employer.kind === 'enterprise' && rnd.chance(0.006) ? 'other' : employer.kind;
      if (rnd.chance(0.3)) visit.majors = [...new Set(Array.from({ length: rnd.int(1, 4) }, () => rnd.pick(majors)))];
      const eventId = `demo-${uni.code}-${ref}`;
      yield {
        eventId,
        type: 'visit.recorded',
        occurredAt: `${visitedOn}T18:00:00+08:00`,
        campaignId: plan.campaignId,
        visit,
      };
      const later = addDays(visitedOn, 1);
      if (rnd.chance(0.03)) {
        yield {
          eventId: `${eventId}-a1`,
          type: 'visit.amended',
          occurredAt: `${later}T09:00:00+08:00`,
          campaignId: plan.campaignId,
          visit: { ...visit, outcomes: { ...outcomes, positions: positions + rnd.int(1, 20) } },
        };
      } else if (rnd.chance(0.01)) {
        yield {
          eventId: `${eventId}-r1`,
          type: 'visit.retracted',
          occurredAt: `${later}T10:00:00+08:00`,
          visit: { ref, universityCode: uni.code },
        };
      }
    }
  }
}

/**
 * Employers each university worked with before the campaign (its prior list): more for a more active university
 * (about 10 to 75), mostly from its province (popular ones more often), never more than half its local pool, so
 * that the employers new to it stay many.
 */
export function priorLists(
  universities: readonly DemoUniversity[],
  employers: readonly DemoEmployer[],
  seed: number,
): Map<string, number[]> {
  const rnd = createRandom(seed);
  const local = byProvince(employers);
  const lists = new Map<string, number[]>();
  for (const uni of universities) {
    const pool = local.get(uni.provinceCode) ?? [];
    const size = Math.min(
      Math.round(8 + 17 * uni.activity),
      Math.max(1, Math.floor((pool.length || employers.length) / 2)),
    );
    const chosen = new Set<number>();
    for (let i = 0; i < size * 3 && chosen.size < size; i++)
      chosen.add(pool.length > 0 && rnd.chance(0.85) ? pool[skewed(rnd, pool.length)]! : skewed(rnd, employers.length));
    lists.set(uni.code, [...chosen]);
  }
  return lists;
}

/** The prior lists as the rows of `ledger import prior-employers`. */
export function priorRows(
  lists: PriorLists,
  employers: readonly DemoEmployer[],
): Array<{ universityCode: string; name: string; creditCode: string }> {
  const rows: Array<{ universityCode: string; name: string; creditCode: string }> = [];
  for (const [universityCode, list] of lists)
    for (const i of list)
      rows.push({ universityCode, name: employers[i]!.name, creditCode: employers[i]!.creditCode ?? '' });
  return rows;
}
