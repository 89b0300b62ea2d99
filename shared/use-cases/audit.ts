// The audit trail (审计日志): record what a person, a key or the system did, read it, and verify that nobody changed it.
// Callers record inside the transaction of the change (pass the transaction); outside one, the entry gets its own.
import type { Executor } from '../db/database.ts';
import {
  AUDIT_GENESIS_HASH,
  checkAuditRun,
  describeAuditProblem,
  type AuditActor,
  type AuditChainProblem,
  type AuditEntry,
  type AuditInput,
} from '../domain/audit.ts';
import {
  appendAuditEntry,
  listAuditEntries,
  readAuditHead,
  type AuditFilter,
} from '../repositories/audit.repository.ts';

export type { AuditActor, AuditEntry, AuditInput } from '../domain/audit.ts';
export type { AuditFilter } from '../repositories/audit.repository.ts';

/** The actor of the command line and of scheduled jobs. */
export const SYSTEM_ACTOR: AuditActor = { kind: 'system', clientId: null, name: 'system', address: null };

/** Appends an entry: in `db`'s transaction when it is one (the change and its record commit together), else its own. */
export function recordAudit(db: Executor, input: AuditInput): Promise<AuditEntry> {
  return db.isTransaction
    ? appendAuditEntry(db as Parameters<typeof appendAuditEntry>[0], input)
    : db.transaction().execute((trx) => appendAuditEntry(trx, input));
}

export function listAudit(db: Executor, filter: AuditFilter): Promise<AuditEntry[]> {
  return listAuditEntries(db, filter);
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** What is wrong, in words, naming the first changed or missing entry; null when intact. */
  problem: string | null;
  firstBadSeq: number | null;
}

const PAGE = 5000;

/** Recomputes the whole chain from the first entry and compares its end with the head. */
export async function verifyAuditTrail(db: Executor): Promise<AuditVerification> {
  const head = await readAuditHead(db);
  let at = { seq: 1, prevHash: AUDIT_GENESIS_HASH };
  for (;;) {
    const page = await listAuditEntries(db, { afterSeq: at.seq - 1, limit: PAGE, order: 'asc' });
    const { problem, next } = checkAuditRun(page, at);
    if (problem)
      return { ok: false, entries: problem.seq - 1, problem: describeAuditProblem(problem), firstBadSeq: problem.seq };
    at = next;
    if (page.length < PAGE) break;
  }
  const stored = at.seq - 1;
  if (stored !== head.seq || at.prevHash !== head.hash) {
    const problem: AuditChainProblem =
      stored < head.seq
        ? { kind: 'head', seq: stored + 1 }
        : stored > head.seq
          ? { kind: 'beyond-head', seq: head.seq + 1 }
          : { kind: 'head-hash', seq: stored };
    return { ok: false, entries: stored, problem: describeAuditProblem(problem), firstBadSeq: problem.seq };
  }
  return { ok: true, entries: stored, problem: null, firstBadSeq: null };
}

/** Every entry the filter selects, oldest first, read a page at a time (for exports of any length). */
export async function* eachAuditEntry(
  db: Executor,
  filter: Omit<AuditFilter, 'limit' | 'order' | 'afterSeq'>,
): AsyncGenerator<AuditEntry> {
  let afterSeq = 0;
  for (;;) {
    const page = await listAuditEntries(db, { ...filter, afterSeq, limit: 1000, order: 'asc' });
    yield* page;
    if (page.length < 1000) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

/**
 * Runs `change` and records what it did in the same transaction (the caller's when `db` is one): the entry commits
 * with the change or not at all. `entry` builds the record from the change's result (one entry, several, or null for nothing).
 */
export async function audited<T>(
  db: Executor,
  change: (trx: Executor) => Promise<T>,
  entry: (result: T) => AuditInput | readonly AuditInput[] | null,
): Promise<T> {
  const run = async (trx: Executor): Promise<T> => {
    const result = await change(trx);
    const input = entry(result);
    for (const one of input === null ? [] : Array.isArray(input) ? input : [input])
      await recordAudit(trx, one as AuditInput);
    return result;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The actor of a command run by an operator at the machine: the system, named after the operator when known. */
export function operatorActor(name?: string): AuditActor {
  return name ? { ...SYSTEM_ACTOR, name: `system (${name})` } : SYSTEM_ACTOR;
}
