// Where each phase of the demo spends CPU: the demo itself, the API, the workers, the other children it runs (the
// `ledger` commands, the console build) and PostgreSQL, read from /proc at each phase's start and end. Linux only:
// elsewhere the columns other than the demo's own are null.
//
// Children: a child that exits is reaped by this process, and the kernel then adds its CPU (and that of the children
// it reaped) to our cutime/cstime, exactly; a child still running is read from its own /proc/<pid>/stat. So a phase's
// children CPU is the growth of our reaped time plus the growth of the live children's time, none lost.
// PostgreSQL: its backends are not our children. The demo's database's backends are found by their process title
// (`postgres: [cluster: ]user database host(port) …`) and sampled every second, so a backend that exits between two
// samples loses at most its last second; the whole server's figure is exact (the postmaster reaps its backends) but
// counts every database on it, other users' too.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** USER_HZ: the unit of /proc's times, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** CPU of the process itself, in ticks. */
  utime: number;
  stime: number;
  /** CPU of the children it has reaped, in ticks. */
  cutime: number;
  cstime: number;
  /** Ticks after boot: with the pid, names one process even when a pid is reused. */
  starttime: number;
}

/** Parses /proc/<pid>/stat; the command name is the text between the first '(' and the last ')' (it may hold both). */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // Fields after the name, numbered as in proc(5): 3 is the state, 4 the parent, 14–17 the times, 22 the start.
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const at = (n: number) => Number(f[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: at(4),
    utime: at(14),
    stime: at(15),
    cutime: at(16),
    cstime: at(17),
    starttime: at(22),
  };
}

/** What a postgres process serves, from its title: a database (backends, autovacuum), a leader's pid, or nothing. */
export type PostgresRole = { database: string } | { parallelWorkerOf: number } | null;

export function postgresRole(cmdline: string): PostgresRole {
  const title = cmdline.replace(/\0/g, ' ').trim();
  if (!title.startsWith('postgres: ')) return null;
  const rest = title.slice('postgres: '.length);
  const parallel = /parallel worker for PID (\d+)/.exec(rest);
  if (parallel) return { parallelWorkerOf: Number(parallel[1]) };
  const autovacuum = /autovacuum worker (\S+)/.exec(rest);
  if (autovacuum) return { database: autovacuum[1]! };
  // `user database host(port) activity` or `… [local] …`, after the cluster name and its ': ' when one is set.
  const words = rest.split(' ');
  for (let i = 0; i + 2 < words.length; i++) {
    if (i > 0 && !words[i - 1]!.endsWith(':')) break;
    if (/^(?:\[local\]|\S+\(\d+\))$/.test(words[i + 2]!)) return { database: words[i + 1]! };
  }
  return null;
}

/** What the accounting reads at a phase boundary; times in seconds. */
export interface CpuSnapshot {
  /** Date.now() */
  at: number;
  demo: number;
  /** CPU of the children this process has reaped; null without /proc. */
  reaped: number | null;
  /** Children still running, by `pid:starttime`: their CPU with that of the children they reaped. */
  live: Map<string, number>;
  /** The demo database's backends, as sampled so far. */
  postgres: number | null;
  /** Every postgres process, with the backends the postmaster has reaped. */
  postgresServer: number | null;
  load: number;
}

export interface PhaseCpu {
  phase: string;
  wallSeconds: number;
  cpuSeconds: {
    demo: number;
    api: number | null;
    workers: number | null;
    /** The other processes the demo ran: `ledger` commands, the console build. */
    children: number | null;
    postgres: number | null;
    postgresServer: number | null;
  };
  /** One-minute load average at the phase's start and end. */
  load: { before: number; after: number };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const sumOf = (m: Map<string, number>, keep: (key: string) => boolean) =>
  [...m].reduce((s, [k, v]) => (keep(k) ? s + v : s), 0);

/**
 * The phase between two snapshots. `parts` names the API's and the workers' pids; every other child's CPU is the
 * children's. A part that exits within the phase counts as a child (the demo stops its parts after the last phase).
 */
export function phaseBetween(
  phase: string,
  before: CpuSnapshot,
  after: CpuSnapshot,
  parts: { api: number[]; workers: number[] },
): PhaseCpu {
  const pidOf = (key: string) => Number(key.split(':')[0]);
  const grew = (keep: (key: string) => boolean) =>
    sumOf(after.live, keep) - sumOf(before.live, (k) => keep(k) && after.live.has(k));
  const isApi = (k: string) => parts.api.includes(pidOf(k));
  const isWorker = (k: string) => parts.workers.includes(pidOf(k));
  const linux = before.reaped !== null && after.reaped !== null;
  // A child alive at the start and gone at the end: its whole CPU is in `reaped`, so its start is taken off.
  const gone = sumOf(before.live, (k) => !after.live.has(k));
  const children = linux ? after.reaped! - before.reaped! - gone + grew((k) => !isApi(k) && !isWorker(k)) : null;
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : round1(b - a));
  return {
    phase,
    wallSeconds: round1((after.at - before.at) / 1000),
    cpuSeconds: {
      demo: round1(after.demo - before.demo),
      api: linux ? round1(grew(isApi)) : null,
      workers: linux ? round1(grew(isWorker)) : null,
      children: children === null ? null : round1(children),
      postgres: delta(before.postgres, after.postgres),
      postgresServer: delta(before.postgresServer, after.postgresServer),
    },
    load: { before: round2(before.load), after: round2(after.load) },
  };
}

/** The rows as a table, with a total line. */
export function cpuTable(rows: readonly PhaseCpu[]): string {
  const header = ['phase', 'wall s', 'demo', 'API', 'workers', 'children', 'PG (db)', 'PG (server)', 'load'];
  const cell = (n: number | null) => (n === null ? '–' : n.toFixed(1));
  const total = (pick: (r: PhaseCpu) => number | null) =>
    rows.some((r) => pick(r) === null) ? null : rows.reduce((s, r) => s + pick(r)!, 0);
  const line = (r: PhaseCpu) => [
    r.phase,
    cell(r.wallSeconds),
    cell(r.cpuSeconds.demo),
    cell(r.cpuSeconds.api),
    cell(r.cpuSeconds.workers),
    cell(r.cpuSeconds.children),
    cell(r.cpuSeconds.postgres),
    cell(r.cpuSeconds.postgresServer),
    `${r.load.before.toFixed(2)} → ${r.load.after.toFixed(2)}`,
  ];
  const body = [
    header,
    ...rows.map(line),
    [
      'total',
      cell(total((r) => r.wallSeconds)),
      cell(total((r) => r.cpuSeconds.demo)),
      cell(total((r) => r.cpuSeconds.api)),
      cell(total((r) => r.cpuSeconds.workers)),
      cell(total((r) => r.cpuSeconds.children)),
      cell(total((r) => r.cpuSeconds.postgres)),
      cell(total((r) => r.cpuSeconds.postgresServer)),
      '',
    ],
  ];
  const widths = header.map((_, i) => Math.max(...body.map((r) => r[i]!.length)));
  return body
    .map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))))
    .map((r) => `  ${r.join('  ')}`.trimEnd())
    .join('\n');
}

function readStat(pid: number | 'self'): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // gone meanwhile, or no /proc
  }
}

const ticks = (s: ProcStat) => s.utime + s.stime + s.cutime + s.cstime;

export interface CpuAccounting {
  /** Ends the phase begun at the last call (or at the start) and begins the next. */
  phase(name: string, parts: { api: number[]; workers: number[] }): PhaseCpu;
  readonly rows: PhaseCpu[];
  stop(): void;
}

/** Starts accounting now; `database` is the demo's, whose backends are PostgreSQL's column. */
export function startCpuAccounting(database: string): CpuAccounting {
  const linux = readStat('self') !== null;
  // The demo database's backends by `pid:starttime`, with the CPU last seen; a role once known is kept.
  const backends = new Map<string, number>();
  const roles = new Map<string, PostgresRole | 'unknown'>();
  const rows: PhaseCpu[] = [];

  const scan = (): { live: Map<string, number>; postgresServer: number } => {
    const live = new Map<string, number>();
    let postgresServer = 0;
    const postgres: ProcStat[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = readStat(Number(entry));
      if (!s) continue;
      if (s.ppid === process.pid) live.set(`${s.pid}:${s.starttime}`, ticks(s) / TICKS_PER_SECOND);
      if (s.comm === 'postgres') {
        postgresServer += ticks(s);
        postgres.push(s);
      }
    }
    const dbOf = new Map<number, string | null>();
    for (const s of postgres) {
      const key = `${s.pid}:${s.starttime}`;
      let role = roles.get(key);
      if (role === undefined || role === 'unknown') {
        try {
          role = postgresRole(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8'));
        } catch {
          continue;
        }
        // A backend still authenticating has no database in its title yet: asked again at the next sample.
        roles.set(key, role ?? 'unknown');
      }
      if (role && 'database' in role) dbOf.set(s.pid, role.database);
    }
    for (const s of postgres) {
      const key = `${s.pid}:${s.starttime}`;
      const role = roles.get(key);
      const db =
        role && role !== 'unknown'
          ? 'database' in role
            ? role.database
            : (dbOf.get(role.parallelWorkerOf) ?? null)
          : null;
      if (db === database) backends.set(key, Math.max(backends.get(key) ?? 0, ticks(s) / TICKS_PER_SECOND));
    }
    return { live, postgresServer: postgresServer / TICKS_PER_SECOND };
  };

  const snapshot = (): CpuSnapshot => {
    const { user, system } = process.cpuUsage();
    const self = linux ? readStat('self') : null;
    const scanned = linux ? scan() : null;
    return {
      at: Date.now(),
      demo: (user + system) / 1e6,
      reaped: self ? (self.cutime + self.cstime) / TICKS_PER_SECOND : null,
      live: scanned?.live ?? new Map(),
      postgres: scanned ? sumOf(backends, () => true) : null,
      postgresServer: scanned?.postgresServer ?? null,
      load: loadavg()[0]!,
    };
  };

  let last = snapshot();
  const sampler = linux ? setInterval(scan, 1000) : undefined;
  sampler?.unref();
  return {
    rows,
    phase(name, parts) {
      const now = snapshot();
      const row = phaseBetween(name, last, now, parts);
      rows.push(row);
      last = now;
      return row;
    },
    stop() {
      clearInterval(sampler);
    },
  };
}
