// The rules of 任务到人 and universities' 实施方案 (shared/domain/people.ts) and the notices' block on them.
import { describe, expect, it } from 'vitest';
import {
  filingState,
  leaderNameKey,
  lowCoverage,
  parseLeaderRole,
  teamFigures,
  validateRoster,
  validateRosterRows,
  type LeaderFigures,
} from '../../shared/domain/people.ts';
import { nationalPeople, peopleSections, provincePeople } from '../../shared/domain/notices/people-section.ts';
import { parseCsv } from '../../shared/domain/reference-rows.ts';

const person = (name: string, onRoster: boolean | null, visits: number): LeaderFigures => ({
  name,
  role: onRoster ? 'leader' : null,
  title: null,
  onRoster,
  roles: [],
  visits,
  employersVisited: visits,
  newEmployers: 0,
  positions: 0,
});

describe('leader names and roles', () => {
  it('one key for full-width, spaced and differently dotted spellings', () => {
    expect(leaderNameKey('李　四')).toBe('李四');
    expect(leaderNameKey(' 李 四 ')).toBe('李四');
    expect(leaderNameKey('ＡＢＣ')).toBe('ABC');
    expect(leaderNameKey('阿依古丽•买买提')).toBe(leaderNameKey('阿依古丽・买买提'));
    expect(leaderNameKey('张三')).not.toBe(leaderNameKey('张四'));
  });

  it('roles in English or as the notice words them', () => {
    expect(parseLeaderRole('党委书记')).toBe('secretary');
    expect(parseLeaderRole('校长')).toBe('president');
    expect(parseLeaderRole('院长')).toBe('president');
    expect(parseLeaderRole('校级领导')).toBe('leader');
    expect(parseLeaderRole(' Leader ')).toBe('leader');
    expect(parseLeaderRole('处长')).toBeUndefined();
  });
});

describe('rosters', () => {
  it('a file: one person twice in a university and an unknown role are bad lines', () => {
    const v = validateRosterRows(
      parseCsv(
        'university_code,name,role,title\n4144000001,张三,书记,\n4144000001,张 三,leader,\n4144000002,张三,校长,\n4144000002,李四,主任,\n',
      ),
    );
    expect(v.rows.map((r) => [r.universityCode, r.name, r.role, r.title])).toEqual([
      ['4144000001', '张三', 'secretary', null],
      ['4144000002', '张三', 'president', null],
    ]);
    expect(v.errors.map((e) => e.line)).toEqual([3, 5]);
  });

  it('from the API: the same checks, by index', () => {
    const v = validateRoster([
      { name: '张三', role: 'secretary' },
      { name: '', role: 'leader' },
      { name: '张三', role: 'leader', title: '副校长' },
    ]);
    expect(v.leaders).toHaveLength(1);
    expect(v.errors.map((e) => e.index)).toEqual([1, 2]);
  });
});

describe('team figures', () => {
  it('coverage is the roster share with a visit; names off the roster are flagged, not counted', () => {
    const t = teamFigures([
      person('甲', true, 2),
      person('乙', true, 0),
      person('丙', true, 0),
      person('丁', false, 3),
    ]);
    expect(t).toMatchObject({ rosterSize: 3, withVisits: 1, coverage: 0.333333, coverageLow: true });
    expect(t.withoutVisits.map((w) => w.name)).toEqual(['乙', '丙']);
    expect(t.unknownNames).toEqual(['丁']);
  });

  it('without a roster there is no coverage and nothing is flagged', () => {
    expect(teamFigures([person('甲', null, 2)])).toMatchObject({ rosterSize: 0, coverage: null, coverageLow: false });
  });

  it('low coverage lists the lowest first; half is not low', () => {
    const low = lowCoverage([
      { universityCode: 'b', rosterSize: 4, withVisits: 1, withoutVisits: [] },
      { universityCode: 'a', rosterSize: 2, withVisits: 1, withoutVisits: [] },
      { universityCode: 'c', rosterSize: 3, withVisits: 0, withoutVisits: [] },
    ]);
    expect(low.map((t) => [t.universityCode, t.coverage])).toEqual([
      ['c', 0],
      ['b', 0.25],
    ]);
  });
});

describe('plan filings', () => {
  it('filed, late after the deadline, missing when not filed by the cut-off', () => {
    expect(filingState('2022-03-18', '2022-03-18', '2022-04-01')).toBe('filed');
    expect(filingState('2022-03-19', '2022-03-18', '2022-04-01')).toBe('late');
    expect(filingState('2022-04-02', '2022-03-18', '2022-04-01')).toBe('missing');
    expect(filingState(null, '2022-03-18', '2022-04-01')).toBe('missing');
    expect(filingState('2022-05-01', null, '2022-06-01')).toBe('filed');
  });

  it("the notices' block: late and missing by name in a province, counted nationally", () => {
    const input = {
      asOf: '2022-04-10',
      planDeadline: '2022-03-18',
      plans: [
        { universityCode: '1', universityName: '甲大学', provinceCode: '440000', filedOn: '2022-03-10' },
        { universityCode: '2', universityName: '乙<学院>', provinceCode: '440000', filedOn: '2022-03-25' },
        { universityCode: '3', universityName: '丙大学', provinceCode: '110000', filedOn: null },
      ],
      teams: [{ universityCode: '1', rosterSize: 3, withVisits: 1, withoutVisits: ['乙', '丙'] }],
    };
    const gd = provincePeople({ ...input, plans: input.plans.slice(0, 2) });
    expect(gd.plansLate).toEqual([{ universityCode: '2', universityName: '乙<学院>', filedOn: '2022-03-25' }]);
    const [plans, team] = peopleSections(gd, (s) => s.replace(/</g, '&lt;'));
    expect(plans!.lines.join('')).toContain('逾期报送的高校（1所）：乙&lt;学院>（2022年3月25日报送）');
    expect(team!.lines.join('')).toContain('甲大学（1/3，尚未走访：乙、丙）');
    const cn = nationalPeople(
      input,
      new Map([
        ['440000', '广东省'],
        ['110000', '北京市'],
      ]),
    );
    expect(cn).toMatchObject({ plansFiled: 2, plansLate: 1, plansMissing: 1, lowCoverage: 1 });
    expect(cn.byProvince.map((p) => [p.provinceName, p.plansLate, p.plansMissing, p.lowCoverage])).toEqual([
      ['北京市', 0, 1, 0],
      ['广东省', 1, 0, 1],
    ]);
    expect(peopleSections(undefined)).toEqual([]);
  });
});
