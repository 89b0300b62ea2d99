// The columns a university ranking has wherever the console shows one (a province's universities, the central
// universities): rank, change, completion, the two measures against their targets, employers, positions, state.
// Pages put their own columns (the university with its tags, kind, province, on-site share) among these.
import type { TableColumnType } from 'antd';
import { Tag } from 'antd';
import type { UniversityRankingRow } from '../services/types';
import { CompletionBar } from './CompletionBar';
import { formatNumber } from './format';
import { RankChange } from './RankChange';

const S = {
  rank: '排名',
  change: '变化',
  completion: '完成率',
  principal: '书记校长走访单位 / 目标',
  newEmployers: '新开拓单位 / 目标',
  employers: '走访单位',
  positions: '岗位数',
  state: '状态',
  behind: '滞后',
  onTrack: '正常',
  noTarget: '无目标',
};

/** `12 / 100`, or `12（无目标）` for a university without that target. */
export const measureOf = (measure: number, target: number | null) =>
  target === null ? `${formatNumber(measure)}（${S.noTarget}）` : `${formatNumber(measure)} / ${formatNumber(target)}`;

type Column = TableColumnType<UniversityRankingRow>;

/** `expected`: the time elapsed, marked on each completion bar (absent: no mark). */
export function rankingColumns(
  expected?: number,
): Record<
  'rank' | 'change' | 'completion' | 'principal' | 'newEmployers' | 'employers' | 'positions' | 'state',
  Column
> {
  return {
    rank: { title: S.rank, dataIndex: 'rank', width: 60 },
    change: {
      title: S.change,
      dataIndex: 'rankChange',
      width: 64,
      render: (v: number | null) => <RankChange change={v} />,
    },
    completion: {
      title: S.completion,
      dataIndex: 'completion',
      width: 170,
      render: (v: number, r) => <CompletionBar completion={v} expected={expected} behind={r.behind} />,
    },
    principal: {
      title: S.principal,
      key: 'principal',
      render: (_, r) => measureOf(r.principalEmployers, r.targets.principal),
    },
    newEmployers: { title: S.newEmployers, key: 'new', render: (_, r) => measureOf(r.newEmployers, r.targets.new) },
    employers: { title: S.employers, dataIndex: 'employersVisited', align: 'right', render: formatNumber },
    positions: { title: S.positions, dataIndex: 'positions', align: 'right', render: formatNumber },
    state: {
      title: S.state,
      dataIndex: 'behind',
      render: (b: boolean) => (b ? <Tag color="red">{S.behind}</Tag> : <Tag color="green">{S.onTrack}</Tag>),
    },
  };
}
