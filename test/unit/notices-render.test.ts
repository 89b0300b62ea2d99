import { describe, expect, it } from 'vitest';
import { buildNationalNotice, buildProvinceNotice } from '../../shared/domain/notices/notice-content.ts';
import { chartDataUri, CHART_CID, htmlWithChart, renderHtml } from '../../shared/domain/notices/render-html.ts';
import { nationalPeople, provincePeople } from '../../shared/domain/notices/people-section.ts';
import {
  DINGTALK_MAX_BYTES,
  renderMarkdown,
  ROBOT_PEOPLE_NAMES,
  WECOM_MAX_BYTES,
} from '../../shared/domain/notices/render-markdown.ts';
import { renderText } from '../../shared/domain/notices/render-text.ts';
import { CAMPAIGN, plans, provinceRow, sampleRankings, totals, universityRow } from '../helpers/notices-factories.ts';

function models() {
  const s = sampleRankings();
  const national = buildNationalNotice({
    campaign: CAMPAIGN,
    period: '2022-W14',
    national: s.national,
    provinces: s.provinces,
    totals: totals(),
    plans: plans(),
  });
  const province = buildProvinceNotice({
    campaign: CAMPAIGN,
    period: '2022-W14',
    provinceCode: '440000',
    provinceName: '广东省',
    ranking: s.guangdong,
    provinces: s.provinces,
    totals: totals(),
    planFiledOn: '2022-03-15',
  });
  return { national, province };
}

/** A province of n universities with long names, to push the robots' limits. */
function bigProvince(n: number) {
  const rows = Array.from({ length: n }, (_, i) =>
    universityRow({
      rank: i + 1,
      universityCode: String(4144010000 + i),
      universityName: `广东省某某某某某某职业技术学院第${i + 1}分院`,
      behind: i % 2 === 0,
      completion: 1 - i / n,
    }),
  );
  return buildProvinceNotice({
    campaign: CAMPAIGN,
    period: '2022-W14',
    provinceCode: '440000',
    provinceName: '广东省',
    ranking: { campaignId: '2022', asOf: '2022-04-10', scope: 'province:440000', rows },
    totals: totals(),
    planFiledOn: null,
  });
}

describe('HTML e-mail', () => {
  it('is table layout with inline styles only: no classes, no style blocks, no script', () => {
    const { national, province } = models();
    for (const html of [renderHtml(national), renderHtml(province)]) {
      expect(html).not.toMatch(/class=/i);
      expect(html).not.toMatch(/<style/i);
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain(`src="cid:${CHART_CID}"`);
      expect(html).toMatch(/<table role="presentation"/);
    }
  });

  it('national: totals, the province ranking with change, provinces without a plan, and the behind list', () => {
    const html = renderHtml(models().national);
    expect(html).toContain('关于全国高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）');
    expect(html).toContain('截至2022年4月10日');
    expect(html).toContain('45,678'); // positions
    expect(html).toMatch(/广东省<\/td>/);
    expect(html).toContain('↑1');
    expect(html).toContain('以下<span style="color:#c62828;font-weight:bold;">1</span>个省份尚未报送实施方案：北京市');
    expect(html).toContain('珠江新建学院');
  });

  it('points the chart at a file or a data: URI outside a mail', () => {
    const html = renderHtml(models().province);
    expect(htmlWithChart(html, 'notice-7.png')).toContain('src="notice-7.png"');
    expect(htmlWithChart(html, 'notice-7.png')).not.toContain('cid:');
    expect(htmlWithChart(html, chartDataUri(Buffer.from([1, 2, 3])))).toContain('src="data:image/png;base64,AQID"');
  });

  it('escapes names so a university name cannot inject markup', () => {
    const s = sampleRankings();
    s.guangdong.rows[0] = { ...s.guangdong.rows[0]!, universityName: '<img src=x onerror=alert(1)>大学' };
    const m = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking: s.guangdong,
      totals: totals(),
      planFiledOn: null,
    });
    const html = renderHtml(m);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;大学');
  });

  it('province: every university with status, and the on-site flag in red', () => {
    const html = renderHtml(models().province);
    for (const name of ['华南示范大学', '岭南职业技术学院', '珠江新建学院']) expect(html).toContain(name);
    expect(html).toMatch(/color:#c62828;font-weight:bold;">20\.0%<\/td>/);
    expect(html).toContain('实施方案已于2022年3月15日报送');
  });

  it("keeps the largest province (160 universities) under Gmail's 102 KB clipping limit", () => {
    const html = renderHtml(bigProvince(160));
    expect(html).toContain('第160分院');
    expect(Buffer.byteLength(html)).toBeLessThan(102 * 1024);
  });

  it('cuts a long list and says where the full one is', () => {
    const s = sampleRankings();
    const rows = Array.from({ length: 12 }, (_, i) =>
      universityRow({
        rank: i + 1,
        universityCode: String(4144010100 + i),
        universityName: `落后学院${i + 1}`,
        completion: 0.5 - i / 100,
        behind: true,
      }),
    );
    const m = buildNationalNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      national: { ...s.national, rows },
      provinces: { ...s.provinces, rows: [provinceRow()] },
      totals: totals(),
      plans: [],
    });
    const html = renderHtml(m, { maxListRows: 5 }).split('五、典型')[0]!;
    // the five worst: the last five of the ranking
    expect(html).toContain('落后学院8<');
    expect(html).toContain('落后学院12<');
    expect(html).not.toContain('落后学院7<');
    expect(html).toContain('按完成度由低到高列出5所，共12所，完整名单见附件');
  });
});

describe('plain text', () => {
  it('holds the same figures as the HTML', () => {
    const { national, province } = models();
    const t = renderText(national);
    expect(t.split('\n')[0]).toBe(national.subject);
    expect(t).toContain('提供岗位数：45,678');
    expect(t).toContain('1｜↑1｜广东省｜3｜1｜33.3%｜60.0%｜1,500');
    expect(t).toContain('尚未报送实施方案的省份（1个）：北京市');
    const p = renderText(province);
    expect(p).toContain('3｜新进｜珠江新建学院｜5.0%｜5｜5｜10｜20｜20.0%｜落后');
    expect(p).toContain('珠江新建学院（20.0%）');
  });
});

describe('Markdown', () => {
  it('archive flavour has GFM tables', () => {
    const md = renderMarkdown(models().province);
    expect(md.startsWith('# 关于广东省')).toBe(true);
    expect(md).toContain('| 1 | ↑2 | 华南示范大学 | 100.0% |');
  });

  it('robot flavour has no tables and stays within the WeCom and DingTalk limits, cutting at a line with a note', () => {
    const m = bigProvince(400);
    const wecom = renderMarkdown(m, { flavor: 'robot', maxBytes: WECOM_MAX_BYTES });
    expect(Buffer.byteLength(wecom)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(wecom).not.toContain('|---');
    expect(wecom).toContain('完整通报见邮件或通报归档');
    expect(wecom.endsWith('> 数据截至2022年4月10日')).toBe(true);
    const ding = renderMarkdown(m, { flavor: 'robot', maxBytes: DINGTALK_MAX_BYTES });
    expect(Buffer.byteLength(ding)).toBeLessThanOrEqual(DINGTALK_MAX_BYTES);
    expect(Buffer.byteLength(ding)).toBeGreaterThan(WECOM_MAX_BYTES);
    // Short notices are not cut.
    const small = renderMarkdown(models().province, { flavor: 'robot', maxBytes: WECOM_MAX_BYTES });
    expect(small).not.toContain('完整通报见邮件');
    expect(small).toContain('**进度落后**：珠江新建学院');
  });
});

describe('robot messages carry the people block', () => {
  /** A province of 160 universities, 120 behind, most without a plan and many teams short of leaders on visits. */
  function crowded() {
    const m = bigProvince(160);
    const unis = m.ranking.map((r) => ({
      universityCode: r.universityCode,
      universityName: r.universityName,
      provinceCode: '440000',
    }));
    m.behind = m.ranking.slice(40).map((r) => ({ ...r, behind: true }));
    m.people = provincePeople({
      asOf: '2022-04-10',
      planDeadline: '2022-03-15',
      plans: unis.map((u, i) => ({ ...u, filedOn: i % 4 === 0 ? '2022-03-10' : i % 4 === 1 ? '2022-03-20' : null })),
      teams: unis.slice(0, 90).map((u, i) => ({
        universityCode: u.universityCode,
        rosterSize: 8,
        withVisits: i % 3,
        withoutVisits: Array.from({ length: 8 - (i % 3) }, (_, j) => `校领导${i}-${j}`),
      })),
    });
    return m;
  }

  it('within the WeCom and DingTalk limits, with its counts and the first names of each list', () => {
    const m = crowded();
    const missing = m.people!.kind === 'province' ? m.people!.plansMissing : [];
    expect(missing).toHaveLength(80);
    for (const max of [WECOM_MAX_BYTES, DINGTALK_MAX_BYTES]) {
      const robot = renderMarkdown(m, { flavor: 'robot', maxBytes: max });
      expect(Buffer.byteLength(robot)).toBeLessThanOrEqual(max);
      expect(robot).toContain('**附一、高校实施方案报送情况**');
      expect(robot).toContain('**附二、任务到人：校领导班子参加走访情况**');
      expect(robot).toContain('本地区160所高校中，80所已报送实施方案，80所尚未报送。');
      const shown = missing.slice(0, ROBOT_PEOPLE_NAMES).map((u) => u.universityName);
      expect(robot).toContain(`尚未报送的高校（80所）：${shown.join('、')}等80所。`);
      expect(robot).toContain('参加走访的校领导不足');
      // the behind list is the worst ones, counted
      expect(robot).toMatch(/\*\*进度落后\*\*：[^\n]*等120所/);
      expect(robot.endsWith('> 数据截至2022年4月10日')).toBe(true);
    }
    // the mail keeps every name
    expect(renderText(m)).toContain(missing.at(-1)!.universityName);
  });

  it('national: the counts per province', () => {
    const { national } = models();
    national.people = nationalPeople(
      {
        asOf: '2022-04-10',
        planDeadline: null,
        plans: [
          { universityCode: '4144010001', universityName: '华南示范大学', provinceCode: '440000', filedOn: null },
          { universityCode: '4111010001', universityName: '北京测试大学', provinceCode: '110000', filedOn: null },
        ],
        teams: [],
      },
      new Map([
        ['440000', '广东省'],
        ['110000', '北京市'],
      ]),
    );
    const robot = renderMarkdown(national, { flavor: 'robot', maxBytes: WECOM_MAX_BYTES });
    expect(robot).toContain('- 全国2所高校中，0所已报送实施方案，其中逾期报送0所；2所尚未报送。');
    expect(robot).toContain('- 各省份（逾期/未报送）：北京市0/1所、广东省0/1所。');
    expect(robot.indexOf('附一、')).toBeLessThan(robot.indexOf('**各省份排名**'));
  });
});
