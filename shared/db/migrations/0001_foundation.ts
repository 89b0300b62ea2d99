// Frozen in time: Kysely<any>, no application imports.
import { sql, type Kysely } from 'kysely';

const PROVINCES: Array<[string, string, string]> = [
  ['110000', '北京市', '北京'],
  ['120000', '天津市', '天津'],
  ['130000', '河北省', '河北'],
  ['140000', '山西省', '山西'],
  ['150000', '内蒙古自治区', '内蒙古'],
  ['210000', '辽宁省', '辽宁'],
  ['220000', '吉林省', '吉林'],
  ['230000', '黑龙江省', '黑龙江'],
  ['310000', '上海市', '上海'],
  ['320000', '江苏省', '江苏'],
  ['330000', '浙江省', '浙江'],
  ['340000', '安徽省', '安徽'],
  ['350000', '福建省', '福建'],
  ['360000', '江西省', '江西'],
  ['370000', '山东省', '山东'],
  ['410000', '河南省', '河南'],
  ['420000', '湖北省', '湖北'],
  ['430000', '湖南省', '湖南'],
  ['440000', '广东省', '广东'],
  ['450000', '广西壮族自治区', '广西'],
  ['460000', '海南省', '海南'],
  ['500000', '重庆市', '重庆'],
  ['510000', '四川省', '四川'],
  ['520000', '贵州省', '贵州'],
  ['530000', '云南省', '云南'],
  ['540000', '西藏自治区', '西藏'],
  ['610000', '陕西省', '陕西'],
  ['620000', '甘肃省', '甘肃'],
  ['630000', '青海省', '青海'],
  ['640000', '宁夏回族自治区', '宁夏'],
  ['650000', '新疆维吾尔自治区', '新疆'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await db.schema
    .createTable('provinces')
    .addColumn('code', 'char(6)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('provinces')
    .values(PROVINCES.map(([code, name, short_name]) => ({ code, name, short_name })))
    .execute();

  await db.schema
    .createTable('universities')
    .addColumn('code', 'char(10)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('province_code', 'char(6)', (c) => c.notNull().references('provinces.code'))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('authority', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level IN ('本科', '专科')`))
    .addColumn('private', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('new_undergrad', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('vocational', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('universities_province_idx').on('universities').column('province_code').execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date', (c) => c.notNull())
    .addColumn('principal_target', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(100)
        .check(sql`principal_target >= 0`),
    )
    .addColumn('new_target', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(100)
        .check(sql`new_target >= 0`),
    )
    .addColumn('behind_factor', 'numeric', (c) =>
      c
        .notNull()
        .defaultTo(0.8)
        .check(sql`behind_factor BETWEEN 0 AND 1`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('campaigns_dates_check', sql`start_date <= end_date`)
    .execute();

  await db.schema
    .createTable('campaign_province_targets')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('province_code', 'char(6)', (c) => c.notNull().references('provinces.code'))
    .addColumn('principal_target', 'integer', (c) => c.check(sql`principal_target >= 0`))
    .addColumn('new_target', 'integer', (c) => c.check(sql`new_target >= 0`))
    .addColumn('behind_factor', 'numeric', (c) => c.check(sql`behind_factor BETWEEN 0 AND 1`))
    .addPrimaryKeyConstraint('campaign_province_targets_pk', ['campaign_id', 'province_code'])
    .execute();

  await db.schema
    .createTable('placement_rates')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('university_code', 'char(10)', (c) => c.notNull().references('universities.code'))
    .addColumn('rate', 'numeric', (c) => c.notNull().check(sql`rate BETWEEN 0 AND 1`))
    .addPrimaryKeyConstraint('placement_rates_pk', ['campaign_id', 'university_code'])
    .execute();

  await db.schema
    .createTable('province_placement_averages')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('province_code', 'char(6)', (c) => c.notNull().references('provinces.code'))
    .addColumn('rate', 'numeric', (c) => c.notNull().check(sql`rate BETWEEN 0 AND 1`))
    .addPrimaryKeyConstraint('province_placement_averages_pk', ['campaign_id', 'province_code'])
    .execute();

  await db.schema
    .createTable('employers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('canonical_name', 'text', (c) => c.notNull())
    .addColumn('normalized_name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'char(18)', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('employers_normalized_idx').on('employers').column('normalized_name').execute();

  await db.schema
    .createTable('employer_spellings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('employer_id', 'bigint', (c) => c.notNull().references('employers.id').onDelete('cascade'))
    .addColumn('spelling', 'text', (c) => c.notNull())
    .addColumn('normalized_name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'char(18)')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE UNIQUE INDEX employer_spellings_unique ON employer_spellings (employer_id, spelling, coalesce(credit_code, ''))`.execute(
    db,
  );
  await db.schema
    .createIndex('employer_spellings_normalized_idx')
    .on('employer_spellings')
    .column('normalized_name')
    .execute();

  await db.schema
    .createTable('prior_employers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('university_code', 'char(10)', (c) => c.notNull().references('universities.code'))
    .addColumn('employer_name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('normalized_name', 'text', (c) => c.notNull())
    .addColumn('employer_id', 'bigint', (c) => c.references('employers.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('prior_employers_unique', ['university_code', 'employer_name', 'credit_code'])
    .execute();
  await db.schema
    .createIndex('prior_employers_employer_idx')
    .on('prior_employers')
    .columns(['employer_id', 'university_code'])
    .execute();
  await db.schema
    .createIndex('prior_employers_normalized_idx')
    .on('prior_employers')
    .column('normalized_name')
    .execute();

  await db.schema
    .createTable('api_clients')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'api_clients',
    'prior_employers',
    'employer_spellings',
    'employers',
    'province_placement_averages',
    'placement_rates',
    'campaign_province_targets',
    'campaigns',
    'universities',
    'provinces',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
