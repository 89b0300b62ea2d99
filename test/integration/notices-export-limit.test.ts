// Large exports are bounded: an API process streams at most EXPORT_CONCURRENCY ledger .xlsx exports at once and answers
// 429 problem+json with Retry-After beyond; a slot comes back when an export ends or its client goes away.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { VISITS_SHEET } from '../../shared/domain/notices/ledger-xlsx.ts';
import { createApiKey, startTestApi } from '../helpers/api.ts';
import { buildRankingWorld } from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { EXPORT_CONCURRENCY: '1' } });
let key: string;
let noticeId: number;

beforeAll(async () => {
  await buildRankingWorld(services.db);
  const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W14' });
  noticeId = result.notices.find((n) => n.scope === 'province:110000')!.id;
  key = await createApiKey(services.db, 'national');
}, 120_000);

const exportUrl = () => `${services.api.url}/v1/notices/${noticeId}?format=xlsx`;
const exportLedger = (signal?: AbortSignal) =>
  fetch(exportUrl(), { headers: { authorization: `Bearer ${key}` }, signal });

/**
 * Holds the campaigns table locked so that an export waits inside its first statement (its slot taken) until
 * release() is called; resolves once the lock is held.
 */
async function holdCampaignsLocked(): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = services.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE`.execute(trx);
    locked();
    await released;
  });
  await isLocked;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

/** Waits until an API statement is waiting for a lock (the export is in flight, holding its slot). */
const untilExportWaits = () =>
  waitFor(
    async () => {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ${services.database.name} AND application_name = 'ledger-api' AND wait_event_type = 'Lock'`.execute(
        services.db,
      );
      return rows[0]!.n > 0;
    },
    { what: 'an export to wait for the lock', timeoutMs: 5000, intervalMs: 25 },
  );

describe('xlsx exports per process', () => {
  it('answers 429 problem+json with Retry-After to an export beyond EXPORT_CONCURRENCY, and serves it once the first is done', async () => {
    const lock = await holdCampaignsLocked();
    let first: Promise<Response> | undefined;
    try {
      first = exportLedger();
      await untilExportWaits();
      const refused = await exportLedger();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/EXPORT_CONCURRENCY=1/);
      // Other forms of the notice are not exports: they are served meanwhile.
      const text = await fetch(`${services.api.url}/v1/notices/${noticeId}?format=text`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(text.status).toBe(200);
    } finally {
      await lock.release();
    }
    const done = await first!;
    expect(done.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await done.arrayBuffer());
    expect(wb.getWorksheet(VISITS_SHEET)!.rowCount).toBe(1 + 77);
    const again = await exportLedger();
    expect(again.status).toBe(200);
    await again.arrayBuffer(); // read to its end: an export holds its slot until its response is over
  });

  it('gives the slot back when the client of a running export goes away', async () => {
    const lock = await holdCampaignsLocked();
    try {
      const abort = new AbortController();
      const gone = exportLedger(abort.signal).catch(() => undefined);
      await untilExportWaits();
      abort.abort();
      await gone;
      // Kept as a pause: nothing outside the server shows that it has seen the close, and a poll once the lock is gone
      // would pass even if the slot came back only when the aborted export finished.
      await new Promise((resolve) => setTimeout(resolve, 100)); // the server sees the connection close
    } finally {
      await lock.release();
    }
    const next = await exportLedger();
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });
});

describe('xlsx exports per caller', () => {
  it('lets one caller stream EXPORT_CONCURRENCY_PER_CALLER at once, so another caller still gets a slot', async () => {
    const api = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { EXPORT_CONCURRENCY: '2' },
    });
    const other = await createApiKey(services.db, 'national');
    const url = `${api.url}/v1/notices/${noticeId}?format=xlsx`;
    const lock = await holdCampaignsLocked();
    let first: Promise<Response> | undefined;
    let second: Promise<Response> | undefined;
    try {
      first = fetch(url, { headers: { authorization: `Bearer ${key}` } });
      await untilExportWaits();
      const mine = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
      expect(mine.status).toBe(429);
      expect(((await mine.json()) as { detail: string }).detail).toMatch(/EXPORT_CONCURRENCY_PER_CALLER=1/);
      second = fetch(url, { headers: { authorization: `Bearer ${other}` } });
      await waitFor(
        async () => {
          const { rows } = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = ${services.database.name} AND application_name = 'ledger-api' AND wait_event_type = 'Lock'`.execute(
            services.db,
          );
          return rows[0]!.n;
        },
        { what: 'both exports in flight', until: (n) => n >= 2, timeoutMs: 10_000, intervalMs: 25 },
      );
    } finally {
      await lock.release();
    }
    for (const done of [await first!, await second!]) {
      expect(done.status).toBe(200);
      await done.arrayBuffer();
    }
    await api.close();
  });
});
