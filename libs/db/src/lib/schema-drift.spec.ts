import { readFileSync } from 'node:fs';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { Client } from 'pg';

/**
 * schema.prisma and the SQL migrations describe the same database twice.
 * This test reads schema.prisma with Prisma's own parser (DMMF) and compares
 * it with the catalogue of the database the migrations produced (jest global
 * setup): tables, columns, types with lengths/precision, nullability, the
 * presence of defaults, primary keys, indexes and foreign keys.
 */

/** Indexes that exist only in SQL because Prisma cannot express them. */
const SQL_ONLY_INDEXES = ['signing_keys_single_primary', 'signing_keys_single_pending'];

interface DmmfField {
  name: string;
  dbName?: string;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  isRequired: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]];
  relationFromFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  dbName?: string;
  fields: { name: string }[];
}

const schema = readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8');
const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))).datamodel as {
  models: DmmfModel[];
  indexes: DmmfIndex[];
};

const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (model: DmmfModel, fieldName: string) => {
  const field = model.fields.find((f) => f.name === fieldName) as DmmfField;
  return field.dbName ?? field.name;
};

/** The type Postgres reports (`format_type`) for a Prisma scalar with its native type. */
function expectedSqlType(field: DmmfField): string {
  const [native, args] = field.nativeType ?? [undefined, []];
  switch (native ?? field.type) {
    case 'VarChar':
      return `character varying(${args[0]})`;
    case 'Char':
      return `character(${args[0]})`;
    case 'Timestamptz':
      return `timestamp(${args[0] ?? 6}) with time zone`;
    case 'String':
      return 'text';
    case 'Boolean':
      return 'boolean';
    case 'Int':
      return 'integer';
    case 'Json':
      return 'jsonb';
    case 'Bytes':
      return 'bytea';
    case 'Uuid':
      return 'uuid';
    case 'DateTime':
      return 'timestamp(3) without time zone';
    default:
      throw new Error(`extend expectedSqlType for ${native ?? field.type}`);
  }
}

interface ColumnRow {
  table: string;
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
}

describe('schema.prisma matches the migrated database', () => {
  let db: Client;
  let columns: ColumnRow[];
  let indexes: { table: string; name: string; columns: string[]; unique: boolean; primary: boolean }[];

  beforeAll(async () => {
    db = new Client({ connectionString: process.env['DATABASE_URL'] });
    await db.connect();
    columns = (
      await db.query<ColumnRow>(`
        SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS not_null, a.atthasdef AS has_default
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '_prisma_migrations'`)
    ).rows;
    indexes = (
      await db.query(`
        SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
               array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
        FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`)
    ).rows;
  });
  afterAll(() => db.end());

  it('has exactly the tables of the schema', () => {
    const tables = [...new Set(columns.map((c) => c.table))].sort();
    expect(tables).toEqual(dmmf.models.map(tableOf).sort());
  });

  it.each(dmmf.models.map((m) => [m.name, m] as const))('%s: columns, types, nullability and defaults match', (_name, model) => {
    const actual = columns
      .filter((c) => c.table === tableOf(model))
      .map((c) => ({ column: c.column, type: c.type, notNull: c.not_null, hasDefault: c.has_default }))
      .sort((a, b) => a.column.localeCompare(b.column));
    const expected = model.fields
      .filter((f) => f.kind !== 'object')
      .map((f) => ({ column: f.dbName ?? f.name, type: expectedSqlType(f), notNull: f.isRequired, hasDefault: f.hasDefaultValue }))
      .sort((a, b) => a.column.localeCompare(b.column));
    expect(actual).toEqual(expected);
  });

  it('has the primary keys, unique and plain indexes of the schema, and no others', () => {
    const expected = dmmf.indexes.map((index) => {
      const model = dmmf.models.find((m) => m.name === index.model) as DmmfModel;
      return {
        table: tableOf(model),
        columns: index.fields.map((f) => columnOf(model, f.name)),
        unique: index.type !== 'normal',
        primary: index.type === 'id',
        ...(index.dbName ? { name: index.dbName } : {}),
      };
    });
    const actual = indexes.filter((i) => !SQL_ONLY_INDEXES.includes(i.name));
    const describeIndex = (i: { table: string; columns: string[]; unique: boolean; primary: boolean; name?: string }) =>
      `${i.table}(${i.columns.join(',')})${i.primary ? ' pk' : i.unique ? ' unique' : ''}${i.primary ? '' : ` ${i.name ?? '?'}`}`;
    expect(actual.map(describeIndex).sort()).toEqual(expected.map(describeIndex).sort());
    for (const name of SQL_ONLY_INDEXES) expect(indexes.map((i) => i.name)).toContain(name);
  });

  it('has the foreign keys of the schema relations', async () => {
    const { rows } = await db.query<{ table: string; columns: string[]; target: string }>(`
      SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS target,
             array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
      FROM pg_constraint c WHERE c.contype = 'f'`);
    const expected = dmmf.models.flatMap((model) =>
      model.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields?.length)
        .map((f) => ({
          table: tableOf(model),
          columns: (f.relationFromFields as string[]).map((name) => columnOf(model, name)),
          target: tableOf(dmmf.models.find((m) => m.name === f.type) as DmmfModel),
        })),
    );
    expect(rows).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
  });
});
