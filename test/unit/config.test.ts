import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the contract defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/ledger');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(3000);
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.SMTP_URL).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('parses numbers and keeps given URLs', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5433/x',
      REDIS_URL: 'rediss://r:6380',
      WORKER_CONCURRENCY: '8',
    });
    expect(c).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgresql://u:p@db:5433/x',
      REDIS_URL: 'rediss://r:6380',
      WORKER_CONCURRENCY: 8,
    });
  });

  it('names every bad variable at once, each with how to fix it', () => {
    const list = problems({
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'localhost:6379',
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      DB_POOL_SIZE: '0',
    });
    expect(list).toHaveLength(5);
    const about = (name: string) => list.find((p) => p.startsWith(`${name}=`));
    expect(about('DATABASE_URL')).toMatch(
      /"mysql:\/\/x" is not a postgres:\/\/ or postgresql:\/\/ URL: set it like postgres:\/\//,
    );
    expect(about('REDIS_URL')).toMatch(/set it like redis:\/\/127\.0\.0\.1:6379/);
    expect(about('PORT')).toMatch(/"abc" is not a number/);
    expect(about('LOG_LEVEL')).toMatch(/must be one of fatal, error, warn, info/);
    expect(about('DB_POOL_SIZE')).toMatch(/must be at least 1/);
  });

  it('puts every problem into the one error message', () => {
    try {
      loadConfig({ PORT: '70000', WORKER_CONCURRENCY: '1.5' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid configuration:/);
      expect((err as Error).message).toMatch(/PORT="70000" must be at most 65535/);
      expect((err as Error).message).toMatch(/WORKER_CONCURRENCY="1.5" is not a whole number/);
    }
  });

  it('takes a Redis Cluster by its nodes, and then wants a hash tag in QUEUE_PREFIX', () => {
    const url = 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000';
    expect(loadConfig({ REDIS_URL: url, QUEUE_PREFIX: '{ledger}' })).toMatchObject({ REDIS_URL: url });
    expect(problems({ REDIS_URL: url })[0]).toMatch(/QUEUE_PREFIX="ledger" needs a hash tag on a Redis Cluster/);
    expect(problems({ REDIS_URL: url, QUEUE_PREFIX: 'ledger{}' })[0]).toMatch(/needs a hash tag/);
    expect(problems({ REDIS_URL: 'redis+cluster://10.0.0.1:7000/0', QUEUE_PREFIX: '{ledger}' })[0]).toMatch(
      /^REDIS_URL=.* takes no database or options after the nodes/,
    );
    expect(problems({ REDIS_URL: 'redis+cluster://10.0.0.1:x', QUEUE_PREFIX: '{ledger}' })[0]).toMatch(
      /has a node that is not host:port .*set it like redis:\/\/127\.0\.0\.1:6379, or redis\+cluster:\/\//,
    );
  });

  it('refuses a review threshold above the match threshold', () => {
    expect(problems({ RESOLVE_MATCH_THRESHOLD: '0.7', RESOLVE_REVIEW_THRESHOLD: '0.8' })[0]).toMatch(
      /must not exceed RESOLVE_MATCH_THRESHOLD/,
    );
  });

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });
});
