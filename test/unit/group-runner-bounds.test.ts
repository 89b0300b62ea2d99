// The group runner's bounds: how much may wait (maxPending), how long (maxWaitMs), and when a failed group is not
// worth splitting (isolate). What runs is held open by hand, as a database that hangs would hold it.
import { describe, expect, it } from 'vitest';
import { createGroupRunner, GroupRunnerBusyError } from '../../shared/group-runner.ts';

/** A runner whose groups finish only when released. */
function heldRunner(options: { maxInFlight: number; maxPending?: number; maxWaitMs?: number }) {
  const gates: Array<() => void> = [];
  const groups: number[][] = [];
  const runner = createGroupRunner<number, number>({
    maxSize: 100,
    sizeOf: (n) => n,
    ...options,
    run: async (items) => {
      groups.push(items);
      await new Promise<void>((release) => gates.push(release));
      return items.map((x) => x * 10);
    },
  });
  const releaseAll = async () => {
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { runner, groups, releaseAll };
}

describe('createGroupRunner bounds', () => {
  it('refuses at once, with reason full, what would take the waiting items past maxPending; the others still run', async () => {
    const { runner, releaseAll } = heldRunner({ maxInFlight: 1, maxPending: 5 });
    const running = runner.submit(1); // starts at once, does not wait
    const waiting = [runner.submit(2), runner.submit(3)]; // 5 waiting
    await expect(runner.submit(1)).rejects.toEqual(new GroupRunnerBusyError('full'));
    expect(runner.pendingSize()).toBe(5);
    await releaseAll();
    expect(await running).toBe(10);
    expect(await Promise.all(waiting)).toEqual([20, 30]);
    expect(runner.pendingSize()).toBe(0);
    const again = runner.submit(4); // room again
    await releaseAll();
    expect(await again).toBe(40);
  });

  it('lets one item larger than maxPending wait when nothing else waits', async () => {
    const { runner, releaseAll } = heldRunner({ maxInFlight: 1, maxPending: 5 });
    const first = runner.submit(1);
    const big = runner.submit(50);
    await releaseAll();
    await releaseAll();
    expect(await Promise.all([first, big])).toEqual([10, 500]);
  });

  it('rejects, with reason waited, items that could not start within maxWaitMs, and never runs them', async () => {
    const { runner, groups, releaseAll } = heldRunner({ maxInFlight: 1, maxWaitMs: 50 });
    const held = runner.submit(1);
    const started = Date.now();
    const late = [runner.submit(2), runner.submit(3)];
    for (const p of late) await expect(p).rejects.toEqual(new GroupRunnerBusyError('waited'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runner.pendingSize()).toBe(0);
    await releaseAll();
    expect(await held).toBe(10);
    expect(groups).toEqual([[1]]);
  });

  it('runs the items of a failed group alone only when isolate says the failure may be one item’s', async () => {
    const alone: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const make = (isolate: (err: unknown) => boolean) =>
      createGroupRunner<number, number>({
        maxInFlight: 1,
        maxSize: 10,
        run: async (items) => {
          throw new Error(items.includes(-1) ? 'bad item' : 'outage');
        },
        runAlone: async (x) => {
          alone.push(x);
          if (x === 0) await gate;
          if (x < 0) throw new Error('bad item');
          return x;
        },
        isolate,
      });
    const outage = make((err) => (err as Error).message === 'bad item');
    const holding = outage.submit(0);
    const failed = Promise.allSettled([outage.submit(1), outage.submit(2)]);
    release();
    await holding;
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(alone).toEqual([0]); // an outage: nobody ran alone after the shared failure
  });
});
