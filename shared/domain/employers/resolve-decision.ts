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

/**
 * Several names in order, each also meeting the employers created for earlier names of the batch (two spellings of
 * one new employer in one batch create it once) and the codes given earlier in the batch. `candidatesOf[i]` are the
 * stored candidates of `names[i]`; `newIds` the ids to give new employers, in order (reserved beforehand). The same
 * decisions as decideName one name at a time with the writes in between.
 */
export function decideInOrder(
  names: readonly NameToResolve[],
  candidatesOf: ReadonlyArray<readonly ResolveCandidate[]>,
  newIds: readonly number[],
  t: Thresholds,
): BatchDecisions {
  const created: Array<ResolveCandidate & { key: string }> = [];
  const codesGiven = new Map<number, string>();
  const codeOf = (c: { id: number; creditCode: string | null }) => c.creditCode ?? codesGiven.get(c.id) ?? null;
  let nextId = 0;
  const decisions = names.map((name, i): BatchDecision => {
    const candidates: ResolveCandidate[] = [
      ...candidatesOf[i]!.map((c) => ({ ...c, creditCode: codeOf(c) })),
      ...created.map((c) => ({ ...c, creditCode: codeOf(c), keyHit: c.key === name.features.key })),
    ];
    const d = decideName(name, candidates, t);
    if (d.kind === 'matched') {
      if (d.linkCode) codesGiven.set(d.employerId, name.creditCode!);
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
      features: matchFeaturesOf(name.features),
      key: name.features.key,
    });
    return { ...d, employerId: id };
  });
  return { decisions, codesGiven };
}

/** Scores are reported to three decimals. */
export function roundScore(x: number): number {
  return Math.round(x * 1000) / 1000;
}
