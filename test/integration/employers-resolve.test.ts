import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../shared/db/database.ts';
import { createEmployerResolver, type EmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { checkTrigramSupport } from '../../shared/use-cases/check-trigram-support.ts';
import { ADMIN_DATABASE_URL, databaseUrl } from '../helpers/services.ts';
import { useTestServices } from '../helpers/setup.ts';
import { dropDatabase, uniqueName } from '../helpers/test-db.ts';

const services = useTestServices();
let resolver: EmployerResolver;

beforeAll(async () => {
  resolver = createEmployerResolver({ matchThreshold: 0.9, reviewThreshold: 0.75 });
});

const resolve = (name: string, creditCode?: string | null) => resolver.resolve(services.db, { name, creditCode });
const employer = (id: number) =>
  services.db.selectFrom('employers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('resolution decisions', () => {
  it('creates an employer once and matches its other spellings to it', async () => {
    const first = await resolve('华为技术有限公司');
    expect(first.decision).toBe('created');
    for (const s of [
      '華為技術有限公司',
      ' 华为 技术\u3000有限公司',
      '华为技术股份有限公司',
      '华为技术',
      '为华技术有限公司',
    ]) {
      const r = await resolve(s);
      expect({ s, id: r.employerId, decision: r.decision }).toEqual({ s, id: first.employerId, decision: 'matched' });
    }
  });

  it('matches a name typed with 市 dropped, full-width brackets or another bracket style', async () => {
    const a = await resolve('深圳市腾讯计算机系统有限公司');
    expect((await resolve('深圳腾讯计算机系统有限公司')).employerId).toBe(a.employerId);
    const b = await resolve('腾讯科技（深圳）有限公司');
    expect((await resolve('腾讯科技(深圳)有限公司')).employerId).toBe(b.employerId);
    expect((await resolve('騰訊科技【深圳】有限公司')).employerId).toBe(b.employerId);
    expect(b.employerId).not.toBe(a.employerId);
  });

  it('keeps a branch apart from its parent and from another branch', async () => {
    const parent = await resolve('中国工商银行股份有限公司');
    const shenzhen = await resolve('中国工商银行股份有限公司深圳分行');
    const guangzhou = await resolve('中国工商银行股份有限公司广州分行');
    expect(new Set([parent.employerId, shenzhen.employerId, guangzhou.employerId]).size).toBe(3);
    expect(shenzhen.decision).toBe('created');
    expect((await resolve('中國工商銀行深圳市分行')).employerId).toBe(shenzhen.employerId);
  });

  it('keeps one name in two regions apart', async () => {
    const bj = await resolve('腾讯科技（北京）有限公司');
    const sz = await resolve('腾讯科技（深圳）有限公司');
    expect(bj.employerId).not.toBe(sz.employerId);
  });

  it('sends a grey-zone spelling to review: a provisional employer linked to its best candidate, and an open review', async () => {
    const base = await resolve('湖南艾布鲁环保科技股份有限公司');
    const grey = await resolve('湖南艾布噜环保科技股份有限公司'); // one character changed: found by trigrams on the brand
    expect(grey.decision).toBe('review');
    expect(grey.employerId).not.toBe(base.employerId);
    expect(grey.candidateId).toBe(base.employerId);
    const e = await employer(grey.employerId);
    expect(e).toMatchObject({ status: 'provisional', candidate_id: base.employerId });
    const review = await services.db
      .selectFrom('employer_reviews')
      .selectAll()
      .where('employer_id', '=', grey.employerId)
      .executeTakeFirstOrThrow();
    expect(review).toMatchObject({ candidate_id: base.employerId, status: 'pending' });
    // The same spelling again counts against the same provisional employer, still in review.
    expect(await resolve('湖南艾布噜环保科技股份有限公司')).toMatchObject({
      employerId: grey.employerId,
      decision: 'review',
    });
  });

  it('creates a new employer when nothing is close', async () => {
    const r = await resolve('北京字节跳动科技有限公司');
    expect(r.decision).toBe('created');
  });

  it('refuses a name with no letters or digits', async () => {
    await expect(resolve('（）——')).rejects.toThrow(/no letters or digits/);
  });
});

describe('credit codes', () => {
  it('resolves the same valid code to the same employer whatever the name, in lower case or spaced', async () => {
    const a = await resolve('富春科技股份有限公司', '913500007264587158');
    expect((await resolve('完全不同的名字有限公司', '913500007264587158')).employerId).toBe(a.employerId);
    expect((await resolve('富春科技', ' 913500 007264 587158')).employerId).toBe(a.employerId);
  });

  it('keeps two different valid codes apart even under one name', async () => {
    const a = await resolve('天津绿茵景观生态建设股份有限公司', '91120000712806184T');
    const b = await resolve('天津绿茵景观生态建设股份有限公司', '9151010075598305X1');
    expect(a.employerId).not.toBe(b.employerId);
    expect((await employer(a.employerId)).credit_code).toBe('91120000712806184T');
    expect((await employer(b.employerId)).credit_code).toBe('9151010075598305X1');
  });

  it('links a code to the employer first seen without one instead of creating another', async () => {
    const before = await resolve('江西百胜智能科技股份有限公司');
    expect((await employer(before.employerId)).credit_code).toBeNull();
    const after = await resolve('江西百勝智能科技股份有限公司', '913600007055083069');
    expect(after).toMatchObject({ employerId: before.employerId, decision: 'matched' });
    expect((await employer(before.employerId)).credit_code).toBe('913600007055083069');
    expect((await resolve('百胜智能另一个写法', '913600007055083069')).employerId).toBe(before.employerId);
  });

  it('ignores a code whose check digit is wrong and lets the name decide', async () => {
    const a = await resolve('上海古鳌电子科技股份有限公司');
    const b = await resolve('上海古鳌电子科技股份有限公司', '91310000630452159D');
    expect(b.employerId).toBe(a.employerId);
    expect((await employer(a.employerId)).credit_code).toBeNull();
  });
});

describe('resolveMany', () => {
  it('gives the results resolve would, in input order, inside the caller’s transaction', async () => {
    const names = [
      '成都天奥电子股份有限公司',
      '成都天奥电子股份有限公司成都分公司',
      '成都天奧電子股份有限公司',
      '佳缘科技股份有限公司',
    ];
    const out = await services.db.transaction().execute((trx) =>
      resolver.resolveMany(
        trx,
        names.map((name) => ({ name })),
      ),
    );
    expect(out.map((r) => r.decision)).toEqual(['created', 'created', 'matched', 'created']);
    expect(out[2]!.employerId).toBe(out[0]!.employerId);
    expect(out[1]!.employerId).not.toBe(out[0]!.employerId);
    for (const [i, name] of names.entries()) expect((await resolve(name)).employerId).toBe(out[i]!.employerId);
  });
});

describe('pg_trgm and the database locale', () => {
  it('finds trigrams in Chinese names in a database with a UTF-8 LC_CTYPE', async () => {
    const r = await checkTrigramSupport(services.db);
    expect(r.ok).toBe(true);
    expect(r.ctype).toMatch(/utf-?8/i);
    const { rows } = await sql<{ s: number }>`SELECT similarity('艾布鲁', '艾布噜') AS s`.execute(services.db);
    expect(Number(rows[0]!.s)).toBeGreaterThan(0.3);
  });

  it('reports a database whose LC_CTYPE is C: pg_trgm sees no trigrams in Chinese there', async () => {
    const name = uniqueName('ledger_test_f');
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(
      `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
    );
    await admin.end();
    const db = createDb(databaseUrl(name), { poolSize: 1 });
    try {
      await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
      const r = await checkTrigramSupport(db);
      expect(r).toMatchObject({ ok: false, ctype: 'C' });
      expect(r.message).toMatch(/UTF-8 locale/);
    } finally {
      await db.destroy();
      await dropDatabase(name);
    }
  });
});
