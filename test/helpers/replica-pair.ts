// A PostgreSQL primary of the test's own (initdb in a temp dir, its own port, wal_level=replica, replication trusted
// from 127.0.0.1) and a streaming replica made from it with `pg_basebackup -R` on another port. Binaries from
// /usr/lib/postgresql/15/bin, run as the `postgres` OS user when the test runs as root (initdb refuses root).
// stop() stops both servers and removes their directories.
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresUser } from './pgbouncer.ts';
import { freePort } from './processes.ts';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ReplicaPair {
  primaryUrl(database: string): string;
  replicaUrl(database: string): string;
  stop(): Promise<void>;
}

async function asPostgres(command: string, args: string[]): Promise<string> {
  const [file, argv] =
    userInfo().uid === 0
      ? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]]
      : [join(BIN, command), args];
  const { stdout } = await run(file, argv, { timeout: 120_000 });
  return stdout;
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const root = mkdtempSync(join(tmpdir(), 'ledger-replica-'));
  chmodSync(root, 0o755);
  if (userInfo().uid === 0) {
    const { uid, gid } = postgresUser();
    chownSync(root, uid, gid);
  }
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stop = async () => {
    for (const dir of started.reverse())
      await asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    appendFileSync(
      join(primaryDir, 'postgresql.conf'),
      [
        "listen_addresses = '127.0.0.1'",
        'wal_level = replica',
        'max_wal_senders = 4',
        'fsync = off',
        'shared_buffers = 32MB',
        '',
      ].join('\n'),
    );
    appendFileSync(join(primaryDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    const startServer = async (dir: string, port: number) => {
      await asPostgres('pg_ctl', [
        '-D',
        dir,
        '-l',
        join(dir, 'server.log'),
        '-o',
        `-p ${port} -k ${root}`,
        '-w',
        'start',
      ]);
      started.push(dir);
    };
    await startServer(primaryDir, primaryPort);
    await asPostgres('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    await startServer(replicaDir, replicaPort);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    primaryUrl: (database) => `postgres://postgres@127.0.0.1:${primaryPort}/${database}`,
    replicaUrl: (database) => `postgres://postgres@127.0.0.1:${replicaPort}/${database}`,
    stop,
  };
}
