// The one interface through which everything (workers, imports, `ledger employers resolve`) resolves an employer.
// The decision itself is pure and lives in shared/domain/employers/resolve-decision.ts (order of evidence: a valid
// credit code, the exact key of a spelling seen before, then scored blocking candidates against two thresholds); this
// use case reads the candidates, takes the locks and writes what it decides. New employers are created under an
// advisory lock per blocking key (the core's sorted characters, and the credit code), so two workers resolving two
// spellings of one new employer create one.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { loadConfig, type Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/database.ts';
import { isValidCreditCode, normalizeCreditCode } from '../domain/credit-code.ts';
import {
  blockingCandidates,
  blockingCandidatesMany,
  findEmployersByCreditCodes,
  findEmployerById,
  findEmployersByKeys,
  insertEmployer,
  insertEmployersWithIds,
  insertReview,
  insertReviews,
  insertSpellings,
  linkCreditCode,
  linkCreditCodes,
  lockKeys,
  reserveEmployerIds,
  type BlockedCandidateRow,
  type BlockingInput,
  type EmployerRow,
  type KeyHit,
  type NewEmployer,
  type NewSpelling,
} from '../repositories/employer.repository.ts';
import type { MatchFeatures, Thresholds } from '../domain/employers/employer-match.ts';
import { employerFeatures, toSimplified, type EmployerFeatures } from '../domain/employers/normalize.ts';
import {
  decideInOrder,
  decideName,
  matchByCodeOrExactKey,
  roundScore,
  type NameDecision,
  type NameToResolve,
  type ResolveCandidate,
} from '../domain/employers/resolve-decision.ts';
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
  /**
   * resolveMany for inputs that may hold unusable names: each such input gets its EmployerInputError in its place and
   * the others are resolved all the same, in one set-based call (`ledger employers resolve` answers per line).
   */
  resolveEach(db: Transaction<Database>, inputs: EmployerInput[]): Promise<Array<Resolution | EmployerInputError>>;
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
    .replace(/\s+/gu, '')
    .replace(/[(（【〔［]/gu, '（')
    .replace(/[)）】〕］]/gu, '）');
}

/** A name ready for the decision, with the spelling stored as given. */
interface PreparedName extends NameToResolve {
  spelling: string;
}

function prepare(input: EmployerInput): PreparedName {
  // Stored as given: visits keep the name as submitted, and a split finds them by it.
  const spelling = typeof input.name === 'string' ? input.name : '';
  const features = employerFeatures(spelling);
  if (features.text === '')
    throw new EmployerInputError(
      `employer name ${JSON.stringify(input.name)} has no letters or digits: give the employer's name`,
    );
  const normalized = input.creditCode ? normalizeCreditCode(input.creditCode) : '';
  return { spelling, features, creditCode: normalized && isValidCreditCode(normalized) ? normalized : null };
}

function lockKey(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

/** The advisory locks a name takes before it may create: its sorted core and its credit code. */
function lockKeysOf(name: PreparedName): bigint[] {
  const keys = [lockKey(`core:${name.features.coreSorted}`)];
  if (name.creditCode) keys.push(lockKey(`code:${name.creditCode}`));
  return keys;
}

const blockingOf = (name: PreparedName): BlockingInput => ({
  key: name.features.key,
  core: name.features.core,
  coreSorted: name.features.coreSorted,
  brand: name.features.brand,
  creditCode: name.creditCode,
});
const spellingOf = (name: PreparedName, employerId: number): NewSpelling => ({
  employerId,
  spelling: name.spelling,
  key: name.features.key,
  creditCode: name.creditCode,
});

/** The features columns as scoring reads them (rows written before a feature existed get its neutral value). */
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

/** A blocking candidate as the decision sees it. */
function candidateOf(row: BlockedCandidateRow): ResolveCandidate {
  return {
    id: row.id,
    status: row.status,
    candidateId: row.candidateId,
    creditCode: row.creditCode,
    keyHit: row.keyHit,
    features: storedFeatures(row.coreName, row.features),
  };
}

function resolutionOf(e: EmployerRow, decision: ResolveDecision, extra: Partial<Resolution> = {}): Resolution {
  // Visits on a provisional employer are in review until an administrator decides.
  const shown = e.status === 'provisional' && decision === 'matched' ? 'review' : decision;
  const candidateId = e.status === 'provisional' ? (e.candidateId ?? undefined) : undefined;
  return {
    employerId: e.id,
    canonicalName: e.canonicalName,
    decision: shown,
    ...(candidateId ? { candidateId } : {}),
    ...extra,
  };
}

/** The employer a `create` decision inserts. */
function newEmployer(name: PreparedName, d: { provisional: boolean; candidateId: number | null }): NewEmployer {
  return employerToInsert(name.spelling, name.features, name.creditCode, d);
}

/**
 * An employer row to insert for a spelling whose features are known: the one shape of a new employer, for the
 * resolver, an administrator's split and the bench's registry.
 */
export function employerToInsert(
  spelling: string,
  f: EmployerFeatures,
  creditCode: string | null,
  d: { provisional: boolean; candidateId: number | null },
): NewEmployer {
  return {
    canonicalName: displayName(spelling.trim()),
    key: f.key,
    creditCode,
    core: f.core,
    coreSorted: f.coreSorted,
    brand: f.brand,
    features: {
      regions: f.regions,
      legalKind: f.legalKind,
      group: f.group,
      note: f.note,
      branch: f.branch,
      legalForm: f.legalForm,
    },
    status: d.provisional ? 'provisional' : 'active',
    candidateId: d.candidateId,
  };
}

/** The answer for an employer just created by a `create` decision. */
function createdResolution(
  e: EmployerRow,
  d: { provisional: boolean; candidateId: number | null; score?: number },
): Resolution {
  return resolutionOf(e, d.provisional ? 'review' : 'created', {
    isNew: true,
    ...(d.provisional
      ? { candidateId: d.candidateId!, score: roundScore(d.score!) }
      : d.score !== undefined
        ? { score: roundScore(d.score) }
        : {}),
  });
}

export interface ResolverOptions {
  matchThreshold: number;
  reviewThreshold: number;
}

function optionsOf(
  config?: Partial<ResolverOptions> | Pick<Config, 'RESOLVE_MATCH_THRESHOLD' | 'RESOLVE_REVIEW_THRESHOLD'>,
): Thresholds {
  if (config && 'RESOLVE_MATCH_THRESHOLD' in config)
    return { match: config.RESOLVE_MATCH_THRESHOLD, review: config.RESOLVE_REVIEW_THRESHOLD };
  const opts = config as Partial<ResolverOptions> | undefined;
  if (opts?.matchThreshold !== undefined && opts.reviewThreshold !== undefined)
    return { match: opts.matchThreshold, review: opts.reviewThreshold };
  const c = loadConfig();
  return {
    match: opts?.matchThreshold ?? c.RESOLVE_MATCH_THRESHOLD,
    review: opts?.reviewThreshold ?? c.RESOLVE_REVIEW_THRESHOLD,
  };
}

/** Lock-free lookups for all inputs at once, and the names they already decide. */
interface Prefetched {
  names: PreparedName[];
  out: Array<Resolution | undefined>;
  /** New spellings of the employers already decided. */
  spellings: NewSpelling[];
  /** Indexes of the names the lookups could not decide: blocking and the decision, under locks. */
  undecided: number[];
}

export function createEmployerResolver(
  config?: Partial<ResolverOptions> | Pick<Config, 'RESOLVE_MATCH_THRESHOLD' | 'RESOLVE_REVIEW_THRESHOLD'>,
): EmployerResolver {
  const thresholds = optionsOf(config);

  /** Follows merges to the surviving employer. */
  async function surviving(db: Executor, employer: EmployerRow): Promise<EmployerRow> {
    let current = employer;
    for (let hops = 0; current.status === 'merged' && current.mergedInto !== null && hops < 10; hops++) {
      const next = await findEmployerById(db, current.mergedInto);
      if (!next) break;
      current = next;
    }
    return current;
  }

  /** The name's blocking candidates and the decision over them. */
  async function decideOverBlocking(
    db: Executor,
    name: PreparedName,
  ): Promise<{ decision: NameDecision; rows: BlockedCandidateRow[] }> {
    const rows = await blockingCandidates(db, blockingOf(name));
    return { decision: decideName(name, rows.map(candidateOf), thresholds), rows };
  }

  const rowWithId = (rows: BlockedCandidateRow[], id: number): BlockedCandidateRow => rows.find((r) => r.id === id)!;

  /**
   * Without locks: the existing employer a name matches, when that needs no write but its spelling. Most names new to
   * the registry are spellings of known employers; only a creation (or a code to link) needs the locked path.
   */
  async function matchWithoutLock(db: Executor, name: PreparedName): Promise<Resolution | null> {
    const { decision, rows } = await decideOverBlocking(db, name);
    if (decision.kind !== 'matched' || decision.linkCode) return null;
    await insertSpellings(db, [spellingOf(name, decision.employerId)]);
    return resolutionOf(rowWithId(rows, decision.employerId), 'matched', { score: decision.score });
  }

  /** Under the name's locks: blocking candidates, the decision, and the writes it needs. */
  async function resolveLocked(
    db: Transaction<Database>,
    name: PreparedName,
  ): Promise<{ resolution: Resolution; spelling: NewSpelling | null }> {
    const { decision, rows } = await decideOverBlocking(db, name);
    if (decision.kind === 'matched') {
      if (decision.linkCode) await linkCreditCode(db, decision.employerId, name.creditCode!);
      const resolution = resolutionOf(rowWithId(rows, decision.employerId), 'matched', { score: decision.score });
      return { resolution, spelling: spellingOf(name, decision.employerId) };
    }
    const inserted = await insertEmployer(db, newEmployer(name, decision), name.spelling);
    if (!inserted) {
      // The code was registered meanwhile by a writer not holding this lock (an administrator's merge): use that employer.
      const [other] = await findEmployersByCreditCodes(db, [name.creditCode!]);
      const employer = await surviving(db, other!);
      return { resolution: resolutionOf(employer, 'matched', { score: 1 }), spelling: spellingOf(name, employer.id) };
    }
    if (decision.provisional)
      await insertReview(db, {
        employerId: inserted.id,
        candidateId: decision.candidateId!,
        score: decision.score!,
        spelling: name.spelling,
      });
    return { resolution: createdResolution(inserted, decision), spelling: null }; // the spelling is written with the employer
  }

  /** Lock-free lookups for all inputs at once: registered credit codes and exact keys of spellings seen before. */
  async function prefetch(db: Executor, names: PreparedName[]): Promise<Prefetched> {
    await warnOnceWithoutTrigrams(db);
    const codes = [...new Set(names.flatMap((name) => (name.creditCode ? [name.creditCode] : [])))];
    const ownerOfCode = new Map<string, EmployerRow>();
    for (const e of await findEmployersByCreditCodes(db, codes)) {
      if (e.creditCode && e.status !== 'merged') ownerOfCode.set(e.creditCode, e);
    }
    const hitRows = await findEmployersByKeys(
      db,
      names.map((name) => ({ key: name.features.key, spelling: name.spelling, creditCode: name.creditCode })),
    );
    const hitsOf: KeyHit[][] = names.map(() => []);
    for (const h of hitRows) hitsOf[h.ord]!.push(h);
    const out: Array<Resolution | undefined> = new Array(names.length);
    const spellings: NewSpelling[] = [];
    const undecided: number[] = [];
    names.forEach((name, i) => {
      const owner = name.creditCode ? ownerOfCode.get(name.creditCode) : undefined;
      const hits = hitsOf[i]!;
      const known = matchByCodeOrExactKey(
        name,
        owner && { id: owner.id, creditCode: owner.creditCode },
        hits.map((h) => ({ id: h.id, creditCode: h.creditCode, seen: h.seen })),
      );
      if (!known) return undecided.push(i);
      const employer = owner?.id === known.employerId ? owner : hits.find((h) => h.id === known.employerId)!;
      out[i] = resolutionOf(employer, 'matched', { score: 1 });
      if (!known.seen) spellings.push(spellingOf(name, known.employerId));
    });
    return { names, out, spellings, undecided };
  }

  /**
   * Several undecided names, set-based: all blocking candidates in two statements, the decisions in order in memory
   * (decideInOrder: a name also meets the employers created for earlier names of the batch), then one insert each for
   * employers, reviews, code links and spellings. Same decisions as resolveLocked one by one, in a handful of round trips.
   */
  async function resolveManyLocked(db: Transaction<Database>, prefetched: Prefetched): Promise<Resolution[]> {
    const { out } = prefetched;
    await lockKeys(
      db,
      prefetched.undecided.flatMap((i) => lockKeysOf(prefetched.names[i]!)),
    );
    const names = prefetched.undecided.map((i) => prefetched.names[i]!);
    const rows = await blockingCandidatesMany(db, names.map(blockingOf));
    // Blocking may find one employer twice for a name (by key and by trigram): one candidate, a key hit if either is.
    const rowsOf = names.map(() => new Map<number, BlockedCandidateRow>());
    for (const r of rows) {
      const byId = rowsOf[r.ord]!;
      const seen = byId.get(r.id);
      byId.set(r.id, seen ? { ...seen, keyHit: seen.keyHit || r.keyHit } : r);
    }
    const newIds = await reserveEmployerIds(db, names.length); // gaps for names that match: harmless in a bigserial
    const { decisions, codesGiven } = decideInOrder(
      names,
      rowsOf.map((byId) => [...byId.values()].map(candidateOf)),
      newIds,
      thresholds,
    );

    const employerById = new Map<number, EmployerRow>(rowsOf.flatMap((byId) => [...byId]));
    const created: Array<NewEmployer & { id: number }> = [];
    const reviews: Array<{ employerId: number; candidateId: number; score: number; spelling: string }> = [];
    const spellings = [...prefetched.spellings];
    decisions.forEach((d, j) => {
      const name = names[j]!;
      const i = prefetched.undecided[j]!;
      if (d.kind === 'matched') {
        out[i] = resolutionOf(employerById.get(d.employerId)!, 'matched', { score: d.score });
      } else {
        const row = { ...newEmployer(name, d), id: d.employerId };
        const employer: EmployerRow = {
          id: row.id,
          canonicalName: row.canonicalName,
          creditCode: row.creditCode,
          status: row.status,
          candidateId: row.candidateId,
          mergedInto: null,
        };
        created.push(row);
        employerById.set(row.id, employer);
        if (d.provisional)
          reviews.push({ employerId: row.id, candidateId: d.candidateId!, score: d.score!, spelling: name.spelling });
        out[i] = createdResolution(employer, d);
      }
      spellings.push(spellingOf(name, d.employerId));
    });
    // A code a later spelling brought: employers created here are inserted with it, stored ones get it linked.
    const createdIds = new Set(created.map((row) => row.id));
    for (const row of created) row.creditCode ??= codesGiven.get(row.id) ?? null;
    const links = [...codesGiven]
      .filter(([employerId]) => !createdIds.has(employerId))
      .map(([employerId, code]) => ({ employerId, code }));

    const inserted = await insertEmployersWithIds(db, created);
    // Codes are locked, so only a writer outside the resolver (an administrator's merge) can take one meanwhile.
    if (inserted !== created.length) throw new Error('a credit code was registered while resolving: retry the batch');
    await insertReviews(db, reviews);
    await linkCreditCodes(db, links);
    await insertSpellings(db, spellings);
    return out as Resolution[];
  }

  /** The undecided names, under their blocking-key locks (all taken at once, in key order). */
  async function finish(db: Transaction<Database>, prefetched: Prefetched): Promise<Resolution[]> {
    if (prefetched.undecided.length > 1) return resolveManyLocked(db, prefetched);
    const spellings = [...prefetched.spellings];
    const i = prefetched.undecided[0];
    if (i !== undefined) {
      await lockKeys(db, lockKeysOf(prefetched.names[i]!));
      const locked = await resolveLocked(db, prefetched.names[i]!);
      prefetched.out[i] = locked.resolution;
      if (locked.spelling) spellings.push(locked.spelling);
    }
    await insertSpellings(db, spellings);
    return prefetched.out as Resolution[];
  }

  async function resolveManyIn(db: Transaction<Database>, inputs: EmployerInput[]): Promise<Resolution[]> {
    return finish(db, await prefetch(db, inputs.map(prepare)));
  }

  async function resolveEach(
    db: Transaction<Database>,
    inputs: EmployerInput[],
  ): Promise<Array<Resolution | EmployerInputError>> {
    const out: Array<Resolution | EmployerInputError | undefined> = new Array(inputs.length);
    const names: PreparedName[] = [];
    const at: number[] = [];
    inputs.forEach((input, i) => {
      try {
        names.push(prepare(input));
        at.push(i);
      } catch (err) {
        if (!(err instanceof EmployerInputError)) throw err;
        out[i] = err;
      }
    });
    if (names.length > 0) (await finish(db, await prefetch(db, names))).forEach((r, j) => (out[at[j]!] = r));
    return out as Array<Resolution | EmployerInputError>;
  }

  return {
    async resolve(db, input) {
      if (db.isTransaction) return (await resolveManyIn(db as Transaction<Database>, [input]))[0]!;
      // Known employers need no transaction: read, and record a new spelling (idempotent) if there is one.
      const prefetched = await prefetch(db, [prepare(input)]);
      if (prefetched.undecided.length === 0) {
        await insertSpellings(db, prefetched.spellings);
        return prefetched.out[0]!;
      }
      const matched = await matchWithoutLock(db, prefetched.names[0]!);
      if (matched) return matched;
      return db.transaction().execute(async (trx) => (await finish(trx, { ...prefetched, spellings: [] }))[0]!);
    },
    resolveMany: resolveManyIn,
    resolveEach,
  };
}
