// Statements marked `/* prepared */` run as named prepared statements, planned once per connection: the employer
// resolver's hot path depends on it for its speed (bench/resolve.bench.ts).
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ poolSize: 1 });

const prepared = async () =>
  (
    await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
    SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements`.execute(services.db)
  ).rows;

describe('prepared statements', () => {
  it('runs marked statements as prepared statements that settle on one generic plan, and leaves others alone', async () => {
    const resolver = createEmployerResolver({ matchThreshold: 0.88, reviewThreshold: 0.75 });
    const names = [
      '华为技术',
      '腾讯科技',
      '比亚迪',
      '中国石油',
      '宁德时代',
      '京东方科技',
      '海尔智家',
      '格力电器',
      '美的集团',
      '小米通讯',
      '联想',
      '中兴通讯',
    ].map((n) => `${n}有限公司`);
    for (const name of names) await resolver.resolve(services.db, { name });
    for (const name of names) expect((await resolver.resolve(services.db, { name })).decision).toBe('matched');
    const rows = await prepared();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.statement.startsWith('/* prepared */'))).toBe(true);
    const keyLookup = rows.find(
      (r) => r.statement.includes('FROM employer_spellings s') && r.statement.includes('bool_or'),
    );
    expect(keyLookup?.generic_plans).toBeGreaterThan(10);
  });

  it('keeps answering after the table changes under a prepared statement (a migration while the service runs)', async () => {
    const resolver = createEmployerResolver({ matchThreshold: 0.88, reviewThreshold: 0.75 });
    const before = await resolver.resolve(services.db, { name: '迁移期间解析有限公司' });
    await sql`ALTER TABLE employers ADD COLUMN test_note text`.execute(services.db);
    const after = await resolver.resolve(services.db, { name: '迁移期间解析有限公司' });
    expect(after.employerId).toBe(before.employerId);
    expect((await resolver.resolve(services.db, { name: '迁移之后新名称有限公司' })).decision).toBe('created');
  });
});
