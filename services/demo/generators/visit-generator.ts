// Visit events of the demo campaign, university by university (lazily: 300,000 events never sit in memory at once).
// Shapes: activity per university from the generator, employers mostly local with a few popular ones, more visits
// in spring than in August, principal leaders on part of the visits, three modes, outcomes, some amendments and
// retractions, and employer names typed the ways people type them (the `typeName` function).
import { leaderName, type DemoEmployer, type DemoUniversity } from './campaign-generator.ts';
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
}

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
    const principalShare = 0.25 + rnd.next() * 0.6;
    const onsiteShare = 0.4 + rnd.next() * 0.5;
    for (let n = 0; n < counts[u]!; n++) {
      const employerIndex =
        pool.length > 0 && rnd.chance(0.75) ? pool[skewed(rnd, pool.length)]! : skewed(rnd, employers.length);
      const employer = employers[employerIndex]!;
      const visitedOn = addDays(plan.start, rnd.weighted(dayWeights));
      const leaders = [];
      if (rnd.chance(principalShare))
        leaders.push({ role: rnd.chance(0.5) ? 'secretary' : 'president', name: leaderName(rnd) });
      if (leaders.length === 0 || rnd.chance(0.3)) leaders.push({ role: 'leader', name: leaderName(rnd) });
      const modeDraw = rnd.next();
      const mode =
        modeDraw < onsiteShare ? 'onsite' : modeDraw < onsiteShare + (1 - onsiteShare) * 0.7 ? 'invited' : 'online';
      const ref = `V${String(n + 1).padStart(5, '0')}`;
      const visit = {
        ref,
        universityCode: uni.code,
        visitedOn,
        mode,
        leaders,
        employer: { ...plan.typeEmployer(employer, rnd), regionCode: employer.regionCode },
        outcomes: {
          positions: rnd.chance(0.8) ? rnd.int(1, 60) * (rnd.chance(0.1) ? 5 : 1) : 0,
          internshipBase: rnd.chance(0.25),
          recruitmentInvite: rnd.chance(0.45),
          demandSurvey: rnd.chance(0.6),
          graduatesTracked: rnd.int(0, 12),
          satisfaction: rnd.int(3, 5),
        },
      };
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
          visit: { ...visit, outcomes: { ...visit.outcomes, positions: visit.outcomes.positions + rnd.int(1, 20) } },
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

/** Employers each university worked with before the campaign (the prior list): some of its local pool. */
export function priorEmployers(
  universities: readonly DemoUniversity[],
  employers: readonly DemoEmployer[],
  seed: number,
  perUniversity = 12,
): Array<{ universityCode: string; name: string; creditCode: string }> {
  const rnd = createRandom(seed);
  const local = byProvince(employers);
  const rows: Array<{ universityCode: string; name: string; creditCode: string }> = [];
  for (const uni of universities) {
    const pool = local.get(uni.provinceCode) ?? [];
    const chosen = new Set<number>();
    for (let i = 0; i < perUniversity && pool.length > 0; i++) chosen.add(pool[skewed(rnd, pool.length)]!);
    for (const i of chosen)
      rows.push({ universityCode: uni.code, name: employers[i]!.name, creditCode: employers[i]!.creditCode ?? '' });
  }
  return rows;
}
