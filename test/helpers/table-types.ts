// Reads the hand-written table types (shared/db/schema.ts, `Database`) with the TypeScript compiler, so a test can
// compare them with the tables that the migrations really create.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** What a column's selected value is, as far as a drift check needs to know. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'bytes';

export interface DeclaredColumn {
  kind: ValueKind;
  nullable: boolean;
}

export type DeclaredTables = Map<string, Map<string, DeclaredColumn>>;

const SCHEMA_FILE = fileURLToPath(new URL('../../shared/db/schema.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** Kysely's ColumnType<S, I, U> and Generated<T> carry the selected type in a phantom `__select__` property. */
function selectedType(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): ts.Type {
  const select = type.getProperty('__select__');
  return select ? checker.getTypeOfSymbolAtLocation(select, at) : type;
}

function kindOf(checker: ts.TypeChecker, type: ts.Type): ValueKind | 'null' | 'unknown' {
  if (type.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) return 'null';
  if (type.flags & ts.TypeFlags.StringLike) return 'string';
  if (type.flags & ts.TypeFlags.NumberLike) return 'number';
  if (type.flags & ts.TypeFlags.BooleanLike) return 'boolean';
  const name = type.getSymbol()?.getName();
  if (name === 'Date') return 'date';
  if (name === 'Buffer' || name === 'Uint8Array') return 'bytes';
  if (type.flags & ts.TypeFlags.Object) return 'json';
  if (type.flags & ts.TypeFlags.Unknown) return 'json';
  return 'unknown';
}

function describeColumn(checker: ts.TypeChecker, type: ts.Type, where: string): DeclaredColumn {
  // `boolean` is the union true | false; a string-literal union is several string parts: collapse by kind.
  const parts = type.isUnion() ? type.types : [type];
  const kinds = new Set(parts.map((p) => kindOf(checker, p)));
  const nullable = kinds.delete('null');
  if (kinds.size !== 1 || kinds.has('unknown')) {
    throw new Error(`${where}: cannot tell the column's kind from ${checker.typeToString(type)}`);
  }
  return { kind: [...kinds][0] as ValueKind, nullable };
}

export function readDeclaredTables(): DeclaredTables {
  // The project's own compiler options, so that Node's types (Buffer) resolve as they do in the build.
  const configFile = ts.readConfigFile(TSCONFIG, (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, dirname(TSCONFIG));
  const program = ts.createProgram([SCHEMA_FILE], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SCHEMA_FILE);
  if (!source) throw new Error(`cannot read ${SCHEMA_FILE}`);
  const database = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Database',
  );
  if (!database) throw new Error('shared/db/schema.ts has no interface Database');
  const tables: DeclaredTables = new Map();
  for (const table of checker.getPropertiesOfType(checker.getTypeAtLocation(database))) {
    const columns = new Map<string, DeclaredColumn>();
    const tableType = checker.getTypeOfSymbolAtLocation(table, database);
    for (const column of checker.getPropertiesOfType(tableType)) {
      const type = selectedType(checker, checker.getTypeOfSymbolAtLocation(column, database), database);
      columns.set(column.getName(), describeColumn(checker, type, `${table.getName()}.${column.getName()}`));
    }
    tables.set(table.getName(), columns);
  }
  return tables;
}

/** How the pg driver hands each PostgreSQL type to the application (see the type parsers in shared/db/database.ts). */
export function kindOfPgType(udtName: string): ValueKind | undefined {
  switch (udtName) {
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'uuid':
    case 'date': // parsed to 'YYYY-MM-DD' strings
      return 'string';
    case 'int2':
    case 'int4':
    case 'int8': // parsed to numbers
    case 'float4':
    case 'float8':
    case 'numeric': // parsed to numbers
      return 'number';
    case 'bool':
      return 'boolean';
    case 'timestamptz':
    case 'timestamp':
      return 'date';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'bytea':
      return 'bytes';
    default:
      return undefined;
  }
}
