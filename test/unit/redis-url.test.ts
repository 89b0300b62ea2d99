import { describe, expect, it } from 'vitest';
import { clusterUrl, parseRedisUrl, RedisUrlError } from '../../shared/redis-url.ts';

describe('REDIS_URL', () => {
  it('names one server as a redis:// or rediss:// URL, kept as given', () => {
    expect(parseRedisUrl('redis://:pw@cache:6380/2')).toEqual({ kind: 'server', url: 'redis://:pw@cache:6380/2' });
    expect(parseRedisUrl('rediss://cache')).toEqual({ kind: 'server', url: 'rediss://cache' });
  });

  it('names a cluster by some of its nodes, with credentials once and TLS by the scheme', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2,[::1]:7002/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://ledger:p%40ss@a.example:7000,b.example:7000')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a.example', port: 7000 },
        { host: 'b.example', port: 7000 },
      ],
      username: 'ledger',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('REDIS+CLUSTER://:secret@h:1')).toMatchObject({ password: 'secret', nodes: [{ host: 'h' }] });
  });

  it('refuses what it cannot read, saying why', () => {
    const why = (url: string) => {
      try {
        parseRedisUrl(url);
      } catch (err) {
        expect(err).toBeInstanceOf(RedisUrlError);
        return (err as Error).message;
      }
      throw new Error(`expected ${url} to be refused`);
    };
    expect(why('localhost:6379')).toMatch(/is not a redis:\/\/, rediss:\/\/, redis\+cluster:\/\//);
    expect(why('http://cache:6379')).toMatch(/is not a redis:\/\//);
    expect(why('redis://cache:99999')).toBe('is not a valid URL');
    expect(why('redis+cluster://a:7000,,b:7000')).toMatch(/has a node that is not host:port \(""\)/);
    expect(why('redis+cluster://a:7000?db=1')).toMatch(/takes no database or options/);
  });

  it('writes a cluster URL for a list of nodes that reads back the same', () => {
    const nodes = [
      { host: '127.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
    ];
    expect(clusterUrl(nodes)).toBe('redis+cluster://127.0.0.1:7000,[::1]:7001');
    expect(parseRedisUrl(clusterUrl(nodes))).toEqual({ kind: 'cluster', nodes, tls: false });
  });
});
