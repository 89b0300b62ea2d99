// The password rules, one by one: each refusal names its rule; a good password passes them all.
import { describe, expect, it } from 'vitest';
import { generatePassword } from '../../shared/domain/accounts.ts';
import { commonPasswords, passwordPolicy } from '../../shared/common-passwords.ts';
import { isKeyboardPattern, passwordRefusals } from '../../shared/domain/password-policy.ts';

const policy = passwordPolicy();
const rules = (password: string, name: string | null = 'zhang.san') =>
  passwordRefusals(password, name, policy).map((r) => r.rule);

describe('password rules', () => {
  it('accepts a long password of three classes that is none of the patterns', () => {
    expect(rules('Lantern-river-4-moss')).toEqual([]);
    expect(rules('Zt8#kP2!mQ4@vL')).toEqual([]);
    expect(rules('console-test-password-2022')).toEqual([]);
  });

  it('too-short: fewer characters than the minimum, which is configurable', () => {
    expect(rules('Ab3!xyzuvw')).toEqual(['too-short']);
    expect(passwordRefusals('Ab3!xyzuvw', null, { ...policy, minLength: 8 })).toEqual([]);
    expect(passwordRefusals('Ab3!xyzuvwqr', null, { ...policy, minLength: 16 }).map((r) => r.rule)).toEqual([
      'too-short',
    ]);
  });

  it('character-classes: at least three of upper, lower, digit, symbol', () => {
    expect(rules('lanternrivermoss')).toEqual(['character-classes']);
    expect(rules('lanternriver4moss')).toEqual(['character-classes']);
    expect(rules('LANTERN-RIVER-MOSS')).toEqual(['character-classes']);
    expect(rules('Lantern-river-moss')).toEqual([]);
  });

  it('contains-name: not the account name, whatever its case', () => {
    expect(rules('Zhang.San-2024!x')).toEqual(['contains-name']);
    expect(rules('xxZHANG.SANyy-7Q')).toEqual(['contains-name']);
    expect(rules('Zhang.San-2024!x', 'li.si')).toEqual([]);
  });

  it('common-password: on the list, or the list with digits, symbols and leet spelling around it', () => {
    expect(commonPasswords().size).toBeGreaterThan(5000);
    expect(rules('unbelievable')).toContain('common-password');
    expect(rules('Password2024!')).toEqual(['common-password']);
    expect(rules('P@ssw0rd2024!')).toEqual(['common-password']);
    expect(rules('!!Sunshine1234')).toEqual(['common-password']);
  });

  it('keyboard-pattern: rows, columns, sequences, repetitions', () => {
    for (const p of [
      'Qwertyuiop12!',
      '1qaz2wsx3edC!',
      '1qaz@WSX3edc#',
      'Abc123456789!',
      'Aa!aaaaaaaaaaa',
      'Asdf!Jkl;2024Zq',
    ])
      expect(rules(p, null), p).toContain('keyboard-pattern');
    expect(isKeyboardPattern('Lantern-river-4-moss')).toBe(false);
  });

  it('names every rule a password breaks, with a Chinese and an English message', () => {
    const refusals = passwordRefusals('qwerty', 'qwe', policy);
    expect(refusals.map((r) => r.rule)).toEqual([
      'too-short',
      'character-classes',
      'contains-name',
      'common-password',
      'keyboard-pattern',
    ]);
    for (const r of refusals) {
      expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.en).toMatch(/[a-z]/);
    }
  });

  it('generates passwords that keep the rules', () => {
    for (let i = 0; i < 200; i++) expect(rules(generatePassword(), 'someone')).toEqual([]);
  });
});
