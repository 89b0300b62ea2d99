// The audit trail's evidence: each entry carries the hash of the one before it, so that a changed, inserted or missing
// entry is found by recomputing the chain from the first. Pure: hashing and checking, no storage.
import { createHash } from 'node:crypto';

/** Who did it: a person (console session), a machine key, the system itself (CLI, jobs) or nobody signed in yet. */
export type AuditActorKind = 'user' | 'key' | 'system' | 'anonymous';

export interface AuditActor {
  kind: AuditActorKind;
  /** api_clients.id of the key or of the person's own client row; null for the system and for anonymous callers. */
  clientId: number | null;
  /** The person's or key's name as it was at the time (names can change; the trail keeps what was). */
  name: string | null;
  /** The caller's address as the API saw it (after trustProxy); null for the CLI and jobs. */
  address: string | null;
}

export type AuditResult = 'ok' | 'denied' | 'failed';

/** What is recorded: the action (`user.create`, `session.login`, …), its target, the states around it and the result. */
export interface AuditInput {
  actor: AuditActor;
  action: string;
  /** What the action was done to, as text (`user:12`, `recipient:3`, `employer:41`, `notice:9`); null when nothing. */
  target: string | null;
  before?: unknown;
  after?: unknown;
  result: AuditResult;
  /** Anything else worth keeping (a reason, a count, a file name); never a secret. */
  detail?: unknown;
}

/** One stored entry: the input with its place in the chain. */
export interface AuditEntry extends AuditInput {
  seq: number;
  at: Date;
  prevHash: string;
  hash: string;
}

/** The hash before the first entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every depth: the same value always gives the same text (jsonb does not keep key order). */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of an entry: sha256 over the previous hash and every recorded field, hex. */
export function auditEntryHash(prevHash: string, entry: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    before: entry.before ?? null,
    after: entry.after ?? null,
    result: entry.result,
    detail: entry.detail ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type AuditChainProblem =
  | { kind: 'changed'; seq: number; what: 'fields' | 'link' }
  | { kind: 'missing'; seq: number }
  /** Entries from seq on are gone: the head records more than are stored. */
  | { kind: 'head'; seq: number }
  /** The chain recomputes to its last stored entry, seq, but the head holds another hash: the entry or the head changed. */
  | { kind: 'head-hash'; seq: number }
  /** Entries from seq on lie beyond the head: written behind the application's back, or the head was set back. */
  | { kind: 'beyond-head'; seq: number };

/**
 * Checks a run of entries in seq order that follows `prevHash` at `expectedSeq`: the first entry whose seq is not the
 * next one (a missing entry), or whose hashes do not recompute (a changed one), or null when the run is intact.
 */
export function checkAuditRun(
  entries: readonly AuditEntry[],
  start: { seq: number; prevHash: string },
): { problem: AuditChainProblem | null; next: { seq: number; prevHash: string } } {
  let { seq, prevHash } = start;
  for (const e of entries) {
    if (e.seq !== seq) return { problem: { kind: 'missing', seq }, next: { seq, prevHash } };
    if (e.prevHash !== prevHash)
      return { problem: { kind: 'changed', seq: e.seq, what: 'link' }, next: { seq, prevHash } };
    if (auditEntryHash(prevHash, e) !== e.hash) {
      return { problem: { kind: 'changed', seq: e.seq, what: 'fields' }, next: { seq, prevHash } };
    }
    prevHash = e.hash;
    seq += 1;
  }
  return { problem: null, next: { seq, prevHash } };
}

/** A problem in words, for `ledger audit verify` and the console. */
export function describeAuditProblem(p: AuditChainProblem): string {
  switch (p.kind) {
    case 'changed':
      return p.what === 'fields'
        ? `audit entry ${p.seq} was changed after it was written (its recorded fields no longer hash to its stored hash)`
        : `audit entry ${p.seq} was changed after it was written (its prev_hash is not the hash of entry ${p.seq - 1}: an entry before it was replaced or removed)`;
    case 'missing':
      return `audit entry ${p.seq} is missing (the chain jumps past it)`;
    case 'head':
      return `audit entries from ${p.seq} on are missing (the chain's head records more entries than are stored)`;
    case 'head-hash':
      return `audit entry ${p.seq}, the last stored, does not match the chain's head (the entry was rewritten with a new hash, or the head was changed)`;
    case 'beyond-head':
      return `audit entries from ${p.seq} on lie beyond the chain's head (written behind the application's back, or the head was set back)`;
  }
}
