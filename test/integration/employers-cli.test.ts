import { beforeAll, describe, expect, it } from 'vitest';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { runLedger, jsonOut } from '../helpers/cli.ts';
import { employerIdsOfVisits, insertPriorEmployer, insertVisitOn } from '../helpers/employers-factories.ts';
import { createReferenceData, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
let ref: ReferenceData;
let env: { DATABASE_URL: string; RESOLVE_MATCH_THRESHOLD: string; RESOLVE_REVIEW_THRESHOLD: string };

beforeAll(async () => {
  ref = await createReferenceData(services.db);
  env = { DATABASE_URL: services.database.url, RESOLVE_MATCH_THRESHOLD: '0.9', RESOLVE_REVIEW_THRESHOLD: '0.75' };
});

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const count = async (table: 'employers' | 'employer_spellings') =>
  Number(
    (
      await services.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('ledger employers resolve', () => {
  it('writes one JSON line per input line, in order, with the employer and the decision', async () => {
    const input = [
      '华为技术有限公司',
      '華為技術有限公司',
      '中国工商银行股份有限公司深圳分行',
      '中国工商银行股份有限公司',
      'ＨＵＡＷＥＩ华为技术　有限公司',
    ]
      .map((name) => JSON.stringify({ name }))
      .join('\n');
    const res = await runLedger(
      ['employers', 'resolve'],
      env,
      input + '\n' + JSON.stringify({ name: '富春科技股份有限公司', creditCode: '913500007264587158' }) + '\n',
    );
    expect(res.code, res.stderr).toBe(0);
    const out = lines(res.stdout);
    expect(out).toHaveLength(6);
    expect(out.map((o) => o.decision)).toEqual(['created', 'matched', 'created', 'created', 'created', 'created']);
    expect(out[1]!.employerId).toBe(out[0]!.employerId);
    expect(out[0]).toMatchObject({ canonicalName: '华为技术有限公司' });
    expect(new Set(out.map((o) => o.employerId)).size).toBe(5);
  });

  it('answers a bad line with an error line of its own, resolves the others, and exits 1 with a summary', async () => {
    const res = await runLedger(
      ['employers', 'resolve'],
      env,
      '{"name":"腾讯科技（深圳）有限公司"}\nnot json\n{"nam":"x"}\n{"name":"腾讯科技(深圳)有限公司"}\n',
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/2 of 4 lines could not be resolved/);
    const out = lines(res.stdout);
    expect(out).toHaveLength(4);
    expect(out[1]).toMatchObject({ line: 2, error: expect.stringMatching(/not JSON/) });
    expect(out[2]).toMatchObject({ line: 3, error: expect.stringMatching(/no "name"/) });
    expect(out[3]!.employerId).toBe(out[0]!.employerId);
  });

  it('with --dry-run resolves (later lines see earlier ones) and writes nothing', async () => {
    const before = [await count('employers'), await count('employer_spellings')];
    const res = await runLedger(
      ['employers', 'resolve', '--dry-run'],
      env,
      '{"name":"北京字节跳动科技有限公司"}\n{"name":"北京字節跳動科技有限公司"}\n{"name":"華為技術"}\n',
    );
    expect(res.code, res.stderr).toBe(0);
    const out = lines(res.stdout);
    expect(out.map((o) => o.decision)).toEqual(['created', 'matched', 'matched']);
    expect(out[0]!.employerId).toBeNull();
    expect(typeof out[2]!.employerId).toBe('number');
    expect([await count('employers'), await count('employer_spellings')]).toEqual(before);
  });
});

describe('ledger employers link-prior', () => {
  it('links every prior-employer row through the resolver', async () => {
    const huawei = (await runLedger(['employers', 'resolve'], env, '{"name":"华为技术有限公司"}\n')).stdout;
    const id = lines(huawei)[0]!.employerId;
    const p1 = await insertPriorEmployer(services.db, ref.universityCode, '華為技術有限公司');
    const p2 = await insertPriorEmployer(services.db, ref.universityCode, '承德露露股份公司');
    const res = await runLedger(['employers', 'link-prior', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(jsonOut<{ linked: number }>(res).linked).toBeGreaterThanOrEqual(2);
    const rows = await services.db
      .selectFrom('prior_employers')
      .select(['id', 'employer_id'])
      .where('id', 'in', [p1, p2])
      .orderBy('id')
      .execute();
    expect(rows[0]!.employer_id).toBe(id);
    expect(rows[1]!.employer_id).not.toBeNull();
  });
});

describe('ledger employers review / merge / split / show', () => {
  it('lists and confirms a review, audited with --by and --reason', async () => {
    const resolver = createEmployerResolver({ matchThreshold: 0.9, reviewThreshold: 0.75 });
    const a = await resolver.resolve(services.db, { name: '广东恒申美达新材料股份公司' });
    const b = await resolver.resolve(services.db, { name: '广东恒申美大新材料股份公司' });
    expect(b.decision).toBe('review');
    const visit = await insertVisitOn(services.db, ref.universityCode, b.employerId, '广东恒申美大新材料股份公司');
    const list = await runLedger(['employers', 'review', 'list', '--json'], env);
    const review = jsonOut<Array<{ id: number; employer_id: number }>>(list).find(
      (x) => x.employer_id === b.employerId,
    )!;
    const human = await runLedger(['employers', 'review', 'list'], env);
    expect(human.stdout).toContain('广东恒申美大新材料股份公司');
    const ok = await runLedger(
      [
        'employers',
        'review',
        'confirm',
        '--id',
        String(review.id),
        '--by',
        '陈工',
        '--reason',
        'same company',
        '--json',
      ],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(await employerIdsOfVisits(services.db, [visit])).toEqual([a.employerId]);
    const shown = jsonOut<{ audit: Array<{ action: string; actor: string; reason: string }> }>(
      await runLedger(['employers', 'show', '--id', String(a.employerId), '--json'], env),
    );
    expect(shown.audit[0]).toMatchObject({ action: 'review.confirm', actor: '陈工', reason: 'same company' });
    const again = await runLedger(['employers', 'review', 'reject', '--id', String(review.id)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already confirmed/);
  });

  it('merges and splits, refusing a merge without --reason', async () => {
    const resolver = createEmployerResolver({ matchThreshold: 0.9, reviewThreshold: 0.75 });
    const a = await resolver.resolve(services.db, { name: '有研半导体硅材料股份公司' });
    const b = await resolver.resolve(services.db, { name: '有研硅股份有限公司' });
    expect(b.employerId).not.toBe(a.employerId);
    const noReason = await runLedger(
      ['employers', 'merge', '--from', String(b.employerId), '--into', String(a.employerId)],
      env,
    );
    expect(noReason.code).not.toBe(0);
    const merged = await runLedger(
      [
        'employers',
        'merge',
        '--from',
        String(b.employerId),
        '--into',
        String(a.employerId),
        '--reason',
        'renamed in 2021',
        '--json',
      ],
      env,
    );
    expect(merged.code, merged.stderr).toBe(0);
    expect(jsonOut(merged)).toMatchObject({ from: b.employerId, into: a.employerId });
    const shown = jsonOut<{ spellings: Array<{ id: number; spelling: string }> }>(
      await runLedger(['employers', 'show', '--id', String(a.employerId), '--json'], env),
    );
    const moved = shown.spellings.find((s) => s.spelling === '有研硅股份有限公司')!;
    const split = await runLedger(
      [
        'employers',
        'split',
        '--spelling-id',
        String(moved.id),
        '--reason',
        'two companies after all',
        '--by',
        'ops',
        '--json',
      ],
      env,
    );
    expect(split.code, split.stderr).toBe(0);
    const to = jsonOut<{ to: number }>(split).to;
    expect((await resolver.resolve(services.db, { name: '有研硅股份有限公司' })).employerId).toBe(to);
    const bad = await runLedger(['employers', 'merge', '--from', 'x', '--into', '1', '--reason', 'r'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/'--from <id>' argument 'x' is invalid\. "x" is not an employer id/);
  });
});
