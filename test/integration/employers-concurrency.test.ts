import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../shared/db/database.ts';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
let other: Db;

beforeAll(async () => {
  other = createDb(services.database.url, { poolSize: 3, applicationName: 'ledger-test-second-worker' }); // a second "worker": its own pool
});
afterAll(async () => {
  await other.destroy();
});

const resolver = createEmployerResolver({ matchThreshold: 0.9, reviewThreshold: 0.75 });
const BRANDS = ['星河', '云帆', '岳麓', '青禾', '墨竹', '金穗', '蓝鲸', '松涛', '长风', '白鹭', '紫荆', '赤霞'];
// Two spellings of each new employer, as two people would type them.
const pairs = (tag: string) =>
  BRANDS.map((b, i) => [`湖南${b}${tag}${i}智能科技有限公司`, `湖南省${b}${tag}${i}智能科技股份有限公司`] as const);
const countEmployers = async (like: string) =>
  Number(
    (
      await services.db
        .selectFrom('employers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('canonical_name', 'like', `%${like}%`)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('two workers resolving two spellings of one new employer at the same moment', () => {
  it('end with one employer each time (one name per transaction)', async () => {
    for (const [a, b] of pairs('单')) {
      const [ra, rb] = await Promise.all([
        services.db.transaction().execute((trx) => resolver.resolveMany(trx, [{ name: a }])),
        other.transaction().execute((trx) => resolver.resolveMany(trx, [{ name: b }])),
      ]);
      expect(ra[0]!.employerId).toBe(rb[0]!.employerId);
      expect([ra[0]!.decision, rb[0]!.decision].sort()).toEqual(['created', 'matched']);
    }
    expect(await countEmployers('单')).toBe(BRANDS.length);
  });

  it('end with one employer per name, without deadlock, when each worker resolves a whole batch in another order', async () => {
    const list = pairs('批');
    const [ra, rb] = await Promise.all([
      services.db.transaction().execute((trx) =>
        resolver.resolveMany(
          trx,
          list.map(([a]) => ({ name: a })),
        ),
      ),
      other.transaction().execute((trx) =>
        resolver.resolveMany(
          trx,
          [...list].reverse().map(([, b]) => ({ name: b })),
        ),
      ),
    ]);
    const rbInOrder = [...rb].reverse();
    ra.forEach((r, i) => expect(r.employerId).toBe(rbInOrder[i]!.employerId));
    expect(await countEmployers('批')).toBe(BRANDS.length);
  });

  it('with a credit code on one side and none on the other, end with one employer that has the code', async () => {
    const [ra, rb] = await Promise.all([
      services.db
        .transaction()
        .execute((trx) =>
          resolver.resolveMany(trx, [{ name: '江西百胜智能科技股份有限公司', creditCode: '913600007055083069' }]),
        ),
      other.transaction().execute((trx) => resolver.resolveMany(trx, [{ name: '江西百勝智能科技股份有限公司' }])),
    ]);
    expect(ra[0]!.employerId).toBe(rb[0]!.employerId);
    const e = await services.db
      .selectFrom('employers')
      .select('credit_code')
      .where('id', '=', ra[0]!.employerId)
      .executeTakeFirstOrThrow();
    expect(e.credit_code).toBe('913600007055083069');
  });

  it('two `ledger employers resolve` processes fed the two spellings end with one employer per name', async () => {
    const list = pairs('进');
    const input = (k: 0 | 1) => list.map((p) => JSON.stringify({ name: p[k] })).join('\n') + '\n';
    const [a, b] = await Promise.all([
      runLedger(['employers', 'resolve'], { DATABASE_URL: services.database.url }, input(0)),
      runLedger(['employers', 'resolve'], { DATABASE_URL: services.database.url }, input(1)),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const idsA = a.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { employerId: number }).employerId);
    const idsB = b.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { employerId: number }).employerId);
    expect(idsA).toEqual(idsB);
    expect(await countEmployers('进')).toBe(BRANDS.length);
  });
});
