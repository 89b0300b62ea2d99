// Pure rules of issue 15 points 8-10: merging majors, the universities that improved most, the summary's comparison.
import { describe, expect, it } from 'vitest';
import { mergeMajors } from '../../shared/domain/employer-demand.ts';
import { improvedUniversities } from '../../shared/domain/notices/model-cases.ts';
import { compareCompletions, completionStats } from '../../shared/domain/notices/summary-block.ts';
import { universityRow } from '../helpers/notices-factories.ts';

describe('demand ledger and model cases', () => {
  it('merges majors that differ only in width, spaces or case, keeping the first spelling', () => {
    expect(mergeMajors([['软件工程', ' ＡＩ '], ['软件 工程', 'ai', ''], null, ['数据科学']])).toEqual(
      ['AI', '软件工程', '数据科学'].sort((a, b) => a.localeCompare(b, 'zh-Hans-CN')),
    );
  });

  it('lists only universities that were ranked before and rose, largest gain first', () => {
    const rows = [
      universityRow({ universityCode: 'A', rank: 1, completion: 0.9 }),
      universityRow({ universityCode: 'B', rank: 2, completion: 0.5 }),
      universityRow({ universityCode: 'C', rank: 3, completion: 0.4 }),
      universityRow({ universityCode: 'D', rank: 4, completion: 0.3 }),
    ];
    const before = new Map([
      ['A', 0.8],
      ['B', 0.1],
      ['C', 0.4],
    ]);
    expect(improvedUniversities(rows, before).map((u) => [u.universityCode, Number(u.gain.toFixed(2))])).toEqual([
      ['B', 0.4],
      ['A', 0.1],
    ]);
    expect(improvedUniversities(rows, undefined)).toEqual([]);
  });

  it('compares completions of universities present in both campaigns', () => {
    const now = new Map([
      ['A', 1],
      ['B', 0.2],
      ['C', 0.5],
    ]);
    const before = new Map([
      ['A', 0.5],
      ['B', 0.4],
      ['X', 1],
    ]);
    expect(compareCompletions(now, before)).toEqual({ universitiesCompared: 2, improved: 1, declined: 1 });
    expect(completionStats([1, 0.5, 0])).toEqual({ meanCompletion: 0.5, shareMeeting: 1 / 3 });
  });
});
