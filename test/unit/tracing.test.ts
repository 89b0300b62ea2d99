// Tracing's two states: without an OTLP endpoint nothing is started (the API's no-op tracer, nothing in job data);
// with one, spans reach the endpoint as OTLP http/json with the process's service name.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import {
  currentTraceparent,
  inSpan,
  otlpTracesUrl,
  startTracing,
  tracingEnabled,
  type Tracing,
} from '../../shared/tracing.ts';

const received: Array<{ path: string; type: string; body: string }> = [];
const sink = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
let tracing: Tracing | undefined;

afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((res) => sink.close(res));
});

describe('tracing configuration', () => {
  it('the traces URL: the traces endpoint as given, /v1/traces under the general one, none when disabled or unset', () => {
    expect(otlpTracesUrl(loadConfig({}))).toBeUndefined();
    expect(otlpTracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(otlpTracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp/' }))).toBe(
      'http://collector:4318/otlp/v1/traces',
    );
    expect(
      otlpTracesUrl(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/in',
        }),
      ),
    ).toBe('https://traces.example/in');
    expect(
      otlpTracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })),
    ).toBeUndefined();
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('without an endpoint nothing starts: no SDK, the no-op tracer, no traceparent to carry', async () => {
    expect(startTracing(loadConfig({}), 'ledger-test')).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    const inside = await inSpan('nothing', {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      return currentTraceparent();
    });
    expect(inside).toBeUndefined();
    // The API's global tracer is still the no-op one: its spans record nothing.
    expect(trace.getTracer('ledger').startSpan('probe').isRecording()).toBe(false);
  });

  it('with an endpoint, spans go to <endpoint>/v1/traces as OTLP http/json, named by OTEL_SERVICE_NAME', async () => {
    await new Promise<void>((res) => sink.listen(0, '127.0.0.1', () => res()));
    const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    tracing = startTracing(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'ledger-api-eu' }),
      'ledger-api',
    );
    expect(tracingEnabled()).toBe(true);
    const traceparent = await inSpan('outer', {}, () => inSpan('inner', {}, async () => currentTraceparent()));
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await expect(inSpan('failing', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await tracing!.shutdown(); // flushes the batch
    tracing = undefined;
    expect(tracingEnabled()).toBe(false);
    expect(received.map((r) => r.path)).toContain('/v1/traces');
    const body = received.map((r) => r.body).join('\n');
    expect(received[0]!.type).toContain('application/json');
    for (const name of ['outer', 'inner', 'failing', 'ledger-api-eu']) expect(body).toContain(name);
    expect(body).toContain(traceparent!.split('-')[1]); // the trace id as sent
  });
});
