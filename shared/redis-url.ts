// REDIS_URL, read: one Redis server (`redis://`, `rediss://`), or a Redis Cluster given by some of its nodes
// (`redis+cluster://host:port,host:port`, `rediss+cluster://` for TLS). Pure, so that the configuration can check a
// URL without opening anything; shared/redis.ts connects.

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'cluster';
      /** Seed nodes: the client asks them for the cluster's layout (CLUSTER SLOTS) and finds the others itself. */
      nodes: RedisNodeAddress[];
      username?: string;
      password?: string;
      tls: boolean;
    };

const CLUSTER_SCHEMES: Record<string, boolean> = { 'redis+cluster:': false, 'rediss+cluster:': true };

export class RedisUrlError extends Error {}

/**
 * Reads REDIS_URL. A cluster URL lists one or more nodes separated by commas, each `host:port` (IPv6 in brackets,
 * port 6379 when left out), with optional `user:password@` before the first: `redis+cluster://:secret@10.0.0.1:7000,
 * 10.0.0.2:7000`. Throws RedisUrlError with what is wrong.
 */
export function parseRedisUrl(value: string): RedisTarget {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'redis:' || scheme === 'rediss:') {
    try {
      new URL(value);
    } catch {
      throw new RedisUrlError('is not a valid URL');
    }
    return { kind: 'server', url: value };
  }
  if (scheme === undefined || !(scheme in CLUSTER_SCHEMES))
    throw new RedisUrlError('is not a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
  const rest = value.slice(scheme.length + 2).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  const hostList = at >= 0 ? rest.slice(at + 1) : rest;
  if (hostList.includes('/') || hostList.includes('?'))
    throw new RedisUrlError('takes no database or options after the nodes (a cluster has only database 0)');
  const nodes = hostList.split(',').map((part) => {
    const hostPort = part.trim();
    let parsed: URL;
    try {
      parsed = new URL(`redis://${hostPort}`);
    } catch {
      throw new RedisUrlError(`has a node that is not host:port (${JSON.stringify(hostPort)})`);
    }
    if (!parsed.hostname || parsed.username || parsed.pathname !== '')
      throw new RedisUrlError(`has a node that is not host:port (${JSON.stringify(hostPort)})`);
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port ? Number(parsed.port) : 6379 };
  });
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    const pass = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) : undefined;
    if (user) username = user;
    if (pass) password = pass;
  }
  return {
    kind: 'cluster',
    nodes,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: CLUSTER_SCHEMES[scheme]!,
  };
}

/** The cluster URL of these nodes (tests, and the demo's messages). */
export function clusterUrl(nodes: RedisNodeAddress[]): string {
  return `redis+cluster://${nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')}`;
}
