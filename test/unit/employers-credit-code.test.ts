import { describe, expect, it } from 'vitest';
import { creditCodeCheckChar, isValidCreditCode, normalizeCreditCode } from '../../shared/domain/credit-code.ts';
import { seededRandom } from '../../shared/domain/employers/spelling-variants.ts';
import { syntheticCreditCode } from '../../bench/dev-set/dev-set.ts';

describe('credit codes (GB 32100-2015)', () => {
  it('accepts real codes and computes their check character', () => {
    expect(isValidCreditCode('914403001922038216')).toBe(true); // 华为技术有限公司
    expect(isValidCreditCode('91120000712806184T')).toBe(true);
    expect(creditCodeCheckChar('91120000712806184')).toBe('T');
  });

  it('rejects a wrong check character, a letter outside the alphabet and a wrong length', () => {
    expect(isValidCreditCode('914403001922038217')).toBe(false);
    expect(isValidCreditCode('9144030019220382I6')).toBe(false);
    expect(isValidCreditCode('91440300192203821')).toBe(false);
  });

  it('normalises case, spaces (U+3000 too), hyphens and full-width characters before checking', () => {
    expect(normalizeCreditCode('91120000712806184t')).toBe('91120000712806184T');
    expect(normalizeCreditCode(' 914403 001922\u3000038216 ')).toBe('914403001922038216');
    expect(normalizeCreditCode('９１１２００００７１２８０６１８４Ｔ')).toBe('91120000712806184T');
    expect(isValidCreditCode(normalizeCreditCode('9144-0300-1922-0382-16'))).toBe(true);
  });

  it('generates valid synthetic codes for the development set', () => {
    const rng = seededRandom(1);
    for (let i = 0; i < 50; i++) expect(isValidCreditCode(syntheticCreditCode(rng))).toBe(true);
  });
});
