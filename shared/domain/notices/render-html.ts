// The notice as an HTML e-mail. Mail clients (Outlook's Word engine, Gmail, QQ mail) drop <style> blocks, classes
// and scripts, so the layout is nested tables with inline styles only, fixed widths, and the chart as a CID image.
import type { ProvinceRankRow, UniversityRankRow } from '../ranking.types.ts';
import { dateZh, escapeHtml as e, int, NOTICE_LIST_ROWS, pct, rankChangeZh } from './format.ts';
import {
  behindListed,
  behindRuleZh,
  chartSeries,
  onsiteFlagged,
  planStatusZh,
  plansLateZh,
  shareZh,
  statusZh,
  targetsZh,
  type NationalNotice,
  type NoticeModel,
  type ProvinceNotice,
  type UniversityLine,
} from './notice-content.ts';
import { outreachBlock } from './outreach-block.ts';
import { peopleSections } from './people-section.ts';
import { modelCasesBlock } from './model-cases.ts';
import { summaryBlock } from './summary-block.ts';

/** Content-ID of the chart image attached inline to the mail. */
export const CHART_CID = 'progress-chart@ledger';

export interface HtmlOptions {
  /** Image source of the chart: `cid:…` in mail (default), a URL or data: URI in the archive. */
  chartSrc?: string;
  /** Longest list printed in full; longer ones are cut with a note pointing to the attachment. */
  maxListRows?: number;
}

const FONT = "font-family:'Microsoft YaHei','PingFang SC','Hiragino Sans GB',SimSun,Arial,sans-serif;";
// Body cells carry no style of their own (borders and padding come from the table's border/cellpadding attributes,
// which every client honours): a province's ranking has ~160 rows and Gmail clips a message over 102 KB.
const HEAD = `${FONT}font-size:13px;color:#ffffff;background-color:#1f4e79;border:1px solid #1f4e79;padding:5px 6px;font-weight:bold;`;
const P = `${FONT}font-size:14px;color:#222222;line-height:1.7;margin:0 0 10px 0;`;
const H2 = `${FONT}font-size:16px;color:#1f4e79;font-weight:bold;margin:18px 0 8px 0;`;
const RED = 'color:#c62828;font-weight:bold;';
const GREEN = 'color:#2e7d32;font-weight:bold;';

type Cell = string | { html: string; align?: 'left' | 'right' | 'center'; style?: string };

function table(headers: string[], rows: Cell[][], aligns: Array<'left' | 'right' | 'center'> = []): string {
  const th = headers.map((h, i) => `<th align="${aligns[i] ?? 'left'}" style="${HEAD}">${e(h)}</th>`).join('');
  const body = rows
    .map((row, ri) => {
      const tds = row
        .map((c, i) => {
          const cell = typeof c === 'string' ? { html: e(c) } : c;
          const align = cell.align ?? aligns[i] ?? 'left';
          return `<td${align === 'left' ? '' : ` align="${align}"`}${cell.style ? ` style="${cell.style}"` : ''}>${cell.html}</td>`;
        })
        .join('');
      return `<tr bgcolor="${ri % 2 === 1 ? '#f5f8fb' : '#ffffff'}">${tds}</tr>`;
    })
    .join('\n');
  return `<table width="100%" cellpadding="4" cellspacing="0" border="1" bordercolor="#d0d7de" style="${FONT}font-size:13px;color:#222222;border-collapse:collapse;border:1px solid #d0d7de;margin:0 0 12px 0;"><tr>${th}</tr>\n${body}</table>`;
}

const para = (html: string) => `<p style="${P}">${html}</p>`;
const h2 = (text: string) => `<h2 style="${H2}">${e(text)}</h2>`;
const num = (v: number): Cell => ({ html: e(int(v)), align: 'right' });
const percent = (v: number | null, style = ''): Cell => ({ html: e(pct(v)), align: 'right', style });
const change = (v: number | null | undefined): Cell => ({
  html: e(rankChangeZh(v)),
  align: 'center',
  style: v !== null && v !== undefined ? (v > 0 ? GREEN : v < 0 ? RED : '') : '',
});

function totalsTable(m: NoticeModel): string {
  const t = m.totals;
  const rows: Cell[][] = [
    ['开展走访的高校', { html: `${e(int(t.universitiesWithVisits))} / ${e(int(m.universities))} 所`, align: 'right' }],
    ['走访次数', num(t.visits)],
    ['走访用人单位（去重）', num(t.employers)],
    ['新开拓用人单位', num(t.newEmployers)],
    ['提供岗位数', num(t.positions)],
    ['建立实习实践基地', num(t.internshipBases)],
    ['跟踪毕业生', num(t.graduatesTracked)],
    ['时间进度', percent(m.expectedProgress)],
  ];
  return table(['指标', '累计'], rows, ['left', 'right']);
}

function chart(m: NoticeModel, src: string): string {
  const s = chartSeries(m);
  const alt = `${s.label}：${s.values.length}项，时间进度${pct(s.expected)}`;
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 6px 0;"><tr><td align="center">` +
    `<img src="${e(src)}" width="640" alt="${e(alt)}" style="display:block;width:100%;max-width:640px;height:auto;border:0;" />` +
    `</td></tr></table>` +
    para(
      `<span style="font-size:12px;color:#666666;">图：${e(s.label)}。柱高为完成度（0–100%），绿色为已达标，蓝色为不低于时间进度，橙色为低于时间进度；红色虚线为时间进度${e(pct(s.expected))}。</span>`,
    )
  );
}

function provinceRows(rows: ProvinceRankRow[]): Cell[][] {
  return rows.map((p) => [
    { html: String(p.rank), align: 'center' },
    change(p.rankChange),
    p.provinceName,
    num(p.universities),
    num(p.meetingTargets),
    percent(p.shareMeeting),
    percent(p.meanCompletion),
    num(p.positions),
  ]);
}
const PROVINCE_HEADERS = ['排名', '变化', '省份', '高校数', '达标高校', '达标比例', '平均完成度', '岗位数'];
const PROVINCE_ALIGNS: Array<'left' | 'right' | 'center'> = [
  'center',
  'center',
  'left',
  'right',
  'right',
  'right',
  'right',
  'right',
];

function universityLines(rows: UniversityLine[], withProvince: boolean): Cell[][] {
  return rows.map((r) => [
    { html: String(r.rank), align: 'center' },
    ...(withProvince ? [r.provinceName] : []),
    r.universityName,
    percent(r.completion),
    num(r.employersVisited),
    num(r.positions),
  ]);
}

function nationalBody(m: NationalNotice, o: Required<HtmlOptions>): string {
  const parts: string[] = [];
  parts.push(
    para(
      `截至${e(m.asOfText)}（${e(m.periodLabel)}），全国${e(int(m.totals.universitiesWithVisits))}所高校的校领导累计走访用人单位${e(int(m.totals.visits))}次，` +
        `涉及用人单位${e(int(m.totals.employers))}家（其中新开拓${e(int(m.totals.newEmployers))}家），提供岗位${e(int(m.totals.positions))}个。现将进展情况通报如下。`,
    ),
  );
  parts.push(h2('一、总体进展'), totalsTable(m), chart(m, o.chartSrc));
  parts.push(h2('二、各省份进展排名'), table(PROVINCE_HEADERS, provinceRows(m.provinces), PROVINCE_ALIGNS));
  parts.push(h2('三、实施方案报送情况'));
  if (m.planDeadline) parts.push(para(`实施方案报送期限为${e(dateZh(m.planDeadline))}。`));
  parts.push(
    m.plansMissing.length === 0
      ? para('各省份均已报送实施方案。')
      : para(
          `截至${e(m.asOfText)}，以下<span style="${RED}">${m.plansMissing.length}</span>个省份尚未报送实施方案：${m.plansMissing.map((p) => e(p.provinceName)).join('、')}。`,
        ),
  );
  if (m.plansLate.length) parts.push(para(`<span style="${RED}">${plansLateZh(m, e)}。</span>`));
  parts.push(h2('四、进度落后高校'));
  if (m.behind.length === 0) parts.push(para('暂无进度落后高校。'));
  else {
    parts.push(
      para(`全国共有<span style="${RED}">${e(int(m.behind.length))}</span>所高校${e(behindRuleZh(m))}，分布如下：`),
    );
    parts.push(
      table(
        ['省份', '落后高校数', '高校总数'],
        m.behindByProvince.map((b) => [b.provinceName, num(b.behind), num(b.universities)]),
        ['left', 'right', 'right'],
      ),
    );
    const { shown, noteZh } = behindListed(m, o.maxListRows);
    parts.push(
      table(['全国排名', '省份', '高校', '完成度', '走访单位', '岗位数'], universityLines(shown, true), [
        'center',
        'left',
        'left',
        'right',
        'right',
        'right',
      ]),
      noteZh ? para(e(noteZh)) : '',
    );
  }
  parts.push(h2('五、典型'));
  if (m.examples.provinces.length) {
    parts.push(
      para(
        `进展靠前的省份：${m.examples.provinces.map((p) => `${e(p.provinceName)}（达标比例${e(pct(p.shareMeeting))}，平均完成度${e(pct(p.meanCompletion))}）`).join('；')}。`,
      ),
    );
  }
  if (m.examples.universities.length) {
    parts.push(para('全国进展靠前的高校：'));
    parts.push(
      table(
        ['全国排名', '省份', '高校', '完成度', '走访单位', '岗位数'],
        universityLines(m.examples.universities, true),
        ['center', 'left', 'left', 'right', 'right', 'right'],
      ),
    );
  }
  if (m.examples.provinceLeaders.length) {
    parts.push(
      para(
        `各省份排名第一的高校：${m.examples.provinceLeaders.map((r) => `${e(r.provinceName)}${e(r.universityName)}（${e(pct(r.completion))}）`).join('；')}。`,
      ),
    );
  }
  if (!m.examples.provinces.length && !m.examples.universities.length) parts.push(para('暂无。'));
  return parts.join('\n');
}

function universityRows(rows: UniversityRankRow[], onsiteShareFlag: number): Cell[][] {
  return rows.map((r) => {
    const lowOnsite = onsiteFlagged(r, onsiteShareFlag);
    const status = statusZh(r);
    return [
      { html: String(r.rank), align: 'center' },
      change(r.rankChange),
      r.universityName,
      percent(r.completion),
      num(r.employersVisited),
      num(r.principalEmployers),
      num(r.newEmployers),
      num(r.positions),
      percent(r.onsiteShare, lowOnsite ? RED : ''),
      { html: e(status), align: 'center', style: status === '落后' ? RED : status === '达标' ? GREEN : '' },
    ];
  });
}

function names(rows: UniversityRankRow[], empty: string): string {
  return rows.length ? rows.map((r) => e(r.universityName)).join('、') + '。' : empty;
}

function provinceBody(m: ProvinceNotice, o: Required<HtmlOptions>): string {
  const parts: string[] = [];
  const rank = m.provinceRank
    ? `，在全国省份排名中列第${m.provinceRank.rank}位（${e(rankChangeZh(m.provinceRank.rankChange))}）`
    : '';
  parts.push(
    para(
      `截至${e(m.asOfText)}（${e(m.periodLabel)}），${e(m.provinceName)}${e(int(m.totals.universitiesWithVisits))}所高校的校领导累计走访用人单位${e(int(m.totals.visits))}次，` +
        `涉及用人单位${e(int(m.totals.employers))}家（其中新开拓${e(int(m.totals.newEmployers))}家），提供岗位${e(int(m.totals.positions))}个；` +
        `${e(int(m.meeting.length))}所高校已达标，${e(int(m.behind.length))}所进度落后${rank}。` +
        (m.planFiledOn && !m.planLate
          ? `${e(planStatusZh(m))}。`
          : `<span style="${RED}">${e(planStatusZh(m))}。</span>`) +
        '现将进展情况通报如下。',
    ),
  );
  parts.push(h2('一、总体进展'), totalsTable(m), chart(m, o.chartSrc));
  parts.push(h2('二、各高校进展排名'));
  parts.push(
    table(
      ['排名', '变化', '高校', '完成度', '走访单位', '正职走访', '新拓单位', '岗位数', '实地占比', '状态'],
      universityRows(m.ranking, m.onsiteShareFlag),
      ['center', 'center', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'center'],
    ),
  );
  parts.push(
    para(
      `<span style="font-size:12px;color:#666666;">目标：${[...new Set(m.ranking.map(targetsZh))].map(e).join('；') || '—'}。完成度为各项适用目标完成比例的平均值；${e(behindRuleZh(m))}为进度落后。</span>`,
    ),
  );
  parts.push(h2('三、已达标高校'), para(names(m.meeting, '暂无已达标高校。')));
  parts.push(h2('四、进度落后高校'), para(names(m.behind, '暂无进度落后高校。')));
  parts.push(h2(`五、实地走访占比低于${shareZh(m.onsiteShareFlag)}的高校`));
  const flag = e(shareZh(m.onsiteShareFlag));
  parts.push(
    m.onsiteFlagged.length
      ? para(
          `以下承担正职走访目标的高校实地走访占比低于${flag}，请坚持实地走访为主：${m.onsiteFlagged.map((r) => `${e(r.universityName)}（${e(pct(r.onsiteShare))}）`).join('、')}。`,
        )
      : para(`承担正职走访目标的高校实地走访占比均不低于${flag}。`),
  );
  return parts.join('\n');
}

/** A separately titled block after the numbered sections, or nothing. */
function blockHtml(block: { title: string; lines: string[] } | null): string {
  return block ? [h2(`附：${block.title}`), ...block.lines.map((l) => para(e(l)))].join('\n') : '';
}

export function renderHtml(model: NoticeModel, options: HtmlOptions = {}): string {
  const o: Required<HtmlOptions> = {
    chartSrc: options.chartSrc ?? `cid:${CHART_CID}`,
    maxListRows: options.maxListRows ?? NOTICE_LIST_ROWS,
  };
  const body = model.kind === 'national' ? nationalBody(model, o) : provinceBody(model, o);
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(model.subject)}</title></head>
<body style="margin:0;padding:0;background-color:#f0f2f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f0f2f5;"><tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="720" cellpadding="0" cellspacing="0" border="0" style="width:720px;max-width:100%;background-color:#ffffff;border:1px solid #d0d7de;">
<tr><td style="padding:20px 24px 8px 24px;"><h1 style="${FONT}font-size:20px;line-height:1.5;color:#b71c1c;font-weight:bold;text-align:center;margin:0 0 12px 0;">${e(model.subject)}</h1></td></tr>
<tr><td style="padding:0 24px 20px 24px;">
${body}
${blockHtml(outreachBlock(model))}
${peopleSections(model.people, e)
  .map((s) => [h2(s.title), ...s.lines.map(para)].join('\n'))
  .join('\n')}
${blockHtml(modelCasesBlock(model))}
${blockHtml(summaryBlock(model))}
${para(`<span style="font-size:12px;color:#666666;">本通报由访企拓岗促就业专项行动电子台账根据截至${e(model.asOfText)}已处理的走访记录自动生成；走访记录明细见附件《电子台账》。</span>`)}
</td></tr></table>
</td></tr></table>
</body></html>
`;
}

/**
 * The stored mail HTML with the chart's `cid:` reference replaced: by a file name beside the HTML, or by a `data:`
 * URI (archive API), since outside a mail there is no CID part to point at.
 */
export function htmlWithChart(html: string, chartSrc: string): string {
  return html.replace(`src="cid:${CHART_CID}"`, `src="${escapeHtmlAttr(chartSrc)}"`);
}

export function chartDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function escapeHtmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}
