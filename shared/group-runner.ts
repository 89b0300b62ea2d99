// Group commit, formed by load alone: while fewer than `maxInFlight` groups run, an item starts at once (no added
// latency); while they all run, arriving items wait and then leave together as one group. Concurrent requests thus
// share one statement, one commit, one Redis round trip; on few cores the fixed cost per round trip (system calls,
// parsing, planning) is what limits throughput, not the rows.
//
// The wait is bounded (maxPending, maxWaitMs): when what the groups run stops answering, items that arrive meanwhile
// would otherwise pile up in memory for as long as it hangs; bounded, they fail at once with GroupRunnerBusyError.

export interface GroupRunner<I, O> {
  /** Runs the item in the next group; settles with its own result (or its group's failure, or GroupRunnerBusyError). */
  submit(item: I): Promise<O>;
  /** Items waiting to start, in `sizeOf` units. */
  pendingSize(): number;
  /** Starts what is pending and waits until every group has finished. */
  close(): Promise<void>;
}

export interface GroupRunnerOptions<I, O> {
  /** Groups running at once. */
  maxInFlight: number;
  /** Largest group, in `sizeOf` units; a single item larger than this still runs (alone). */
  maxSize: number;
  sizeOf?: (item: I) => number;
  /** Most that may wait to start, in `sizeOf` units (default: unbounded); an item arriving at an empty queue always waits. */
  maxPending?: number;
  /** Longest an item may wait to start (default: unbounded); past it, it is rejected without having run. */
  maxWaitMs?: number;
  /** Runs a group: one result per item, in order. A rejection rejects every item of the group (without runAlone). */
  run(items: I[]): Promise<O[]>;
  /**
   * Runs one item on its own. When given, a group of one runs through it, and when `run` rejects, each item of that
   * group runs through it in turn and settles on its own: one bad item cannot fail the others.
   */
  runAlone?(item: I): Promise<O>;
  /**
   * Whether a failure of `run` may be due to one of its items, so that running them alone is worth it (default: yes).
   * No for an outage: each item alone would only wait for the same failure again, one after the other.
   */
  isolate?(err: unknown): boolean;
}

/** The item was not run: too much was waiting already (`full`) or it waited longer than maxWaitMs (`waited`). */
export class GroupRunnerBusyError extends Error {
  override name = 'GroupRunnerBusyError';
  constructor(readonly reason: 'full' | 'waited') {
    super(reason === 'full' ? 'too many items are waiting to run' : 'the item waited too long to run');
  }
}

interface Waiter<I, O> {
  item: I;
  size: number;
  /** Date.now() past which it gives up waiting. */
  deadline: number;
  resolve(result: O): void;
  reject(err: unknown): void;
}

export function createGroupRunner<I, O>(options: GroupRunnerOptions<I, O>): GroupRunner<I, O> {
  const sizeOf = options.sizeOf ?? (() => 1);
  const maxPending = options.maxPending ?? Number.POSITIVE_INFINITY;
  const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
  let pending: Array<Waiter<I, O>> = [];
  let pendingTotal = 0;
  const running = new Set<Promise<void>>();
  // One timer, for the oldest waiter: waiters expire in the order they arrived.
  let expiry: NodeJS.Timeout | undefined;

  function take(count: number): Array<Waiter<I, O>> {
    const taken = pending.slice(0, count);
    pending = pending.slice(count);
    for (const w of taken) pendingTotal -= w.size;
    return taken;
  }

  function armExpiry(): void {
    if (expiry !== undefined || pending.length === 0 || !Number.isFinite(maxWaitMs)) return;
    expiry = setTimeout(expire, Math.max(0, pending[0]!.deadline - Date.now()));
    expiry.unref();
  }

  function expire(): void {
    expiry = undefined;
    const now = Date.now();
    let count = 0;
    while (count < pending.length && pending[count]!.deadline <= now) count++;
    for (const w of take(count)) w.reject(new GroupRunnerBusyError('waited'));
    armExpiry();
  }

  function pump(): void {
    while (running.size < options.maxInFlight && pending.length > 0) {
      let size = pending[0]!.size;
      let count = 1;
      while (count < pending.length && size + pending[count]!.size <= options.maxSize) size += pending[count++]!.size;
      const group = take(count);
      const p: Promise<void> = runGroup(group).finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
    }
    if (pending.length === 0 && expiry !== undefined) {
      clearTimeout(expiry);
      expiry = undefined;
    }
  }

  async function runGroup(group: Array<Waiter<I, O>>): Promise<void> {
    const { run, runAlone } = options;
    if (runAlone && group.length === 1) return runAlone(group[0]!.item).then(group[0]!.resolve, group[0]!.reject);
    try {
      const results = await run(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (!runAlone || !(options.isolate?.(err) ?? true)) for (const w of group) w.reject(err);
      else for (const w of group) await runAlone(w.item).then(w.resolve, w.reject);
    }
  }

  return {
    submit(item) {
      const size = sizeOf(item);
      if (pending.length > 0 && pendingTotal + size > maxPending)
        return Promise.reject(new GroupRunnerBusyError('full'));
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, size, deadline: Date.now() + maxWaitMs, resolve, reject });
        pendingTotal += size;
        pump();
        armExpiry();
      });
    },
    pendingSize: () => pendingTotal,
    async close() {
      pump();
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
