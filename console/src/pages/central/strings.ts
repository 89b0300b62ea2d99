import type { CentralKind } from '../../services/types';

export const KINDS: Record<CentralKind, string> = { ministry: '部属', joint: '部省合建' };

export const T = {
  title: '部属和部省合建高校进展',
  asOf: (date: string) => `截至${date}`,
  intro: '部属和部省合建高校在本排名中相互比较，同时仍在所在省份（或兵团）的排名中。点击高校名称查看其台账。',
  figures: {
    universities: '高校数',
    ministry: '部属高校',
    joint: '部省合建高校',
    behind: '进度滞后高校',
  },
  ranking: '部属和部省合建高校排名',
  changesSince: (period: string) => `排名变化对比${period}`,
  noChanges: '暂无上期排名',
  kind: '类别',
  allKinds: '全部类别',
  search: '搜索高校名称或代码',
  count: (shown: string, total: string) => `显示 ${shown} / ${total} 所`,
  columns: {
    university: '高校',
    kind: '类别',
    unit: '所在省份',
  },
  demand: '下载用人单位需求台账（.xlsx）',
  empty: '尚无部属或部省合建高校。',
};
