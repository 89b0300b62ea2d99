// The notice as plain text: the alternative part of the mail, for clients that show no HTML.
// Column alignment is unreliable with CJK text in proportional fonts, so rows are lines of labelled fields.
import { dateZh, int, NOTICE_LIST_ROWS, pct, rankChangeZh } from './format.ts';
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

function totals(m: NoticeModel): string[] {
  const t = m.totals;
  return [
    `开展走访的高校：${int(t.universitiesWithVisits)} / ${int(m.universities)} 所`,
    `走访次数：${int(t.visits)}`,
    `走访用人单位（去重）：${int(t.employers)}`,
    `新开拓用人单位：${int(t.newEmployers)}`,
    `提供岗位数：${int(t.positions)}`,
    `建立实习实践基地：${int(t.internshipBases)}`,
    `跟踪毕业生：${int(t.graduatesTracked)}`,
    `时间进度：${pct(m.expectedProgress)}`,
  ];
}

function national(m: NationalNotice, maxListRows: number): string[] {
  const out: string[] = [];
  out.push('一、总体进展', ...totals(m), '');
  out.push('二、各省份进展排名（排名｜变化｜省份｜高校数｜达标高校｜达标比例｜平均完成度｜岗位数）');
  for (const p of m.provinces) {
    out.push(
      `${p.rank}｜${rankChangeZh(p.rankChange)}｜${p.provinceName}｜${int(p.universities)}｜${int(p.meetingTargets)}｜${pct(p.shareMeeting)}｜${pct(p.meanCompletion)}｜${int(p.positions)}`,
    );
  }
  out.push('', '三、实施方案报送情况');
  if (m.planDeadline) out.push(`实施方案报送期限为${dateZh(m.planDeadline)}。`);
  out.push(
    m.plansMissing.length
      ? `尚未报送实施方案的省份（${m.plansMissing.length}个）：${m.plansMissing.map((p) => p.provinceName).join('、')}。`
      : '各省份均已报送实施方案。',
  );
  if (m.plansLate.length) out.push(`${plansLateZh(m)}。`);
  out.push('', '四、进度落后高校');
  if (!m.behind.length) out.push('暂无进度落后高校。');
  else {
    out.push(
      `全国共有${int(m.behind.length)}所高校进度落后。各省份：${m.behindByProvince.map((b) => `${b.provinceName}${b.behind}所`).join('、')}。`,
    );
    const { shown, noteZh } = behindListed(m, maxListRows);
    for (const r of shown)
      out.push(
        `${r.rank}｜${r.provinceName}｜${r.universityName}｜完成度${pct(r.completion)}｜走访单位${int(r.employersVisited)}`,
      );
    if (noteZh) out.push(noteZh);
  }
  out.push('', '五、典型');
  if (m.examples.provinces.length)
    out.push(
      `进展靠前的省份：${m.examples.provinces.map((p) => `${p.provinceName}（达标比例${pct(p.shareMeeting)}，平均完成度${pct(p.meanCompletion)}）`).join('；')}。`,
    );
  for (const r of m.examples.universities)
    out.push(
      `全国第${r.rank}名：${r.provinceName}${r.universityName}，完成度${pct(r.completion)}，走访单位${int(r.employersVisited)}家，岗位${int(r.positions)}个`,
    );
  if (m.examples.provinceLeaders.length)
    out.push(
      `各省份排名第一的高校：${m.examples.provinceLeaders.map((r) => `${r.provinceName}${r.universityName}（${pct(r.completion)}）`).join('；')}。`,
    );
  if (!m.examples.provinces.length && !m.examples.universities.length) out.push('暂无。');
  return out;
}

function province(m: ProvinceNotice): string[] {
  const out: string[] = [];
  if (m.provinceRank)
    out.push(
      `${m.provinceName}在全国省份排名中列第${m.provinceRank.rank}位（${rankChangeZh(m.provinceRank.rankChange)}）。`,
    );
  out.push(`${planStatusZh(m)}。`, '');
  out.push('一、总体进展', ...totals(m), '');
  out.push('二、各高校进展排名（排名｜变化｜高校｜完成度｜走访单位｜正职走访｜新拓单位｜岗位数｜实地占比｜状态）');
  for (const r of m.ranking) {
    out.push(
      `${r.rank}｜${rankChangeZh(r.rankChange)}｜${r.universityName}｜${pct(r.completion)}｜${int(r.employersVisited)}｜${int(r.principalEmployers)}｜${int(r.newEmployers)}｜${int(r.positions)}｜${pct(r.onsiteShare)}｜${statusZh(r)}`,
    );
  }
  const list = (rows: typeof m.ranking, empty: string) =>
    rows.length ? rows.map((r) => r.universityName).join('、') + '。' : empty;
  out.push('', '三、已达标高校', list(m.meeting, '暂无已达标高校。'));
  out.push('', '四、进度落后高校', list(m.behind, '暂无进度落后高校。'));
  const flag = shareZh(m.onsiteShareFlag);
  out.push('', `五、实地走访占比低于${flag}的高校`);
  out.push(
    m.onsiteFlagged.length
      ? m.onsiteFlagged.map((r) => `${r.universityName}（${pct(r.onsiteShare)}）`).join('、') + '。'
      : `承担正职走访目标的高校实地走访占比均不低于${flag}。`,
  );
  return out;
}

/** A separately titled block after the numbered sections (附: …), or nothing. */
function blockLines(block: { title: string; lines: string[] } | null): string[] {
  return block ? [`附：${block.title}`, ...block.lines, ''] : [];
}

export function renderText(model: NoticeModel, options: { maxListRows?: number } = {}): string {
  const area = model.kind === 'national' ? '全国' : model.provinceName;
  const t = model.totals;
  const lines = [
    model.subject,
    '',
    `截至${model.asOfText}（${model.periodLabel}），${area}${int(t.universitiesWithVisits)}所高校的校领导累计走访用人单位${int(t.visits)}次，涉及用人单位${int(t.employers)}家（其中新开拓${int(t.newEmployers)}家），提供岗位${int(t.positions)}个。现将进展情况通报如下。`,
    '',
    ...(model.kind === 'national' ? national(model, options.maxListRows ?? NOTICE_LIST_ROWS) : province(model)),
    ...peopleSections(model.people).flatMap((s) => ['', s.title, ...s.lines]),
    '',
    ...blockLines(outreachBlock(model)),
    ...blockLines(modelCasesBlock(model)),
    ...blockLines(summaryBlock(model)),
    `本通报由访企拓岗促就业专项行动电子台账根据截至${model.asOfText}已处理的走访记录自动生成；走访记录明细见附件《电子台账》。`,
  ];
  return lines.join('\n') + '\n';
}
