// The campaign summary (总结, issue 15 point 10): a notice of kind `summary` per scope after the campaign's end, built
// like a periodic notice as of the end date (totals, final ranking, plans, behind, model cases) plus this block:
// completion week by week, and the comparison with the previous campaign (same universities, same measures). Pure.
import type { CampaignTotals } from '../ranking.types.ts';
import { dateZh, int, pct, periodZh } from './format.ts';
import type { NoticeModel } from './notice-content.ts';
import type { NoticeBlock } from './outreach-block.ts';

/** The `period` a summary notice is stored under (one per campaign and scope). */
export const SUMMARY_PERIOD = 'summary';

export interface WeekPoint {
  period: string;
  asOf: string;
  /** Mean completion of the scope's universities in that week's snapshot. */
  meanCompletion: number;
  /** Share of them at completion 1. */
  shareMeeting: number;
  /** Time progress at the week's cut-off. */
  expected: number;
}

export interface CampaignComparison {
  previousCampaignId: string;
  previousCampaignName: string;
  previousTotals: CampaignTotals;
  /** Mean completion of the scope's universities at each campaign's end. */
  previousMeanCompletion: number;
  meanCompletion: number;
  /** Universities ranked in both campaigns' scope, and how many of them rose or fell in completion. */
  universitiesCompared: number;
  improved: number;
  declined: number;
}

export interface SummaryFigures {
  campaignStart: string;
  campaignEnd: string;
  weeks: WeekPoint[];
  comparison: CampaignComparison | null;
}

export function summarySubject(areaName: string, campaignName: string): string {
  // A campaign whose name says 全国 already says where (关于2022年全国…, not 关于全国2022年全国…).
  const area = areaName === '全国' && campaignName.includes('全国') ? '' : areaName;
  return `关于${area}${campaignName}工作情况的总结通报`;
}

/** Mean completion and share at 1 of a list of completions (0 and 0 for none). */
export function completionStats(completions: readonly number[]): { meanCompletion: number; shareMeeting: number } {
  if (completions.length === 0) return { meanCompletion: 0, shareMeeting: 0 };
  return {
    meanCompletion: completions.reduce((s, c) => s + c, 0) / completions.length,
    shareMeeting: completions.filter((c) => c >= 1).length / completions.length,
  };
}

/** Completion before and after, per university code present in both: how many rose and how many fell. */
export function compareCompletions(
  now: ReadonlyMap<string, number>,
  before: ReadonlyMap<string, number>,
): { universitiesCompared: number; improved: number; declined: number } {
  let universitiesCompared = 0;
  let improved = 0;
  let declined = 0;
  for (const [code, c] of now) {
    const b = before.get(code);
    if (b === undefined) continue;
    universitiesCompared++;
    if (c > b) improved++;
    else if (c < b) declined++;
  }
  return { universitiesCompared, improved, declined };
}

const change = (now: number, before: number) => {
  const d = now - before;
  if (before === 0) return d === 0 ? '持平' : `增加${int(d)}`;
  return `${d >= 0 ? '增长' : '下降'}${pct(Math.abs(d) / before)}`;
};

/** The block, or null for a notice that is not a summary. */
export function summaryBlock(m: NoticeModel): NoticeBlock | null {
  const s = m.summary;
  if (!s) return null;
  const lines = [`专项行动自${dateZh(s.campaignStart)}至${dateZh(s.campaignEnd)}开展，以下为全程情况。`];
  if (s.weeks.length) {
    lines.push(
      '各周完成情况（平均完成度／达标高校占比／时间进度）：' +
        s.weeks
          .map((w) => `${periodZh(w.period)}${pct(w.meanCompletion)}／${pct(w.shareMeeting)}／${pct(w.expected)}`)
          .join('；') +
        '。',
    );
  }
  const c = s.comparison;
  if (c) {
    const p = c.previousTotals;
    const t = m.totals;
    lines.push(
      `与上一轮专项行动（${c.previousCampaignName}）相比：走访${int(t.visits)}次（上一轮${int(p.visits)}次，${change(t.visits, p.visits)}），` +
        `涉及用人单位${int(t.employers)}家（上一轮${int(p.employers)}家，${change(t.employers, p.employers)}），` +
        `新开拓${int(t.newEmployers)}家（上一轮${int(p.newEmployers)}家），提供岗位${int(t.positions)}个（上一轮${int(p.positions)}个，${change(t.positions, p.positions)}）；` +
        `高校平均完成度${pct(c.meanCompletion)}（上一轮${pct(c.previousMeanCompletion)}）。`,
      `两轮均参加排名的高校${int(c.universitiesCompared)}所，其中完成度提高${int(c.improved)}所、下降${int(c.declined)}所。`,
    );
  } else {
    lines.push('没有与之关联的上一轮专项行动，本总结不作对比。');
  }
  return { title: '专项行动总结：全程走势与对比', lines };
}
