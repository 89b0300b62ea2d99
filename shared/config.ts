// The only reader of process.env. Parses everything at once and reports every problem in one message.
import { z } from 'zod';
import { parseRedisUrl, RedisUrlError } from './redis-url.ts';

const url = (protocols: string[], example: string) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `is not a ${protocols.map((p) => p + '//').join(' or ')} URL: set it like ${example}` },
  );

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'is not a number' })
    .int({ error: 'is not a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/ledger').default(
    'postgres://postgres@127.0.0.1:5432/ledger',
  ),
  /**
   * A streaming replica for reads that may lag (rankings, progress, the notices archive, the console's pages); unset:
   * everything reads the primary. A replica further behind than DATABASE_READ_MAX_LAG_SECONDS is not read
   * (shared/db/read-routing.ts).
   */
  DATABASE_READ_URL: url(
    ['postgres:', 'postgresql:'],
    'postgres://postgres@replica.example.org:5432/ledger',
  ).optional(),
  DATABASE_READ_MAX_LAG_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  /**
   * off: no named prepared statements, for a pooler in transaction mode that cannot carry them (PgBouncer < 1.21, or
   * max_prepared_statements = 0). A pool that meets one anyway turns them off by itself after one failed statement.
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  /** startup: session settings in the connection's options; transaction: SET LOCAL with every BEGIN (a pooler in transaction mode). */
  DATABASE_SESSION_SETTINGS: z
    .enum(['startup', 'transaction'], { error: 'must be startup or transaction' })
    .default('startup'),
  /** One server (`redis://`, `rediss://`) or a Redis Cluster by some of its nodes (`redis+cluster://h1:7000,h2:7000`). */
  REDIS_URL: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseRedisUrl(v);
      } catch (err) {
        if (!(err instanceof RedisUrlError)) throw err;
        ctx.addIssue({
          code: 'custom',
          message: `${err.message}: set it like redis://127.0.0.1:6379, or redis+cluster://10.0.0.1:7000,10.0.0.2:7000 for a Redis Cluster`,
        });
      }
    })
    .default('redis://127.0.0.1:6379'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  /**
   * Prefix for every BullMQ key. On a Redis Cluster it must carry a hash tag (`{ledger}`): BullMQ's scripts touch
   * several keys of a queue at once, and those must share a slot (checked in loadConfig).
   */
  QUEUE_PREFIX: z.string().min(1).default('ledger'),
  /** visit-events jobs held at once per worker process; they share at most 2 transactions (group commit), so high is cheap. */
  WORKER_CONCURRENCY: int(1, 1000).default(64),
  INBOX_REDELIVERY_SECONDS: int(1, 86400).default(60),
  /** Times the sweeper re-enqueues an event whose job never finished (its worker crashed or stalled); then dead-lettered. */
  INBOX_MAX_REDELIVERIES: int(1, 1000).default(5),
  /** Requests per minute per API key. */
  RATE_LIMIT_PER_MINUTE: int(1, 10_000_000).default(6000),
  API_KEY_CACHE_SECONDS: int(0, 3600).default(5),
  /** Who reads /metrics and /docs without a key: `loopback` callers only, `all`, or `none` (a key always works). */
  DOCS_METRICS_OPEN: z
    .enum(['loopback', 'all', 'none'], { error: 'must be loopback, all or none' })
    .default('loopback'),
  /** Failed authentications (no, malformed, unknown or revoked key) per minute per source address; 429 beyond. */
  AUTH_FAILURES_PER_MINUTE: int(1, 1_000_000).default(60),
  /** `xlsx` ledger exports streamed at once per API process; 429 with Retry-After beyond (each holds a cursor). */
  EXPORT_CONCURRENCY: int(1, 100).default(2),
  /** Webhook hosts a person may add in the console though they are not public (e.g. an intranet robot relay). */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  /** Of those, how many one caller (a key or a person) may stream at once. */
  EXPORT_CONCURRENCY_PER_CALLER: int(1, 100).default(1),
  /** Reading one uploaded ledger in its worker thread: wall-clock budget (ms) and heap budget (MB). */
  LEDGER_READ_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
  LEDGER_READ_MEMORY_MB: int(32, 16_384).default(1024),
  DB_POOL_SIZE: int(1, 500).default(10),
  /**
   * Timeouts towards PostgreSQL in ms, 0 for none (shared/db/database.ts, DbTimeouts): a PostgreSQL that hangs must
   * not hold requests for ever. The API's statements are short, so it gets its own, shorter statement timeout.
   */
  DB_CONNECT_TIMEOUT_MS: int(0, 600_000).default(5000),
  DB_STATEMENT_TIMEOUT_MS: int(0, 86_400_000).default(600_000),
  API_DB_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(5000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(0, 86_400_000).default(60_000),
  /** Events per API process waiting to be stored; beyond, 503 with Retry-After instead of growing memory. */
  STORE_QUEUE_MAX_EVENTS: int(1, 1_000_000).default(10_000),
  /** Receiving a whole request (fastify requestTimeout) and an idle socket (connectionTimeout), in ms; 0 for none. */
  HTTP_REQUEST_TIMEOUT_MS: int(0, 3_600_000).default(60_000),
  HTTP_CONNECTION_TIMEOUT_MS: int(0, 3_600_000).default(120_000),
  SMTP_URL: url(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.org:587').optional(),
  MAIL_FROM: z.string().min(3).default('ledger <ledger@localhost>'),
  /** Issuing office, 发文字号 and 抄送 of the notices' documents per scope (JSON: data/notice-issuers.json). */
  NOTICE_ISSUERS_FILE: z.string().min(1).default('data/notice-issuers.json'),
  /** A directory of TrueType fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体) that the PDFs use over Noto/AR PL. */
  NOTICE_FONT_DIR: z.string().min(1).optional(),
  /** Refuse to send mail over an SMTP connection that is not encrypted (STARTTLS required, or smtps://). */
  SMTP_REQUIRE_TLS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * A delivery 'sending' for longer than this is taken to be abandoned by a dead worker: the sweeper queues it again.
   * Keep it above the longest send (SMTP timeouts in SMTP_URL, 10 s for webhooks).
   */
  DELIVERY_LEASE_SECONDS: int(1, 86400).default(300),
  SCHEDULE_WEEKLY: z.string().min(1).default('0 9 * * 1'),
  SCHEDULE_MONTHLY: z.string().min(1).default('0 9 1 * *'),
  SCHEDULE_TIMEZONE: z.string().min(1).default('Asia/Shanghai'),
  SCHEDULE_LOOKBACK_DAYS: int(0, 366).default(14),
  /** How often a running scheduler repeats its catch-up (lost notice jobs, stuck deliveries); 0: only at start. */
  SCHEDULE_CATCHUP_SECONDS: int(0, 86400).default(300),
  /**
   * Employer resolution thresholds (similarity in 0..1): match at or above MATCH, review at or above REVIEW. Chosen on
   * the development set (bench/RESULTS.md, resolve): 0.85 merged a group with its listed company, 0.9 missed swapped
   * short names, 0.95 sent 1.2 % to review.
   */
  RESOLVE_MATCH_THRESHOLD: z.coerce.number().min(0).max(1).default(0.88),
  RESOLVE_REVIEW_THRESHOLD: z.coerce.number().min(0).max(1).default(0.75),
  OUT_DIR: z.string().min(1).default('out'),
  /** Console sessions (services/api/session-cookie.ts, shared/use-cases/sessions.ts): idle and absolute lifetimes, and the cookie's Secure attribute. */
  SESSION_IDLE_SECONDS: int(1, 7 * 86400).default(1800),
  SESSION_ABSOLUTE_SECONDS: int(1, 30 * 86400).default(43_200),
  /** false only for plain-http development: browsers drop a Secure cookie sent over http. */
  SESSION_COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Failed logins per minute from one address, whatever the names (a sweep over many names); 429 beyond. */
  LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE: int(1, 1_000_000).default(30),
  /**
   * Guessing one name from one address (shared/domain/login-guard.ts): after LOGIN_DELAY_AFTER_FAILURES failures each
   * try waits 1 s, doubling to 60 s; LOGIN_LOCK_AFTER_FAILURES lock that name from that address for LOGIN_LOCK_SECONDS
   * (or until `ledger users unlock`); LOGIN_ALARM_FAILURES_PER_HOUR failures of a name from anywhere raise an alarm.
   */
  LOGIN_DELAY_AFTER_FAILURES: int(1, 1000).default(3),
  LOGIN_LOCK_AFTER_FAILURES: int(1, 1000).default(10),
  LOGIN_LOCK_SECONDS: int(1, 365 * 86400).default(1800),
  LOGIN_ALARM_FAILURES_PER_HOUR: int(1, 1_000_000).default(100),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), as fastify's
   * trustProxy: empty (none: the socket's address), `true` (every hop), a number of hops, or addresses and CIDRs
   * separated by commas (`127.0.0.1,10.0.0.0/8`). The per-address limits and the audit trail use that address.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v): boolean | number | string[] => {
      const t = v.trim();
      if (t === '' || t === 'false') return false;
      if (t === 'true') return true;
      if (/^\d+$/.test(t)) return Number(t);
      return t
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    }),
  /** Password rules (shared/domain/password-policy.ts): the minimum length of a person's password. */
  PASSWORD_MIN_LENGTH: int(8, 128).default(12),
  /** A password older than this must be changed at the next sign-in before anything else; 0: never. */
  PASSWORD_MAX_AGE_DAYS: int(0, 3650).default(90),
  /** A generated or reset password is temporary: changed at first sign-in, and dead after this many hours. */
  TEMPORARY_PASSWORD_HOURS: int(1, 24 * 90).default(72),
  /**
   * OpenTelemetry tracing (shared/tracing.ts): on when an OTLP endpoint is set, off (no SDK) otherwise. The SDK reads the
   * other standard OTEL_* variables itself (headers, timeout, sampler, batch sizes, resource attributes).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:'], 'http://127.0.0.1:4318').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(['http:', 'https:'], 'http://127.0.0.1:4318/v1/traces').optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});

/**
 * What each setting means, for people: docs/configuration.md is written from it (`npm run docs:config`), and the
 * type makes a new setting without a description an error.
 */
export const CONFIG_DESCRIPTIONS = {
  DATABASE_URL: 'PostgreSQL; `ledger migrate` creates the database if missing',
  DATABASE_READ_URL:
    "a streaming replica for the reads that may lag: rankings, progress, the notices archive, the console's pages (see [operating.md](operating.md)); unset: the primary serves them",
  DATABASE_READ_MAX_LAG_SECONDS:
    'a replica further behind than this (sampled every second) is not read: those reads go to the primary until it catches up',
  DATABASE_PREPARED_STATEMENTS:
    '`off` behind a pooler in transaction mode that cannot carry protocol-level prepared statements (PgBouncer < 1.21, or ≥ 1.21 with `max_prepared_statements = 0`); see [operating.md](operating.md)',
  DATABASE_SESSION_SETTINGS:
    "where the session settings (statement and idle-in-transaction timeouts, `jit`, the workers' `synchronous_commit`) go: `startup` in the connection's `options`; `transaction` as `SET LOCAL` with every `BEGIN`, for a pooler in transaction mode (PgBouncer refuses `options`)",
  REDIS_URL:
    'Redis for the queues: one server (`redis://`, `rediss://` for TLS), or a Redis Cluster by some of its nodes, `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://` for TLS; the client learns the other nodes from them; no database number, a cluster has only 0)',
  PORT: "the HTTP API's port",
  HOST: 'the address the HTTP API listens on',
  LOG_LEVEL: 'pino level; logs are JSON lines on stderr (readable when stderr is a terminal)',
  QUEUE_PREFIX:
    'BullMQ key prefix; on a Redis Cluster it must carry a hash tag, e.g. `{ledger}` (a process refuses to start without one)',
  WORKER_CONCURRENCY:
    'visit-event jobs held at once per worker process (they share at most 2 transactions: group commit)',
  INBOX_REDELIVERY_SECONDS: 'an accepted event still unprocessed after this long is enqueued again',
  INBOX_MAX_REDELIVERIES:
    'times the sweeper re-enqueues an event whose job never finishes (it crashes or stalls its worker); then it is dead-lettered (`ledger dlq`)',
  RATE_LIMIT_PER_MINUTE:
    'requests per minute per API key, and per source address for routes without a key (`/readyz`, `/metrics`, `/docs`; not `/healthz`); 429 with `Retry-After` beyond',
  API_KEY_CACHE_SECONDS: 'how long a key lookup is cached; a revoked key stops working within this',
  AUTH_FAILURES_PER_MINUTE:
    "failed authentications (no, malformed, unknown or revoked key) per minute per source address; beyond, 429 with `Retry-After`, and that address's uncached keys are not looked up",
  EXPORT_CONCURRENCY:
    "`.xlsx` exports (the notices' ledger `GET /v1/notices/{id}?format=xlsx` and the demand ledger `GET /v1/campaigns/{id}/employer-demand?format=xlsx`, counted together) streamed at once per API process; beyond, 429 with `Retry-After`",
  LEDGER_READ_TIMEOUT_MS:
    'reading one uploaded ledger (`POST /v1/visit-ledgers`, in a worker thread off the event loop); beyond, the worker is stopped and the upload answered 422 `too-slow`',
  LEDGER_READ_MEMORY_MB:
    'heap of the worker thread reading one uploaded ledger; beyond, the worker is stopped and the upload answered 413 `too-complex`',
  DB_POOL_SIZE: 'PostgreSQL connections per process',
  DB_CONNECT_TIMEOUT_MS: 'opening a PostgreSQL connection, or waiting for a free one of the pool; 0 for none',
  DB_STATEMENT_TIMEOUT_MS:
    'the same for workers, scheduler and commands, whose statements may run long (rankings, rebuilds, imports); 0 for none. `ledger migrate` has none',
  API_DB_STATEMENT_TIMEOUT_MS:
    'a statement of the API (`statement_timeout`, lock waits included); the client gives up 1 s later and drops the connection (a server that stopped answering)',
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS:
    'a transaction left open without a statement ends its session (`idle_in_transaction_session_timeout`)',
  STORE_QUEUE_MAX_EVENTS:
    'events per API process waiting to be stored; beyond, and for an event that waits longer than `API_DB_STATEMENT_TIMEOUT_MS` (5 s when that is 0), 503 with `Retry-After`',
  HTTP_REQUEST_TIMEOUT_MS: 'receiving a whole request (fastify `requestTimeout`); 0 for none',
  HTTP_CONNECTION_TIMEOUT_MS: 'a silent socket is closed after this long (fastify `connectionTimeout`); 0 for none',
  SMTP_URL: 'e.g. `smtp://user:pass@mail.example.org:587`; notices by e-mail need it',
  MAIL_FROM: 'sender of notices',
  NOTICE_ISSUERS_FILE:
    "JSON of who issues each scope's notices as documents (.docx, .pdf): 发文机关标志, office, 机关代字 of the 发文字号, 主送, 抄送, first 顺序号; `national`, `central`, `province` (a template: `{province}` is the province's name) and `provinces` by code overriding it (see [notices.md](notices.md))",
  NOTICE_FONT_DIR:
    'a directory with the 公文 fonts as .ttf/.otf files (file names containing 小标宋 or FZXBS, 仿宋 or FangSong, 楷体 or KaiTi, 黑体 or SimHei): the PDFs embed them instead of Noto Serif/Sans CJK and AR PL UKai',
  SMTP_REQUIRE_TLS:
    '`true`: mail only over TLS (STARTTLS required on `smtp://`, or `smtps://`); a server without STARTTLS fails the delivery at once',
  DELIVERY_LEASE_SECONDS:
    'a delivery `sending` longer than this is taken to be abandoned (its worker died) and is sent again, or failed at the attempt cap; keep it above the longest send',
  SCHEDULE_WEEKLY: 'cron expression of the weekly run (the previous ISO week)',
  SCHEDULE_MONTHLY: 'cron expression of the monthly run (the previous month)',
  SCHEDULE_TIMEZONE: 'time zone of the schedules and of calendar dates',
  SCHEDULE_LOOKBACK_DAYS:
    "the scheduler's catch-up runs any period ended within this many days that has no snapshot, and generates the notices of any that has snapshots but no notices",
  SCHEDULE_CATCHUP_SECONDS:
    'the catch-up runs at start and then this often (lost notice jobs, stuck or queue-less deliveries); `0`: only at start',
  RESOLVE_MATCH_THRESHOLD:
    'employer similarity (0..1) at or above which a spelling matches a known employer; chosen on the development set (bench/RESULTS.md, resolve)',
  RESOLVE_REVIEW_THRESHOLD:
    'employer similarity (0..1) at or above which a spelling that does not match goes to review; below it, a new employer is created',
  OUT_DIR: 'where the demo writes notices',
  SESSION_IDLE_SECONDS: 'a console session ends after this long without a request',
  SESSION_ABSOLUTE_SECONDS: 'a console session ends this long after sign-in, whatever its use',
  SESSION_COOKIE_SECURE: '`false` only for plain-http development: the session cookie then lacks `Secure`',
  LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE:
    'failed console sign-ins per source address and API process per minute, whatever the names; 429 with `Retry-After` beyond',
  LOGIN_DELAY_AFTER_FAILURES:
    'failed sign-ins of one name from one address after which each further try there waits (1 s, doubling up to 60 s; 429 with `Retry-After`); the same name from another address is not slowed',
  LOGIN_LOCK_AFTER_FAILURES:
    'failed sign-ins of one name from one address that lock that name from that address (429, whatever the password) for `LOGIN_LOCK_SECONDS`, or until `ledger users unlock`',
  LOGIN_LOCK_SECONDS: 'how long such a lock lasts; failures older than this (and not locked) are forgotten',
  LOGIN_ALARM_FAILURES_PER_HOUR:
    'failed sign-ins of one name from all addresses within an hour that raise the security alarm (an error log line and a `session.alarm` audit entry, once an hour); it refuses nobody',
  DOCS_METRICS_OPEN:
    'who may read `/metrics` and `/docs` without a key: `loopback` (callers on this host, e.g. a local Prometheus agent), `all`, or `none`; elsewhere any valid key or session reads them',
  WEBHOOK_ALLOWED_HOSTS:
    'hosts (comma-separated) that a webhook added in the console may name though they are not on the public internet (loopback, private and link-local addresses are refused otherwise); `ledger recipients add`, run by the operator at the host, is not limited',
  EXPORT_CONCURRENCY_PER_CALLER:
    'of those, the exports one caller (a key or a person) may stream at once, so that nobody takes every slot; 429 with `Retry-After` beyond',
  TRUST_PROXY:
    'proxies whose `X-Forwarded-For` gives the client address: empty for none, `true`, a hop count, or addresses/CIDRs separated by commas; the per-address limits and the audit trail use that address',
  PASSWORD_MIN_LENGTH:
    "the fewest characters a person's password may have (it must also use three of upper case, lower case, digits and symbols, not contain the account name, not be a common password or a keyboard pattern: see [security.md](security.md))",
  PASSWORD_MAX_AGE_DAYS:
    'a password older than this many days must be changed at sign-in before anything else (`0`: never)',
  TEMPORARY_PASSWORD_HOURS:
    'a generated or reset password (shown to the administrator) is temporary: it must be changed at first sign-in and stops signing in after this many hours',
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'OpenTelemetry collector, OTLP over HTTP (e.g. `http://otel-collector:4318`; spans go to `/v1/traces` under it). Set: tracing on. Unset: off, no SDK started (see [operating.md](operating.md#tracing-opentelemetry))',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'the full traces URL instead (used as given); either variable turns tracing on',
  OTEL_SERVICE_NAME:
    "`service.name` of the process's spans; unset: `ledger-api`, `ledger-workers` or `ledger-scheduler` (`ledger` for a process serving several parts)",
  OTEL_SDK_DISABLED: '`true`: no tracing even with an endpoint',
} as const satisfies Record<keyof z.input<typeof schema>, string>;

/** The settings in the order the schema declares them. */
export const CONFIG_SCHEMA = schema;

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * A value as an error message may show it: error messages end up in logs and terminals, so the password of a URL
 * (`postgres://user:***@host/db`, also when the URL does not parse) and variables named like secrets are masked.
 */
function shownValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/PASSWORD|SECRET|TOKEN/i.test(name)) return '***';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):.*@/i, '$1:***@');
}

/** Redis's rule: the key's slot is that of the text between its first '{' and the next '}', when that is not empty. */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

/** Parses the given environment (process.env by default); empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      return `${name}=${JSON.stringify(shownValue(name, env[name]))} ${i.message}`;
    });
    throw new ConfigError(problems);
  }
  const cfg = parsed.data;
  if (parseRedisUrl(cfg.REDIS_URL).kind === 'cluster' && !hasHashTag(cfg.QUEUE_PREFIX)) {
    throw new ConfigError([
      `QUEUE_PREFIX=${JSON.stringify(cfg.QUEUE_PREFIX)} needs a hash tag on a Redis Cluster (REDIS_URL is redis+cluster://): set it like {ledger}, so that each queue's keys share one slot`,
    ]);
  }
  if (cfg.RESOLVE_REVIEW_THRESHOLD > cfg.RESOLVE_MATCH_THRESHOLD) {
    throw new ConfigError([
      `RESOLVE_REVIEW_THRESHOLD=${cfg.RESOLVE_REVIEW_THRESHOLD} must not exceed RESOLVE_MATCH_THRESHOLD=${cfg.RESOLVE_MATCH_THRESHOLD}`,
    ]);
  }
  return Object.freeze(cfg);
}
