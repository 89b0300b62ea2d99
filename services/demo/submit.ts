// Sends events through the real HTTP API in batches, several requests in flight, and counts the answers.
import type { DemoEvent } from './generators/visit-generator.ts';

export interface SubmitResult {
  sent: number;
  byStatus: Record<string, number>;
  /** A few rejected events with their errors, for the summary. */
  rejections: Array<{ eventId: string; status: string; errors?: unknown }>;
}

export interface SubmitOptions {
  apiUrl: string;
  apiKey: string;
  batchSize: number;
  inFlight: number;
  /** After each answered request: events sent so far, and how many of them were accepted. */
  onProgress(sent: number, accepted: number): void;
}

async function postBatch(
  opts: SubmitOptions,
  events: DemoEvent[],
): Promise<Array<{ eventId: string; status: string; errors?: unknown }>> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${opts.apiUrl}/v1/visit-events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
      body: JSON.stringify({ events }),
    });
    if (res.ok)
      return ((await res.json()) as { results: Array<{ eventId: string; status: string; errors?: unknown }> }).results;
    // 429 and 503 are worth waiting for; anything else is a bug the demo should show.
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(10, Math.max(0.2, wait)) * 1000));
      continue;
    }
    throw new Error(`POST /v1/visit-events/batch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
}

export async function submitEvents(events: Iterable<DemoEvent>, opts: SubmitOptions): Promise<SubmitResult> {
  const result: SubmitResult = { sent: 0, byStatus: {}, rejections: [] };
  const running = new Set<Promise<void>>();
  let batch: DemoEvent[] = [];
  const flush = async (items: DemoEvent[]) => {
    const p = postBatch(opts, items).then((answers) => {
      for (const a of answers) {
        result.byStatus[a.status] = (result.byStatus[a.status] ?? 0) + 1;
        if (a.status !== 'accepted' && a.status !== 'duplicate' && result.rejections.length < 5)
          result.rejections.push(a);
      }
      result.sent += items.length;
      opts.onProgress(result.sent, result.byStatus.accepted ?? 0);
    });
    const tracked = p.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= opts.inFlight) await Promise.race(running);
  };
  for (const ev of events) {
    batch.push(ev);
    if (batch.length === opts.batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length) await flush(batch);
  await Promise.all(running);
  return result;
}
