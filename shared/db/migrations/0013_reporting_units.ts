// Frozen in time: Kysely<any>, no application imports. Issue 15 (points 1 and 2): reporting units and the central
// universities (RULES.md "Reporting units").
// - 新疆生产建设兵团 is a reporting unit beside the 31 provinces, with the project's code 660000 (not in GB/T 2260):
//   a row in `provinces`, so its overrides, placement average, plan and province-ranking row work like a province's.
//   Universities whose authority is 新疆生产建设兵团 move to it (universities.province_code is the reporting unit).
// - universities.central: 'ministry' (部属: the authority is a central body) or 'joint' (部省合建: the 14 of
//   data/central-joint-universities.csv), null otherwise; `ledger import universities` sets it from then on.
// - notices and notice recipients may have the scope 'central'.
import { sql, type Kysely } from 'kysely';

const BINGTUAN = '660000';
const JOINT = [
  '4113010075', // 河北大学
  '4114010108', // 山西大学
  '4115010126', // 内蒙古大学
  '4136010403', // 南昌大学
  '4141010459', // 郑州大学
  '4145010593', // 广西大学
  '4146010589', // 海南大学
  '4152010657', // 贵州大学
  '4153010673', // 云南大学
  '4154010694', // 西藏大学
  '4163010743', // 青海大学
  '4164010749', // 宁夏大学
  '4165010755', // 新疆大学
  '4165010759', // 石河子大学
];
const SCOPES = `scope IN ('national', 'central') OR scope ~ '^province:[0-9]{6}$'`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`INSERT INTO provinces (code, name, short_name) VALUES (${BINGTUAN}, '新疆生产建设兵团', '兵团')
            ON CONFLICT (code) DO NOTHING`.execute(db);
  await sql`UPDATE universities SET province_code = ${BINGTUAN}, updated_at = now()
            WHERE btrim(authority) = '新疆生产建设兵团' AND province_code <> ${BINGTUAN}`.execute(db);

  await sql`ALTER TABLE universities ADD COLUMN central text CHECK (central IN ('ministry', 'joint'))`.execute(db);
  await sql`CREATE INDEX universities_central_idx ON universities (central) WHERE central IS NOT NULL`.execute(db);
  await sql`UPDATE universities SET central = 'joint' WHERE code = ANY(${JOINT}::char(10)[])`.execute(db);
  // 部属: the authority's first word (上海市 中国科学院 is 上海市's) is neither a province (full or short name, alone or
  // with its education department) nor 兵团 — shared/domain/scope.ts isCentralAuthority, as of this migration.
  await sql`
    UPDATE universities u SET central = 'ministry'
    WHERE u.central IS NULL AND btrim(u.authority) <> ''
      AND NOT EXISTS (
        SELECT 1 FROM provinces p,
          LATERAL (SELECT split_part(btrim(u.authority), ' ', 1) AS first) f
        WHERE f.first = p.name OR f.first = p.short_name
           OR f.first IN (p.name || '教育厅', p.name || '教委', p.name || '教育委员会', p.name || '人民政府', p.name || '政府',
                          p.short_name || '教育厅', p.short_name || '教委', p.short_name || '教育委员会',
                          p.short_name || '人民政府', p.short_name || '政府'))`.execute(db);

  await sql`ALTER TABLE notices DROP CONSTRAINT notices_scope_check`.execute(db);
  await sql.raw(`ALTER TABLE notices ADD CONSTRAINT notices_scope_check CHECK (${SCOPES})`).execute(db);
  await sql`ALTER TABLE notice_recipients DROP CONSTRAINT notice_recipients_scope_check`.execute(db);
  await sql
    .raw(`ALTER TABLE notice_recipients ADD CONSTRAINT notice_recipients_scope_check CHECK (${SCOPES})`)
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const old = `scope = 'national' OR scope ~ '^province:[0-9]{6}$'`;
  await sql`DELETE FROM notice_recipients WHERE scope = 'central'`.execute(db);
  await sql`DELETE FROM notices WHERE scope = 'central'`.execute(db);
  await sql`ALTER TABLE notice_recipients DROP CONSTRAINT notice_recipients_scope_check`.execute(db);
  await sql
    .raw(`ALTER TABLE notice_recipients ADD CONSTRAINT notice_recipients_scope_check CHECK (${old})`)
    .execute(db);
  await sql`ALTER TABLE notices DROP CONSTRAINT notices_scope_check`.execute(db);
  await sql.raw(`ALTER TABLE notices ADD CONSTRAINT notices_scope_check CHECK (${old})`).execute(db);
  await sql`ALTER TABLE universities DROP COLUMN central`.execute(db);
  await sql`UPDATE universities SET province_code = '650000' WHERE province_code = ${BINGTUAN}`.execute(db);
  await sql`DELETE FROM provinces WHERE code = ${BINGTUAN}`.execute(db);
}
