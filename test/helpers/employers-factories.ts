// Rows the employer tests need besides the resolver's own: visits on an employer, prior-employer relationships.
import type { Db } from '../../shared/db/database.ts';

let counter = 0;

/** An active visit of the university to the employer, submitted under `employerName`. */
export async function insertVisitOn(
  db: Db,
  universityCode: string,
  employerId: number,
  employerName: string,
): Promise<string> {
  const ref = `emp-visit-${process.pid}-${++counter}`;
  await db
    .insertInto('visits')
    .values({
      university_code: universityCode,
      ref,
      campaign_id: '2022',
      state: 'active',
      occurred_at: new Date().toISOString(),
      event_id: ref,
      inbox_id: counter,
      visited_on: '2022-04-01',
      mode: 'onsite',
      leaders: JSON.stringify([{ role: 'president', name: '张三' }]),
      has_principal: true,
      employer_id: employerId,
      employer_name: employerName,
      positions: 10,
      graduates_tracked: 0,
      internship_base: false,
      recruitment_invite: false,
      demand_survey: false,
    })
    .execute();
  return ref;
}

export async function employerIdsOfVisits(db: Db, refs: string[]): Promise<number[]> {
  const rows = await db.selectFrom('visits').select(['ref', 'employer_id']).where('ref', 'in', refs).execute();
  const byRef = new Map(rows.map((r) => [r.ref, r.employer_id]));
  return refs.map((r) => byRef.get(r) ?? -1);
}

export async function insertPriorEmployer(
  db: Db,
  universityCode: string,
  name: string,
  creditCode = '',
  employerId: number | null = null,
): Promise<number> {
  const row = await db
    .insertInto('prior_employers')
    .values({
      university_code: universityCode,
      employer_name: name,
      credit_code: creditCode,
      normalized_name: name,
      employer_id: employerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
