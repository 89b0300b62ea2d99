// Frozen in time: Kysely<any>, no application imports. Tables for measures, rankings, snapshots, plans (issue 5).
import type { Kysely } from 'kysely';

export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
