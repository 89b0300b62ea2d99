// The console's routes declare their answers (services/api/routes/console-responses.ts), and Fastify serializes with
// those schemas, leaving out any field a schema does not name. Each answer here is compared, whole, with what its use
// case returns (as JSON): a field added to a use case but not to its schema fails this file instead of vanishing.
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertDeadLetter } from '../../shared/repositories/dead-letter.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { filePlan } from '../../shared/repositories/plan.repository.ts';
import {
  campaignOverview,
  campaignSummaries,
  campaignTrend,
  universityLeaders,
  universityVisits,
} from '../../shared/use-cases/console-views.ts';
import { findEmployers, reviewQueueWithSides } from '../../shared/use-cases/employer-lookup.ts';
import { listAllUsers } from '../../shared/use-cases/manage-users.ts';
import { listDeadLetterViews, listKeyClients, listRecipientViews } from '../../shared/use-cases/operations.ts';
import { takeSnapshots } from '../../shared/use-cases/take-snapshots.ts';
import { signedIn, type ConsoleSession } from '../helpers/console-session.ts';
import { createReferenceData, insertInboxEvents, visitEvent } from '../helpers/factories.ts';
import { buildRankingWorld, insertVisits, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { SESSION_COOKIE_SECURE: 'false' }, producer: true });
let admin: ConsoleSession;
let security: ConsoleSession;
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

beforeAll(async () => {
  const db = services.db;
  const { employers } = await buildRankingWorld(db);
  await filePlan(db, '2022', '440000', '2022-03-20');
  await takeSnapshots(db, { campaignId: '2022', period: '2022-W14', asOf: '2022-04-10' });
  await takeSnapshots(db, { campaignId: '2022', period: '2022-W15', asOf: '2022-04-17' });
  // A provisional employer in review beside its candidate, a recipient and a dead letter, so no list is empty.
  const [provisional] = (
    await db
      .insertInto('employers')
      .values({ canonical_name: '華為技術有限公司', normalized_name: 'hw2', status: 'provisional' })
      .returning('id')
      .execute()
  ).map((r) => r.id);
  await db
    .insertInto('employer_reviews')
    .values({ employer_id: provisional!, candidate_id: employers[0]!, score: 0.8, spelling: '華為技術有限公司' })
    .execute();
  const [visitRef] = await insertVisits(db, [
    { universityCode: W.G1, employerId: provisional!, visitedOn: '2022-04-06' },
  ]);
  await db.updateTable('visits').set({ notes: '备注' }).where('ref', '=', visitRef!).execute();
  await addRecipient(db, { scope: 'national', kind: 'webhook', address: 'https://hooks.example.org/x?token=abc' });
  const ref = await createReferenceData(db, { universityCode: W.G2 });
  const [inboxId] = await insertInboxEvents(db, ref.clientId, [visitEvent(ref)]);
  await db.updateTable('inbox_events').set({ status: 'rejected', error: 'boom' }).where('id', '=', inboxId!).execute();
  await upsertDeadLetter(db, { inboxId: inboxId!, reason: 'boom', attempts: 3 });
  admin = await signedIn(services.api, db, 'admin');
  security = await signedIn(services.api, db, 'security');
});

async function answerOf(path: string, as: ConsoleSession = admin): Promise<unknown> {
  const res = await as.request('GET', path);
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.body;
}

describe('the console’s answers, serialized through their schemas', () => {
  const c = '/v1/campaigns/2022';
  const asOf = '2022-04-30';

  it('keep every field of the campaigns, overview, trend, visits ledger and leader tally', async () => {
    const db = services.db;
    expect(await answerOf('/v1/campaigns')).toEqual(asJson({ campaigns: await campaignSummaries(db) }));
    for (const scope of ['national', 'province:440000'] as const) {
      expect(await answerOf(`${c}/overview?scope=${scope}&asOf=${asOf}`)).toEqual(
        asJson(await campaignOverview(db, '2022', scope, asOf)),
      );
      const trend = await answerOf(`${c}/trend?scope=${scope}`);
      expect(trend).toEqual(asJson(await campaignTrend(db, '2022', scope)));
      expect((trend as { points: unknown[] }).points.length).toBe(2);
    }
    const visits = await answerOf(`${c}/universities/${W.G1}/visits?pageSize=200`);
    expect(visits).toEqual(asJson(await universityVisits(db, { campaignId: '2022', universityCode: W.G1 }, 1, 200)));
    expect((visits as { rows: Array<{ notes: string | null }> }).rows.some((r) => r.notes === '备注')).toBe(true);
    expect(await answerOf(`${c}/universities/${W.G1}/leaders?asOf=${asOf}`)).toEqual(
      asJson(await universityLeaders(db, '2022', W.G1, asOf)),
    );
  });

  it('keep every field of the employer search, the review queue with both sides, and the operations lists', async () => {
    const db = services.db;
    expect(await answerOf('/v1/admin/employers?pageSize=100')).toEqual(
      asJson(await findEmployers(db, { page: 1, pageSize: 100 })),
    );
    const sides = (await answerOf('/v1/admin/employers/review/sides')) as { reviews: unknown[] };
    expect(sides.reviews).toHaveLength(1);
    expect(sides).toEqual(asJson({ reviews: await reviewQueueWithSides(db, 'pending', 100, 0) }));
    expect(await answerOf('/v1/admin/clients', security)).toEqual(asJson({ clients: await listKeyClients(db) }));
    expect(await answerOf('/v1/admin/users', security)).toEqual(asJson({ users: await listAllUsers(db) }));
    expect(await answerOf('/v1/admin/recipients')).toEqual(asJson({ recipients: await listRecipientViews(db, {}) }));
    const letters = (await answerOf('/v1/admin/dead-letters')) as { deadLetters: unknown[] };
    expect(letters.deadLetters).toHaveLength(1);
    expect(letters).toEqual(asJson({ deadLetters: await listDeadLetterViews(db, false) }));
  });
});
