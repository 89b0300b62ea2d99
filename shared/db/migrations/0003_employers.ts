// Frozen in time: Kysely<any>, no application imports. Tables for employer resolution (issue 4).
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
