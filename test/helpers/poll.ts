// The one way tests wait for something to happen: poll for the condition with a deadline, never a fixed sleep.
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** What is awaited, in words ("both deliveries sent"): the timeout error names it. */
  what: string;
  /** Give up after this long; default 30 s. */
  timeoutMs?: number;
  /** Pause between checks; default 100 ms. */
  intervalMs?: number;
}

type Falsy = undefined | null | false;

/**
 * Calls `check` until it returns a truthy value and returns that value. With `until`, `check` is a probe
 * and polling stops once `until` accepts what it returned, so the timeout error shows the last probed
 * value rather than `false`. An error thrown by `check` ends the wait at once.
 */
export function waitFor<T>(
  check: () => Promise<T> | T,
  options: WaitForOptions & { until: (value: T) => boolean },
): Promise<T>;
export function waitFor<T>(check: () => Promise<T | Falsy> | T | Falsy, options: WaitForOptions): Promise<T>;
export async function waitFor<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  { what, timeoutMs = 30_000, intervalMs = 100, until }: WaitForOptions & { until?: (value: T) => boolean },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (until ? until(value as T) : value) return value as T;
    const left = deadline - Date.now();
    if (left <= 0) {
      // Bounded: a probe may return a large object (a BullMQ job holds its queue and connection).
      const seen = inspect(value, { depth: 3, maxArrayLength: 20, maxStringLength: 500, breakLength: Infinity });
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value seen: ${seen.slice(0, 2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
