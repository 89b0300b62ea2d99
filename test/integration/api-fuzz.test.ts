// Fuzz: generated malformed bodies (wrong types, missing fields, huge strings, odd Unicode, wrong nesting, broken JSON)
// against both POST endpoints. Never a 5xx, and the inbox holds exactly the events answered "accepted".
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { RATE_LIMIT_PER_MINUTE: '1000000' } });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

// Deterministic PRNG (mulberry32), so a failure can be replayed.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = [
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u200B',
  '\uFEFF',
  '😀',
  'e\u0301',
  '\u3000',
  '\\',
  '"',
  '\n',
  '𠀀',
  '\u0085',
];
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function mutate(random: () => number, value: Json, depth = 0): Json {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const weird = (): Json =>
    pick<() => Json>([
      () => null,
      () => pick([true, false]),
      () => pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1]),
      () => 'x'.repeat(pick([0, 129, 2001, 100_000])),
      () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(ODD)).join(''),
      () => [],
      () => ({}),
      () => [[[[[]]]]],
      () => ({ nested: { deeper: { deepest: pick(ODD) } } }),
    ])();
  if (value === null || typeof value !== 'object' || depth > 4 || random() < 0.25) return weird();
  if (Array.isArray(value)) {
    const copy = value.slice();
    if (copy.length && random() < 0.5)
      copy[Math.floor(random() * copy.length)] = mutate(random, copy[Math.floor(random() * copy.length)]!, depth + 1);
    else copy.push(weird());
    return random() < 0.2 ? { wrapped: copy } : copy;
  }
  const copy: Record<string, Json> = { ...value };
  const keys = Object.keys(copy);
  const key = pick(keys);
  const action = random();
  if (action < 0.3) delete copy[key];
  else if (action < 0.8) copy[key] = mutate(random, copy[key]!, depth + 1);
  else if (action < 0.9) copy[pick(ODD) + key] = copy[key]!;
  else return [copy];
  return copy;
}

function brokenJson(random: () => number, text: string): string {
  const cut = Math.floor(random() * text.length);
  return pick3(random, [
    text.slice(0, cut),
    `${text}}`,
    text.replace(':', ''),
    `\u0000${text}`,
    text.replace(/"/, "'"),
  ]);
}
const pick3 = <T>(random: () => number, xs: T[]): T => xs[Math.floor(random() * xs.length)]!;

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function storedEventIds(): Promise<Set<string>> {
  const { rows } = await sql<{ event_id: string }>`SELECT event_id FROM inbox_events`.execute(services.db);
  return new Set(rows.map((x) => x.event_id));
}

describe('fuzzing the POST endpoints', { timeout: 180_000 }, () => {
  it('answers 1,000 malformed single events with 4xx (never 5xx) and stores only those it accepted', async () => {
    const random = rng(1);
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    const bodies = Array.from({ length: 1000 }, (_, i) => {
      const ev = visitEvent(ref, { eventId: `fz-s-${i}` }) as unknown as Json;
      return i % 10 === 9 ? { raw: brokenJson(random, JSON.stringify(ev)) } : { body: mutate(random, ev) };
    });
    await inParallel(bodies, 8, async (b) => {
      const res = await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, ...b });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(
        res.status,
        `${res.status} for ${JSON.stringify(b).slice(0, 300)}: ${res.text.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (res.status === 202) accepted.add(res.body.eventId as string);
      else if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
    expect(statuses.get(400)).toBeGreaterThan(800);
    expect(await storedEventIds()).toEqual(accepted); // the database is this file's own; this test runs first
  });

  it('answers 1,000 malformed batches with 200 per-event results or a whole-batch 4xx (never 5xx), storing only accepted events', async () => {
    const random = rng(2);
    const before = await storedEventIds();
    const accepted = new Set<string>();
    let n = 0;
    const bodies = Array.from({ length: 1000 }, (_, i) => {
      const events = Array.from(
        { length: 1 + Math.floor(random() * 3) },
        () => visitEvent(ref, { eventId: `fz-b-${n++}` }) as unknown as Json,
      );
      if (i % 10 === 9) return { raw: brokenJson(random, JSON.stringify({ events })) };
      if (i % 10 === 8) return { body: mutate(random, { events }) };
      return { body: { events: events.map((e) => mutate(random, e)) } };
    });
    await inParallel(bodies, 8, async (b) => {
      const res = await services.api.request('POST', '/v1/visit-events/batch', { key: ref.apiKey, ...b });
      expect(
        res.status,
        `${res.status} for ${JSON.stringify(b).slice(0, 300)}: ${res.text.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (res.status === 200) {
        for (const x of res.body.results as Array<{ eventId: string; status: string }>) {
          expect(['accepted', 'duplicate', 'conflict', 'invalid', 'unprocessable', 'forbidden']).toContain(x.status);
          if (x.status === 'accepted') accepted.add(x.eventId);
        }
      } else {
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    });
    const added = [...(await storedEventIds())].filter((id) => !before.has(id));
    expect(new Set(added)).toEqual(accepted);
  });
});
