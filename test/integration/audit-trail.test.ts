import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listAudit, recordAudit, SYSTEM_ACTOR, verifyAuditTrail } from '../../shared/use-cases/audit.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ poolSize: 8 });

const entry = (action: string, target: string | null = null) => ({
  actor: { kind: 'user' as const, clientId: 7, name: '张三', address: '10.0.0.9' },
  action,
  target,
  before: { scope: 'province:440000', at: new Date('2022-04-01T00:00:00Z') },
  after: { scope: 'national', nested: { b: 2, a: [1, 'x'] } },
  result: 'ok' as const,
  detail: { reason: '调整' },
});

describe('the audit trail', () => {
  it('chains entries appended concurrently without gaps, and verifies intact', async () => {
    const { db } = services;
    await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit(db, entry(`test.concurrent`, `n:${i}`))));
    const rows = await listAudit(db, { limit: 100, order: 'asc', action: 'test.concurrent' });
    expect(rows).toHaveLength(40);
    const seqs = (await listAudit(db, { limit: 1000, order: 'asc' })).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(rows[0]?.before).toEqual({ scope: 'province:440000', at: '2022-04-01T00:00:00.000Z' });
    expect(await verifyAuditTrail(db)).toMatchObject({ ok: true, problem: null });
  });

  it('rolls an entry back with the change it records', async () => {
    const { db } = services;
    const before = (await listAudit(db, { limit: 1, order: 'desc' }))[0]?.seq ?? 0;
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, entry('test.rolled-back'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await recordAudit(db, { ...entry('test.after'), actor: SYSTEM_ACTOR });
    expect(after.seq).toBe(before + 1);
    expect(await listAudit(db, { limit: 10, order: 'asc', action: 'test.rolled-back' })).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of entries, whatever the role', async () => {
    const { db } = services;
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_head SET seq = 1`.execute(db)).rejects.toThrow(/advances/);
  });

  it('names the first changed entry, then a missing one, when someone edits the table behind the triggers', async () => {
    const { db } = services;
    const all = await listAudit(db, { limit: 1000, order: 'asc' });
    const victim = all[5]!.seq;
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx); // what a superuser could do: triggers off
      await sql`UPDATE audit_log SET detail = '{"reason":"改过"}' WHERE seq = ${victim}`.execute(trx);
    });
    expect(await verifyAuditTrail(db)).toMatchObject({ ok: false, firstBadSeq: victim });
    expect((await verifyAuditTrail(db)).problem).toContain(`audit entry ${victim} was changed`);

    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      const original = all[5]!;
      await sql`UPDATE audit_log SET detail = ${JSON.stringify(original.detail)}::jsonb WHERE seq = ${victim}`.execute(
        trx,
      );
      await sql`DELETE FROM audit_log WHERE seq = ${victim + 1}`.execute(trx);
    });
    const missing = await verifyAuditTrail(db);
    expect(missing).toMatchObject({ ok: false, firstBadSeq: victim + 1 });
    expect(missing.problem).toContain('missing');
  });
});
