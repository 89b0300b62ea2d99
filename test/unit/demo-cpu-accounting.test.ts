import { describe, expect, it } from 'vitest';
import {
  cpuTable,
  parseProcStat,
  phaseBetween,
  postgresRole,
  type CpuSnapshot,
} from '../../services/demo/cpu-accounting.ts';

describe('parseProcStat', () => {
  it('reads the parent, the times and the start, whatever the command name holds', () => {
    const line =
      '4242 (node (x) y) S 4100 4242 4100 0 -1 4194560 18000 0 0 0 1234 567 89 10 20 0 11 0 987654 1161392128 53000 18446744073709551615 0 0 0 0 0 0 0 4096 17928 0 0 0 17 1 0 0 0 0 0\n';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'node (x) y',
      ppid: 4100,
      utime: 1234,
      stime: 567,
      cutime: 89,
      cstime: 10,
      starttime: 987654,
    });
  });

  it('refuses text that is no stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow(/not a \/proc/);
  });
});

describe('postgresRole', () => {
  const title = (t: string) => `${t}\0\0\0`; // as /proc/<pid>/cmdline shows a rewritten title: NUL padding
  it('finds the database of a backend, with or without a cluster name, over TCP or a socket', () => {
    expect(postgresRole(title('postgres: 15/main: postgres ledger_demo 127.0.0.1(47794) idle'))).toEqual({
      database: 'ledger_demo',
    });
    expect(postgresRole(title('postgres: app ledger_demo [local] SELECT'))).toEqual({ database: 'ledger_demo' });
    expect(postgresRole(title('postgres: main: app ledger ::1(5001) idle in transaction'))).toEqual({
      database: 'ledger',
    });
  });

  it('knows autovacuum and parallel workers, and leaves the server’s own processes out', () => {
    expect(postgresRole(title('postgres: 15/main: autovacuum worker ledger_demo'))).toEqual({
      database: 'ledger_demo',
    });
    expect(postgresRole(title('postgres: 15/main: parallel worker for PID 11625'))).toEqual({
      parallelWorkerOf: 11625,
    });
    for (const t of [
      'postgres: 15/main: checkpointer',
      'postgres: walwriter',
      'postgres: logical replication launcher',
    ])
      expect(postgresRole(title(t))).toBeNull();
    expect(postgresRole('/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib/postgresql/15/main\0')).toBeNull();
  });
});

const snap = (over: Partial<CpuSnapshot>): CpuSnapshot => ({
  at: 0,
  demo: 0,
  reaped: 0,
  live: new Map(),
  postgres: 0,
  postgresServer: 0,
  load: 1,
  ...over,
});

describe('phaseBetween', () => {
  const parts = { api: [200], workers: [300, 301] };

  it('splits the children into the API, the workers and the rest, counting an exited child’s CPU once', () => {
    const before = snap({
      at: 1_000,
      demo: 2,
      reaped: 5,
      live: new Map([
        ['200:1', 10],
        ['300:1', 20],
        ['301:1', 1],
        ['400:1', 3], // a `ledger` command that exits during the phase, 7 s of CPU in all
      ]),
      postgres: 40,
      postgresServer: 100,
      load: 1.234,
    });
    const after = snap({
      at: 13_500,
      demo: 4.5,
      reaped: 5 + 7 + 2, // the command, and one started and ended in the phase (2 s)
      live: new Map([
        ['200:1', 12],
        ['300:1', 30],
        ['301:1', 6],
        ['500:9', 0.5], // the console build, still running
      ]),
      postgres: 52.25,
      postgresServer: 130,
      load: 2.5,
    });
    expect(phaseBetween('reference data', before, after, parts)).toEqual({
      phase: 'reference data',
      wallSeconds: 12.5,
      cpuSeconds: { demo: 2.5, api: 2, workers: 15, children: 7 - 3 + 2 + 0.5, postgres: 12.3, postgresServer: 30 },
      load: { before: 1.23, after: 2.5 },
    });
  });

  it('counts a part from zero in the phase that starts it', () => {
    const row = phaseBetween('start services', snap({}), snap({ live: new Map([['200:1', 1.5]]) }), parts);
    expect(row.cpuSeconds).toMatchObject({ api: 1.5, workers: 0, children: 0 });
  });

  it('a pid used again is another process', () => {
    const row = phaseBetween(
      'x',
      snap({ live: new Map([['400:1', 3]]) }),
      snap({ reaped: 4, live: new Map([['400:2', 1]]) }),
      parts,
    );
    expect(row.cpuSeconds.children).toBe(4 - 3 + 1);
  });

  it('has no children’s or PostgreSQL’s figures without /proc', () => {
    const row = phaseBetween(
      'x',
      snap({ reaped: null, postgres: null, postgresServer: null }),
      snap({ demo: 1, reaped: null, postgres: null, postgresServer: null }),
      parts,
    );
    expect(row.cpuSeconds).toEqual({
      demo: 1,
      api: null,
      workers: null,
      children: null,
      postgres: null,
      postgresServer: null,
    });
  });
});

describe('cpuTable', () => {
  it('prints one line per phase and the totals', () => {
    const rows = [
      phaseBetween('plans', snap({}), snap({ at: 2_000, demo: 1, postgres: 1 }), { api: [], workers: [] }),
      phaseBetween('summary', snap({}), snap({ at: 3_000, demo: 0.5, postgres: 2 }), { api: [], workers: [] }),
    ];
    const lines = cpuTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {2}phase +wall s +demo +API +workers +children +PG \(db\) +PG \(server\) +load$/);
    expect(lines[1]).toMatch(/^ {2}plans +2\.0 +1\.0 +0\.0 +0\.0 +0\.0 +1\.0 +0\.0 +1\.00 → 1\.00$/);
    expect(lines[3]).toMatch(/^ {2}total +5\.0 +1\.5 +0\.0 +0\.0 +0\.0 +3\.0 +0\.0$/);
  });
});
