// Frozen in time: Kysely<any>, no application imports. Issue 15, points 8 and 10: a campaign says which campaign came
// before it (`ledger campaign create --prior-from ID`), so the summary (总结) compares with it and the demand ledger
// (重点单位数据库) grows year on year. A campaign cannot follow itself; deleting the earlier one unlinks the later.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE campaigns ADD COLUMN previous_campaign_id text
    REFERENCES campaigns (id) ON DELETE SET NULL
    CONSTRAINT campaigns_previous_not_self CHECK (previous_campaign_id <> id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE campaigns DROP COLUMN previous_campaign_id`.execute(db);
}
