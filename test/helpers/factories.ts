// Valid test objects with overridable defaults: reference data (university, campaign, API client) and inbox rows.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../shared/db/database.ts';
import { hashApiKey } from '../../shared/domain/api-key.ts';
import { bodyHash } from '../../shared/domain/visit-event.schema.ts';

export interface ReferenceData {
  provinceCode: string;
  universityCode: string;
  campaignId: string;
  clientId: number;
  apiKey: string;
}

let counter = 0;
const next = (): number => ++counter;

/** A university in a province, a campaign, and an API client scoped to the university. */
export async function createReferenceData(
  db: Db,
  overrides: Partial<{
    provinceCode: string;
    universityCode: string;
    campaignId: string;
    start: string;
    end: string;
    scope: string;
  }> = {},
): Promise<ReferenceData> {
  const provinceCode = overrides.provinceCode ?? '440000';
  const universityCode =
    overrides.universityCode ?? `41${String(process.pid % 10000).padStart(4, '0')}${String(next()).padStart(4, '0')}`;
  const campaignId = overrides.campaignId ?? '2022';
  await db
    .insertInto('universities')
    .values({
      code: universityCode,
      name: `测试大学${universityCode}`,
      province_code: provinceCode,
      city: '广州市',
      authority: '广东省',
      level: '本科',
      private: false,
      new_undergrad: true,
      vocational: false,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('campaigns')
    .values({
      id: campaignId,
      name: `${campaignId} 访企拓岗`,
      start_date: overrides.start ?? '2022-03-01',
      end_date: overrides.end ?? '2022-08-31',
      principal_target: 100,
      new_target: 100,
      behind_factor: 0.8,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const apiKey = `lk_${randomBytes(16).toString('hex')}`;
  const client = await db
    .insertInto('api_clients')
    .values({
      name: `client-${universityCode}-${next()}`,
      scope: overrides.scope ?? `university:${universityCode}`,
      key_hash: hashApiKey(apiKey),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { provinceCode, universityCode, campaignId, clientId: client.id, apiKey };
}

export type VisitEventBody = {
  eventId: string;
  type: 'visit.recorded' | 'visit.amended' | 'visit.retracted';
  occurredAt: string;
  campaignId?: string;
  visit: {
    ref: string;
    universityCode: string;
    visitedOn?: string;
    mode?: 'onsite' | 'invited' | 'online';
    leaders?: Array<{ role: 'secretary' | 'president' | 'leader'; name: string }>;
    employer?: { name: string; creditCode?: string; regionCode?: string };
    outcomes?: Record<string, number | boolean>;
    notes?: string;
    staff?: Array<{ role: 'teacher' | 'counsellor' | 'administrator'; name?: string }>;
    placeKind?: 'enterprise' | 'park' | 'association' | 'institution' | 'other';
    majors?: string[];
  };
};

/** A valid `visit.recorded` event; `visit` overrides merge into the default visit. */
export function visitEvent(
  ref: ReferenceData,
  overrides: Partial<Omit<VisitEventBody, 'visit'>> & { visit?: Partial<VisitEventBody['visit']> } = {},
): VisitEventBody {
  const n = next();
  const { visit, ...top } = overrides;
  return {
    eventId: `ev-${process.pid}-${n}`,
    type: 'visit.recorded',
    occurredAt: '2022-04-02T10:00:00+08:00',
    campaignId: ref.campaignId,
    ...top,
    visit: {
      ref: `v-${n}`,
      universityCode: ref.universityCode,
      visitedOn: '2022-04-02',
      mode: 'onsite',
      leaders: [{ role: 'secretary', name: '张三' }],
      employer: { name: `测试科技有限公司${n % 50}` },
      outcomes: {
        positions: 10,
        internshipBase: true,
        recruitmentInvite: false,
        demandSurvey: true,
        graduatesTracked: 3,
        satisfaction: 4,
      },
      ...visit,
    },
  };
}

/** A retraction: only ref and university. */
export function retraction(
  ref: ReferenceData,
  visitRef: string,
  overrides: Partial<VisitEventBody> = {},
): VisitEventBody {
  return {
    eventId: `ev-${process.pid}-${next()}`,
    type: 'visit.retracted',
    occurredAt: '2022-04-03T10:00:00+08:00',
    ...overrides,
    visit: { ref: visitRef, universityCode: ref.universityCode },
  };
}

/** Inserts accepted inbox rows straight into the table (what the API does after validation); returns their ids in order. */
export async function insertInboxEvents(db: Db, clientId: number, events: VisitEventBody[]): Promise<number[]> {
  if (events.length === 0) return [];
  const ids: number[] = [];
  for (let i = 0; i < events.length; i += 1000) {
    const rows = events.slice(i, i + 1000).map((e) => {
      const raw = JSON.stringify(e);
      return {
        client_id: clientId,
        event_id: e.eventId,
        body_hash: bodyHash(e), // as the API computes it, so a duplicate post of this event is told apart from a conflict
        raw_body: raw,
        event_type: e.type,
        university_code: e.visit.universityCode,
        visit_ref: e.visit.ref,
        occurred_at: e.occurredAt,
      };
    });
    const out = await db.insertInto('inbox_events').values(rows).returning('id').execute();
    ids.push(...out.map((r) => r.id));
  }
  return ids;
}

export async function inboxStatusCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<{
    status: string;
    n: number;
  }>`SELECT status, count(*)::int AS n FROM inbox_events GROUP BY status`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
