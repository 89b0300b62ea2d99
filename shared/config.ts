// The only reader of process.env. Parses everything at once and reports every problem in one message.
import { z } from 'zod';

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
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' })
    .default('info'),
  /** Prefix for every BullMQ key; wrap in {braces} on Redis Cluster so a queue's keys share a slot. */
  QUEUE_PREFIX: z.string().min(1).default('ledger'),
  /** visit-events jobs held at once per worker process; they share at most 2 transactions (group commit), so high is cheap. */
  WORKER_CONCURRENCY: int(1, 1000).default(64),
  INBOX_REDELIVERY_SECONDS: int(1, 86400).default(60),
  /** Requests per minute per API key. */
  RATE_LIMIT_PER_MINUTE: int(1, 10_000_000).default(6000),
  API_KEY_CACHE_SECONDS: int(0, 3600).default(5),
  DB_POOL_SIZE: int(1, 500).default(10),
  SMTP_URL: url(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.org:587').optional(),
  MAIL_FROM: z.string().min(3).default('ledger <ledger@localhost>'),
  SCHEDULE_WEEKLY: z.string().min(1).default('0 9 * * 1'),
  SCHEDULE_MONTHLY: z.string().min(1).default('0 9 1 * *'),
  SCHEDULE_TIMEZONE: z.string().min(1).default('Asia/Shanghai'),
  SCHEDULE_LOOKBACK_DAYS: int(0, 366).default(14),
  /**
   * Employer resolution thresholds (similarity in 0..1): match at or above MATCH, review at or above REVIEW. Chosen on
   * the development set (bench/RESULTS.md, resolve): 0.85 merged a group with its listed company, 0.9 missed swapped
   * short names, 0.95 sent 1.2 % to review.
   */
  RESOLVE_MATCH_THRESHOLD: z.coerce.number().min(0).max(1).default(0.88),
  RESOLVE_REVIEW_THRESHOLD: z.coerce.number().min(0).max(1).default(0.75),
  OUT_DIR: z.string().min(1).default('out'),
});

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the given environment (process.env by default); empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      const value = env[name];
      return `${name}=${JSON.stringify(value)} ${i.message}`;
    });
    throw new ConfigError(problems);
  }
  const cfg = parsed.data;
  if (cfg.RESOLVE_REVIEW_THRESHOLD > cfg.RESOLVE_MATCH_THRESHOLD) {
    throw new ConfigError([
      `RESOLVE_REVIEW_THRESHOLD=${cfg.RESOLVE_REVIEW_THRESHOLD} must not exceed RESOLVE_MATCH_THRESHOLD=${cfg.RESOLVE_MATCH_THRESHOLD}`,
    ]);
  }
  return Object.freeze(cfg);
}
