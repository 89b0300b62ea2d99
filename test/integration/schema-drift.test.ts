// The hand-written table types (shared/db/tables) against the database the migrations create: every table and column
// on both sides, the same nullability, and a TypeScript type that matches what the pg driver returns. A migration
// that adds a column without its type, or a type that claims a column the database does not have, fails here.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '../helpers/setup.ts';
import { kindOfPgType, readDeclaredTables, type DeclaredTables } from '../helpers/table-types.ts';

// Kysely's own bookkeeping, not application tables.
const NOT_DECLARED = new Set(['kysely_migration', 'kysely_migration_lock']);

const services = useTestServices({ poolSize: 1 });
let declared: DeclaredTables;
let actual: Map<string, Map<string, { udtName: string; nullable: boolean }>>;

beforeAll(async () => {
  declared = readDeclaredTables();
  const { rows } = await sql<{ table_name: string; column_name: string; udt_name: string; is_nullable: 'YES' | 'NO' }>`
    SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable
    FROM information_schema.columns c
    JOIN pg_class k ON k.relname = c.table_name
    JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema
    WHERE c.table_schema = 'public' AND k.relkind IN ('r', 'p') AND NOT k.relispartition
    ORDER BY c.table_name, c.ordinal_position`.execute(services.db);
  actual = new Map();
  for (const r of rows) {
    if (NOT_DECLARED.has(r.table_name)) continue;
    if (!actual.has(r.table_name)) actual.set(r.table_name, new Map());
    actual.get(r.table_name)!.set(r.column_name, { udtName: r.udt_name, nullable: r.is_nullable === 'YES' });
  }
}, 120_000);

describe('table types against the migrated database', () => {
  it('declares exactly the tables the migrations create', () => {
    expect([...declared.keys()].sort()).toEqual([...actual.keys()].sort());
  });

  it('declares exactly the columns of each table, with their nullability and kind of value', () => {
    const differences: string[] = [];
    for (const [table, columns] of actual) {
      const types = declared.get(table);
      if (!types) continue; // reported by the test above
      for (const [column, { udtName, nullable }] of columns) {
        const type = types.get(column);
        if (!type) {
          differences.push(`${table}.${column} (${udtName}) is in the database but not in the table type`);
          continue;
        }
        const kind = kindOfPgType(udtName);
        if (!kind)
          differences.push(
            `${table}.${column}: PostgreSQL type ${udtName} has no known TypeScript kind (add it to test/helpers/table-types.ts)`,
          );
        else if (kind !== type.kind)
          differences.push(`${table}.${column}: the database returns ${kind} (${udtName}), the type says ${type.kind}`);
        if (nullable !== type.nullable) {
          differences.push(
            `${table}.${column}: ${nullable ? 'nullable' : 'NOT NULL'} in the database, ${type.nullable ? 'nullable' : 'not nullable'} in the type`,
          );
        }
      }
      for (const column of types.keys()) {
        if (!columns.has(column)) differences.push(`${table}.${column} is in the table type but not in the database`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('notices a column whose type disagrees (the check can fail)', () => {
    const visits = declared.get('visits')!;
    expect(visits.get('visited_on')).toEqual({ kind: 'string', nullable: true });
    expect(kindOfPgType('timestamptz')).not.toBe(visits.get('visited_on')!.kind);
  });
});
