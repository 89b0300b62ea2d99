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

  it('rejects only the items of a failed group, and close() waits for what is pending', async () => {
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

  it('with runAlone: a lone item runs alone, and the items of a failed group run alone, each settling on its own', async () => {
    const shared: number[][] = [];
    const alone: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runner = createGroupRunner<number, number>({
      maxInFlight: 1,
      maxSize: 10,
      run: async (items) => {
        shared.push(items);
        if (items.includes(-1)) throw new Error('shared statement failed');
        return items.map((x) => x * 10);
      },
      runAlone: async (x) => {
        alone.push(x);
        if (x === 1) await gate; // keeps the runner busy while the others arrive
        if (x < 0) throw new Error(`item ${x} failed`);
        return x * 100;
      },
    });
    const first = runner.submit(1);
    const rest = Promise.allSettled([2, -1, 3].map((x) => runner.submit(x)));
    release();
    expect(await first).toBe(100);
    const [two, bad, three] = await rest;
    expect(shared).toEqual([[2, -1, 3]]);
    expect(alone).toEqual([1, 2, -1, 3]);
    expect(two).toEqual({ status: 'fulfilled', value: 200 });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('item -1 failed') });
    expect(three).toEqual({ status: 'fulfilled', value: 300 });
  });
});
