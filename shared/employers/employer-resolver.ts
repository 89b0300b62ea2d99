// The one interface through which everything (workers, imports, `ledger employers resolve`) resolves an employer.
// This first implementation links by exact normalised name or credit code; the employer-resolution issue
// replaces the implementation behind `createEmployerResolver` without changing callers.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

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
}

export interface EmployerResolver {
  /** Resolves inside the caller's transaction (or on the pool), creating the employer when none matches. */
  resolve(db: Kysely<Database> | Transaction<Database>, input: EmployerInput): Promise<Resolution>;
}

/** NFKC, lower-case, no whitespace: the simplest normal form. */
export function simpleNormalize(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
}

export function createEmployerResolver(): EmployerResolver {
  return {
    async resolve(db, input) {
      const normalized = simpleNormalize(input.name);
      const code = input.creditCode ? input.creditCode.replace(/\s+/g, '').toUpperCase() : null;
      // One lock per normalised name so that two workers never create the same employer twice.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${normalized}, 0))`.execute(db);
      const existing = await db
        .selectFrom('employers')
        .select(['id', 'canonical_name'])
        .where((eb) => (code ? eb.or([eb('credit_code', '=', code), eb('normalized_name', '=', normalized)]) : eb('normalized_name', '=', normalized)))
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      let resolution: Resolution;
      if (existing) {
        resolution = { employerId: existing.id, canonicalName: existing.canonical_name, decision: 'matched' };
      } else {
        const row = await db
          .insertInto('employers')
          .values({ canonical_name: input.name.trim(), normalized_name: normalized, credit_code: code })
          .returning(['id', 'canonical_name'])
          .executeTakeFirstOrThrow();
        resolution = { employerId: row.id, canonicalName: row.canonical_name, decision: 'created' };
      }
      await db
        .insertInto('employer_spellings')
        .values({ employer_id: resolution.employerId, spelling: input.name, normalized_name: normalized, credit_code: code })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return resolution;
    },
  };
}
