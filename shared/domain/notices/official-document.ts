// The notice as an official document (公文, GB/T 9704-2012): 发文机关标志, 发文字号, title, body (headings,
// paragraphs, tables, charts), 发文机关署名 and 成文日期, and 版记 (抄送, 印发). Built once from the notice's model and
// its issuer (configured per scope: NOTICE_ISSUERS_FILE); the DOCX and PDF renderers (shared/adapters) lay out only
// this. Pure.
import { dateZh, int, pct, rankChangeZh } from './format.ts';
import {
  behindListed,
  behindRuleZh,
  planStatusZh,
  plansLateZh,
  shareZh,
  type NationalNotice,
  type NoticeModel,
  type ProvinceNotice,
  type UniversityLine,
} from './notice-content.ts';
import { outreachBlock } from './outreach-block.ts';
import { peopleSections } from './people-section.ts';
import { modelCasesBlock } from './model-cases.ts';
import { summaryBlock, SUMMARY_PERIOD } from './summary-block.ts';
import type { UniversityRankRow } from '../ranking.types.ts';

/** Who issues a scope's notices (data/notice-issuers.json). */
export interface Issuer {
  /** 发文机关标志, printed in red at the top: '教育部高校学生司文件'. */
  mark: string;
  /** 发文机关署名 and 印发机关: '教育部高校学生司'. */
  office: string;
  /** 机关代字 of the 发文字号: '教学司' gives '教学司〔2022〕14号'. */
  abbreviation: string;
  /** 主送机关, the line before the body ('各省级教育行政部门：'); none when empty. */
  addressee?: string;
  /** 抄送机关. */
  cc: string[];
  /** Number of the campaign's first periodic notice (顺序号); later periods count on from it. Default 1. */
  firstNumber?: number;
  /** 顺序号 of the summary (总结). Default: one after the last week. */
  summaryNumber?: number;
}

/** The configured issuers: national, central, and a province's (its own, else the template with {province}). */
export interface IssuerSettings {
  national: Issuer;
  central: Issuer;
  province: Issuer;
  provinces?: Record<string, Partial<Issuer>>;
}

export type DocBlock =
  | { kind: 'heading1'; text: string }
  | { kind: 'heading2'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'note'; text: string }
  | {
      kind: 'table';
      /** What the table lists, for readers and tests ('ranking' is the scope's full ranking). */
      role: 'totals' | 'ranking' | 'provinces' | 'behind-by-province' | 'universities';
      headers: string[];
      rows: string[][];
      /** Relative column widths. */
      widths: number[];
      /** Columns aligned right (numbers). */
      numeric: number[];
    }
  | { kind: 'chart'; index: number; caption: string };

export interface OfficialDocument {
  mark: string;
  /** 发文字号: '教学司〔2022〕14号'. */
  docNumber: string;
  title: string;
  addressee: string | null;
  blocks: DocBlock[];
  office: string;
  /** 成文日期 as written: '2022年4月10日'. */
  dateText: string;
  cc: string[];
  /** 印发机关 and 印发日期 of the 版记. */
  printedBy: string;
  printedOnText: string;
  /** File name without extension: '全国-2022-W14-通报'. */
  baseName: string;
}

const substitute = (s: string, province: string) => s.replaceAll('{province}', province);

/** The issuer of a notice's scope, from the settings. */
export function issuerFor(settings: IssuerSettings, model: NoticeModel): Issuer {
  if (model.kind === 'national') return settings.national;
  if (model.scope === 'central') return settings.central;
  const own = settings.provinces?.[model.provinceCode] ?? {};
  const t = settings.province;
  const name = model.provinceName;
  return {
    mark: own.mark ?? substitute(t.mark, name),
    office: own.office ?? substitute(t.office, name),
    abbreviation: own.abbreviation ?? substitute(t.abbreviation, name),
    addressee: own.addressee ?? (t.addressee ? substitute(t.addressee, name) : undefined),
    cc: own.cc ?? t.cc.map((c) => substitute(c, name)),
    firstNumber: own.firstNumber ?? t.firstNumber,
    summaryNumber: own.summaryNumber ?? t.summaryNumber,
  };
}

/** 顺序号 of a period: weeks and months count from the campaign's first one (numbered `firstNumber`). */
export function sequenceNumber(model: NoticeModel, issuer: Issuer): number {
  const first = issuer.firstNumber ?? 1;
  if (model.period === SUMMARY_PERIOD) {
    const weeks = model.summary?.weeks.length ?? 0;
    return issuer.summaryNumber ?? first + weeks;
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(model.period);
  const month = /^(\d{4})-(\d{2})$/.exec(model.period);
  if (week) return first - 1 + Number(week[2]);
  if (month) return first - 1 + Number(month[2]);
  return first;
}

export function docNumberOf(model: NoticeModel, issuer: Issuer): string {
  return `${issuer.abbreviation}〔${model.asOf.slice(0, 4)}〕${sequenceNumber(model, issuer)}号`;
}

function totalsTable(m: NoticeModel): DocBlock {
  const t = m.totals;
  return {
    kind: 'table',
    role: 'totals',
    headers: ['指标', '累计'],
    rows: [
      ['开展走访的高校', `${int(t.universitiesWithVisits)} / ${int(m.universities)} 所`],
      ['走访次数', int(t.visits)],
      ['走访用人单位（去重）', int(t.employers)],
      ['新开拓用人单位', int(t.newEmployers)],
      ['提供岗位数', int(t.positions)],
      ['建立实习实践基地', int(t.internshipBases)],
      ['跟踪毕业生', int(t.graduatesTracked)],
      ['时间进度', pct(m.expectedProgress)],
    ],
    widths: [3, 2],
    numeric: [1],
  };
}

/** The ranking as the document lists it: 序号, 学校, 书记校长走访数, 完成率, 新开拓, 岗位数. */
export const RANKING_HEADERS = ['序号', '学校', '书记校长走访数', '完成率', '新开拓', '岗位数'];

function rankingTable(
  rows: Array<UniversityRankRow | UniversityLine>,
  role: 'ranking' | 'universities',
  withProvince: boolean,
): DocBlock {
  return {
    kind: 'table',
    role,
    headers: withProvince ? ['序号', '省份', ...RANKING_HEADERS.slice(1)] : RANKING_HEADERS,
    rows: rows.map((r) => [
      String(r.rank),
      ...(withProvince ? [(r as UniversityLine).provinceName] : []),
      r.universityName,
      int(r.principalEmployers),
      pct(r.completion),
      int(r.newEmployers),
      int(r.positions),
    ]),
    widths: withProvince ? [1, 1.6, 4, 1.8, 1.4, 1.3, 1.4] : [1, 5, 2, 1.5, 1.4, 1.5],
    numeric: withProvince ? [3, 4, 5, 6] : [2, 3, 4, 5],
  };
}

const h1 = (text: string): DocBlock => ({ kind: 'heading1', text });
const h2 = (text: string): DocBlock => ({ kind: 'heading2', text });
const p = (text: string): DocBlock => ({ kind: 'paragraph', text });

function nationalBlocks(m: NationalNotice, charts: string[]): DocBlock[] {
  const b: DocBlock[] = [
    p(
      `截至${m.asOfText}（${m.periodLabel}），全国${int(m.totals.universitiesWithVisits)}所高校的校领导累计走访用人单位${int(m.totals.visits)}次，` +
        `涉及用人单位${int(m.totals.employers)}家（其中新开拓${int(m.totals.newEmployers)}家），提供岗位${int(m.totals.positions)}个。现将进展情况通报如下。`,
    ),
    h1('一、总体进展'),
    totalsTable(m),
    ...charts.map((caption, index): DocBlock => ({ kind: 'chart', index, caption })),
    h1('二、各省份进展排名'),
    {
      kind: 'table',
      role: 'provinces',
      headers: ['排名', '变化', '省份', '高校数', '达标高校', '达标比例', '平均完成度', '岗位数'],
      rows: m.provinces.map((r) => [
        String(r.rank),
        rankChangeZh(r.rankChange),
        r.provinceName,
        int(r.universities),
        int(r.meetingTargets),
        pct(r.shareMeeting),
        pct(r.meanCompletion),
        int(r.positions),
      ]),
      widths: [1, 1, 2.6, 1.2, 1.4, 1.5, 1.7, 1.6],
      numeric: [3, 4, 5, 6, 7],
    },
    h1('三、实施方案报送情况'),
  ];
  if (m.planDeadline) b.push(p(`实施方案报送期限为${dateZh(m.planDeadline)}。`));
  b.push(
    p(
      m.plansMissing.length === 0
        ? '各省份均已报送实施方案。'
        : `截至${m.asOfText}，以下${m.plansMissing.length}个省份尚未报送实施方案：${m.plansMissing.map((x) => x.provinceName).join('、')}。`,
    ),
  );
  if (m.plansLate.length) b.push(p(`${plansLateZh(m)}。`));
  b.push(h1('四、进度落后高校'));
  if (m.behind.length === 0) b.push(p('暂无进度落后高校。'));
  else {
    b.push(p(`全国共有${int(m.behind.length)}所高校${behindRuleZh(m)}，分布如下：`), {
      kind: 'table',
      role: 'behind-by-province',
      headers: ['省份', '落后高校数', '高校总数'],
      rows: m.behindByProvince.map((x) => [x.provinceName, int(x.behind), int(x.universities)]),
      widths: [3, 2, 2],
      numeric: [1, 2],
    });
    // As many as the HTML notice shows: the whole list is the ledger's, and a 公文 of a hundred pages is not read.
    const { shown, noteZh } = behindListed(m);
    b.push(h2('（一）未完成时间进度的高校'), rankingTable(shown, 'universities', true));
    if (noteZh) b.push(p(noteZh));
  }
  b.push(h1('五、典型'));
  if (m.examples.provinces.length)
    b.push(
      p(
        `进展靠前的省份：${m.examples.provinces.map((x) => `${x.provinceName}（达标比例${pct(x.shareMeeting)}，平均完成度${pct(x.meanCompletion)}）`).join('；')}。`,
      ),
    );
  if (m.examples.universities.length)
    b.push(h2('（一）全国进展靠前的高校'), rankingTable(m.examples.universities, 'universities', true));
  if (m.examples.provinceLeaders.length)
    b.push(
      p(
        `各省份排名第一的高校：${m.examples.provinceLeaders.map((r) => `${r.provinceName}${r.universityName}（${pct(r.completion)}）`).join('；')}。`,
      ),
    );
  if (!m.examples.provinces.length && !m.examples.universities.length) b.push(p('暂无。'));
  return b;
}

function names(rows: UniversityRankRow[], empty: string): string {
  return rows.length ? `${rows.map((r) => r.universityName).join('、')}。` : empty;
}

function provinceBlocks(m: ProvinceNotice, charts: string[]): DocBlock[] {
  const rank = m.provinceRank
    ? `，在全国省份排名中列第${m.provinceRank.rank}位（${rankChangeZh(m.provinceRank.rankChange)}）`
    : '';
  const flag = shareZh(m.onsiteShareFlag);
  return [
    p(
      `截至${m.asOfText}（${m.periodLabel}），${m.provinceName}${int(m.totals.universitiesWithVisits)}所高校的校领导累计走访用人单位${int(m.totals.visits)}次，` +
        `涉及用人单位${int(m.totals.employers)}家（其中新开拓${int(m.totals.newEmployers)}家），提供岗位${int(m.totals.positions)}个；` +
        `${int(m.meeting.length)}所高校已达标，${int(m.behind.length)}所进度落后${rank}。${planStatusZh(m)}。现将进展情况通报如下。`,
    ),
    h1('一、总体进展'),
    totalsTable(m),
    ...charts.map((caption, index): DocBlock => ({ kind: 'chart', index, caption })),
    h1('二、各高校进展排名'),
    rankingTable(m.ranking, 'ranking', false),
    { kind: 'note', text: `完成率为各项适用目标完成比例的平均值；${behindRuleZh(m)}为进度落后。` },
    h1('三、已达标高校'),
    p(names(m.meeting, '暂无已达标高校。')),
    h1('四、未完成时间进度的高校'),
    p(names(m.behind, '暂无进度落后高校。')),
    h1(`五、实地走访占比低于${flag}的高校`),
    p(
      m.onsiteFlagged.length
        ? `以下承担正职走访目标的高校实地走访占比低于${flag}，请坚持实地走访为主：${m.onsiteFlagged.map((r) => `${r.universityName}（${pct(r.onsiteShare)}）`).join('、')}。`
        : `承担正职走访目标的高校实地走访占比均不低于${flag}。`,
    ),
  ];
}

const CN = ['六', '七', '八', '九', '十', '十一', '十二', '十三'];

/** The notice as an official document; `charts` are the captions of the charts it embeds, in order. */
export function buildOfficialDocument(model: NoticeModel, issuer: Issuer, charts: string[]): OfficialDocument {
  const blocks = model.kind === 'national' ? nationalBlocks(model, charts) : provinceBlocks(model, charts);
  // The blocks after the five numbered sections continue the numbering (六、…).
  const extra: Array<{ title: string; lines: string[] }> = [];
  const add = (x: { title: string; lines: string[] } | null) => x && extra.push(x);
  add(outreachBlock(model));
  for (const s of peopleSections(model.people)) extra.push(s);
  add(modelCasesBlock(model));
  add(summaryBlock(model));
  extra.forEach((x, i) => blocks.push(h1(`${CN[i] ?? String(i + 6)}、${x.title}`), ...x.lines.map(p)));
  const area = model.kind === 'national' ? '全国' : model.provinceName;
  const kindName = model.period === SUMMARY_PERIOD ? '总结' : '通报';
  return {
    mark: issuer.mark,
    docNumber: docNumberOf(model, issuer),
    title: model.subject,
    addressee: issuer.addressee || null,
    blocks,
    office: issuer.office,
    dateText: model.asOfText,
    cc: issuer.cc,
    printedBy: issuer.office,
    printedOnText: model.asOfText,
    // 广东省-2022-W14-通报; a summary is named by its campaign: 广东省-2022-总结 (no English in a Chinese file name).
    baseName: `${area}-${model.period === SUMMARY_PERIOD ? model.campaignId : model.period}-${kindName}`,
  };
}
