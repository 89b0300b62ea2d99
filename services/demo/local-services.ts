// Uses the configured PostgreSQL and Redis; when neither URL was set and nothing answers, starts the project-local
// services with infra/local-services.sh (which installs the Debian packages when missing).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pingDatabaseUrl } from '../../shared/db/database.ts';
import { databaseUrlFor } from '../../shared/db/databases.ts';
import { createRedis } from '../../shared/redis.ts';

const SCRIPT = fileURLToPath(new URL('../../infra/local-services.sh', import.meta.url));

export async function redisAnswers(url: string): Promise<boolean> {
  const redis = createRedis(url, 'probe');
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function ensureServices(
  databaseUrl: string,
  redisUrl: string,
  say: (line: string) => void,
): Promise<void> {
  // The server answering is enough: the database itself may not exist yet (migrate creates it).
  const admin = databaseUrlFor(databaseUrl);
  const [pgUp, redisUp] = await Promise.all([pingDatabaseUrl(admin), redisAnswers(redisUrl)]);
  if (pgUp && redisUp) return;
  say(
    `${pgUp ? '' : 'PostgreSQL'}${!pgUp && !redisUp ? ' and ' : ''}${redisUp ? '' : 'Redis'} not answering: starting local services (infra/local-services.sh start)`,
  );
  const run = spawnSync('bash', [SCRIPT, 'start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
  });
  if (run.status !== 0)
    throw new Error(
      'infra/local-services.sh start failed: see its output above, or set DATABASE_URL and REDIS_URL to running services',
    );
  if (!(await pingDatabaseUrl(admin))) throw new Error(`PostgreSQL still does not answer at ${databaseUrl}`);
  if (!(await redisAnswers(redisUrl))) throw new Error(`Redis still does not answer at ${redisUrl}`);
}
