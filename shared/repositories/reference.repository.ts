// Reference data: provinces, universities, placement rates, provincial averages, prior employers.
// Every import is one set-based statement over a jsonb array; a row is written only when a value changed,
// so importing the same file again writes nothing (and reports it as unchanged).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type {
  PlacementRateRow,
  PriorEmployerRow,
  ProvinceAverageRow,
  ProvinceRef,
  UniversityRow,
} from '../domain/reference-rows.ts';
import type { UniversityScopeFacts } from '../domain/scope.ts';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export async function listProvinces(db: Executor): Promise<ProvinceRef[]> {
  const rows = await db.selectFrom('provinces').select(['code', 'name', 'short_name']).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, name: r.name, shortName: r.short_name }));
}

/** The province code of one university; undefined when no university has that code. */
export async function findUniversityProvince(db: Executor, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('universities').select('province_code').where('code', '=', code).executeTakeFirst();
  return row?.province_code;
}

/** What access decisions need of a university (its reporting unit and central kind); undefined when unknown. */
export async function findUniversityScopeFacts(db: Executor, code: string): Promise<UniversityScopeFacts | undefined> {
  const row = await db
    .selectFrom('universities')
    .select(['code', 'province_code', 'central'])
    .where('code', '=', code)
    .executeTakeFirst();
  return row && { code: row.code.trim(), provinceCode: row.province_code, central: row.central };
}

/** Which of the given codes are universities in the database. */
export async function existingUniversityCodes(db: Executor, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const { rows } = await sql<{ code: string }>`
    SELECT u.code FROM universities u WHERE u.code = ANY(${codes}::char(10)[])`.execute(db);
  return new Set(rows.map((r) => r.code));
}

// RETURNING (xmax = 0) tells an inserted row from an updated one; rows whose values did not change are
// skipped by the DO UPDATE ... WHERE and return nothing.
function counts(total: number, row: { inserted: number; updated: number } | undefined): UpsertCounts {
  const inserted = row?.inserted ?? 0;
  const updated = row?.updated ?? 0;
  return { inserted, updated, unchanged: total - inserted - updated };
}

/**
 * Upserts universities. A flag the file leaves empty (newUndergrad, vocational = null) keeps the stored value;
 * a new university then gets new_undergrad = false and vocational = (level = 专科).
 */
export async function upsertUniversities(db: Executor, rows: UniversityRow[]): Promise<UpsertCounts> {
  if (rows.length === 0) return counts(0, undefined);
  const { rows: result } = await sql<{ inserted: number; updated: number }>`
    WITH input AS (
      SELECT x.* FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
        code text, name text, "provinceCode" text, city text, authority text, level text,
        private boolean, "newUndergrad" boolean, vocational boolean, central text)
    ), upserted AS (
      INSERT INTO universities AS u (code, name, province_code, city, authority, level, private, new_undergrad, vocational, central)
      SELECT i.code, i.name, i."provinceCode", i.city, i.authority, i.level, i.private,
             coalesce(i."newUndergrad", cur.new_undergrad, false),
             coalesce(i.vocational, cur.vocational, i.level = '专科'), i.central
      FROM input i LEFT JOIN universities cur ON cur.code = i.code
      ON CONFLICT (code) DO UPDATE SET
        name = EXCLUDED.name, province_code = EXCLUDED.province_code, city = EXCLUDED.city,
        authority = EXCLUDED.authority, level = EXCLUDED.level, private = EXCLUDED.private,
        new_undergrad = EXCLUDED.new_undergrad, vocational = EXCLUDED.vocational, central = EXCLUDED.central,
        updated_at = now()
      WHERE (u.name, u.province_code, u.city, u.authority, u.level, u.private, u.new_undergrad, u.vocational, u.central)
            IS DISTINCT FROM
            (EXCLUDED.name, EXCLUDED.province_code, EXCLUDED.city, EXCLUDED.authority, EXCLUDED.level,
             EXCLUDED.private, EXCLUDED.new_undergrad, EXCLUDED.vocational, EXCLUDED.central)
      RETURNING (xmax = 0) AS inserted
    )
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM upserted`.execute(db);
  return counts(rows.length, result[0]);
}

/** Rates of a campaign keyed by university or province (both tables: campaign_id, <key>, rate); only changes are written. */
async function upsertCampaignRates(
  db: Executor,
  table: 'placement_rates' | 'province_placement_averages',
  key: 'university_code' | 'province_code',
  campaignId: string,
  rows: Array<{ key: string; rate: number }>,
): Promise<UpsertCounts> {
  if (rows.length === 0) return counts(0, undefined);
  const { rows: result } = await sql<{ inserted: number; updated: number }>`
    WITH upserted AS (
      INSERT INTO ${sql.table(table)} AS p (campaign_id, ${sql.ref(key)}, rate)
      SELECT ${campaignId}, x.key, x.rate
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(key text, rate numeric)
      ON CONFLICT (campaign_id, ${sql.ref(key)}) DO UPDATE SET rate = EXCLUDED.rate
      WHERE p.rate IS DISTINCT FROM EXCLUDED.rate
      RETURNING (xmax = 0) AS inserted
    )
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM upserted`.execute(db);
  return counts(rows.length, result[0]);
}

export function upsertPlacementRates(
  db: Executor,
  campaignId: string,
  rows: PlacementRateRow[],
): Promise<UpsertCounts> {
  return upsertCampaignRates(
    db,
    'placement_rates',
    'university_code',
    campaignId,
    rows.map((r) => ({ key: r.universityCode, rate: r.rate })),
  );
}

export function upsertProvinceAverages(
  db: Executor,
  campaignId: string,
  rows: ProvinceAverageRow[],
): Promise<UpsertCounts> {
  return upsertCampaignRates(
    db,
    'province_placement_averages',
    'province_code',
    campaignId,
    rows.map((r) => ({ key: r.provinceCode, rate: r.rate })),
  );
}

/**
 * Stores prior university–employer relationships as the spellings given. The natural key is
 * (university, name as given, credit code or ''), so a relationship is never stored twice. A row that exists is
 * left alone: its normalised name and employer link belong to employer resolution (shared/use-cases/link-prior-employers.ts),
 * which the import runs right after this.
 */
export async function insertPriorEmployers(
  db: Executor,
  rows: Array<PriorEmployerRow & { normalizedName: string }>,
): Promise<UpsertCounts> {
  if (rows.length === 0) return counts(0, undefined);
  const { rows: result } = await sql<{ inserted: number; updated: number }>`
    WITH upserted AS (
      INSERT INTO prior_employers (university_code, employer_name, credit_code, normalized_name)
      SELECT x."universityCode", x."employerName", x."creditCode", x."normalizedName"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x("universityCode" text, "employerName" text, "creditCode" text, "normalizedName" text)
      ON CONFLICT (university_code, employer_name, credit_code) DO NOTHING
      RETURNING true AS inserted
    )
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, (count(*) FILTER (WHERE NOT inserted))::int AS updated
    FROM upserted`.execute(db);
  return counts(rows.length, result[0]);
}

/** Counts for the import report and for tests. */
export async function universityStats(
  db: Executor,
): Promise<{ total: number; provinces: number; byLevel: Record<string, number> }> {
  const rows = await db
    .selectFrom('universities')
    .select(['level', sql<number>`count(*)::int`.as('n')])
    .groupBy('level')
    .execute();
  const total = rows.reduce((s, r) => s + r.n, 0);
  const { rows: prov } = await sql<{
    p: number;
  }>`SELECT count(DISTINCT province_code)::int AS p FROM universities`.execute(db);
  return { total, provinces: prov[0]?.p ?? 0, byLevel: Object.fromEntries(rows.map((r) => [r.level, r.n])) };
}
