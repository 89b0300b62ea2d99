// Builds the console (vite build into console/dist, as `npm run build:console`) when console/dist is missing or older
// than a source of the console, under a lock so that parallel callers (test files, a demo) build it once. Used by the
// browser tests and by `ledger demo`, so that `npm ci && npm run demo` serves a console without another step.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CONSOLE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(CONSOLE, '..');
const INDEX = join(CONSOLE, 'dist', 'index.html');
const LOCK = join(CONSOLE, '.build-lock');
/** A lock older than this is a crashed build's. */
const STALE_LOCK_MS = 600_000;

async function newestSource(): Promise<number> {
  let newest = Math.max(
    (await stat(join(CONSOLE, 'index.html'))).mtimeMs,
    (await stat(join(CONSOLE, 'vite.config.ts'))).mtimeMs,
  );
  for (const entry of await readdir(join(CONSOLE, 'src'), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** True when console/dist exists and is newer than every source of the console. */
export async function consoleIsBuilt(): Promise<boolean> {
  const built = await stat(INDEX).catch(() => null);
  return built !== null && built.mtimeMs >= (await newestSource());
}

async function takeLock(): Promise<boolean> {
  try {
    await mkdir(LOCK); // atomic: one builder at a time
    return true;
  } catch {
    const lock = await stat(LOCK).catch(() => null);
    if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Builds the console unless it is up to date; returns the path of the built index.html. */
export async function ensureConsoleBuilt(say: (line: string) => void = () => {}): Promise<string> {
  const deadline = Date.now() + STALE_LOCK_MS;
  while (!(await consoleIsBuilt())) {
    if (!(await takeLock())) {
      // Another process is building it: wait for it (polling the result, not a fixed sleep's worth of guessing).
      if (Date.now() > deadline) throw new Error(`the console build lock ${LOCK} is held for too long: remove it`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (await consoleIsBuilt()) break;
      say('building the console (vite build into console/dist)');
      const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
      await promisify(execFile)(
        process.execPath,
        [vite, 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'],
        // NODE_ENV decides React's build: vitest sets it to test, which would bundle React's development runtime.
        { cwd: ROOT, maxBuffer: 16 * 2 ** 20, env: { ...process.env, NODE_ENV: 'production' } },
      );
      return INDEX; // built now, whatever the clocks of its sources say
    } finally {
      await rm(LOCK, { recursive: true, force: true });
    }
  }
  return INDEX;
}
