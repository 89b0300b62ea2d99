// Prometheus metrics of the ingestion path (prom-client), one registry per process. The API serves it at /metrics;
// in `ledger serve` (all parts in one process) it also holds the workers' processing-latency histogram.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'ledger_' });

/** Events stored in the inbox (202). */
export const eventsAccepted = new Counter({
  name: 'ledger_events_accepted_total',
  help: 'Visit events accepted into the inbox',
  registers: [metricsRegistry],
});

/** Repeats of an already stored event with the same body (200 duplicate). */
export const eventsDuplicate = new Counter({
  name: 'ledger_events_duplicate_total',
  help: 'Visit events answered as duplicates (same client, eventId and body)',
  registers: [metricsRegistry],
});

/** Events refused, by reason: invalid, unprocessable, forbidden, conflict, unavailable. */
export const eventsRejected = new Counter({
  name: 'ledger_events_rejected_total',
  help: 'Visit events refused, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

/** Jobs waiting or running per queue; set when /metrics is scraped. */
export const queueDepth = new Gauge({
  name: 'ledger_queue_depth',
  help: 'Jobs waiting, delayed or active per queue (sampled at scrape time)',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

/** Age of the oldest inbox row still accepted (0 when none); set when /metrics is scraped. */
export const inboxLag = new Gauge({
  name: 'ledger_inbox_lag_seconds',
  help: 'Age in seconds of the oldest accepted, not yet processed inbox event (sampled at scrape time)',
  registers: [metricsRegistry],
});

/** Acceptance (inbox commit) to processed, per event; observed by the workers. */
export const processingLatency = new Histogram({
  name: 'ledger_event_processing_seconds',
  help: 'Seconds from acceptance of an event to its processing by a worker',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

/**
 * How far the read replica (DATABASE_READ_URL) is behind the primary, in seconds: 0 when it has replayed all the WAL
 * the primary had written when last sampled, +Inf when unknown (unreachable); see shared/db/read-routing.ts.
 */
export const replicaLag = new Gauge({
  name: 'ledger_db_replica_lag_seconds',
  help: 'Seconds the read replica is behind the primary (0: caught up; +Inf: not reachable), sampled every second',
  registers: [metricsRegistry],
});

/** Connections taken for reads that may lag, by the server that served them (replica, or primary as fallback). */
export const readsServed = new Counter({
  name: 'ledger_db_reads_total',
  help: 'Connections taken for lag-tolerant reads, by the server that served them (replica | primary)',
  labelNames: ['served_by'] as const,
  registers: [metricsRegistry],
});
