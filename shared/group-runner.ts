// Group commit, formed by load alone: while fewer than `maxInFlight` groups run, an item starts at once (no added
// latency); while they all run, arriving items wait and then leave together as one group. Concurrent requests thus
// share one statement, one commit, one Redis round trip; on few cores the fixed cost per round trip (system calls,
// parsing, planning) is what limits throughput, not the rows.

export interface GroupRunner<I, O> {
  /** Runs the item in the next group; settles with its own result (or its group's failure). */
  submit(item: I): Promise<O>;
  /** Starts what is pending and waits until every group has finished. */
  close(): Promise<void>;
}

export interface GroupRunnerOptions<I, O> {
  /** Groups running at once. */
  maxInFlight: number;
  /** Largest group, in `sizeOf` units; a single item larger than this still runs (alone). */
  maxSize: number;
  sizeOf?: (item: I) => number;
  /** Runs a group: one result per item, in order. A rejection rejects every item of the group (without runAlone). */
  run(items: I[]): Promise<O[]>;
  /**
   * Runs one item on its own. When given, a group of one runs through it, and when `run` rejects, each item of that
   * group runs through it in turn and settles on its own: one bad item cannot fail the others.
   */
  runAlone?(item: I): Promise<O>;
}

interface Waiter<I, O> {
  item: I;
  resolve(result: O): void;
  reject(err: unknown): void;
}

export function createGroupRunner<I, O>(options: GroupRunnerOptions<I, O>): GroupRunner<I, O> {
  const sizeOf = options.sizeOf ?? (() => 1);
  let pending: Array<Waiter<I, O>> = [];
  const running = new Set<Promise<void>>();

  function pump(): void {
    while (running.size < options.maxInFlight && pending.length > 0) {
      let size = sizeOf(pending[0]!.item);
      let take = 1;
      while (take < pending.length && size + sizeOf(pending[take]!.item) <= options.maxSize) size += sizeOf(pending[take++]!.item);
      const group = pending.slice(0, take);
      pending = pending.slice(take);
      const p: Promise<void> = runGroup(group).finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
    }
  }

  async function runGroup(group: Array<Waiter<I, O>>): Promise<void> {
    const { run, runAlone } = options;
    if (runAlone && group.length === 1) return runAlone(group[0]!.item).then(group[0]!.resolve, group[0]!.reject);
    try {
      const results = await run(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (!runAlone) for (const w of group) w.reject(err);
      else for (const w of group) await runAlone(w.item).then(w.resolve, w.reject);
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        pump();
      });
    },
    async close() {
      pump();
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
