import { describe, expect, it } from 'vitest';
import {
  canonicalText,
  employerFeatures,
  normalizeEmployerName,
  toSimplified,
} from '../../shared/domain/employers/normalize.ts';

describe('canonicalText', () => {
  it('folds full-width letters, digits and brackets to half-width (NFKC) and Latin to lower case', () => {
    expect(canonicalText('ＴＣＬ科技集团股份有限公司')).toBe('tcl科技集团股份有限公司');
    expect(canonicalText('腾讯科技（深圳）有限公司')).toBe('腾讯科技(深圳)有限公司');
  });

  it('turns Taiwan and Hong Kong traditional characters into simplified ones', () => {
    expect(canonicalText('華為技術有限公司')).toBe('华为技术有限公司');
    expect(toSimplified('中國工商銀行股份有限公司')).toBe('中国工商银行股份有限公司');
  });

  it('removes ASCII spaces, U+3000 and punctuation', () => {
    expect(canonicalText(' 华为 技术\u3000有限公司。')).toBe('华为技术有限公司');
    expect(canonicalText('上海百联集团股份有限公司(2014-08-05合并前)')).toBe(
      '上海百联集团股份有限公司(20140805合并前)',
    );
  });

  it('unifies 【】, [] and （） into one bracket style', () => {
    expect(canonicalText('腾讯科技【深圳】有限公司')).toBe(canonicalText('腾讯科技(深圳)有限公司'));
    expect(canonicalText('腾讯科技[深圳]有限公司')).toBe(canonicalText('腾讯科技（深圳）有限公司'));
  });
});

describe('employerFeatures', () => {
  it('recognises the legal form, keeping it out of the core', () => {
    expect(employerFeatures('华为技术有限公司')).toMatchObject({
      core: '华为技术',
      legalForm: '有限公司',
      legalKind: 'limited',
      branch: null,
    });
    expect(employerFeatures('东华软件股份公司')).toMatchObject({ core: '东华软件', legalKind: 'joint-stock' });
    expect(employerFeatures('北京京城机电有限责任公司')).toMatchObject({ core: '京城机电', legalKind: 'limited' });
    expect(employerFeatures('华油惠博普科技股份')).toMatchObject({ core: '华油惠博普科技', legalKind: 'joint-stock' });
  });

  it('marks 集团 as a feature, in the name or in brackets', () => {
    expect(employerFeatures('TCL科技集团股份有限公司')).toMatchObject({ core: 'tcl科技', group: true });
    expect(employerFeatures('深圳市特力(集团)股份有限公司')).toMatchObject({ core: '特力', group: true });
  });

  it('recognises a leading province and city with or without 省/市 and a district with its suffix', () => {
    const full = employerFeatures('广东省深圳市南山区某某科技有限公司');
    expect(full.regions).toEqual({ province: '广东', city: '深圳', district: '南山' });
    expect(full.core).toBe('某某科技');
    expect(employerFeatures('深圳腾讯计算机系统有限公司').key).toBe(
      employerFeatures('深圳市腾讯计算机系统有限公司').key,
    );
    expect(employerFeatures('湖南艾布鲁环保科技股份有限公司').regions).toEqual({
      province: '湖南',
      city: null,
      district: null,
    });
  });

  it('reads a bracketed region like a leading one', () => {
    const f = employerFeatures('腾讯科技（深圳）有限公司');
    expect(f).toMatchObject({ core: '腾讯科技', regions: { province: '广东', city: '深圳', district: null } });
  });

  it('keeps a non-region bracket note apart from the core', () => {
    expect(employerFeatures('上海百联集团股份有限公司(2014-08-05合并前)')).toMatchObject({
      core: '百联',
      note: '20140805合并前',
    });
  });

  it('recognises a branch after the parent name, with its location, as a feature of its own', () => {
    const branch = employerFeatures('中国工商银行股份有限公司深圳分行');
    const parent = employerFeatures('中国工商银行股份有限公司');
    expect(branch.branch).toEqual({ marker: '分行', name: '深圳' });
    expect(branch.core).toBe(parent.core);
    expect(branch.key).not.toBe(parent.key);
    expect(employerFeatures('中国工商银行深圳市分行').branch).toEqual({ marker: '分行', name: '深圳' });
    expect(employerFeatures('华为技术有限公司　深圳分公司').branch).toEqual({ marker: '分公司', name: '深圳' });
  });

  it('gives every way of typing one name the same key', () => {
    const key = normalizeEmployerName('华为技术有限公司');
    for (const s of ['華為技術有限公司', ' 华为 技术有限公司', '华为技术\u3000有限公司', '華為技術有限公司\u3000'])
      expect(normalizeEmployerName(s)).toBe(key);
  });

  it('sorts the core characters so that swapped neighbours share a blocking key', () => {
    expect(employerFeatures('软控股份有限公司').coreSorted).toBe(employerFeatures('控软股份有限公司').coreSorted);
  });
});
