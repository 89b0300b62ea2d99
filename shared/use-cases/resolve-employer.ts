// The one interface through which everything (workers, imports, `ledger employers resolve`) resolves an employer.
// Order of evidence: a valid credit code (same code → same employer; a different code → never the same employer), the
// exact name key of a spelling seen before, then blocking candidates scored over the features and a two-threshold
// decision: matched, review (a provisional employer linked to its best candidate, counted on its own until an
// administrator decides) or created. New employers are created under an advisory lock per blocking key (the core's
// sorted characters, and the credit code), so two workers resolving two spellings of one new employer create one.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { loadConfig, type Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/database.ts';
import { isValidCreditCode, normalizeCreditCode } from '../domain/credit-code.ts';
import {
  blockingCandidates, blockingCandidatesMany, findEmployersByCreditCodes, findEmployerById, findEmployersByKeys, insertEmployer,
  insertEmployersWithIds, insertReview, insertReviews, insertSpellings, linkCreditCode, linkCreditCodes, lockKeys, reserveEmployerIds,
  type BlockedCandidateRow, type BlockingInput, type EmployerRow, type KeyHit, type NewEmployer, type NewSpelling,
} from '../repositories/employer.repository.ts';
import { chooseCandidate, similarity, type MatchFeatures, type Thresholds } from '../domain/employers/employer-match.ts';
import { employerFeatures, toSimplified, type EmployerFeatures } from '../domain/employers/normalize.ts';
import { warnOnceWithoutTrigrams } from './check-trigram-support.ts';

export interface EmployerInput {
  name: string;
  creditCode?: string | null;
  regionCode?: string | null;
}

export type ResolveDecision = 'matched' | 'created' | 'review';

export interface Resolution {
  employerId: number;
  canonicalName: string;
  decision: ResolveDecision;
  /** For `review`: the employer the provisional one may be the same as. */
  candidateId?: number;
  /** Similarity to the best candidate (1 for a credit-code or exact-key match; absent when nothing was close). */
  score?: number;
  /** True when this call created the employer (provisional or active). */
  isNew?: boolean;
}


export interface EmployerResolver {
  /**
   * Resolves inside the caller's transaction (or in its own one on the pool), creating the employer when none matches.
   * Takes advisory locks when it may create: call it once per transaction, or use resolveMany for several names.
   */
  resolve(db: Executor, input: EmployerInput): Promise<Resolution>;
  /** The same results in input order, with set-based lookups and all locks taken at once (in key order). */
  resolveMany(db: Transaction<Database>, inputs: EmployerInput[]): Promise<Resolution[]>;
}

/** A name that leaves nothing to match on (empty after removing spaces and punctuation). */
export class EmployerInputError extends Error {
  override name = 'EmployerInputError';
  /** SQLSTATE invalid_parameter_value: the worker treats class 22 as permanent (no retry can fix the name). */
  readonly code = '22023';
}

/** How a new employer's name is shown: NFKC, simplified characters, no spaces, full-width brackets. */
export function displayName(name: string): string {
  return toSimplified(name.normalize('NFKC'))
    .replace(/[\s\u3000]+/gu, '')
    .replace(/[(（【〔［]/gu, '（')
    .replace(/[)）】〕］]/gu, '）');
}

interface Prepared {
  input: EmployerInput;
  spelling: string;
  features: EmployerFeatures;
  /** A valid, normalised credit code, or null (absent or failing its check digit: then the name alone decides). */
  code: string | null;
}

function prepare(input: EmployerInput): Prepared {
  // Stored as given: visits keep the name as submitted, and a split finds them by it.
  const spelling = typeof input.name === 'string' ? input.name : '';
  const features = employerFeatures(spelling);
  if (features.text === '') throw new EmployerInputError(`employer name ${JSON.stringify(input.name)} has no letters or digits: give the employer's name`);
  const normalized = input.creditCode ? normalizeCreditCode(input.creditCode) : '';
  return { input, spelling, features, code: normalized && isValidCreditCode(normalized) ? normalized : null };
}

function lockKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

function lockKeysOf(p: Prepared): bigint[] {
  const keys = [lockKey(`core:${p.features.coreSorted}`)];
  if (p.code) keys.push(lockKey(`code:${p.code}`));
  return keys;
}

const blockingOf = (p: Prepared): BlockingInput => ({ key: p.features.key, core: p.features.core, coreSorted: p.features.coreSorted, brand: p.features.brand, creditCode: p.code });
const spellingOf = (p: Prepared, employerId: number): NewSpelling => ({ employerId, spelling: p.spelling, key: p.features.key, creditCode: p.code });

function matchFeatures(f: EmployerFeatures): MatchFeatures {
  return { core: f.core, legalKind: f.legalKind, group: f.group, regions: f.regions, note: f.note, branch: f.branch };
}

function storedFeatures(core: string, features: Record<string, unknown>): MatchFeatures {
  const f = features as Partial<MatchFeatures>;
  return {
    core,
    legalKind: f.legalKind ?? '',
    group: f.group ?? false,
    regions: f.regions ?? { province: null, city: null, district: null },
    note: f.note ?? '',
    branch: f.branch ?? null,
  };
}

function resolutionOf(e: EmployerRow, decision: ResolveDecision, extra: Partial<Resolution> = {}): Resolution {
  // Visits on a provisional employer are in review until an administrator decides.
  const d = e.status === 'provisional' && decision === 'matched' ? 'review' : decision;
  const candidateId = e.status === 'provisional' ? (e.candidate_id ?? undefined) : undefined;
  return { employerId: e.id, canonicalName: e.canonical_name, decision: d, ...(candidateId ? { candidateId } : {}), ...extra };
}

export interface ResolverOptions {
  matchThreshold: number;
  reviewThreshold: number;
}

function optionsOf(config?: Partial<ResolverOptions> | Pick<Config, 'RESOLVE_MATCH_THRESHOLD' | 'RESOLVE_REVIEW_THRESHOLD'>): Thresholds {
  if (config && 'RESOLVE_MATCH_THRESHOLD' in config) return { match: config.RESOLVE_MATCH_THRESHOLD, review: config.RESOLVE_REVIEW_THRESHOLD };
  const opts = config as Partial<ResolverOptions> | undefined;
  if (opts?.matchThreshold !== undefined && opts.reviewThreshold !== undefined) return { match: opts.matchThreshold, review: opts.reviewThreshold };
  const c = loadConfig();
  return { match: opts?.matchThreshold ?? c.RESOLVE_MATCH_THRESHOLD, review: opts?.reviewThreshold ?? c.RESOLVE_REVIEW_THRESHOLD };
}

export function createEmployerResolver(
  config?: Partial<ResolverOptions> | Pick<Config, 'RESOLVE_MATCH_THRESHOLD' | 'RESOLVE_REVIEW_THRESHOLD'>,
): EmployerResolver {
  const t = optionsOf(config);

  /** Follows merges to the surviving employer. */
  async function surviving(db: Executor, e: EmployerRow): Promise<EmployerRow> {
    let cur = e;
    for (let i = 0; cur.status === 'merged' && cur.merged_into !== null && i < 10; i++) {
      const next = await findEmployerById(db, cur.merged_into);
      if (!next) break;
      cur = next;
    }
    return cur;
  }

  /**
   * Without locks or writes beyond a spelling: a valid code already registered, or the exact key of a spelling seen
   * before that names exactly one employer compatible with the code. Null when the slow path must decide.
   */
  function fastPath(p: Prepared, byCode: Map<string, EmployerRow>, hits: KeyHit[]): { employer: EmployerRow; seen: boolean } | null {
    if (p.code) {
      const e = byCode.get(p.code);
      if (e) return { employer: e, seen: hits.some((h) => h.id === e.id && h.seen) };
    }
    const compatible = hits.filter((h) => !(p.code && h.credit_code && h.credit_code !== p.code));
    if (compatible.length !== 1) return null;
    const h = compatible[0]!;
    if (p.code && h.credit_code !== p.code) return null; // a code to link: slow path, under the code's lock
    return { employer: h, seen: h.seen };
  }

  /** A possible match as decide() sees it: a stored employer, or one created earlier in the same batch. */
  interface Candidate {
    /** The employer's id (ties between equal scores go to the lower one). */
    id: number;
    employer: EmployerRow;
    /** Its credit code, counting one given to it earlier in the batch. */
    code: string | null;
    /** One of its spellings has the input's exact key. */
    keyHit: boolean;
    features: MatchFeatures;
  }

  type Decision =
    | { kind: 'matched'; employer: EmployerRow; score: number; linkCode: boolean }
    | { kind: 'create'; provisional: boolean; candidateId: number | null; score?: number };

  const storedCandidate = (c: BlockedCandidateRow, code: string | null = c.credit_code): Candidate =>
    ({ id: c.id, employer: c, code, keyHit: c.key_hit, features: storedFeatures(c.core_name, c.features) });

  /** The decision for one name from its candidates, best first by the blocking order (pure: no reads, no writes). */
  function decide(p: Prepared, candidates: Candidate[]): Decision {
    const byCode = p.code ? candidates.find((c) => c.code === p.code) : undefined;
    if (byCode) return { kind: 'matched', employer: byCode.employer, score: 1, linkCode: false };
    const mine = matchFeatures(p.features);
    const scored = candidates
      // Two different valid codes are two employers, whatever the names say.
      .filter((c) => !(p.code && c.code && c.code !== p.code))
      .map((c) => ({ candidate: c, score: c.keyHit ? 1 : similarity(mine, c.features) }));
    const { best, decision } = chooseCandidate(scored, t);
    if (best && decision === 'matched') {
      // First seen without a code: it gets this one.
      return { kind: 'matched', employer: best.candidate.employer, score: round(best.score), linkCode: p.code !== null && best.candidate.code === null };
    }
    const provisional = best !== null && decision === 'review';
    // A provisional employer's candidate is the employer it may be: never another provisional one.
    const e = best?.candidate.employer;
    const candidateId = provisional && e ? (e.status === 'provisional' ? (e.candidate_id ?? e.id) : e.id) : null;
    return { kind: 'create', provisional, candidateId, ...(best ? { score: best.score } : {}) };
  }

  /** The employer a `create` decision inserts. */
  function newEmployer(p: Prepared, d: { provisional: boolean; candidateId: number | null }): NewEmployer {
    const f = p.features;
    return {
      canonicalName: displayName(p.spelling.trim()), key: f.key, creditCode: p.code, core: f.core, coreSorted: f.coreSorted, brand: f.brand,
      features: { regions: f.regions, legalKind: f.legalKind, group: f.group, note: f.note, branch: f.branch, legalForm: f.legalForm },
      status: d.provisional ? 'provisional' : 'active', candidateId: d.candidateId,
    };
  }

  /** The answer for an employer just created by a `create` decision. */
  function createdResolution(e: EmployerRow, d: { provisional: boolean; candidateId: number | null; score?: number }): Resolution {
    return resolutionOf(e, d.provisional ? 'review' : 'created', {
      isNew: true, ...(d.provisional ? { candidateId: d.candidateId!, score: round(d.score!) } : d.score !== undefined ? { score: round(d.score) } : {}),
    });
  }


  /**
   * Without locks: the existing employer a name matches, when that needs no write but its spelling. Most names new to
   * the registry are spellings of known employers; only a creation (or a code to link) needs the locked path.
   */
  async function matchWithoutLock(db: Executor, p: Prepared): Promise<Resolution | null> {
    const d = decide(p, (await blockingCandidates(db, blockingOf(p))).map((c) => storedCandidate(c)));
    if (d.kind !== 'matched' || d.linkCode) return null;
    await insertSpellings(db, [spellingOf(p, d.employer.id)]);
    return resolutionOf(d.employer, 'matched', { score: d.score });
  }

  /** Under the name's locks: blocking candidates, the decision, and the writes it needs. */
  async function slowPath(db: Transaction<Database>, p: Prepared): Promise<{ resolution: Resolution; spelling: NewSpelling | null }> {
    const d = decide(p, (await blockingCandidates(db, blockingOf(p))).map((c) => storedCandidate(c)));
    if (d.kind === 'matched') {
      if (d.linkCode) await linkCreditCode(db, d.employer.id, p.code!);
      return { resolution: resolutionOf(d.employer, 'matched', { score: d.score }), spelling: spellingOf(p, d.employer.id) };
    }
    const inserted = await insertEmployer(db, newEmployer(p, d), p.spelling);
    if (!inserted) {
      // The code was registered meanwhile by a writer not holding this lock (an administrator's merge): use that employer.
      const [other] = await findEmployersByCreditCodes(db, [p.code!]);
      const e = await surviving(db, other!);
      return { resolution: resolutionOf(e, 'matched', { score: 1 }), spelling: spellingOf(p, e.id) };
    }
    if (d.provisional) await insertReview(db, { employerId: inserted.id, candidateId: d.candidateId!, score: d.score!, spelling: p.spelling });
    return { resolution: createdResolution(inserted, d), spelling: null }; // the spelling is written with the employer
  }

  interface Prefetched {
    prepared: Prepared[];
    out: Array<Resolution | undefined>;
    spellings: NewSpelling[];
    /** Indexes the fast path could not decide. */
    slow: number[];
  }

  /** Lock-free lookups for all inputs at once: registered credit codes and exact keys of spellings seen before. */
  async function prefetch(db: Executor, inputs: EmployerInput[]): Promise<Prefetched> {
    const prepared = inputs.map(prepare);
    await warnOnceWithoutTrigrams(db);
    const codes = [...new Set(prepared.flatMap((p) => (p.code ? [p.code] : [])))];
    const byCode = new Map<string, EmployerRow>();
    for (const e of await findEmployersByCreditCodes(db, codes)) {
      if (e.credit_code && e.status !== 'merged') byCode.set(e.credit_code, e);
    }
    const hitRows = await findEmployersByKeys(db, prepared.map((p) => ({ key: p.features.key, spelling: p.spelling, creditCode: p.code })));
    const hits: KeyHit[][] = prepared.map(() => []);
    for (const h of hitRows) hits[h.ord]!.push(h);
    const out: Array<Resolution | undefined> = new Array(prepared.length);
    const spellings: NewSpelling[] = [];
    const slow: number[] = [];
    prepared.forEach((p, i) => {
      const fast = fastPath(p, byCode, hits[i]!);
      if (!fast) return slow.push(i);
      out[i] = resolutionOf(fast.employer, 'matched', { score: 1 });
      if (!fast.seen) spellings.push(spellingOf(p, fast.employer.id));
    });
    return { prepared, out, spellings, slow };
  }

  /**
   * Several undecided inputs, set-based: all blocking candidates in two statements, decisions in order in memory (an
   * input also meets the employers created for earlier inputs of the batch), then one insert each for employers,
   * reviews, code links and spellings. Same decisions as slowPath one by one, in a handful of round trips.
   */
  async function finishMany(db: Transaction<Database>, f: Prefetched): Promise<Resolution[]> {
    await lockKeys(db, f.slow.flatMap((i) => lockKeysOf(f.prepared[i]!)));
    const slow = f.slow.map((i) => f.prepared[i]!);
    const rows = await blockingCandidatesMany(db, slow.map(blockingOf));
    const candidatesOf = slow.map(() => new Map<number, BlockedCandidateRow>());
    for (const r of rows) {
      const m = candidatesOf[r.ord]!;
      const seen = m.get(r.id);
      m.set(r.id, seen ? { ...seen, key_hit: seen.key_hit || r.key_hit } : r);
    }
    const ids = await reserveEmployerIds(db, slow.length); // gaps for inputs that match: harmless in a bigserial
    let nextId = 0;
    interface Pending extends EmployerRow { key: string; match: MatchFeatures; row: NewEmployer & { id: number } }
    const pending: Pending[] = [];
    const linked = new Map<number, string>(); // codes given this batch to employers that had none
    const reviews: Array<{ employerId: number; candidateId: number; score: number; spelling: string }> = [];
    const spellings = [...f.spellings];
    const codeOf = (c: EmployerRow) => c.credit_code ?? linked.get(c.id) ?? null;

    slow.forEach((p, j) => {
      const i = f.slow[j]!;
      const candidates: Candidate[] = [
        ...[...candidatesOf[j]!.values()].map((c) => storedCandidate(c, codeOf(c))),
        ...pending.map((e) => ({ id: e.id, employer: e, code: codeOf(e), keyHit: e.key === p.features.key, features: e.match })),
      ];
      const d = decide(p, candidates);
      if (d.kind === 'matched') {
        if (d.linkCode) {
          const own = pending.find((x) => x.id === d.employer.id);
          if (own) own.row.creditCode = own.credit_code = p.code;
          else linked.set(d.employer.id, p.code!);
        }
        f.out[i] = resolutionOf(d.employer, 'matched', { score: d.score });
        spellings.push(spellingOf(p, d.employer.id));
        return;
      }
      const row = { ...newEmployer(p, d), id: ids[nextId++]! };
      const e: Pending = { id: row.id, canonical_name: row.canonicalName, credit_code: p.code, status: row.status, candidate_id: d.candidateId, merged_into: null, key: row.key, match: matchFeatures(p.features), row };
      pending.push(e);
      if (d.provisional) reviews.push({ employerId: e.id, candidateId: d.candidateId!, score: d.score!, spelling: p.spelling });
      f.out[i] = createdResolution(e, d);
      spellings.push(spellingOf(p, e.id));
    });

    const inserted = await insertEmployersWithIds(db, pending.map((x) => x.row));
    // Codes are locked, so only a writer outside the resolver (an administrator's merge) can take one meanwhile.
    if (inserted !== pending.length) throw new Error('a credit code was registered while resolving: retry the batch');
    await insertReviews(db, reviews);
    await linkCreditCodes(db, [...linked].map(([employerId, code]) => ({ employerId, code })));
    await insertSpellings(db, spellings);
    return f.out as Resolution[];
  }

  /** The undecided inputs, under their blocking-key locks (all taken at once, in key order). */
  async function finish(db: Transaction<Database>, f: Prefetched): Promise<Resolution[]> {
    if (f.slow.length > 1) return finishMany(db, f);
    const spellings = [...f.spellings];
    const i = f.slow[0];
    if (i !== undefined) {
      await lockKeys(db, lockKeysOf(f.prepared[i]!));
      const r = await slowPath(db, f.prepared[i]!);
      f.out[i] = r.resolution;
      if (r.spelling) spellings.push(r.spelling);
    }
    await insertSpellings(db, spellings);
    return f.out as Resolution[];
  }

  async function resolveManyIn(db: Transaction<Database>, inputs: EmployerInput[]): Promise<Resolution[]> {
    return finish(db, await prefetch(db, inputs));
  }

  return {
    async resolve(db, input) {
      if (db.isTransaction) return (await resolveManyIn(db as Transaction<Database>, [input]))[0]!;
      // Known employers need no transaction: read, and record a new spelling (idempotent) if there is one.
      const f = await prefetch(db, [input]);
      if (f.slow.length === 0) {
        await insertSpellings(db, f.spellings);
        return f.out[0]!;
      }
      const matched = await matchWithoutLock(db, f.prepared[0]!);
      if (matched) return matched;
      return db.transaction().execute(async (trx) => (await finish(trx, { ...f, spellings: [] }))[0]!);
    },
    resolveMany: resolveManyIn,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
