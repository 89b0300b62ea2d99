import { describe, expect, it } from 'vitest';
import { dateZh, periodZh, rankChangeZh } from '../../shared/domain/notices/format.ts';
import {
  buildNationalNotice,
  buildProvinceNotice,
  expectedProgress,
  noticeSubject,
} from '../../shared/domain/notices/notice-content.ts';
import { CAMPAIGN, plans, sampleRankings, totals } from '../helpers/notices-factories.ts';

describe('notice content', () => {
  it('writes dates, periods and subjects as Chinese notices do', () => {
    expect(dateZh('2022-04-30')).toBe('2022年4月30日');
    expect(periodZh('2022-W14')).toBe('2022年第14周');
    expect(periodZh('2022-04')).toBe('2022年4月');
    expect(noticeSubject('全国', '2022-W14')).toBe(
      '关于全国高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）',
    );
    expect(rankChangeZh(2)).toBe('↑2');
    expect(rankChangeZh(-3)).toBe('↓3');
    expect(rankChangeZh(0)).toBe('持平');
    expect(rankChangeZh(null)).toBe('新进');
  });

  it('computes time progress with both ends included, 0 before the start and 1 after the end', () => {
    expect(expectedProgress('2022-03-01', '2022-03-10', '2022-03-01')).toBeCloseTo(0.1);
    expect(expectedProgress('2022-03-01', '2022-03-10', '2022-03-05')).toBeCloseTo(0.5);
    expect(expectedProgress('2022-03-01', '2022-03-10', '2022-02-28')).toBe(0);
    expect(expectedProgress('2022-03-01', '2022-03-10', '2022-03-10')).toBe(1);
    expect(expectedProgress('2022-03-01', '2022-03-10', '2022-05-01')).toBe(1);
  });

  it('national notice: province ranking, missing plans, behind per province, and the top of each ranking', () => {
    const s = sampleRankings();
    const m = buildNationalNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      national: s.national,
      provinces: s.provinces,
      totals: totals(),
      plans: plans(),
    });
    expect(m.subject).toBe('关于全国高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）');
    expect(m.asOfText).toBe('2022年4月10日');
    expect(m.provinces.map((p) => p.provinceName)).toEqual(['广东省', '北京市']);
    expect(m.plansMissing).toEqual([{ provinceCode: '110000', provinceName: '北京市' }]);
    // worst first: 5 % before 20 %
    expect(m.behind.map((r) => r.universityName)).toEqual(['珠江新建学院', '北京测试大学']);
    expect(m.behind[1]!.provinceName).toBe('北京市');
    expect(m.behindByProvince).toEqual([
      { provinceCode: '110000', provinceName: '北京市', behind: 1, universities: 1 },
      { provinceCode: '440000', provinceName: '广东省', behind: 1, universities: 3 },
    ]);
    expect(m.examples.universities[0]!.universityName).toBe('华南示范大学');
    expect(m.examples.provinceLeaders.map((r) => r.universityName)).toEqual(['华南示范大学', '北京测试大学']);
    expect(m.universities).toBe(4);
  });

  it('counts a plan filed after the cut-off as not filed', () => {
    const s = sampleRankings('2022-03-10');
    const m = buildNationalNotice({
      campaign: CAMPAIGN,
      period: '2022-W10',
      national: s.national,
      provinces: s.provinces,
      totals: totals(),
      plans: plans({ '440000': '2022-03-15', '110000': '2022-03-01' }),
    });
    expect(m.plansMissing.map((p) => p.provinceCode)).toEqual(['440000']);
  });

  it('province notice: who meets targets, who is behind, and low on-site share only for universities under the principal target', () => {
    const s = sampleRankings();
    const m = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-04',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking: s.guangdong,
      provinces: s.provinces,
      totals: totals(),
      planFiledOn: '2022-03-15',
    });
    expect(m.subject).toBe('关于广东省高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年4月）');
    expect(m.scope).toBe('province:440000');
    expect(m.meeting.map((r) => r.universityCode)).toEqual(['4144010001']);
    expect(m.behind.map((r) => r.universityCode)).toEqual(['4144010003']);
    expect(m.onsiteFlagged.map((r) => r.universityCode)).toEqual(['4144010003']);
    expect(m.provinceRank?.rank).toBe(1);
    expect(m.planFiledOn).toBe('2022-03-15');
    // Beijing's university has a low on-site share but no principal target: not flagged.
    const bj = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-04',
      provinceCode: '110000',
      provinceName: '北京市',
      ranking: {
        ...s.national,
        scope: 'province:110000',
        rows: s.national.rows.filter((r) => r.provinceCode === '110000'),
      },
      totals: totals(),
      planFiledOn: null,
    });
    expect(bj.onsiteFlagged).toEqual([]);
    expect(bj.provinceRank).toBeNull();
  });
});
