// SQL of employer resolution: exact lookups (credit code, name key), blocking candidates, locks, inserts.
// The decisions are made in shared/domain/employers/ and shared/use-cases/resolve-employer.ts from what these return.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/database.ts';
import type { EmployerStatus } from '../db/tables/foundation.table.ts';

export interface EmployerRow {
  id: number;
  canonicalName: string;
  creditCode: string | null;
  status: EmployerStatus;
  /** For a provisional employer: the employer it may be the same as (its review's candidate). */
  candidateId: number | null;
  /** For a merged employer: the one it went into. */
  mergedInto: number | null;
}

export interface CandidateRow extends EmployerRow {
  coreName: string;
  features: Record<string, unknown>;
}

// EmployerRow's columns under their camelCase names, for the query builder. The statements written as SQL text alias
// them the same way in their own text, so that each prepared statement reads whole where it is sent.
const EMPLOYER_COLUMNS = [
  'id',
  'canonical_name as canonicalName',
  'credit_code as creditCode',
  'status',
  'candidate_id as candidateId',
  'merged_into as mergedInto',
] as const;

export async function findEmployersByCreditCodes(db: Executor, codes: string[]): Promise<EmployerRow[]> {
  if (codes.length === 0) return [];
  // One code (a single resolve) as a scalar: see findEmployersByKeys.
  const match =
    codes.length === 1 ? sql`credit_code = ${codes[0]}::bpchar` : sql`credit_code = ANY(${codes}::bpchar[])`;
  const res = await sql<EmployerRow>`/* prepared */
    SELECT id, canonical_name AS "canonicalName", credit_code AS "creditCode", status, candidate_id AS "candidateId",
           merged_into AS "mergedInto"
    FROM employers WHERE ${match}`.execute(db);
  return res.rows;
}

export async function findEmployerById(db: Executor, id: number): Promise<CandidateRow | undefined> {
  return db
    .selectFrom('employers')
    .select([...EMPLOYER_COLUMNS, 'core_name as coreName', 'features'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface KeyLookup {
  key: string;
  spelling: string;
  creditCode: string | null;
}

export interface KeyHit extends EmployerRow {
  /** Index into the lookups. */
  ord: number;
  /** This exact spelling (and code) is already recorded for the employer. */
  seen: boolean;
}

/** Employers (not merged) having a spelling with one of the keys; one row per (lookup, employer). */
export async function findEmployersByKeys(db: Executor, lookups: KeyLookup[]): Promise<KeyHit[]> {
  if (lookups.length === 0) return [];
  if (lookups.length === 1) {
    // One name (a single resolve, the common call): scalar parameters, so that PostgreSQL keeps one generic plan for
    // the prepared statement instead of planning the unnest join on every call (it costs more than running it).
    const l = lookups[0]!;
    const one = await sql<KeyHit>`/* prepared */
      SELECT 0 AS ord, e.id, e.canonical_name AS "canonicalName", e.credit_code AS "creditCode", e.status,
             e.candidate_id AS "candidateId", e.merged_into AS "mergedInto",
             bool_or(s.spelling = ${l.spelling} AND coalesce(s.credit_code, '') = ${l.creditCode ?? ''}) AS seen
      FROM employer_spellings s
      JOIN employers e ON e.id = s.employer_id AND e.status <> 'merged'
      WHERE s.normalized_name = ${l.key}
      GROUP BY e.id
      ORDER BY e.id`.execute(db);
    return one.rows;
  }
  const res = await sql<KeyHit>`/* prepared */
    SELECT i.ord::int - 1 AS ord, e.id, e.canonical_name AS "canonicalName", e.credit_code AS "creditCode", e.status,
           e.candidate_id AS "candidateId", e.merged_into AS "mergedInto",
           bool_or(s.spelling = i.spelling AND coalesce(s.credit_code, '') = i.code) AS seen
    FROM unnest(${lookups.map((l) => l.key)}::text[], ${lookups.map((l) => l.spelling)}::text[], ${lookups.map((l) => l.creditCode ?? '')}::text[])
         WITH ORDINALITY AS i(key, spelling, code, ord)
    JOIN employer_spellings s ON s.normalized_name = i.key
    JOIN employers e ON e.id = s.employer_id AND e.status <> 'merged'
    GROUP BY i.ord, e.id
    ORDER BY i.ord, e.id`.execute(db);
  return res.rows;
}

/** What blocking looks candidates up by: the name's keys and its valid credit code, if any. */
export interface BlockingInput {
  key: string;
  core: string;
  coreSorted: string;
  brand: string;
  creditCode: string | null;
}

export interface BlockedCandidateRow extends CandidateRow {
  /** One of its spellings has the input's exact key. */
  keyHit: boolean;
}

/**
 * Candidates sharing a blocking key, in one round trip: the employer with the credit code, those with a spelling of the
 * exact key, the same core, the same core characters (swapped-character slips), or a brand similar by trigrams
 * (pg_trgm `%`, threshold 0.3). Code first, then best core similarity. Brands under three characters skip the trigram
 * test: their trigrams are one leading character (华 …) shared by hundreds, and a changed character in a
 * two-character brand is another company anyway.
 */
export async function blockingCandidates(db: Executor, b: BlockingInput, limit = 20): Promise<BlockedCandidateRow[]> {
  // Two statement texts (with and without the trigram branch), each prepared with one generic plan.
  const trigrams = b.brand.length >= 3 ? sql`OR brand_name % ${b.brand}` : sql``;
  const res = await sql<BlockedCandidateRow>`/* prepared */
    WITH c AS (
      -- Separate branches: an OR with a subquery would defeat the indexes (a sequential scan of the registry).
      SELECT id FROM employers
      WHERE status <> 'merged'
        AND (core_name = ${b.core} OR core_sorted = ${b.coreSorted} ${trigrams} OR credit_code = ${b.creditCode}::bpchar)
      UNION
      SELECT employer_id FROM employer_spellings WHERE normalized_name = ${b.key}
    )
    SELECT e.id, e.canonical_name AS "canonicalName", e.credit_code AS "creditCode", e.status,
           e.candidate_id AS "candidateId", e.merged_into AS "mergedInto", e.core_name AS "coreName", e.features,
           EXISTS (SELECT 1 FROM employer_spellings s WHERE s.employer_id = e.id AND s.normalized_name = ${b.key}) AS "keyHit"
    FROM c JOIN employers e ON e.id = c.id
    WHERE e.status <> 'merged'
    ORDER BY (e.credit_code IS NOT NULL AND e.credit_code = ${b.creditCode}::bpchar) DESC, similarity(e.core_name, ${b.core}) DESC, e.id
    LIMIT ${limit}`.execute(db);
  return res.rows;
}

/** Transaction-scoped advisory locks, taken in ascending order so that two resolvers never wait on each other in a cycle. */
export async function lockKeys(db: Transaction<Database>, keys: bigint[]): Promise<void> {
  if (keys.length === 0) return;
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await sql`/* prepared */ SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest(${sorted.map(String)}::bigint[]) AS k ORDER BY k) s`.execute(
    db,
  );
}

export interface NewEmployer {
  canonicalName: string;
  key: string;
  creditCode: string | null;
  core: string;
  coreSorted: string;
  brand: string;
  features: Record<string, unknown>;
  status: 'active' | 'provisional';
  candidateId: number | null;
}

/**
 * Inserts an employer and, in the same statement, its first spelling; undefined when its credit code already belongs
 * to another (the caller looks that one up).
 */
export async function insertEmployer(
  db: Executor,
  e: NewEmployer,
  spelling?: string,
): Promise<EmployerRow | undefined> {
  const res = await sql<EmployerRow>`/* prepared */
    WITH e AS (
      INSERT INTO employers (canonical_name, normalized_name, credit_code, core_name, core_sorted, brand_name, features, status, candidate_id)
      VALUES (${e.canonicalName}, ${e.key}, ${e.creditCode}, ${e.core}, ${e.coreSorted}, ${e.brand}, ${JSON.stringify(e.features)}::jsonb, ${e.status}, ${e.candidateId})
      ON CONFLICT (credit_code) DO NOTHING
      RETURNING id, canonical_name AS "canonicalName", credit_code AS "creditCode", status, candidate_id AS "candidateId",
                merged_into AS "mergedInto"
    ), s AS (
      INSERT INTO employer_spellings (employer_id, spelling, normalized_name, credit_code)
      SELECT id, ${spelling ?? null}::text, ${e.key}, "creditCode" FROM e WHERE ${spelling ?? null}::text IS NOT NULL
      ON CONFLICT DO NOTHING
    )
    SELECT * FROM e`.execute(db);
  return res.rows[0];
}

/** Gives a code-less employer its credit code (a name first seen without one); false if it has one by now. */
export async function linkCreditCode(db: Executor, employerId: number, code: string): Promise<boolean> {
  const res = await db
    .updateTable('employers')
    .set({ credit_code: code, updated_at: sql`now()` })
    .where('id', '=', employerId)
    .where('credit_code', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface NewSpelling {
  employerId: number;
  spelling: string;
  key: string;
  creditCode: string | null;
}

export async function insertSpellings(db: Executor, rows: NewSpelling[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`/* prepared */
    INSERT INTO employer_spellings (employer_id, spelling, normalized_name, credit_code)
    SELECT * FROM unnest(${rows.map((r) => r.employerId)}::bigint[], ${rows.map((r) => r.spelling)}::text[], ${rows.map((r) => r.key)}::text[],
                         ${rows.map((r) => r.creditCode)}::bpchar[])
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function insertReview(
  db: Executor,
  r: { employerId: number; candidateId: number; score: number; spelling: string },
): Promise<void> {
  await db
    .insertInto('employer_reviews')
    .values({ employer_id: r.employerId, candidate_id: r.candidateId, score: r.score, spelling: r.spelling })
    .onConflict((oc) => oc.column('employer_id').doNothing())
    .execute();
}

/** The database's LC_CTYPE and whether pg_trgm extracts trigrams from Chinese text under it. */
export async function trigramLocale(db: Executor): Promise<{ ctype: string; cjkTrigrams: boolean }> {
  const res = await sql<{ ctype: string; n: number }>`
    SELECT (SELECT datctype FROM pg_database WHERE datname = current_database()) AS ctype,
           cardinality(show_trgm('华为技术')) AS n`.execute(db);
  const row = res.rows[0]!;
  return { ctype: row.ctype, cjkTrigrams: Number(row.n) > 0 };
}

export interface PriorEmployerLink {
  id: number;
  employerName: string;
  /** Empty when the list gave none. */
  creditCode: string;
}

/** prior_employers rows not linked yet (all rows with `all`), in id order after `afterId`. */
export async function priorEmployersToLink(
  db: Executor,
  afterId: number,
  limit: number,
  all: boolean,
): Promise<PriorEmployerLink[]> {
  let q = db
    .selectFrom('prior_employers')
    .select(['id', 'employer_name as employerName', 'credit_code as creditCode'])
    .where('id', '>', afterId);
  if (!all) q = q.where('employer_id', 'is', null);
  return q.orderBy('id').limit(limit).execute();
}

export async function setPriorEmployerLinks(
  db: Executor,
  links: Array<{ id: number; employerId: number; key: string }>,
): Promise<void> {
  if (links.length === 0) return;
  await sql`
    UPDATE prior_employers p SET employer_id = v.employer_id, normalized_name = v.key
    FROM unnest(${links.map((l) => l.id)}::bigint[], ${links.map((l) => l.employerId)}::bigint[], ${links.map((l) => l.key)}::text[])
         AS v(id, employer_id, key)
    WHERE p.id = v.id`.execute(db);
}

/**
 * blockingCandidates for many inputs in two statements: exact keys (code, spelling key, core, sorted core) for all,
 * and brand trigrams only for brands of three or more characters. Rows carry `ord`, the input's index.
 */
export async function blockingCandidatesMany(
  db: Executor,
  inputs: BlockingInput[],
  limit = 20,
): Promise<Array<BlockedCandidateRow & { ord: number }>> {
  if (inputs.length === 0) return [];
  // One equality join per key (each an index scan); an OR over lateral parameters would scan the registry.
  const exact = await sql<BlockedCandidateRow & { ord: number }>`
    WITH i AS (
      SELECT ord::int - 1 AS ord, key, core, sorted, code
      FROM unnest(${inputs.map((b) => b.key)}::text[], ${inputs.map((b) => b.core)}::text[], ${inputs.map((b) => b.coreSorted)}::text[],
                  ${inputs.map((b) => b.creditCode)}::text[]) WITH ORDINALITY AS u(key, core, sorted, code, ord)
    ), x AS (
      SELECT i.ord, e.id FROM i JOIN employers e ON e.core_name = i.core AND e.status <> 'merged'
      UNION SELECT i.ord, e.id FROM i JOIN employers e ON e.core_sorted = i.sorted AND e.status <> 'merged'
      UNION SELECT i.ord, e.id FROM i JOIN employers e ON e.credit_code = i.code::char(18)
      UNION SELECT i.ord, s.employer_id FROM i JOIN employer_spellings s ON s.normalized_name = i.key
    )
    SELECT x.ord, e.id, e.canonical_name AS "canonicalName", e.credit_code AS "creditCode", e.status,
           e.candidate_id AS "candidateId", e.merged_into AS "mergedInto", e.core_name AS "coreName", e.features,
           EXISTS (SELECT 1 FROM employer_spellings s WHERE s.employer_id = e.id AND s.normalized_name = i.key) AS "keyHit"
    FROM x JOIN i ON i.ord = x.ord JOIN employers e ON e.id = x.id AND e.status <> 'merged'`.execute(db);
  const long = inputs.map((b, ord) => ({ ...b, ord })).filter((b) => b.brand.length >= 3);
  if (long.length === 0) return exact.rows;
  const fuzzy = await sql<BlockedCandidateRow & { ord: number }>`
    SELECT i.ord::int AS ord, c.*
    FROM unnest(${long.map((b) => b.ord)}::int[], ${long.map((b) => b.key)}::text[], ${long.map((b) => b.core)}::text[], ${long.map((b) => b.brand)}::text[])
         AS i(ord, key, core, brand)
    CROSS JOIN LATERAL (
      SELECT e.id, e.canonical_name AS "canonicalName", e.credit_code AS "creditCode", e.status,
             e.candidate_id AS "candidateId", e.merged_into AS "mergedInto", e.core_name AS "coreName", e.features,
             EXISTS (SELECT 1 FROM employer_spellings s WHERE s.employer_id = e.id AND s.normalized_name = i.key) AS "keyHit"
      FROM employers e
      WHERE e.status <> 'merged' AND e.brand_name % i.brand
      ORDER BY similarity(e.core_name, i.core) DESC, e.id
      LIMIT ${limit}
    ) c`.execute(db);
  return [...exact.rows, ...fuzzy.rows];
}

/** Ids for employers about to be inserted, so that one statement can insert them all and later inputs refer to them. */
export async function reserveEmployerIds(db: Executor, n: number): Promise<number[]> {
  if (n === 0) return [];
  const res = await sql<{
    id: number;
  }>`SELECT nextval(pg_get_serial_sequence('employers', 'id'))::bigint AS id FROM generate_series(1, ${n})`.execute(db);
  return res.rows.map((r) => Number(r.id));
}

/** Inserts employers with reserved ids; returns how many were inserted (fewer when a credit code was taken meanwhile). */
export async function insertEmployersWithIds(db: Executor, rows: Array<NewEmployer & { id: number }>): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await sql<{ n: number }>`
    WITH e AS (
      INSERT INTO employers (id, canonical_name, normalized_name, credit_code, core_name, core_sorted, brand_name, features, status, candidate_id)
      SELECT * FROM unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.canonicalName)}::text[], ${rows.map((r) => r.key)}::text[],
                           ${rows.map((r) => r.creditCode)}::text[], ${rows.map((r) => r.core)}::text[], ${rows.map((r) => r.coreSorted)}::text[],
                           ${rows.map((r) => r.brand)}::text[], ${rows.map((r) => JSON.stringify(r.features))}::jsonb[], ${rows.map((r) => r.status)}::text[],
                           ${rows.map((r) => r.candidateId)}::bigint[])
      ON CONFLICT (credit_code) DO NOTHING
      RETURNING id
    )
    SELECT count(*)::int AS n FROM e`.execute(db);
  return res.rows[0]?.n ?? 0;
}

export async function insertReviews(
  db: Executor,
  rows: Array<{ employerId: number; candidateId: number; score: number; spelling: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('employer_reviews')
    .values(
      rows.map((r) => ({
        employer_id: r.employerId,
        candidate_id: r.candidateId,
        score: r.score,
        spelling: r.spelling,
      })),
    )
    .onConflict((oc) => oc.column('employer_id').doNothing())
    .execute();
}

/** linkCreditCode for many: each employer gets its code only if it still has none. */
export async function linkCreditCodes(db: Executor, links: Array<{ employerId: number; code: string }>): Promise<void> {
  if (links.length === 0) return;
  await sql`
    UPDATE employers e SET credit_code = v.code, updated_at = now()
    FROM unnest(${links.map((l) => l.employerId)}::bigint[], ${links.map((l) => l.code)}::text[]) AS v(id, code)
    WHERE e.id = v.id AND e.credit_code IS NULL`.execute(db);
}
