// 任务到人 and 实施方案 for universities (issue 15, points 3 and 4): leadership rosters, how a visit's leader names are
// matched to them, the team's figures, and universities' plan filings. Pure: no I/O. The counting is SQL
// (shared/repositories/people.repository.ts); these rules read what it returns.
import { round6 } from './measures.ts';
import {
  checkUniversityCode,
  rejectDuplicates,
  validate,
  type KnownUniversity,
  type ParsedCsv,
  type Validated,
} from './reference-rows.ts';

export type LeaderRole = 'secretary' | 'president' | 'leader';

/** The most leaders a roster holds (a leadership team is around ten; 50 leaves room for the largest). */
export const MAX_ROSTER = 50;
/** A university whose roster has fewer than this share of its leaders with a visit is named in its notice. */
export const TEAM_COVERAGE_FLAG = 0.5;

const DOTS = /[•‧・･∙⋅]/g;

/**
 * The key a leader's name is matched on, so that a name typed in full width, with spaces, or with another middle dot
 * (少数民族 names: 阿依古丽·买买提) is the same person: NFKC, every middle dot as '·', no white space. The database's
 * leader_name_key() (migration 0015) is the same function; test/integration/people-figures.test.ts checks they agree.
 */
export function leaderNameKey(name: string): string {
  return name.normalize('NFKC').replace(DOTS, '·').replace(/\s+/g, '');
}

const ROLES = new Map<string, LeaderRole>([
  ['secretary', 'secretary'],
  ['president', 'president'],
  ['leader', 'leader'],
  ['党委书记', 'secretary'],
  ['书记', 'secretary'],
  ['校长', 'president'],
  ['院长', 'president'],
  ['校(院)长', 'president'],
  ['校级领导', 'leader'],
  ['校领导', 'leader'],
  ['校级领导班子成员', 'leader'],
]);

/** A role as the roster states it: secretary / president / leader, or 党委书记 / 书记, 校长 / 院长, 校级领导 / 校领导. */
export function parseLeaderRole(text: string): LeaderRole | undefined {
  return ROLES.get(text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ''));
}

export interface RosterLeader {
  name: string;
  role: LeaderRole;
  title: string | null;
}

export interface RosterRow extends RosterLeader {
  universityCode: string;
}

/** Checks one leader's name, role and title; reasons go to `bad`. */
function checkLeader(
  raw: { name: string; role: string; title: string },
  bad: (reason: string) => void,
): RosterLeader | undefined {
  const name = raw.name.normalize('NFC').trim();
  const role = parseLeaderRole(raw.role);
  const title = raw.title.trim();
  if (name === '') bad('name is empty');
  else if (name.length > 100) bad('name is longer than 100 characters');
  else if (leaderNameKey(name) === '') bad('name has no letters');
  if (!role)
    bad(
      raw.role === ''
        ? 'role is empty (secretary, president or leader; or 党委书记, 校长, 校级领导)'
        : `role "${raw.role}" is not secretary, president or leader (党委书记, 校长, 校级领导)`,
    );
  if (title.length > 100) bad('title is longer than 100 characters');
  if (!role || name === '' || name.length > 100 || leaderNameKey(name) === '' || title.length > 100) return undefined;
  return { name, role, title: title === '' ? null : title };
}

/**
 * A roster file: header `university_code,name,role[,title]`, one leader a line, every university's whole roster. Two
 * lines of one university with the same name (after leaderNameKey) are one person twice: the later line is bad.
 */
export function validateRosterRows(parsed: ParsedCsv, known?: KnownUniversity): Validated<RosterRow> {
  const result = validate<RosterRow>(
    parsed,
    { required: ['university_code', 'name', 'role'], optional: ['title'] },
    (get, bad) => {
      const universityCode = checkUniversityCode(get('university_code') ?? '', bad, known);
      const leader = checkLeader({ name: get('name') ?? '', role: get('role') ?? '', title: get('title') ?? '' }, bad);
      return universityCode === undefined || leader === undefined ? undefined : { universityCode, ...leader };
    },
  );
  const checked = rejectDuplicates(
    result,
    (r) => `${r.universityCode}\u0000${leaderNameKey(r.name)}`,
    (r) => `leader "${r.name}" of university ${r.universityCode}`,
  );
  const sizes = new Map<string, number>();
  for (const r of checked.rows) sizes.set(r.universityCode, (sizes.get(r.universityCode) ?? 0) + 1);
  const tooLarge = [...sizes].filter(([, n]) => n > MAX_ROSTER).map(([code]) => code);
  if (tooLarge.length === 0) return checked;
  return {
    ...checked,
    rows: checked.rows.filter((r) => !tooLarge.includes(r.universityCode)),
    errors: [
      ...checked.errors,
      ...checked.rows
        .filter((r) => tooLarge.includes(r.universityCode))
        .map((r) => ({ line: r.line, reason: `university ${r.universityCode} has more than ${MAX_ROSTER} leaders` })),
    ].sort((a, b) => a.line - b.line),
  };
}

/** A roster sent to the API: the same checks as a file's lines; errors as {index, reason}. */
export function validateRoster(leaders: ReadonlyArray<{ name: string; role: string; title?: string | null }>): {
  leaders: RosterLeader[];
  errors: Array<{ index: number; reason: string }>;
} {
  const out: RosterLeader[] = [];
  const errors: Array<{ index: number; reason: string }> = [];
  const seen = new Map<string, number>();
  if (leaders.length > MAX_ROSTER) errors.push({ index: MAX_ROSTER, reason: `more than ${MAX_ROSTER} leaders` });
  leaders.forEach((l, index) => {
    const reasons: string[] = [];
    const leader = checkLeader({ name: l.name, role: l.role, title: l.title ?? '' }, (r) => reasons.push(r));
    if (leader) {
      const key = leaderNameKey(leader.name);
      const first = seen.get(key);
      if (first !== undefined) reasons.push(`"${leader.name}" is already leader ${first}`);
      else seen.set(key, index);
    }
    if (reasons.length || !leader) errors.push({ index, reason: reasons.join('; ') });
    else out.push(leader);
  });
  return { leaders: out, errors };
}

/** Groups a file's valid lines by university, each roster in file order. */
export function rostersByUniversity(rows: ReadonlyArray<RosterRow>): Map<string, RosterLeader[]> {
  const out = new Map<string, RosterLeader[]>();
  for (const { universityCode, name, role, title } of rows) {
    const list = out.get(universityCode) ?? [];
    list.push({ name, role, title });
    out.set(universityCode, list);
  }
  return out;
}

/** One person's figures over the visits that count (active, inside the window, up to the cut-off). */
export interface LeaderFigures {
  /** As on the roster; for a name not on it, its most frequent spelling on the visits. */
  name: string;
  /** The roster's role; null for a name not on the roster. */
  role: LeaderRole | null;
  title: string | null;
  /** On the roster: true or false; null when the university has no roster for the campaign (nothing to check). */
  onRoster: boolean | null;
  /** Roles the visits gave this name. */
  roles: LeaderRole[];
  visits: number;
  employersVisited: number;
  newEmployers: number;
  positions: number;
}

/** The team as a whole (任务到人). */
export interface TeamFigures {
  /** Leaders on the roster (0: none imported). */
  rosterSize: number;
  /** Roster leaders with at least one counted visit. */
  withVisits: number;
  /** withVisits ÷ rosterSize, 6 decimals; null without a roster. */
  coverage: number | null;
  /** coverage below TEAM_COVERAGE_FLAG. */
  coverageLow: boolean;
  /** Roster leaders with no counted visit, in roster order. */
  withoutVisits: Array<{ name: string; role: LeaderRole; title: string | null }>;
  /** Names on counted visits that are not on the roster (only when there is a roster). */
  unknownNames: string[];
}

/** The team's figures from the per-person figures (roster leaders first, in roster order, as the repository gives). */
export function teamFigures(leaders: ReadonlyArray<LeaderFigures>): TeamFigures {
  const roster = leaders.filter((l) => l.onRoster === true);
  const withVisits = roster.filter((l) => l.visits > 0).length;
  const coverage = roster.length === 0 ? null : round6(withVisits / roster.length);
  return {
    rosterSize: roster.length,
    withVisits,
    coverage,
    coverageLow: coverage !== null && coverage < TEAM_COVERAGE_FLAG,
    withoutVisits: roster
      .filter((l) => l.visits === 0)
      .map((l) => ({ name: l.name, role: l.role ?? 'leader', title: l.title })),
    unknownNames: leaders.filter((l) => l.onRoster === false).map((l) => l.name),
  };
}

/** A university's team as a notice lists it. */
export interface TeamLine {
  universityCode: string;
  rosterSize: number;
  withVisits: number;
  withoutVisits: string[];
}

/** The universities a notice names for their team: coverage below TEAM_COVERAGE_FLAG, lowest first, then by code. */
export function lowCoverage<T extends TeamLine>(teams: ReadonlyArray<T>): Array<T & { coverage: number }> {
  return teams
    .filter((t) => t.rosterSize > 0)
    .map((t) => ({ ...t, coverage: round6(t.withVisits / t.rosterSize) }))
    .filter((t) => t.coverage < TEAM_COVERAGE_FLAG)
    .sort((a, b) => a.coverage - b.coverage || a.universityCode.localeCompare(b.universityCode));
}

/** A plan filing's state at a cut-off: filed in time, filed late, or missing (not filed by then). */
export type FilingState = 'filed' | 'late' | 'missing';

/**
 * A plan filed after the cut-off was not filed as of that date (missing); one filed after the deadline is late; with
 * no deadline nothing is late.
 */
export function filingState(filedOn: string | null, deadline: string | null, asOf: string): FilingState {
  if (filedOn === null || filedOn > asOf) return 'missing';
  return deadline !== null && filedOn > deadline ? 'late' : 'filed';
}

/** A document link as stored: an absolute http(s) URL of at most 2,000 characters; undefined otherwise. */
export function checkDocumentLink(text: string): string | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > 2000) return undefined;
  try {
    const u = new URL(t);
    return u.protocol === 'http:' || u.protocol === 'https:' ? t : undefined;
  } catch {
    return undefined;
  }
}
