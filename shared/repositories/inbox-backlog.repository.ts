// How far the workers are behind: inbox events accepted and not yet processed (the pending index answers it).
import type { Executor } from '../db/database.ts';

export async function countAcceptedInboxEvents(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('inbox_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'accepted')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
