import { describe, expect, it } from 'vitest';
import { createGroupRunner } from '../../shared/group-runner.ts';

/** A run() whose groups finish only when released, recording every group it was given. */
function gatedRunner(maxInFlight: number, maxSize: number, sizeOf?: (n: number) => number) {
  const groups: number[][] = [];
  const gates: Array<() => void> = [];
  const runner = createGroupRunner<number, number>({
    maxInFlight,
    maxSize,
    sizeOf,
    run: async (items) => {
      groups.push(items);
      await new Promise<void>((release) => gates.push(release));
      if (items.includes(-1)) throw new Error('bad group');
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

describe('createGroupRunner', () => {
  it('starts an item at once when idle, and sends what arrives meanwhile together as the next group', async () => {
    const { runner, groups, releaseAll } = gatedRunner(1, 100);
    const first = runner.submit(1);
    await Promise.resolve();
    expect(groups).toEqual([[1]]);
    const rest = [2, 3, 4].map((x) => runner.submit(x));
    await releaseAll();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to maxInFlight groups at once and keeps each group within maxSize (an oversized item alone)', async () => {
    const { runner, groups, releaseAll } = gatedRunner(2, 5, (n) => n);
    const all = [1, 2, 9, 3, 2, 1].map((x) => runner.submit(x));
    await Promise.resolve();
    expect(groups).toEqual([[1], [2]]); // two in flight, the others wait
    await releaseAll();
    await Promise.all(all);
    expect(groups).toEqual([[1], [2], [9], [3, 2], [1]]);
  });

  it("rejects only the items of a failed group, and close() waits for what is pending", async () => {
    const { runner, releaseAll } = gatedRunner(1, 2);
    const settled = Promise.allSettled([1, -1, 2, 3].map((x) => runner.submit(x)));
    const closed = runner.close();
    await releaseAll();
    await closed;
    const [a, b, c, d] = await settled;
    expect(a).toEqual({ status: 'fulfilled', value: 10 });
    expect(b).toMatchObject({ status: 'rejected', reason: new Error('bad group') });
    expect(c).toMatchObject({ status: 'rejected', reason: new Error('bad group') }); // grouped with -1
    expect(d).toEqual({ status: 'fulfilled', value: 30 });
  });
});
