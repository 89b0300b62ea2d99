import { beforeAll, describe, expect, it } from 'vitest';
import {
  confirmReview,
  employerDetail,
  mergeEmployers,
  rejectReview,
  reviewQueue,
  splitSpelling,
} from '../../shared/use-cases/administer-employers.ts';
import { syntheticCreditCode } from '../../bench/dev-set/dev-set.ts';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { seededRandom } from '../../shared/domain/employers/spelling-variants.ts';
import { createApiKey } from '../helpers/api.ts';
import { employerIdsOfVisits, insertPriorEmployer, insertVisitOn } from '../helpers/employers-factories.ts';
import { createReferenceData, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
let ref: ReferenceData;
let adminKey: string;
let universityKey: string;
const resolver = createEmployerResolver({ matchThreshold: 0.9, reviewThreshold: 0.75 });
const who = { by: '李老师', reason: 'checked the business licence' };

beforeAll(async () => {
  ref = await createReferenceData(services.db);
  adminKey = await createApiKey(services.db, 'admin');
  universityKey = await createApiKey(services.db, `university:${ref.universityCode}`);
});

const resolve = (name: string, creditCode?: string) => resolver.resolve(services.db, { name, creditCode });
/** What every measure counts: distinct employers in the university's active visits. */
const distinctEmployers = async () =>
  Number(
    (
      await services.db
        .selectFrom('visits')
        .select((eb) => eb.fn.count<number>('employer_id').distinct().as('n'))
        .where('university_code', '=', ref.universityCode)
        .where('state', '=', 'active')
        .executeTakeFirstOrThrow()
    ).n,
  );
const auditOf = (employerId: number) =>
  services.db.selectFrom('employer_audit').selectAll().where('employer_id', '=', employerId).orderBy('id').execute();

/** A base employer and a grey-zone spelling of it (a provisional employer in review), each with a visit. */
async function greyPair(base: string, grey: string) {
  const a = await resolve(base);
  const b = await resolve(grey);
  expect(b.decision).toBe('review');
  const visits = [
    await insertVisitOn(services.db, ref.universityCode, a.employerId, base),
    await insertVisitOn(services.db, ref.universityCode, b.employerId, grey),
  ];
  const review = (await reviewQueue(services.db)).find((x) => x.employer_id === b.employerId)!;
  return { a, b, visits, review };
}

describe('review queue', () => {
  it('lists the provisional employer with its candidate and counts its visits on its own until decided', async () => {
    const before = await distinctEmployers();
    const { a, b, review } = await greyPair('广东恒申美达新材料股份公司', '广东恒申美大新材料股份公司');
    expect(review).toMatchObject({
      employer_id: b.employerId,
      candidate_id: a.employerId,
      status: 'pending',
      visits: 1,
    });
    expect(await distinctEmployers()).toBe(before + 2);
  });

  it('confirming merges the provisional employer into its candidate: visits and prior links repointed, audited, counted once at once', async () => {
    const { a, b, visits, review } = await greyPair('北京睿泽恒镒科技发展股份公司', '北京睿泽恒益科技发展股份公司');
    const prior = await insertPriorEmployer(
      services.db,
      ref.universityCode,
      '北京睿泽恒益科技发展股份公司',
      '',
      b.employerId,
    );
    const before = await distinctEmployers();
    const decision = await confirmReview(services.db, review.id, who);
    expect(decision).toMatchObject({
      decision: 'confirmed',
      employerId: b.employerId,
      candidateId: a.employerId,
      visits: 1,
    });
    expect(await employerIdsOfVisits(services.db, visits)).toEqual([a.employerId, a.employerId]);
    expect(await distinctEmployers()).toBe(before - 1);
    expect(
      (
        await services.db
          .selectFrom('prior_employers')
          .select('employer_id')
          .where('id', '=', prior)
          .executeTakeFirstOrThrow()
      ).employer_id,
    ).toBe(a.employerId);
    expect(
      await services.db
        .selectFrom('employers')
        .select(['status', 'merged_into'])
        .where('id', '=', b.employerId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'merged', merged_into: a.employerId });
    const audit = await auditOf(a.employerId);
    expect(audit.at(-1)).toMatchObject({
      action: 'review.confirm',
      actor: '李老师',
      reason: 'checked the business licence',
    });
    expect(audit.at(-1)!.at).toBeInstanceOf(Date);
    // The grey spelling now resolves straight to the candidate.
    expect(await resolve('北京睿泽恒益科技发展股份公司')).toMatchObject({
      employerId: a.employerId,
      decision: 'matched',
    });
    await expect(confirmReview(services.db, review.id, who)).rejects.toThrow(/already confirmed/);
  });

  it('rejecting makes the provisional employer an employer of its own, audited', async () => {
    const { b, review } = await greyPair('江苏盛安传动科技发展股份公司', '江苏盛安传劢科技发展股份公司');
    await rejectReview(services.db, review.id, { by: 'ops', reason: 'a different company' });
    expect(
      await services.db
        .selectFrom('employers')
        .select(['status', 'candidate_id'])
        .where('id', '=', b.employerId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'active', candidate_id: null });
    expect((await auditOf(b.employerId)).at(-1)).toMatchObject({
      action: 'review.reject',
      actor: 'ops',
      reason: 'a different company',
    });
    expect(await resolve('江苏盛安传劢科技发展股份公司')).toMatchObject({
      employerId: b.employerId,
      decision: 'matched',
    });
  });
});

describe('merge', () => {
  it('moves visits, spellings, prior links and the credit code in one step; the merged name then resolves to the survivor', async () => {
    const a = await resolve('承德露露股份公司', '911308002360118288'.slice(0, 17) + 'X');
    const b = await resolve('河北露露饮料有限公司');
    const visits = [
      await insertVisitOn(services.db, ref.universityCode, a.employerId, '承德露露股份公司'),
      await insertVisitOn(services.db, ref.universityCode, b.employerId, '河北露露饮料有限公司'),
    ];
    const prior = await insertPriorEmployer(services.db, ref.universityCode, '河北露露饮料有限公司', '', b.employerId);
    const before = await distinctEmployers();
    const res = await mergeEmployers(services.db, b.employerId, a.employerId, who);
    expect(res).toMatchObject({ from: b.employerId, into: a.employerId, visits: 1, priorEmployers: 1 });
    expect(await employerIdsOfVisits(services.db, visits)).toEqual([a.employerId, a.employerId]);
    expect(await distinctEmployers()).toBe(before - 1);
    expect(
      (
        await services.db
          .selectFrom('prior_employers')
          .select('employer_id')
          .where('id', '=', prior)
          .executeTakeFirstOrThrow()
      ).employer_id,
    ).toBe(a.employerId);
    expect((await resolve('河北露露饮料有限公司')).employerId).toBe(a.employerId);
    expect((await auditOf(a.employerId)).at(-1)).toMatchObject({ action: 'merge', actor: '李老师' });
    await expect(mergeEmployers(services.db, b.employerId, a.employerId, who)).rejects.toThrow(/already merged into/);
  });

  it('refuses to merge two employers with different valid credit codes, and to merge without a reason', async () => {
    const rng = seededRandom(42);
    const a = await resolve('南京宝色股份公司', syntheticCreditCode(rng));
    const b = await resolve('南京宝色股份公司', syntheticCreditCode(rng));
    expect(a.employerId).not.toBe(b.employerId);
    await expect(mergeEmployers(services.db, a.employerId, b.employerId, who)).rejects.toThrow(
      /different credit codes/,
    );
    await expect(mergeEmployers(services.db, a.employerId, a.employerId, who)).rejects.toThrow(/itself/);
    const c = await resolve('华蓝集团股份公司');
    await expect(mergeEmployers(services.db, c.employerId, a.employerId, { by: 'x', reason: ' ' })).rejects.toThrow(
      /reason/,
    );
  });
});

describe('split', () => {
  it('moves a spelling, its visits and prior links to a new employer; the rest stay; audited', async () => {
    const a = await resolve('金雷科技股份公司');
    const wrong = await resolve('金雷科技有限公司'); // matched to a, but (say) it is another company
    expect(wrong.employerId).toBe(a.employerId);
    const visits = [
      await insertVisitOn(services.db, ref.universityCode, a.employerId, '金雷科技股份公司'),
      await insertVisitOn(services.db, ref.universityCode, a.employerId, '金雷科技有限公司'),
    ];
    const prior = await insertPriorEmployer(services.db, ref.universityCode, '金雷科技有限公司', '', a.employerId);
    const spelling = (await employerDetail(services.db, a.employerId)).spellings.find(
      (s) => s.spelling === '金雷科技有限公司',
    )!;
    const before = await distinctEmployers();
    const res = await splitSpelling(services.db, spelling.id, who);
    expect(res).toMatchObject({ from: a.employerId, spellings: ['金雷科技有限公司'], visits: 1, priorEmployers: 1 });
    expect(await employerIdsOfVisits(services.db, visits)).toEqual([a.employerId, res.to]);
    expect(await distinctEmployers()).toBe(before + 1);
    expect(
      (
        await services.db
          .selectFrom('prior_employers')
          .select('employer_id')
          .where('id', '=', prior)
          .executeTakeFirstOrThrow()
      ).employer_id,
    ).toBe(res.to);
    expect((await resolve('金雷科技有限公司')).employerId).toBe(res.to);
    expect((await resolve('金雷科技股份公司')).employerId).toBe(a.employerId);
    const detail = await employerDetail(services.db, a.employerId);
    expect(detail.audit[0]).toMatchObject({ action: 'split', actor: '李老师', reason: 'checked the business licence' });
  });

  it('refuses to split off the only name of an employer', async () => {
    const a = await resolve('伟志股份公司');
    const only = (await employerDetail(services.db, a.employerId)).spellings[0]!;
    await expect(splitSpelling(services.db, only.id, who)).rejects.toThrow(/only name/);
  });
});

describe('admin API', () => {
  it('answers 403 to a key without the admin scope and 401 without a key', async () => {
    expect((await services.api.request('GET', '/v1/admin/employers/review', { key: universityKey })).status).toBe(403);
    expect(
      (
        await services.api.request('POST', '/v1/admin/employers/merge', {
          key: universityKey,
          body: { from: 1, into: 2, reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect((await services.api.request('GET', '/v1/admin/employers/review')).status).toBe(401);
  });

  it('lists the queue, confirms a review, and shows the employer with its audit trail', async () => {
    const { a, review } = await greyPair('湖北平安电工科技发展股份公司', '湖北平安电功科技发展股份公司');
    const list = await services.api.request('GET', '/v1/admin/employers/review', { key: adminKey });
    expect(list.status).toBe(200);
    expect((list.body.reviews as Array<{ id: number }>).map((x) => x.id)).toContain(review.id);
    const ok = await services.api.request('POST', `/v1/admin/employers/review/${review.id}/confirm`, {
      key: adminKey,
      body: { by: '王工', reason: 'same company' },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ decision: 'confirmed', candidateId: a.employerId });
    expect(
      (
        await services.api.request('POST', `/v1/admin/employers/review/${review.id}/confirm`, {
          key: adminKey,
          body: {},
        })
      ).status,
    ).toBe(409);
    const shown = await services.api.request('GET', `/v1/admin/employers/${a.employerId}`, { key: adminKey });
    expect(shown.status).toBe(200);
    expect(shown.body.audit[0]).toMatchObject({ action: 'review.confirm', reason: 'same company' });
    expect(shown.body.audit[0].actor).toMatch(/王工/);
    expect((await services.api.request('GET', '/v1/admin/employers/999999', { key: adminKey })).status).toBe(404);
  });

  it('merges and splits over HTTP, validating the body', async () => {
    const a = await resolve('康希诺生物股份公司');
    const b = await resolve('康希诺生物製品有限公司');
    expect(
      (
        await services.api.request('POST', '/v1/admin/employers/merge', {
          key: adminKey,
          body: { from: b.employerId, into: a.employerId },
        })
      ).status,
    ).toBe(400);
    const merged = await services.api.request('POST', '/v1/admin/employers/merge', {
      key: adminKey,
      body: { from: b.employerId, into: a.employerId, reason: 'one company' },
    });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body).toMatchObject({ from: b.employerId, into: a.employerId });
    const spelling = (await employerDetail(services.db, a.employerId)).spellings.find(
      (s) => s.spelling === '康希诺生物製品有限公司',
    )!;
    const split = await services.api.request('POST', '/v1/admin/employers/split', {
      key: adminKey,
      body: { spellingId: spelling.id, reason: 'not the same after all' },
    });
    expect(split.status, split.text).toBe(200);
    expect(split.body.from).toBe(a.employerId);
    expect(
      (
        await services.api.request('POST', '/v1/admin/employers/merge', {
          key: adminKey,
          body: { from: b.employerId, into: a.employerId, reason: 'again' },
        })
      ).status,
    ).toBe(409);
  });
});
