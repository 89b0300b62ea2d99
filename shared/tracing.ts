// OpenTelemetry tracing, thin: one trace from an HTTP request through the inbox commit, the BullMQ job and the worker's
// transaction, with explicit spans at those few seams (no auto-instrumentation patching pg or ioredis). The trace
// context crosses Redis as a W3C `traceparent` string in the job's data.
//
// Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; see
// README, Tracing): then no SDK is started, the API's tracer stays the no-op one, and `inSpan` calls its function
// straight away, so the off state costs one boolean test per seam. When on, spans go in batches to
// `<endpoint>/v1/traces` over OTLP http/json; the SDK reads the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _COMPRESSION, OTEL_BSP_*, OTEL_TRACES_SAMPLER[_ARG], OTEL_RESOURCE_ATTRIBUTES).
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config } from './config.ts';

export { SpanKind, type Attributes, type Context, type Span };

type TracingConfig = Pick<
  Config,
  'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME' | 'OTEL_SDK_DISABLED'
>;

export interface Tracing {
  /** Ends tracing: exports what is buffered, then unregisters the SDK (the API's no-op tracer is back). */
  shutdown(): Promise<void>;
}

const SHUTDOWN_FLUSH_MS = 2000;
let enabled = false;
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const tracer = () => trace.getTracer('ledger');

function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

/** Whether an SDK is started in this process (spans are recorded and exported). */
export const tracingEnabled = (): boolean => enabled;

/** Where spans go when tracing is on: the traces endpoint as given, or `/v1/traces` under the general one. */
export function otlpTracesUrl(config: TracingConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) return `${trimTrailingSlashes(config.OTEL_EXPORTER_OTLP_ENDPOINT)}/v1/traces`;
  return undefined;
}

/**
 * Starts the SDK when an endpoint is configured (nothing otherwise). `serviceName` is this process's default, for
 * OTEL_SERVICE_NAME unset. Tests pass `exporter` (an InMemorySpanExporter), which turns tracing on without an endpoint
 * and exports each span as it ends.
 */
export function startTracing(
  config: TracingConfig,
  serviceName: string,
  options: { exporter?: SpanExporter } = {},
): Tracing | undefined {
  const url = otlpTracesUrl(config);
  if (enabled || (url === undefined && !options.exporter)) return undefined;
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({
    resource: detectResources({ detectors: [envDetector] }).merge(
      resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? serviceName }),
    ),
    spanProcessors: [processor],
  });
  // Registers the async-hooks context manager (spans follow awaits) and the W3C trace-context propagator.
  provider.register();
  enabled = true;
  return {
    async shutdown() {
      if (!enabled) return;
      enabled = false;
      // The last export gets at most SHUTDOWN_FLUSH_MS: an unreachable collector must not hold up a graceful stop.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => {}),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS)).unref()),
      ]);
      clearTimeout(timer);
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent context (default: the active one); ROOT_CONTEXT-based contexts from `contextOf` continue a remote trace. */
  parent?: Context;
  links?: Link[];
  /** Whether a thrown error marks the span failed (default: every error; a server span leaves a 4xx unmarked). */
  isError?: (err: unknown) => boolean;
}

/**
 * Runs `fn` in a span named `name` that is active inside it: ended when `fn` settles, its status an error (with the
 * exception recorded) when `fn` throws. With tracing off, `fn` runs as it is, with a span that records nothing.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!enabled) return fn(NOOP_SPAN);
  const { parent, isError, ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      if (isError?.(err) ?? true) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      }
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The active span's context as a W3C traceparent, to carry across Redis; undefined with tracing off or no span. */
export function currentTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a traceparent (or incoming HTTP headers) names, under which spans continue that trace. */
export function contextOf(carrier: string | Record<string, unknown> | undefined): Context {
  if (!enabled || carrier === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, typeof carrier === 'string' ? { traceparent: carrier } : carrier);
}

/**
 * Links to the spans these traceparents or contexts name: the other senders of a batch, for a span whose parent is one
 * of them.
 */
export function linksOf(senders: ReadonlyArray<string | Context>): Link[] {
  if (!enabled) return [];
  return senders.flatMap((s) => {
    const span = trace.getSpan(typeof s === 'string' ? contextOf(s) : s);
    return span ? [{ context: span.spanContext() }] : [];
  });
}

/** The active context, captured where work is handed to a group runner and continued where the group runs. */
export const activeContext = (): Context => (enabled ? context.active() : ROOT_CONTEXT);

/** Runs `fn` with `ctx` active (a captured context, see activeContext); with tracing off, just runs it. */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return enabled ? context.with(ctx, fn) : fn();
}
