// The resolver's decision, without reads or writes: given a name's features, its credit code and the employers that
// might be it, say whether it is one of them (matched), a new employer (created), or a new provisional employer an
// administrator must look at (review). The use case (shared/use-cases/resolve-employer.ts) takes the locks, reads the
// candidates and writes what this decides; the single and the batched paths both decide here.
//
// Order of evidence: a valid credit code (same code → same employer; two different valid codes → never the same
// employer, whatever the names say), the exact key of a spelling seen before, then the similarity of the features
// against two thresholds. A name first seen without a code gets the code of the first spelling that brings one.
import { chooseCandidate, similarity, type MatchFeatures, type Thresholds } from './employer-match.ts';
import type { EmployerFeatures } from './normalize.ts';

/** A name to resolve, as the decision sees it. */
export interface NameToResolve {
  features: EmployerFeatures;
  /** A valid, normalised credit code, or null (absent or failing its check digit: then the name alone decides). */
  creditCode: string | null;
}

/** A stored employer that might be the name: found by blocking, or created earlier in the same batch. */
export interface ResolveCandidate {
  /** Ties between equal scores go to the lower id. */
  id: number;
  status: 'active' | 'provisional' | 'merged';
  /** For a provisional employer: the employer it may be the same as. */
  candidateId: number | null;
  /** Its credit code, counting one given to it earlier in the batch. */
  creditCode: string | null;
  /** One of its spellings has the name's exact key. */
  keyHit: boolean;
  features: MatchFeatures;
}

export type NameDecision =
  /** The name is this employer; `linkCode`: the employer had no code and gets the name's. */
  | { kind: 'matched'; employerId: number; score: number; linkCode: boolean }
  /**
   * A new employer: provisional (in review, `candidateId` the employer it may be) when the best candidate scored in
   * the review zone. `score` is the best candidate's, unrounded, absent when there was none.
   */
  | { kind: 'create'; provisional: boolean; candidateId: number | null; score?: number };

export function matchFeaturesOf(f: EmployerFeatures): MatchFeatures {
  return { core: f.core, legalKind: f.legalKind, group: f.group, regions: f.regions, note: f.note, branch: f.branch };
}

/** The decision for one name from its candidates. */
export function decideName(name: NameToResolve, candidates: readonly ResolveCandidate[], t: Thresholds): NameDecision {
  const code = name.creditCode;
  const sameCode = code ? candidates.find((c) => c.creditCode === code) : undefined;
  if (sameCode) return { kind: 'matched', employerId: sameCode.id, score: 1, linkCode: false };
  const mine = matchFeaturesOf(name.features);
  const scored = candidates
    // Two different valid codes are two employers, whatever the names say.
    .filter((c) => !(code && c.creditCode && c.creditCode !== code))
    .map((c) => ({ candidate: c, score: c.keyHit ? 1 : similarity(mine, c.features) }));
  const { best, decision } = chooseCandidate(scored, t);
  if (best && decision === 'matched') {
    // First seen without a code: it gets this one.
    const linkCode = code !== null && best.candidate.creditCode === null;
    return { kind: 'matched', employerId: best.candidate.id, score: roundScore(best.score), linkCode };
  }
  const provisional = best !== null && decision === 'review';
  // A provisional employer's candidate is the employer it may be: never another provisional one.
  const e = best?.candidate;
  const candidateId = provisional && e ? (e.status === 'provisional' ? (e.candidateId ?? e.id) : e.id) : null;
  return { kind: 'create', provisional, candidateId, ...(best ? { score: best.score } : {}) };
}

/** An employer found before any blocking: the owner of a registered credit code, or one with a spelling of the exact key. */
export interface KnownEmployer {
  id: number;
  creditCode: string | null;
}

export interface ExactKeyHit extends KnownEmployer {
  /** This very spelling is recorded already (nothing to write). */
  seen: boolean;
}

/**
 * The match that needs no lock and no write beyond a spelling: the owner of the name's valid code, or the one employer
 * with a spelling of the exact key that the code does not rule out. Null when blocking and decideName must decide
 * (no such employer, several, or a code still to give to the employer, which needs the code's lock).
 */
export function matchByCodeOrExactKey(
  name: NameToResolve,
  codeOwner: KnownEmployer | undefined,
  keyHits: readonly ExactKeyHit[],
): { employerId: number; seen: boolean } | null {
  const code = name.creditCode;
  if (code && codeOwner)
    return { employerId: codeOwner.id, seen: keyHits.some((h) => h.id === codeOwner.id && h.seen) };
  const compatible = keyHits.filter((h) => !(code && h.creditCode && h.creditCode !== code));
  if (compatible.length !== 1) return null;
  const hit = compatible[0]!;
  if (code && hit.creditCode !== code) return null; // a code to link: decided under the code's lock
  return { employerId: hit.id, seen: hit.seen };
}

export type BatchDecision =
  | { kind: 'matched'; employerId: number; score: number }
  | { kind: 'create'; employerId: number; provisional: boolean; candidateId: number | null; score?: number };

export interface BatchDecisions {
  /** One per name, in input order. */
  decisions: BatchDecision[];
  /**
   * Credit codes the batch gives to employers that had none, by employer id: stored employers (to link) and employers
   * the batch creates (to insert with the code a later spelling brought).
   */
  codesGiven: Map<number, string>;
}

/** pg_trgm's trigrams of a text: each run of letters and digits, lower case, padded with two spaces before and one after. */
function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) out.add(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  }
  return out;
}

/** pg_trgm's similarity(a, b): shared trigrams over all distinct trigrams of both. */
export function trigramSimilarity(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  const all = x.size + y.size - shared;
  return all === 0 ? 0 : shared / all;
}

/** pg_trgm's default similarity_threshold: the `%` operator blocking uses on brands. */
const TRIGRAM_THRESHOLD = 0.3;

/** An employer created earlier in the batch, with what blocking would find it by. */
interface CreatedInBatch extends ResolveCandidate {
  core: string;
  coreSorted: string;
  brand: string;
}

/**
 * Several names in order, each also meeting the employers created for earlier names of the batch (two spellings of
 * one new employer in one batch create it once) and the codes given earlier in the batch. `candidatesOf[i]` are the
 * stored candidates of `names[i]`; `newIds` the ids to give new employers, in order (reserved beforehand). The same
 * decisions and scores as decideName one name at a time with the writes in between: an employer created earlier in
 * the batch is a candidate only when blocking would have found it (same core, sorted core, credit code or spelling
 * key, or a brand of three characters or more within pg_trgm's threshold), and a spelling an earlier name of the
 * batch gave an employer is an exact-key hit, as it would be once written.
 */
export function decideInOrder(
  names: readonly NameToResolve[],
  candidatesOf: ReadonlyArray<readonly ResolveCandidate[]>,
  newIds: readonly number[],
  t: Thresholds,
): BatchDecisions {
  const created: CreatedInBatch[] = [];
  const codesGiven = new Map<number, string>();
  const codeOf = (c: { id: number; creditCode: string | null }) => c.creditCode ?? codesGiven.get(c.id) ?? null;
  // Spelling keys the batch gave each employer, and the employers each such key now names.
  const keysOf = new Map<number, Set<string>>();
  const employersOfKey = new Map<string, Set<number>>();
  const giveKey = (id: number, key: string) => {
    let keys = keysOf.get(id);
    if (!keys) keysOf.set(id, (keys = new Set()));
    keys.add(key);
    let ids = employersOfKey.get(key);
    if (!ids) employersOfKey.set(key, (ids = new Set()));
    ids.add(id);
  };
  // Every stored candidate of the batch by id: a stored employer given a spelling by an earlier name is found by it.
  const stored = new Map<number, ResolveCandidate>();
  for (const cs of candidatesOf) for (const c of cs) if (!stored.has(c.id)) stored.set(c.id, c);
  let nextId = 0;
  const decisions = names.map((name, i): BatchDecision => {
    const f = name.features;
    const hasKey = (id: number) => keysOf.get(id)?.has(f.key) ?? false;
    const own = new Set(candidatesOf[i]!.map((c) => c.id));
    const storedByKey = [...(employersOfKey.get(f.key) ?? [])].flatMap((id) => {
      const c = own.has(id) ? undefined : stored.get(id);
      return c ? [c] : [];
    });
    const trigramsOn = f.brand.length >= 3;
    const blocked = created.filter(
      (c) =>
        c.core === f.core ||
        c.coreSorted === f.coreSorted ||
        (name.creditCode !== null && codeOf(c) === name.creditCode) ||
        hasKey(c.id) ||
        (trigramsOn && trigramSimilarity(c.brand, f.brand) >= TRIGRAM_THRESHOLD),
    );
    const candidates: ResolveCandidate[] = [...candidatesOf[i]!, ...storedByKey, ...blocked].map((c) => ({
      id: c.id,
      status: c.status,
      candidateId: c.candidateId,
      features: c.features,
      creditCode: codeOf(c),
      keyHit: c.keyHit || hasKey(c.id),
    }));
    const d = decideName(name, candidates, t);
    if (d.kind === 'matched') {
      if (d.linkCode) codesGiven.set(d.employerId, name.creditCode!);
      giveKey(d.employerId, f.key);
      return { kind: 'matched', employerId: d.employerId, score: d.score };
    }
    const id = newIds[nextId++];
    if (id === undefined)
      throw new Error(`decideInOrder: ${names.length} names need up to ${names.length} new ids, got ${newIds.length}`);
    created.push({
      id,
      status: d.provisional ? 'provisional' : 'active',
      candidateId: d.candidateId,
      creditCode: name.creditCode,
      keyHit: false,
      features: matchFeaturesOf(f),
      core: f.core,
      coreSorted: f.coreSorted,
      brand: f.brand,
    });
    giveKey(id, f.key);
    return { ...d, employerId: id };
  });
  return { decisions, codesGiven };
}

/** Scores are reported to three decimals. */
export function roundScore(x: number): number {
  return Math.round(x * 1000) / 1000;
}
