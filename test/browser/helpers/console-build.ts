// The console's build for the browser tests: built once per run when console/dist is missing or older than a source
// file of the console (vite build, as `npm run build:console`), under a lock so parallel test files build it once.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../helpers/poll.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONSOLE = join(ROOT, 'console');
const INDEX = join(CONSOLE, 'dist', 'index.html');
const LOCK = join(CONSOLE, '.build-lock');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function isFresh(): Promise<boolean> {
  const built = await stat(INDEX).catch(() => null);
  if (!built) return false;
  const sources = Math.max(
    await newestSource(join(CONSOLE, 'src')),
    (await stat(join(CONSOLE, 'index.html'))).mtimeMs,
    (await stat(join(CONSOLE, 'vite.config.ts'))).mtimeMs,
  );
  return built.mtimeMs >= sources;
}

/** Builds the console unless console/dist is up to date; returns the path of its index.html. */
export async function ensureConsoleBuilt(): Promise<string> {
  if (await isFresh()) return INDEX;
  for (;;) {
    try {
      await mkdir(LOCK); // atomic: one builder at a time
      break;
    } catch {
      // Another file builds it: wait until the lock goes (a lock older than 10 minutes is a crashed build's).
      await waitFor(
        async () => {
          const lock = await stat(LOCK).catch(() => null);
          if (lock && Date.now() - lock.mtimeMs > 600_000) await rm(LOCK, { recursive: true, force: true });
          return lock === null || Date.now() - lock.mtimeMs > 600_000;
        },
        { what: 'the console build of another test file', timeoutMs: 600_000, intervalMs: 500 },
      );
      if (await isFresh()) return INDEX;
    }
  }
  try {
    if (!(await isFresh())) {
      await promisify(execFile)(
        'npx',
        ['vite', 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'],
        {
          cwd: ROOT,
          maxBuffer: 16 * 2 ** 20,
        },
      );
    }
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
  return INDEX;
}
