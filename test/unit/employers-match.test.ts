import { describe, expect, it } from 'vitest';
import {
  adjacentSwaps,
  chooseCandidate,
  coreSimilarity,
  decide,
  editDistance,
  numberSequence,
  regionRelation,
  similarity,
} from '../../shared/domain/employers/employer-match.ts';
import { employerFeatures } from '../../shared/domain/employers/normalize.ts';

const score = (a: string, b: string) => similarity(employerFeatures(a), employerFeatures(b));
const T = { match: 0.9, review: 0.8 };

describe('edit distances', () => {
  it('counts a swap of neighbours at the swap cost and other edits at 1', () => {
    expect(editDistance('华为技术', '为华技术', 0.25)).toBe(0.25);
    expect(editDistance('华夏银行', '华西银行')).toBe(1);
    expect(adjacentSwaps('特锐德', '锐特德')).toBe(1);
    expect(adjacentSwaps('特锐德', '锐德特')).toBe(2);
    expect(adjacentSwaps('abc', 'abd')).toBe(Infinity);
  });

  it('rates a swapped pair of characters far closer than a changed character', () => {
    expect(coreSimilarity('华为技术', '华为技术')).toBe(1);
    expect(coreSimilarity('南京高科', '南京科高')).toBeGreaterThan(0.9);
    expect(coreSimilarity('华夏银行', '华西银行')).toBeLessThan(0.7);
  });
});

describe('similarity', () => {
  it('scores spellings of one employer at or near 1', () => {
    expect(score('华为技术有限公司', '華為技術有限公司')).toBe(1);
    expect(score('华为技术有限公司', 'ＨＵＡＷＥＩ')).toBeLessThan(0.5);
    expect(score('深圳市腾讯计算机系统有限公司', '深圳腾讯计算机系统有限公司')).toBe(1);
    expect(score('腾讯科技（深圳）有限公司', '腾讯科技(深圳)有限公司')).toBe(1);
    expect(score('华为技术有限公司', '华为技术股份有限公司')).toBeGreaterThanOrEqual(T.match);
    expect(score('华为技术有限公司', '华为技术')).toBeGreaterThanOrEqual(T.match);
  });

  it('never matches a branch with its parent, nor two branches in different places', () => {
    expect(score('中国工商银行股份有限公司深圳分行', '中国工商银行股份有限公司')).toBe(0);
    expect(score('中国工商银行股份有限公司深圳分行', '中国工商银行股份有限公司广州分行')).toBe(0);
    expect(score('中国工商银行股份有限公司深圳分行', '中国工商银行深圳市分行')).toBeGreaterThanOrEqual(T.match);
  });

  it('keeps companies of one name in different regions apart', () => {
    expect(score('腾讯科技（深圳）有限公司', '腾讯科技（北京）有限公司')).toBeLessThan(T.review);
    expect(score('江苏银行股份有限公司', '南京银行股份有限公司')).toBeLessThan(T.review);
    expect(regionRelation(employerFeatures('江苏银行').regions, employerFeatures('南京银行').regions)).toBe(
      'compatible',
    );
  });

  it('does not match a group with its listed company outright', () => {
    expect(score('青海盐湖工业集团股份有限公司', '青海盐湖工业股份有限公司')).toBeLessThan(T.match);
  });
});

describe('numbers in names', () => {
  it('never merges names whose numbers differ, however close the rest', () => {
    expect(score('负载测试有限公司12', '负载测试有限公司21')).toBe(0);
    expect(score('深圳市第一建筑工程有限公司', '深圳市第二建筑工程有限公司')).toBe(0);
    expect(score('中建三局第一建设工程有限责任公司', '中建八局第一建设工程有限责任公司')).toBe(0);
  });

  it('reads Chinese and Arabic digits alike, so a typed 第1 still matches 第一', () => {
    expect(numberSequence('中建三局第一建设')).toBe(numberSequence('中建3局第1建设'));
    expect(score('中建三局第一建设工程有限责任公司', '中建三局 第一建设工程有限责任公司')).toBe(1);
  });
});

describe('decide', () => {
  it('matches at or above the match threshold, reviews in the grey zone, creates below', () => {
    expect(decide(0.95, T)).toBe('matched');
    expect(decide(0.9, T)).toBe('matched');
    expect(decide(0.85, T)).toBe('review');
    expect(decide(0.5, T)).toBe('created');
  });

  it('sends two equally good candidates to review instead of guessing', () => {
    const r = chooseCandidate(
      [
        { candidate: { id: 1 }, score: 1 },
        { candidate: { id: 2 }, score: 1 },
      ],
      T,
    );
    expect(r.decision).toBe('review');
    expect(
      chooseCandidate(
        [
          { candidate: { id: 1 }, score: 1 },
          { candidate: { id: 2 }, score: 0.7 },
        ],
        T,
      ),
    ).toMatchObject({ decision: 'matched', best: { candidate: { id: 1 } } });
    expect(chooseCandidate([], T)).toEqual({ best: null, decision: 'created' });
  });
});
