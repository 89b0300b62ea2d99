import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../shared/domain/credit-code.ts';
import { employerFeatures } from '../../shared/domain/employers/normalize.ts';
import {
  decideInOrder,
  decideName,
  matchByCodeOrExactKey,
  matchFeaturesOf,
  type NameToResolve,
  type ResolveCandidate,
} from '../../shared/domain/employers/resolve-decision.ts';

// The defaults of shared/config.ts (measured: bench/RESULTS.md).
const T = { match: 0.88, review: 0.75 };

const validCode = (first17: string) => first17 + creditCodeCheckChar(first17)!;
const CODE_A = validCode('91440300192203821');
const CODE_B = validCode('91110000100001234');

const name = (spelling: string, creditCode: string | null = null): NameToResolve => ({
  features: employerFeatures(spelling),
  creditCode,
});

const stored = (id: number, spelling: string, over: Partial<ResolveCandidate> = {}): ResolveCandidate => ({
  id,
  status: 'active',
  candidateId: null,
  creditCode: null,
  keyHit: false,
  features: matchFeaturesOf(employerFeatures(spelling)),
  ...over,
});

describe('decideName', () => {
  it('creates an employer when there is no candidate, with no score', () => {
    expect(decideName(name('华为技术有限公司'), [], T)).toEqual({
      kind: 'create',
      provisional: false,
      candidateId: null,
    });
  });

  it('matches a candidate with a spelling of the exact key at score 1, whatever the features say', () => {
    const recorded = stored(7, 'ＨＵＡＷＥＩ', { keyHit: true });
    expect(decideName(name('华为技术有限公司'), [recorded], T)).toEqual({
      kind: 'matched',
      employerId: 7,
      score: 1,
      linkCode: false,
    });
  });

  it('matches the employer holding the same valid credit code, whatever the names say', () => {
    const candidates = [stored(3, '华为技术有限公司'), stored(9, '深圳市某某贸易有限公司', { creditCode: CODE_A })];
    expect(decideName(name('华为技术有限公司', CODE_A), candidates, T)).toEqual({
      kind: 'matched',
      employerId: 9,
      score: 1,
      linkCode: false,
    });
  });

  it('never matches an employer with a different valid credit code, even of the same name', () => {
    const d = decideName(name('华为技术有限公司', CODE_A), [stored(3, '华为技术有限公司', { creditCode: CODE_B })], T);
    expect(d).toEqual({ kind: 'create', provisional: false, candidateId: null });
  });

  it('still matches a candidate without a code when another one is ruled out by its code', () => {
    const candidates = [stored(3, '华为技术有限公司', { creditCode: CODE_B }), stored(4, '华为技术股份有限公司')];
    expect(decideName(name('华为技术有限公司', CODE_A), candidates, T)).toMatchObject({
      kind: 'matched',
      employerId: 4,
    });
  });

  it('gives its code to the employer it matches when that one was first seen without a code', () => {
    expect(decideName(name('华为技术有限公司', CODE_A), [stored(3, '华为技术有限公司')], T)).toEqual({
      kind: 'matched',
      employerId: 3,
      score: 1,
      linkCode: true,
    });
  });

  it('matches a name without a code to an employer with one, linking nothing', () => {
    const d = decideName(name('华为技术有限公司'), [stored(3, '華為技術有限公司', { creditCode: CODE_A })], T);
    expect(d).toMatchObject({ kind: 'matched', employerId: 3, linkCode: false });
  });

  it('never matches a branch with its parent: the branch is a new employer of its own', () => {
    const d = decideName(name('中国工商银行股份有限公司深圳分行'), [stored(1, '中国工商银行股份有限公司')], T);
    expect(d).toEqual({ kind: 'create', provisional: false, candidateId: null, score: 0 });
  });

  it('matches a close spelling and reports the score to three decimals', () => {
    const d = decideName(name('南京高科股份有限公司'), [stored(5, '南京科高股份有限公司')], T);
    expect(d).toEqual({ kind: 'matched', employerId: 5, score: 0.925, linkCode: false });
  });

  it('creates a provisional employer linked to its best candidate when the score is in the review zone', () => {
    const d = decideName(name('艾布鲁环保科枝股份有限公司'), [stored(8, '艾布鲁环保科技股份有限公司')], T);
    expect(d).toMatchObject({ kind: 'create', provisional: true, candidateId: 8 });
    if (d.kind !== 'create') throw new Error('expected create');
    expect(d.score).toBeGreaterThanOrEqual(T.review);
    expect(d.score).toBeLessThan(T.match);
  });

  it('points a provisional employer at the employer a provisional candidate may be, never at the provisional one', () => {
    const provisional = stored(12, '艾布鲁环保科技股份有限公司', { status: 'provisional', candidateId: 2 });
    expect(decideName(name('艾布鲁环保科枝股份有限公司'), [provisional], T)).toMatchObject({ candidateId: 2 });
  });

  it('sends two different employers of equal score above the match threshold to review rather than guess', () => {
    const candidates = [stored(21, '华为技术有限公司'), stored(20, '華為技術有限公司')];
    expect(decideName(name('华为技术有限公司'), candidates, T)).toMatchObject({
      kind: 'create',
      provisional: true,
      candidateId: 20,
    });
  });

  it('creates a plain employer when the best score is below the review threshold', () => {
    const d = decideName(name('华夏银行股份有限公司'), [stored(1, '华西银行股份有限公司')], T);
    expect(d).toMatchObject({ kind: 'create', provisional: false, candidateId: null });
  });
});

describe('matchByCodeOrExactKey', () => {
  it('takes the owner of the valid code, and knows whether this spelling is recorded', () => {
    const hits = [{ id: 4, creditCode: CODE_A, seen: true }];
    expect(matchByCodeOrExactKey(name('华为', CODE_A), { id: 4, creditCode: CODE_A }, hits)).toEqual({
      employerId: 4,
      seen: true,
    });
    expect(matchByCodeOrExactKey(name('华为', CODE_A), { id: 4, creditCode: CODE_A }, [])).toEqual({
      employerId: 4,
      seen: false,
    });
  });

  it('takes the one employer with a spelling of the exact key', () => {
    const hits = [{ id: 6, creditCode: null, seen: false }];
    expect(matchByCodeOrExactKey(name('华为技术有限公司'), undefined, hits)).toEqual({ employerId: 6, seen: false });
  });

  it('leaves the decision to blocking when the exact key names several employers', () => {
    const hits = [
      { id: 6, creditCode: null, seen: true },
      { id: 7, creditCode: null, seen: true },
    ];
    expect(matchByCodeOrExactKey(name('华为技术有限公司'), undefined, hits)).toBeNull();
  });

  it('ignores an exact-key employer with a different valid code', () => {
    const hits = [
      { id: 6, creditCode: CODE_B, seen: true },
      { id: 7, creditCode: CODE_A, seen: false },
    ];
    expect(matchByCodeOrExactKey(name('华为技术有限公司', CODE_A), undefined, hits)).toEqual({
      employerId: 7,
      seen: false,
    });
    expect(matchByCodeOrExactKey(name('华为技术有限公司', CODE_A), undefined, hits.slice(0, 1))).toBeNull();
  });

  it('leaves a code still to give to its employer to the locked path', () => {
    const hits = [{ id: 6, creditCode: null, seen: true }];
    expect(matchByCodeOrExactKey(name('华为技术有限公司', CODE_A), undefined, hits)).toBeNull();
  });
});

describe('decideInOrder', () => {
  it('creates one employer for two spellings of a new employer in one batch', () => {
    const { decisions } = decideInOrder([name('华为技术有限公司'), name('華為技術有限公司')], [[], []], [100, 101], T);
    expect(decisions).toEqual([
      { kind: 'create', employerId: 100, provisional: false, candidateId: null },
      { kind: 'matched', employerId: 100, score: 1 },
    ]);
  });

  it('gives an employer created earlier in the batch the code a later spelling brings, and keeps other codes out', () => {
    const names = [name('华为技术有限公司'), name('华为技术有限公司', CODE_A), name('华为技术有限公司', CODE_B)];
    const { decisions, codesGiven } = decideInOrder(names, [[], [], []], [100, 101, 102], T);
    expect(decisions.map((d) => [d.kind, d.employerId])).toEqual([
      ['create', 100],
      ['matched', 100],
      ['create', 101],
    ]);
    expect(codesGiven).toEqual(new Map([[100, CODE_A]]));
  });

  it('gives a stored employer without a code the first code of the batch, so a second code is another employer', () => {
    const huawei = stored(3, '华为技术有限公司');
    const names = [name('华为技术有限公司', CODE_A), name('華為技術有限公司', CODE_B)];
    const { decisions, codesGiven } = decideInOrder(names, [[huawei], [huawei]], [100, 101], T);
    expect(decisions).toEqual([
      { kind: 'matched', employerId: 3, score: 1 },
      { kind: 'create', employerId: 100, provisional: false, candidateId: null },
    ]);
    expect(codesGiven).toEqual(new Map([[3, CODE_A]]));
  });

  it('puts a later spelling in review against a provisional employer of the batch by pointing at its candidate', () => {
    const known = stored(8, '艾布鲁环保科技股份有限公司');
    const names = [name('艾布鲁环保科枝股份有限公司'), name('艾布鲁环保科枝股份有限公司')];
    const { decisions } = decideInOrder(names, [[known], [known]], [100, 101], T);
    expect(decisions[0]).toMatchObject({ kind: 'create', employerId: 100, provisional: true, candidateId: 8 });
    // The second spelling has the exact key of the provisional employer: it is that employer (in review with it).
    expect(decisions[1]).toEqual({ kind: 'matched', employerId: 100, score: 1 });
  });

  it('decides each name as decideName does when the names do not meet', () => {
    const candidates = [[stored(5, '南京科高股份有限公司')], [stored(1, '中国工商银行股份有限公司')]];
    const names = [name('南京高科股份有限公司'), name('中国工商银行股份有限公司深圳分行')];
    const { decisions } = decideInOrder(names, candidates, [100, 101], T);
    expect(decisions[0]).toEqual({
      kind: 'matched',
      employerId: 5,
      score: decideName(names[0]!, candidates[0]!, T).score,
    });
    expect(decisions[1]).toEqual({ ...decideName(names[1]!, candidates[1]!, T), employerId: 100 });
  });
});
