// A Redis Cluster of the test's own, from Debian's redis-server and redis-cli: masters with a replica each, on free
// ports of 127.0.0.1, each node in a temporary directory, no persistence (PostgreSQL is the record). Stopping it
// kills every node and removes the directories.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { clusterUrl } from '../../shared/redis-url.ts';
import { freePort } from './processes.ts';
import { waitFor } from './poll.ts';

const run = promisify(execFile);

export interface ClusterNodeProcess {
  port: number;
  process: ChildProcess;
  exited: Promise<void>;
  /** Output of the node (its log goes to stdout), for a failure's message. */
  output(): string;
}

/** One line of CLUSTER NODES. */
export interface NodeState {
  id: string;
  port: number;
  flags: string[];
  /** The master's id, for a replica. */
  masterId?: string;
  slots: Array<[number, number]>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /**
   * cluster-node-timeout in ms: how long a master may be silent before the others mark it failed and its replica
   * takes over (Redis's default, 15 s, is for real networks).
   */
  nodeTimeoutMs?: number;
}

export interface TestRedisCluster {
  /** REDIS_URL of the cluster: redis+cluster:// with every node. */
  url: string;
  nodes: ClusterNodeProcess[];
  /** The hash slot of `key` (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /** The nodes as a live node sees them (CLUSTER NODES). */
  layout(): Promise<NodeState[]>;
  /** The port of the master that serves `slot`, as a live node sees it. */
  masterOf(slot: number): Promise<number>;
  /** SIGKILL: the node dies without a word (no shutdown, no last replication). */
  kill(port: number): Promise<void>;
  /** A plain connection to one node (for CLUSTER and INFO commands); closed by stop(). */
  node(port: number): Redis;
  stop(): Promise<void>;
}

function parseNodes(text: string): NodeState[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(' ');
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(address!)![1]),
        flags: flags!.split(','),
        ...(master && master !== '-' ? { masterId: master } : {}),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [from, to] = s.split('-').map(Number);
            return [from!, to ?? from!] as [number, number];
          }),
      };
    });
}

/** Starts the nodes, joins them with `redis-cli --cluster create`, and waits until every node sees a healthy cluster. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const dir = await mkdtemp(join(tmpdir(), 'ledger-redis-cluster-'));
  const nodes: ClusterNodeProcess[] = [];
  const connections = new Map<number, Redis>();
  const killed = new Set<number>();

  async function stop(): Promise<void> {
    for (const c of connections.values()) c.disconnect();
    connections.clear();
    for (const n of nodes) {
      if (n.process.exitCode === null && n.process.signalCode === null) n.process.kill('SIGKILL');
      await n.exited;
    }
    await rm(dir, { recursive: true, force: true });
  }

  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      const busPort = await freePort();
      const nodeDir = await mkdtemp(join(dir, `node-${port}-`));
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir],
          ...['--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
          ...['--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs)],
          // No persistence: PostgreSQL's inbox is the record. A replica syncs at once (diskless, no delay).
          ...['--save', '', '--appendonly', 'no', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      nodes.push({ port, process: child, exited, output: () => out });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Ready to accept connections')) resolve();
        });
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        void exited.then(() => reject(new Error(`redis-server on port ${port} exited: ${out}`)));
      });
    }
    // The first `masters` nodes become masters; redis-cli gives each the next ones as replicas.
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (err) {
    await stop();
    throw err;
  }

  function node(port: number): Redis {
    let c = connections.get(port);
    if (!c) {
      c = new Redis({
        host: '127.0.0.1',
        port,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        lazyConnect: false,
      });
      c.on('error', () => {});
      connections.set(port, c);
    }
    return c;
  }
  const live = () => {
    const n = nodes.find((x) => !killed.has(x.port));
    if (!n) throw new Error('every node of the cluster is down');
    return node(n.port);
  };
  async function layout(): Promise<NodeState[]> {
    return parseNodes((await live().cluster('NODES')) as string);
  }

  const cluster: TestRedisCluster = {
    url: clusterUrl(nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))),
    nodes,
    node,
    layout,
    async slotOf(key) {
      return (await live().cluster('KEYSLOT', key)) as number;
    },
    async masterOf(slot) {
      const owner = (await layout()).find(
        (n) =>
          n.flags.includes('master') && !n.flags.includes('fail') && n.slots.some(([a, b]) => a <= slot && slot <= b),
      );
      if (!owner) throw new Error(`no live master serves slot ${slot}`);
      return owner.port;
    },
    async kill(port) {
      const n = nodes.find((x) => x.port === port)!;
      killed.add(port);
      connections.get(port)?.disconnect();
      connections.delete(port);
      n.process.kill('SIGKILL');
      await n.exited;
    },
    stop,
  };

  try {
    // Healthy: every node says cluster_state:ok and knows all the others, and every replica's link is up.
    await waitFor(
      async () => {
        const states = await Promise.all(
          nodes.map(async (n) => {
            const info = (await node(n.port).cluster('INFO')) as string;
            const replication = await node(n.port).info('replication');
            return (
              info.includes('cluster_state:ok') &&
              info.includes(`cluster_known_nodes:${nodes.length}`) &&
              (replication.includes('role:master') || replication.includes('master_link_status:up'))
            );
          }),
        );
        return states.every(Boolean);
      },
      { what: 'the Redis Cluster to be healthy on every node', until: (ok) => ok, timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${nodes.map((n) => n.output().slice(-2000)).join('\n')}`);
  }
  return cluster;
}
