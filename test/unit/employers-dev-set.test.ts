import { describe, expect, it } from 'vitest';
import { buildDevSet, pairwiseScores, type SourceEmployer } from '../../bench/dev-set/dev-set.ts';
import { employerFeatures } from '../../shared/domain/employers/normalize.ts';
import {
  applyVariant,
  seededRandom,
  spellingVariant,
  VARIANT_KINDS,
} from '../../shared/domain/employers/spelling-variants.ts';

const SOURCE: SourceEmployer[] = [
  { name: '华为技术有限公司', creditCode: '914403001922038216', province: '广东省' },
  { name: '深圳市腾讯计算机系统有限公司', creditCode: null, province: '广东省' },
  { name: '中国工商银行股份有限公司', creditCode: null, province: '北京市' },
  { name: 'TCL科技集团股份有限公司', creditCode: null, province: '广东省' },
  { name: '腾讯科技（深圳）有限公司', creditCode: null, province: '广东省' },
];

describe('spelling variants', () => {
  it('produces the same spellings for the same seed', () => {
    const a = SOURCE.map((s) => spellingVariant(s.name, seededRandom(7)).spelling);
    const b = SOURCE.map((s) => spellingVariant(s.name, seededRandom(7)).spelling);
    expect(a).toEqual(b);
  });

  it('types each kind of variation the way people do', () => {
    const rng = seededRandom(3);
    expect(applyVariant('华为技术有限公司', 'traditional-tw', rng)).toBe('華為技術有限公司');
    expect(applyVariant('TCL科技集团股份有限公司', 'full-width', rng)).toBe('ＴＣＬ科技集团股份有限公司');
    expect(applyVariant('TCL科技集团股份有限公司', 'lower-latin', rng)).toBe('tcl科技集团股份有限公司');
    expect(applyVariant('深圳市腾讯计算机系统有限公司', 'drop-region-suffix', rng)).toBe('深圳腾讯计算机系统有限公司');
    expect(applyVariant('华为技术有限公司', 'no-legal-form', rng)).toBe('华为技术');
    expect(applyVariant('华为技术有限公司', 'lower-latin', rng)).toBeNull();
    const typo = applyVariant('华为技术有限公司', 'typo', rng)!;
    expect(typo).not.toBe('华为技术有限公司');
    expect(employerFeatures(typo).coreSorted).toBe(employerFeatures('华为技术有限公司').coreSorted);
  });

  it('keeps every kind normalising to something non-empty', () => {
    const rng = seededRandom(11);
    for (const kind of VARIANT_KINDS) {
      for (const s of SOURCE) {
        const v = applyVariant(s.name, kind, rng);
        if (v !== null) expect(employerFeatures(v).core.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('development set', () => {
  it('labels every spelling with its employer and makes branches employers of their own', () => {
    const set = buildDevSet(SOURCE, { seed: 5, variantsPerEmployer: 4, branchShare: 1 });
    const entities = new Set(set.map((r) => r.entity));
    expect([...entities].filter((e) => !e.includes('b'))).toHaveLength(SOURCE.length);
    const branches = set.filter((r) => r.entity.includes('b'));
    expect(branches.length).toBeGreaterThan(0);
    for (const b of branches) expect(employerFeatures(b.name).branch).not.toBeNull();
    expect(buildDevSet(SOURCE, { seed: 5, variantsPerEmployer: 4, branchShare: 1 })).toEqual(set);
  });
});

describe('pairwiseScores', () => {
  it('counts pairs put together correctly (precision) and pairs found (recall)', () => {
    expect(pairwiseScores(['a', 'a', 'b'], [1, 1, 2])).toMatchObject({ precision: 1, recall: 1 });
    // a,a split apart: recall 0; nothing wrongly together: precision 1.
    expect(pairwiseScores(['a', 'a', 'b'], [1, 2, 3])).toMatchObject({ precision: 1, recall: 0 });
    // everything together: 1 right pair of 3.
    expect(pairwiseScores(['a', 'a', 'b'], [1, 1, 1]).precision).toBeCloseTo(1 / 3);
  });
});
