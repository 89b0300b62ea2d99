// The notice as Markdown, in two flavours:
// - 'gfm' for the archive (GitHub-flavoured tables; a long list cut as in the mail, whole in the ledger);
// - 'robot' for the WeCom and DingTalk group robots, whose Markdown has no tables and whose messages are capped
//   (WeCom markdown.content 4,096 bytes, DingTalk about 20,000): lists, the most important sections first, cut at a
//   line boundary within `maxBytes` with a note pointing to the mail and the archive.
import { dateZh, escapeMarkdown as md, int, namesZh, pct, rankChangeZh, utf8Bytes } from './format.ts';
import { DEFAULT_RULES } from '../measures.ts';
import {
  behindListed,
  planStatusZh,
  plansLateZh,
  shareZh,
  statusZh,
  type NationalNotice,
  type NoticeModel,
  type ProvinceNotice,
} from './notice-content.ts';
import { outreachBlock } from './outreach-block.ts';
import { peopleSections } from './people-section.ts';
import { modelCasesBlock } from './model-cases.ts';
import { summaryBlock } from './summary-block.ts';

export const WECOM_MAX_BYTES = 4096;
export const DINGTALK_MAX_BYTES = 20_000;

export interface MarkdownOptions {
  flavor?: 'gfm' | 'robot';
  /** Only for 'robot': the byte limit of the target robot. */
  maxBytes?: number;
}

function lead(m: NoticeModel): string {
  const area = m.kind === 'national' ? '全国' : m.provinceName;
  const t = m.totals;
  return `截至${m.asOfText}（${m.periodLabel}），${md(area)}${int(t.universitiesWithVisits)}所高校的校领导累计走访用人单位${int(t.visits)}次，涉及用人单位${int(t.employers)}家（其中新开拓${int(t.newEmployers)}家），提供岗位${int(t.positions)}个，时间进度${pct(m.expectedProgress)}。`;
}

function totalsTable(m: NoticeModel): string[] {
  const t = m.totals;
  return [
    '| 指标 | 累计 |',
    '|---|---:|',
    `| 开展走访的高校 | ${int(t.universitiesWithVisits)} / ${int(m.universities)} 所 |`,
    `| 走访次数 | ${int(t.visits)} |`,
    `| 走访用人单位（去重） | ${int(t.employers)} |`,
    `| 新开拓用人单位 | ${int(t.newEmployers)} |`,
    `| 提供岗位数 | ${int(t.positions)} |`,
    `| 建立实习实践基地 | ${int(t.internshipBases)} |`,
    `| 跟踪毕业生 | ${int(t.graduatesTracked)} |`,
    `| 时间进度 | ${pct(m.expectedProgress)} |`,
  ];
}

function nationalGfm(m: NationalNotice): string[] {
  const out = ['## 一、总体进展', '', ...totalsTable(m), '', '## 二、各省份进展排名', ''];
  out.push(
    '| 排名 | 变化 | 省份 | 高校数 | 达标高校 | 达标比例 | 平均完成度 | 岗位数 |',
    '|---:|:---:|---|---:|---:|---:|---:|---:|',
  );
  for (const p of m.provinces) {
    out.push(
      `| ${p.rank} | ${rankChangeZh(p.rankChange)} | ${md(p.provinceName)} | ${int(p.universities)} | ${int(p.meetingTargets)} | ${pct(p.shareMeeting)} | ${pct(p.meanCompletion)} | ${int(p.positions)} |`,
    );
  }
  out.push('', '## 三、实施方案报送情况', '');
  if (m.planDeadline) out.push(`实施方案报送期限为${dateZh(m.planDeadline)}。`, '');
  out.push(
    m.plansMissing.length
      ? `尚未报送实施方案的省份（${m.plansMissing.length}个）：${m.plansMissing.map((p) => md(p.provinceName)).join('、')}。`
      : '各省份均已报送实施方案。',
  );
  if (m.plansLate.length) out.push('', `${plansLateZh(m, md)}。`);
  out.push('', '## 四、进度落后高校', '');
  if (!m.behind.length) out.push('暂无进度落后高校。');
  else {
    out.push(
      `全国共有 **${int(m.behind.length)}** 所高校进度落后。`,
      '',
      '| 省份 | 落后高校数 | 高校总数 |',
      '|---|---:|---:|',
    );
    for (const b of m.behindByProvince)
      out.push(`| ${md(b.provinceName)} | ${int(b.behind)} | ${int(b.universities)} |`);
    out.push('', '| 全国排名 | 省份 | 高校 | 完成度 | 走访单位 | 岗位数 |', '|---:|---|---|---:|---:|---:|');
    const { shown, noteZh } = behindListed(m);
    for (const r of shown)
      out.push(
        `| ${r.rank} | ${md(r.provinceName)} | ${md(r.universityName)} | ${pct(r.completion)} | ${int(r.employersVisited)} | ${int(r.positions)} |`,
      );
    if (noteZh) out.push('', noteZh);
  }
  out.push('', '## 五、典型', '');
  if (m.examples.provinces.length)
    out.push(
      `进展靠前的省份：${m.examples.provinces.map((p) => `${md(p.provinceName)}（达标比例${pct(p.shareMeeting)}，平均完成度${pct(p.meanCompletion)}）`).join('；')}。`,
      '',
    );
  if (m.examples.universities.length) {
    out.push('| 全国排名 | 省份 | 高校 | 完成度 | 走访单位 | 岗位数 |', '|---:|---|---|---:|---:|---:|');
    for (const r of m.examples.universities)
      out.push(
        `| ${r.rank} | ${md(r.provinceName)} | ${md(r.universityName)} | ${pct(r.completion)} | ${int(r.employersVisited)} | ${int(r.positions)} |`,
      );
    out.push('');
  }
  if (m.examples.provinceLeaders.length)
    out.push(
      `各省份排名第一的高校：${m.examples.provinceLeaders.map((r) => `${md(r.provinceName)}${md(r.universityName)}（${pct(r.completion)}）`).join('；')}。`,
    );
  if (!m.examples.provinces.length && !m.examples.universities.length) out.push('暂无。');
  return out;
}

function provinceHead(m: ProvinceNotice): string {
  const rank = m.provinceRank
    ? `在全国省份排名中列第${m.provinceRank.rank}位（${rankChangeZh(m.provinceRank.rankChange)}）；`
    : '';
  return `${rank}${int(m.meeting.length)}所高校已达标，${int(m.behind.length)}所进度落后；${planStatusZh(m)}。`;
}

function provinceGfm(m: ProvinceNotice): string[] {
  const out = [provinceHead(m), '', '## 一、总体进展', '', ...totalsTable(m), '', '## 二、各高校进展排名', ''];
  out.push(
    '| 排名 | 变化 | 高校 | 完成度 | 走访单位 | 正职走访 | 新拓单位 | 岗位数 | 实地占比 | 状态 |',
    '|---:|:---:|---|---:|---:|---:|---:|---:|---:|:---:|',
  );
  for (const r of m.ranking) {
    out.push(
      `| ${r.rank} | ${rankChangeZh(r.rankChange)} | ${md(r.universityName)} | ${pct(r.completion)} | ${int(r.employersVisited)} | ${int(r.principalEmployers)} | ${int(r.newEmployers)} | ${int(r.positions)} | ${pct(r.onsiteShare)} | ${statusZh(r)} |`,
    );
  }
  const list = (rows: typeof m.ranking, empty: string) =>
    rows.length ? rows.map((r) => md(r.universityName)).join('、') + '。' : empty;
  out.push('', '## 三、已达标高校', '', list(m.meeting, '暂无已达标高校。'));
  out.push('', '## 四、进度落后高校', '', list(m.behind, '暂无进度落后高校。'));
  const flag = shareZh(m.onsiteShareFlag);
  out.push('', `## 五、实地走访占比低于${flag}的高校`, '');
  out.push(
    m.onsiteFlagged.length
      ? m.onsiteFlagged.map((r) => `${md(r.universityName)}（${pct(r.onsiteShare)}）`).join('、') + '。'
      : `承担正职走访目标的高校实地走访占比均不低于${flag}。`,
  );
  return out;
}

/**
 * Names a robot's list shows at most, the rest counted ('甲、乙等12所'): a line too long for the message would be cut
 * with all that follows it, so every list stays short and the people block fits beside the ranking.
 */
export const ROBOT_LIST_NAMES = 10;
export const ROBOT_PEOPLE_NAMES = 5;

interface RobotBody {
  /** The notice's short lists, first. */
  lists: string[];
  /** The full ranking, one line a row: what a cut loses first after the blocks. */
  ranking: string[];
}

// Robot flavour: lists only, sections in order of importance so that a cut loses the least.
function nationalRobot(m: NationalNotice): RobotBody {
  const out: string[] = [];
  out.push(
    `**进度落后高校**：${int(m.behind.length)}所` +
      (m.behindByProvince.length
        ? `（${m.behindByProvince.map((b) => `${md(b.provinceName)}${b.behind}`).join('、')}）`
        : ''),
  );
  out.push(
    `**未报送实施方案**：${m.plansMissing.length ? m.plansMissing.map((p) => md(p.provinceName)).join('、') : '无'}`,
  );
  // Robots re-render stored models: one stored before plan deadlines existed has no plansLate.
  const late = m.plansLate ?? [];
  if (late.length)
    out.push(`**逾期报送实施方案**：${late.map((p) => `${md(p.provinceName)}（${dateZh(p.filedOn)}）`).join('、')}`);
  if (m.examples.universities.length)
    out.push(
      `**全国靠前高校**：${m.examples.universities
        .slice(0, 5)
        .map((r) => `${md(r.universityName)}（${pct(r.completion)}）`)
        .join('、')}`,
    );
  const ranking = ['', '**各省份排名**（达标比例｜平均完成度）'];
  for (const p of m.provinces)
    ranking.push(
      `${p.rank}. ${md(p.provinceName)} ${pct(p.shareMeeting)}｜${pct(p.meanCompletion)}（${rankChangeZh(p.rankChange)}）`,
    );
  return { lists: out, ranking };
}

function provinceRobot(m: ProvinceNotice): RobotBody {
  const names = (rows: typeof m.ranking) =>
    namesZh(
      rows.map((r) => md(r.universityName)),
      ROBOT_LIST_NAMES,
    );
  const out: string[] = [provinceHead(m)];
  if (m.behind.length) out.push(`**进度落后**：${names(m.behind)}`);
  // (a model stored before thresholds were per campaign has no onsiteShareFlag: it was judged against the default)
  const flag = shareZh(m.onsiteShareFlag ?? DEFAULT_RULES.onsiteShareFlag);
  if (m.onsiteFlagged.length)
    out.push(
      `**实地走访占比低于${flag}**：${namesZh(
        m.onsiteFlagged.map((r) => `${md(r.universityName)}（${pct(r.onsiteShare)}）`),
        ROBOT_LIST_NAMES,
      )}`,
    );
  if (m.meeting.length) out.push(`**已达标**：${names(m.meeting)}`);
  const ranking = ['', '**各高校排名**（完成度｜走访单位）'];
  for (const r of m.ranking)
    ranking.push(
      `${r.rank}. ${md(r.universityName)} ${pct(r.completion)}｜${int(r.employersVisited)}（${rankChangeZh(r.rankChange)}）`,
    );
  return { lists: out, ranking };
}

/** Appends lines while the whole stays within `maxBytes`, ending with `tail`; a cut says so. */
function fit(headLines: string[], body: string[], tail: string, maxBytes: number): string {
  const cutNote = '> ……内容较长，完整通报见邮件或通报归档。';
  let text = headLines.join('\n');
  const budget = maxBytes - utf8Bytes('\n' + cutNote + '\n' + tail);
  let cut = false;
  for (const line of body) {
    if (utf8Bytes(text + '\n' + line) > budget) {
      cut = true;
      break;
    }
    text += '\n' + line;
  }
  if (cut) text += '\n' + cutNote;
  text += '\n' + tail;
  // A head alone beyond the limit (it never is with these texts) is cut hard at a character boundary.
  while (utf8Bytes(text) > maxBytes) text = text.slice(0, -1);
  return text;
}

/** A separately titled block after the numbered sections, or nothing. */
function blockGfm(block: { title: string; lines: string[] } | null): string[] {
  return block ? [`## 附：${md(block.title)}`, '', ...block.lines.map((l) => `- ${md(l)}`), ''] : [];
}

export function renderMarkdown(model: NoticeModel, options: MarkdownOptions = {}): string {
  const flavor = options.flavor ?? 'gfm';
  if (flavor === 'gfm') {
    const body = model.kind === 'national' ? nationalGfm(model) : provinceGfm(model);
    return [
      `# ${md(model.subject)}`,
      '',
      lead(model),
      '',
      ...body,
      ...peopleSections(model.people, md).flatMap((s) => ['', `## ${s.title}`, '', ...s.lines.flatMap((l) => [l, ''])]),
      '',
      ...blockGfm(outreachBlock(model)),
      ...blockGfm(modelCasesBlock(model)),
      ...blockGfm(summaryBlock(model)),
      `> 本通报根据截至${model.asOfText}已处理的走访记录自动生成；走访记录明细见《电子台账》。`,
      '',
    ].join('\n');
  }
  const head = [`### ${md(model.subject)}`, lead(model), ''];
  const robot = model.kind === 'national' ? nationalRobot(model) : provinceRobot(model);
  // The people block, as the mail has it but with short name lists, comes before the ranking: a province's ranking
  // alone fills a WeCom message. The other blocks come after it, and fit() cuts from the end.
  const people = peopleSections(model.people, md, { maxNames: ROBOT_PEOPLE_NAMES });
  const blocks = [outreachBlock(model), summaryBlock(model), modelCasesBlock(model)].filter((b) => b !== null);
  const body = [
    ...robot.lists,
    ...people.flatMap((s) => ['', `**${s.title}**`, ...s.lines.map((l) => `- ${l}`)]),
    ...robot.ranking,
    '',
    ...blocks.flatMap((b) => [`**${b.title}**`, ...b.lines.map((l) => `- ${md(l)}`)]),
  ];
  return fit(head, body, `> 数据截至${model.asOfText}`, options.maxBytes ?? WECOM_MAX_BYTES);
}
