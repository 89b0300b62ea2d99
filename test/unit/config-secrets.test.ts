// Configuration errors are printed and logged: they name the bad value, but never a password inside it.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';

function message(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors keep passwords out', () => {
  it('masks the password of a URL of the wrong kind, and keeps the rest to say what is wrong', () => {
    const text = message({ DATABASE_URL: 'mysql://ledger:hunter2-secret@db.example.org:3306/ledger' });
    expect(text).not.toContain('hunter2-secret');
    expect(text).toContain(
      'DATABASE_URL="mysql://ledger:***@db.example.org:3306/ledger" is not a postgres:// or postgresql:// URL',
    );
  });

  it('masks the password of a URL that does not parse, even one holding / or @', () => {
    const text = message({
      REDIS_URL: 'redis://:pa/ss@word@cache:99999',
      SMTP_URL: 'smtp://mailer:s3cr3t@mail.example.org:port',
    });
    expect(text).not.toMatch(/pa\/ss|word@|s3cr3t/);
    expect(text).toContain('REDIS_URL="redis://:***@cache:99999"');
    expect(text).toContain('SMTP_URL="smtp://mailer:***@mail.example.org:port"');
  });

  it('still shows values without secrets as they were given', () => {
    const text = message({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
    expect(text).toContain('PORT="abc"');
    expect(text).toContain('DATABASE_URL="mysql://x"');
  });

  it('reads AUTH_FAILURES_PER_MINUTE and EXPORT_CONCURRENCY with their defaults', () => {
    expect(loadConfig({})).toMatchObject({ AUTH_FAILURES_PER_MINUTE: 60, EXPORT_CONCURRENCY: 2 });
    expect(loadConfig({ AUTH_FAILURES_PER_MINUTE: '5', EXPORT_CONCURRENCY: '1' })).toMatchObject({
      AUTH_FAILURES_PER_MINUTE: 5,
      EXPORT_CONCURRENCY: 1,
    });
    expect(message({ EXPORT_CONCURRENCY: '0' })).toMatch(/EXPORT_CONCURRENCY="0" must be at least 1/);
  });
});
