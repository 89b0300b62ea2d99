// One OpenTelemetry trace from the HTTP request through the inbox commit, the BullMQ job and the worker's transaction
// down to employer resolution; and the ranking → notices → delivery jobs as one trace. Spans are read from the SDK's
// InMemorySpanExporter, with the real API, workers, PostgreSQL, Redis and an SMTP sink.
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { inSpan, startTracing, type Tracing } from '../../shared/tracing.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { buildRankingWorld, WORLD } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true, producer: true });
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let ref: ReferenceData;
const mails: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      mails.push(...session.envelope.rcptTo.map((r) => r.address));
      callback();
    });
  },
});

beforeAll(async () => {
  tracing = startTracing(loadConfig({}), 'ledger-test', { exporter });
  await buildRankingWorld(services.db);
  // A key for one of the world's universities (the campaign and the university exist already).
  ref = await createReferenceData(services.db, { universityCode: WORLD.G4 });
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`;
  const workers = await startWorkers(
    loadConfig({ ...services.env, SMTP_URL: smtpUrl, LOG_LEVEL: 'silent', DB_POOL_SIZE: '4' }),
    { sweepIntervalMs: 0 },
  );
  services.closeAtEnd(() => workers.close());
}, 120_000);

afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((res) => smtp.close(() => res(undefined)));
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const named = (all: ReadableSpan[], name: string, traceId: string) =>
  all.filter((s) => s.name === name && s.spanContext().traceId === traceId);

/** Waits until the trace holds each named span once (ended), and returns them by name. */
async function traceOf(traceId: string, names: string[]): Promise<Record<string, ReadableSpan>> {
  const all = await waitFor(spans, {
    what: `spans ${names.join(', ')} in trace ${traceId}`,
    until: (all) => names.every((n) => named(all, n, traceId).length >= 1),
    timeoutMs: 30_000,
  });
  return Object.fromEntries(names.map((n) => [n, named(all, n, traceId)[0]!]));
}

describe('tracing', () => {
  it('one trace from POST /v1/visit-events through the inbox commit, the job and the worker transaction to employer resolution', async () => {
    exporter.reset();
    const res = await services.api.request('POST', '/v1/visit-events', {
      key: ref.apiKey,
      body: visitEvent(ref, { visit: { employer: { name: '追踪测试科技有限公司' } } }),
    });
    expect(res.status).toBe(202);
    const server = await waitFor(() => spans().find((s) => s.name === 'POST /v1/visit-events'), {
      what: 'the request span',
    });
    expect(parentOf(server)).toBeUndefined(); // no traceparent header: the request starts the trace
    expect(server.attributes['http.response.status_code']).toBe(202);
    const t = await traceOf(server.spanContext().traceId, [
      'inbox commit',
      'visit-events publish',
      'visit-events process',
      'visit-events transaction',
      'employers resolve',
    ]);
    expect(parentOf(t['inbox commit']!)).toBe(server.spanContext().spanId);
    expect(parentOf(t['visit-events publish']!)).toBe(server.spanContext().spanId);
    expect(parentOf(t['visit-events process']!)).toBe(t['visit-events publish']!.spanContext().spanId);
    expect(parentOf(t['visit-events transaction']!)).toBe(t['visit-events process']!.spanContext().spanId);
    expect(parentOf(t['employers resolve']!)).toBe(t['visit-events transaction']!.spanContext().spanId);
    expect(t['employers resolve']!.attributes['ledger.resolve.created']).toBe(1);
    expect(t['visit-events process']!.attributes['messaging.destination.name']).toBe('visit-events');
    // The resource names the process.
    expect(server.resource.attributes['service.name']).toBe('ledger-test');
  });

  it("the batch endpoint continues the caller's traceparent, and its events' job carries it to the worker", async () => {
    exporter.reset();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await services.api.request('POST', '/v1/visit-events/batch', {
      key: ref.apiKey,
      headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` },
      body: { events: [visitEvent(ref), visitEvent(ref), visitEvent(ref), { eventId: 'not-valid' }] },
    });
    expect(res.status).toBe(200);
    const t = await traceOf(callerTrace, [
      'POST /v1/visit-events/batch',
      'inbox commit',
      'visit-events publish',
      'visit-events process',
      'visit-events transaction',
      'employers resolve',
    ]);
    const server = t['POST /v1/visit-events/batch']!;
    expect(parentOf(server)).toBe(callerSpan);
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(t['inbox commit']!.attributes['ledger.events']).toBe(3);
    expect(parentOf(t['visit-events process']!)).toBe(t['visit-events publish']!.spanContext().spanId);
    expect(parentOf(t['visit-events transaction']!)).toBe(t['visit-events process']!.spanContext().spanId);
    expect(t['visit-events transaction']!.attributes['ledger.events']).toBe(3);
  });

  it('a request refused with a 4xx is traced without being marked failed', async () => {
    exporter.reset();
    const res = await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: { eventId: 1 } });
    expect(res.status).toBe(400);
    const server = await waitFor(() => spans().find((s) => s.name === 'POST /v1/visit-events'), {
      what: 'the request span',
    });
    expect(server.attributes['http.response.status_code']).toBe(400);
    expect(server.status.code).not.toBe(2); // SpanStatusCode.ERROR
    expect(spans().some((s) => s.name === 'inbox commit')).toBe(false);
  });

  it('the ranking job, the notices job it enqueues and the notice delivery are one trace', async () => {
    exporter.reset();
    await addRecipient(services.db, { scope: 'national', kind: 'email', address: 'trace@moe.example' });
    const traceId = await inSpan('test scheduler tick', {}, async (span) => {
      await services.producer.enqueueRankings('2022', '2022-W14', '2022-04-10');
      return span.spanContext().traceId;
    });
    const t = await traceOf(traceId, [
      'test scheduler tick',
      'rankings process',
      'rankings compute',
      'notices process',
      'notices generate',
      'deliveries process',
      'notice deliver',
    ]);
    expect(parentOf(t['rankings process']!)).toBe(t['test scheduler tick']!.spanContext().spanId);
    expect(parentOf(t['rankings compute']!)).toBe(t['rankings process']!.spanContext().spanId);
    expect(parentOf(t['notices process']!)).toBe(t['rankings process']!.spanContext().spanId);
    expect(parentOf(t['notices generate']!)).toBe(t['notices process']!.spanContext().spanId);
    expect(parentOf(t['deliveries process']!)).toBe(t['notices process']!.spanContext().spanId);
    expect(parentOf(t['notice deliver']!)).toBe(t['deliveries process']!.spanContext().spanId);
    expect(t['rankings compute']!.attributes['ledger.scopes']).toBeGreaterThan(0);
    expect(t['notice deliver']!.attributes['ledger.outcome']).toBe('delivered');
    expect(mails).toContain('trace@moe.example');
  });
});
