// A notice block of its own (issue 15): 全员联动 (staff taking part, staff-only visits, every employer the scope
// reached), 走进园区、走进行业、走进企业 (visits and distinct employers per kind of place) and 开拓增量岗位 (new
// positions, graduates hired). Pure; each renderer lays the same lines out after the numbered sections, so blocks
// other features add sit beside it without renumbering anything.
import { PLACE_KINDS, PLACE_KIND_ZH, unstatedPlaceVisits } from '../outreach.ts';
import { int, pct } from './format.ts';
import type { NoticeModel } from './notice-content.ts';
import { mostNewPositionsFirst } from './list-order.ts';

export interface NoticeBlock {
  title: string;
  lines: string[];
}

/** Universities named in the province notice's line of most new positions. */
export const TOP_NEW_POSITIONS = 5;

/** The block, or null for a notice stored before these figures existed (its totals carry none). */
export function outreachBlock(m: NoticeModel): NoticeBlock | null {
  const o = m.totals.outreach;
  if (!o) return null;
  const t = m.totals;
  const lines = [
    `全员联动：专任教师、辅导员、行政管理人员参与走访${int(o.staffVisits)}次（${int(o.staffParticipants)}人次），` +
      `其中无校领导参加的走访${int(o.staffOnlyVisits)}次；这些走访计入走访次数和全校覆盖面，不计入校领导走访目标。`,
    `全校覆盖用人单位（含教职工走访，去重）${int(o.allEmployersReached)}家，其中校领导走访${int(t.employers)}家。`,
    `走访单位类型（走进园区、走进行业、走进企业）：` +
      PLACE_KINDS.map(
        (k) => `${PLACE_KIND_ZH[k]}${int(o.placeKinds[k].visits)}次、${int(o.placeKinds[k].employers)}家`,
      ).join('；') +
      `；未注明类型${int(unstatedPlaceVisits(t.visits, o))}次。`,
    `开拓增量岗位：新增岗位${int(o.newPositions)}个` +
      (t.positions > 0 ? `（占提供岗位的${pct(o.newPositions / t.positions)}）` : '') +
      `，通过走访录用毕业生${int(o.hired)}人。`,
  ];
  if (m.kind === 'province') {
    const top = m.ranking
      .filter((r) => (r.outreach?.newPositions ?? 0) > 0)
      .sort(mostNewPositionsFirst)
      .slice(0, TOP_NEW_POSITIONS);
    if (top.length)
      lines.push(
        `新增岗位较多的高校：` +
          top
            .map(
              (r) =>
                `${r.universityName}（新增岗位${int(r.outreach!.newPositions)}个，录用${int(r.outreach!.hired)}人）`,
            )
            .join('；') +
          '。',
      );
  }
  return { title: '全员联动与走访成效', lines };
}
