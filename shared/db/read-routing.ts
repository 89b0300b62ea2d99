// Where a process part's statements go: the primary (DATABASE_URL) for every write and every read that must see its
// own writes, and `reads` for reads that may lag a little (rankings, progress, the notices archive, the console's
// pages): the streaming replica at DATABASE_READ_URL while it is within DATABASE_READ_MAX_LAG_SECONDS of the
// primary, else the primary. The one place that decides; use cases just receive the Db to read from.
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { readsServed, replicaLag } from '../metrics.ts';
import { createPool, dbOptionsFor, type Db, type DbOptions, type DbRole } from './database.ts';
import type { Database } from './schema.ts';

export interface Databases {
  /** The primary: writes, and reads that must see them (ingestion, admin actions and their answers, sessions). */
  db: Db;
  /** Reads that may lag: the replica while it is close enough, else the primary. The primary itself without a replica. */
  reads: Db;
  /** The replica's lag, when there is one. */
  replica?: ReplicaLagMonitor;
  /** Closes both pools. */
  destroy(): Promise<void>;
}

export interface OpenDatabasesOptions {
  role: DbRole;
  applicationName: string;
  poolSize: number;
  /** Session settings of the primary's connections (e.g. the workers' asynchronous commit). */
  settings?: Record<string, string>;
  /** How often the replica's lag is sampled (default 1000 ms). */
  lagCheckIntervalMs?: number;
}

/** The primary, and the reads routed to DATABASE_READ_URL when it is set. */
export function openDatabases(config: Config, options: OpenDatabasesOptions): Databases {
  const base: DbOptions = {
    poolSize: options.poolSize,
    applicationName: options.applicationName,
    ...dbOptionsFor(config, options.role),
  };
  const primaryPool = createPool(config.DATABASE_URL, {
    ...base,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: primaryPool }) });
  if (!config.DATABASE_READ_URL) return { db, reads: db, destroy: () => db.destroy() };
  const replicaPool = createPool(config.DATABASE_READ_URL, {
    ...base,
    applicationName: `${options.applicationName}-reads`,
  });
  const replica = new ReplicaLagMonitor(primaryPool, replicaPool, {
    maxLagSeconds: config.DATABASE_READ_MAX_LAG_SECONDS,
    intervalMs: options.lagCheckIntervalMs ?? 1000,
  });
  const reads = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        async connect() {
          if (replica.usable) {
            try {
              const client = await replicaPool.connect();
              readsServed.inc({ served_by: 'replica' });
              return client;
            } catch {
              replica.markUnreachable();
            }
          }
          readsServed.inc({ served_by: 'primary' });
          return primaryPool.connect();
        },
        // The primary's pool is the primary Db's to close.
        async end() {
          replica.stop();
          await replicaPool.end();
        },
      },
    }),
  });
  replica.start();
  return {
    db,
    reads,
    replica,
    async destroy() {
      await reads.destroy();
      await db.destroy();
    },
  };
}

/** 'X/Y' (hexadecimal halves of a WAL position) as one number. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export interface LagSample {
  /** When the primary's WAL position was read (ms since the epoch). */
  at: number;
  /** The primary's WAL position then. */
  primaryLsn: bigint;
  /** The replica's replayed position, read just after. */
  replayedLsn: bigint;
  /** Commit time of the last transaction the replica replayed (ms), if any since it started. */
  replayedAt: number | undefined;
}

/**
 * Lag as the age of the newest primary state the replica is known to hold. `now() - pg_last_xact_replay_timestamp()`
 * alone would grow without bound while the primary is idle (nothing to replay, nothing lost), so positions decide
 * first: a replica that has replayed all the WAL the primary had written is 0 behind; one that has not is at least as
 * recent as the later of its last replayed commit and the last earlier sample whose primary position it has reached.
 * `history` holds earlier samples' (at, primaryLsn), oldest first; it is pruned in place.
 */
export function lagSeconds(sample: LagSample, history: Array<{ at: number; lsn: bigint }>, now: number): number {
  history.push({ at: sample.at, lsn: sample.primaryLsn });
  if (sample.replayedLsn >= sample.primaryLsn) {
    history.splice(0, history.length - 1);
    return 0;
  }
  let since = sample.replayedAt ?? -Infinity;
  let reached = -1;
  history.forEach((h, i) => {
    if (h.lsn <= sample.replayedLsn) reached = i;
  });
  if (reached >= 0) {
    since = Math.max(since, history[reached]!.at);
    history.splice(0, reached); // older ones say nothing more
  }
  if (history.length > 3600) history.splice(0, history.length - 3600);
  return since === -Infinity ? Infinity : Math.max(0, (now - since) / 1000);
}

/**
 * Samples the replica's lag every `intervalMs` (the primary's WAL position, then the replica's replayed one) and says
 * whether reads may go there. Until the first sample, and while the replica cannot be reached, they may not.
 */
export class ReplicaLagMonitor {
  /** The latest lag in seconds; Infinity when unknown. */
  lagSeconds = Infinity;
  private readonly history: Array<{ at: number; lsn: bigint }> = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly primary: pg.Pool,
    private readonly replica: pg.Pool,
    private readonly options: { maxLagSeconds: number; intervalMs: number },
  ) {}

  get usable(): boolean {
    return this.lagSeconds <= this.options.maxLagSeconds;
  }

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  markUnreachable(): void {
    this.set(Infinity);
  }

  /** Takes a sample now (one at a time) and returns the lag. */
  sample(): Promise<number> {
    return (this.running ??= this.measure().finally(() => (this.running = undefined)));
  }

  private set(lag: number): number {
    this.lagSeconds = lag;
    replicaLag.set(lag);
    return lag;
  }

  private async measure(): Promise<number> {
    // A sample must not wait behind a hung server: 2 s, or as long as the interval when that is longer.
    const queryTimeout = Math.max(2000, this.options.intervalMs);
    try {
      const at = Date.now();
      // pg honours query_timeout per query; its types know it only for the client's settings.
      const withTimeout = (text: string) => ({ text, query_timeout: queryTimeout }) as pg.QueryConfig;
      const primary = await this.primary.query<{ lsn: string }>(
        withTimeout('SELECT pg_current_wal_lsn()::text AS lsn'),
      );
      const replica = await this.replica.query<{
        recovering: boolean;
        replayed: string | null;
        replayed_at: number | null;
      }>(
        withTimeout(`SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS replayed,
                 (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8 AS replayed_at`),
      );
      const row = replica.rows[0]!;
      // A server out of recovery (the read URL names a primary, or a promoted replica) has nothing to catch up.
      if (!row.recovering) return this.set(0);
      if (row.replayed === null) return this.set(Infinity);
      const lag = lagSeconds(
        {
          at,
          primaryLsn: parseLsn(primary.rows[0]!.lsn),
          replayedLsn: parseLsn(row.replayed),
          replayedAt: row.replayed_at ?? undefined,
        },
        this.history,
        Date.now(),
      );
      return this.set(lag);
    } catch {
      return this.set(Infinity);
    }
  }
}
