// Valid notice inputs with overridable defaults: ranking rows, snapshots, totals, plans; and visit rows for the store.
import type {
  CampaignTotals,
  ProvinceRankRow,
  ProvinceRanking,
  UniversityRankRow,
  UniversityRanking,
} from '../../shared/domain/ranking.types.ts';
import type { NoticeCampaign, PlanFiling } from '../../shared/domain/notices/notice-content.ts';

export const CAMPAIGN: NoticeCampaign = {
  id: '2022',
  name: '2022年访企拓岗促就业专项行动',
  startDate: '2022-03-01',
  endDate: '2022-08-31',
};

export function universityRow(overrides: Partial<UniversityRankRow> = {}): UniversityRankRow {
  return {
    rank: 1,
    universityCode: '4144010001',
    universityName: '广东测试大学',
    provinceCode: '440000',
    completion: 0.5,
    employersVisited: 50,
    principalEmployers: 40,
    newEmployers: 10,
    positions: 500,
    onsiteShare: 0.8,
    behind: false,
    targets: { principal: 100, new: null },
    rankChange: 0,
    ...overrides,
  };
}

export function provinceRow(overrides: Partial<ProvinceRankRow> = {}): ProvinceRankRow {
  return {
    rank: 1,
    provinceCode: '440000',
    provinceName: '广东省',
    universities: 3,
    meetingTargets: 1,
    shareMeeting: 1 / 3,
    meanCompletion: 0.6,
    positions: 1500,
    rankChange: 1,
    ...overrides,
  };
}

export function totals(overrides: Partial<CampaignTotals> = {}): CampaignTotals {
  return {
    visits: 1234,
    employers: 987,
    newEmployers: 321,
    positions: 45678,
    internshipBases: 56,
    graduatesTracked: 789,
    universitiesWithVisits: 3,
    ...overrides,
  };
}

/** Three Guangdong universities (met, on track, behind with low on-site share) and one in Beijing. */
export function sampleRankings(asOf = '2022-04-10'): {
  national: UniversityRanking;
  guangdong: UniversityRanking;
  provinces: ProvinceRanking;
} {
  const gd = [
    universityRow({
      rank: 1,
      universityCode: '4144010001',
      universityName: '华南示范大学',
      completion: 1,
      employersVisited: 130,
      principalEmployers: 110,
      newEmployers: 105,
      positions: 2400,
      rankChange: 2,
      targets: { principal: 100, new: 100 },
    }),
    universityRow({
      rank: 2,
      universityCode: '4144010002',
      universityName: '岭南职业技术学院',
      completion: 0.3,
      employersVisited: 30,
      principalEmployers: 30,
      positions: 300,
      rankChange: -1,
    }),
    universityRow({
      rank: 3,
      universityCode: '4144010003',
      universityName: '珠江新建学院',
      completion: 0.05,
      employersVisited: 5,
      principalEmployers: 5,
      positions: 20,
      behind: true,
      onsiteShare: 0.2,
      rankChange: null,
    }),
  ];
  const bj = universityRow({
    rank: 1,
    universityCode: '4111010001',
    universityName: '北京测试大学',
    provinceCode: '110000',
    completion: 0.2,
    employersVisited: 20,
    principalEmployers: 0,
    behind: true,
    targets: { principal: null, new: null },
    onsiteShare: 0.1,
  });
  const national: UniversityRanking = {
    campaignId: '2022',
    asOf,
    scope: 'national',
    rows: [gd[0]!, { ...gd[1]!, rank: 2 }, { ...bj, rank: 3 }, { ...gd[2]!, rank: 4 }],
  };
  return {
    national,
    guangdong: { campaignId: '2022', asOf, scope: 'province:440000', rows: gd },
    provinces: {
      campaignId: '2022',
      asOf,
      scope: 'provinces',
      rows: [
        provinceRow(),
        provinceRow({
          rank: 2,
          provinceCode: '110000',
          provinceName: '北京市',
          universities: 1,
          meetingTargets: 0,
          shareMeeting: 0,
          meanCompletion: 0.2,
          positions: 500,
          rankChange: -1,
        }),
      ],
    },
  };
}

export function plans(filed: Record<string, string | null> = { '440000': '2022-03-15', '110000': null }): PlanFiling[] {
  const names: Record<string, string> = { '440000': '广东省', '110000': '北京市' };
  return Object.entries(filed).map(([provinceCode, filedOn]) => ({
    provinceCode,
    provinceName: names[provinceCode] ?? provinceCode,
    filedOn,
  }));
}
