// A 2,000-event workload for the fault tests and its exactly-once check: 1,600 visits recorded, 400 of them amended
// (later occurredAt), delivered in shuffled order as a mix of batch and single jobs.
import { sql } from 'kysely';
import type { Producer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import { insertInboxEvents, visitEvent, type ReferenceData, type VisitEventBody } from './factories.ts';
import { waitFor } from './poll.ts';

export const VISITS = 1600;
export const AMENDED = 400;

export function workload(ref: ReferenceData, tag: string): VisitEventBody[] {
  const events: VisitEventBody[] = [];
  for (let i = 0; i < VISITS; i++) {
    events.push(
      visitEvent(ref, {
        eventId: `${tag}-r-${i}`,
        visit: { ref: `${tag}-${i}`, employer: { name: `负载测试有限公司${i % 40}` }, outcomes: { positions: 1 } },
      }),
    );
  }
  for (let i = 0; i < AMENDED; i++) {
    events.push(
      visitEvent(ref, {
        eventId: `${tag}-a-${i}`,
        type: 'visit.amended',
        occurredAt: '2022-04-20T10:00:00+08:00',
        visit: { ref: `${tag}-${i}`, employer: { name: `负载测试有限公司${i % 40}` }, outcomes: { positions: 77 } },
      }),
    );
  }
  // Deterministic shuffle, so amendments often arrive before their originals.
  let seed = 42;
  for (let i = events.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return events;
}

/** Stores events like the API does (inbox commit, then enqueue): alternating batches of 50 and single-event jobs. */
export async function acceptAndEnqueue(
  db: Db,
  producer: Producer,
  clientId: number,
  events: VisitEventBody[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < events.length; i += 100) {
    const chunk = await insertInboxEvents(db, clientId, events.slice(i, i + 100));
    ids.push(...chunk);
    await producer.enqueueVisitEvents(chunk.slice(0, 50));
    for (const id of chunk.slice(50)) await producer.enqueueVisitEvents([id]);
  }
  return ids;
}

export async function processedCount(db: Db, universityCode: string): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM inbox_events WHERE university_code = ${universityCode} AND status = 'processed'`.execute(
    db,
  );
  return rows[0]!.n;
}

export async function waitForProcessed(db: Db, universityCode: string, n: number, timeoutMs = 120_000): Promise<void> {
  await waitFor(() => processedCount(db, universityCode), {
    what: `${n} events of ${universityCode} processed`,
    until: (done) => done >= n,
    timeoutMs,
    intervalMs: 200,
  });
}

export interface Tally {
  inbox: Record<string, number>;
  visits: number;
  active: number;
  amendedWon: number;
  positions: number;
  distinctEmployers: number;
  duplicateEmployers: number;
}

/** Everything the exactly-once claim is about, in numbers. */
export async function tally(db: Db, universityCode: string, tag: string): Promise<Tally> {
  const inbox = await sql<{
    status: string;
    n: number;
  }>`SELECT status, count(*)::int AS n FROM inbox_events WHERE university_code = ${universityCode} GROUP BY status`.execute(
    db,
  );
  const { rows } = await sql<Omit<Tally, 'inbox' | 'duplicateEmployers'>>`
    SELECT count(*)::int AS visits, count(*) FILTER (WHERE state = 'active')::int AS active,
           count(*) FILTER (WHERE event_id LIKE ${tag + '-a-%'} AND positions = 77)::int AS "amendedWon",
           sum(positions)::int AS positions, count(DISTINCT employer_id)::int AS "distinctEmployers"
    FROM visits WHERE university_code = ${universityCode} AND ref LIKE ${tag + '-%'}`.execute(db);
  const dup = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM (SELECT normalized_name FROM employers GROUP BY normalized_name HAVING count(*) > 1) d`.execute(
    db,
  );
  return {
    inbox: Object.fromEntries(inbox.rows.map((r) => [r.status, r.n])),
    ...rows[0]!,
    duplicateEmployers: dup.rows[0]!.n,
  };
}

export const EXPECTED_TALLY: Tally = {
  inbox: { processed: VISITS + AMENDED },
  visits: VISITS,
  active: VISITS,
  amendedWon: AMENDED,
  positions: (VISITS - AMENDED) * 1 + AMENDED * 77,
  distinctEmployers: 40,
  duplicateEmployers: 0,
};
