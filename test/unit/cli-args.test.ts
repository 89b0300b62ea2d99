import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { countArg, idArg, noticeScopeArg, rankingScopeArg, scopeArg } from '../../services/cli/args.ts';

describe('idArg', () => {
  const clientId = idArg('client', 'ledger clients list');

  it('takes a positive whole number', () => {
    expect(clientId('42')).toBe(42);
  });

  it('refuses zero, negatives, fractions, exponents, hex and words, saying where the ids are listed', () => {
    for (const bad of ['0', '-1', '1.5', '1e3', '0x10', ' 7', 'abc', '', '9007199254740993']) {
      expect(() => clientId(bad), bad).toThrow(InvalidArgumentError);
      expect(() => clientId(bad), bad).toThrow(/is not a client id: use an id from `ledger clients list`/);
    }
  });

  it('says "an" before a vowel', () => {
    expect(() => idArg('employer', 'ledger employers review list')('x')).toThrow(/"x" is not an employer id/);
  });
});

describe('countArg', () => {
  it('takes a positive whole number and refuses anything else', () => {
    expect(countArg('100')).toBe(100);
    expect(() => countArg('-3')).toThrow(/is not a count/);
  });
});

describe('scope parsers', () => {
  it('parses the scope of a key or user, and names every form in its refusal', () => {
    expect(scopeArg('province:440000')).toEqual({ kind: 'province', provinceCode: '440000' });
    expect(scopeArg(' national ')).toEqual({ kind: 'national' });
    expect(() => scopeArg('province:44')).toThrow(
      /"province:44" is not a scope: use university:CODE .*national or admin/,
    );
  });

  it('parses a ranking scope, provinces included', () => {
    expect(rankingScopeArg('provinces')).toBe('provinces');
    expect(rankingScopeArg('province:110000')).toBe('province:110000');
    expect(() => rankingScopeArg('admin')).toThrow(/is not a ranking scope/);
  });

  it('parses a notice scope: national or one province, never provinces', () => {
    expect(noticeScopeArg('national')).toBe('national');
    expect(() => noticeScopeArg('provinces')).toThrow(/is not a notice scope/);
  });
});
