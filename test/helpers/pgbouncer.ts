// A pgbouncer of the test's own (Debian's package: `apt-get install pgbouncer`, which .ci/run does): its own port,
// ini and userlist in a temp dir, every database forwarded to the test's PostgreSQL with trust, stopped and removed by
// stop(). It refuses to run as root, so as root it drops to the `postgres` user (`-u postgres`).
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './processes.ts';

export interface PgBouncer {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** Runs a statement on pgbouncer's admin console (SHOW POOLS, SHOW SERVERS …). */
  admin<T extends object>(statement: string): Promise<T[]>;
  log(): string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  poolMode: 'session' | 'transaction';
  /** Server connections per (database, user): small, so that client connections share them. */
  poolSize: number;
  /** Where the databases are (default 127.0.0.1:5432). */
  host?: string;
  port?: number;
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${options.host ?? '127.0.0.1'} port=${options.port ?? 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'admin_users = postgres',
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 200',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chmodSync(dir, 0o755);
    for (const f of [dir, ini, join(dir, 'userlist.txt')]) chownSync(f, uid, gid);
  }
  const child = spawn('pgbouncer', [...(asRoot ? ['-u', 'postgres'] : []), ini], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('process up')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    void exited.then(() => reject(new Error(`pgbouncer exited: ${out}`)));
  });
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async admin<T extends object>(statement: string) {
      const client = new pg.Client({ connectionString: url('pgbouncer') });
      await client.connect();
      try {
        return (await client.query<T>(statement)).rows;
      } finally {
        await client.end();
      }
    },
    log: () => out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The uid and gid of the `postgres` OS user (the PostgreSQL packages create it). */
export function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user in /etc/passwd: install the postgresql package');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
