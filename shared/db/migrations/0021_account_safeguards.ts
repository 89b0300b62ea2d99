// Frozen in time: Kysely<any>, no application imports. People's accounts per 等保 2.0 level 3:
// - proxy_grants: 代录, the right of a national, province or central person to write a university's visits, given for
//   one province (every university of that reporting unit) or one university; revoked rows stay as history.
// - users.must_change_password / temporary_password_expires_at: a generated or reset password is temporary, must be
//   changed at first use and stops working after it expires.
// - login_failures: failed sign-ins per (name, address), with the delay and the lock of that pair; login_name_failures:
//   failures of a name from every address in the current hour, for the security administrator's alarm.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE proxy_grants (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    province_code text,
    university_code text,
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by text NOT NULL,
    revoked_at timestamptz,
    revoked_by text,
    CONSTRAINT proxy_grants_one_target CHECK ((province_code IS NULL) <> (university_code IS NULL))
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX proxy_grants_live_idx
    ON proxy_grants (user_id, coalesce(province_code, ''), coalesce(university_code, ''))
    WHERE revoked_at IS NULL`.execute(db);

  await sql`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE users ADD COLUMN temporary_password_expires_at timestamptz`.execute(db);

  await sql`CREATE TABLE login_failures (
    name_key text NOT NULL,
    address text NOT NULL,
    failures integer NOT NULL,
    last_failed_at timestamptz NOT NULL,
    locked_until timestamptz,
    PRIMARY KEY (name_key, address)
  )`.execute(db);
  await sql`CREATE INDEX login_failures_last_idx ON login_failures (last_failed_at)`.execute(db);
  await sql`CREATE TABLE login_name_failures (
    name_key text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    failures integer NOT NULL,
    alarmed_at timestamptz
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS login_name_failures`.execute(db);
  await sql`DROP TABLE IF EXISTS login_failures`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS temporary_password_expires_at`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS must_change_password`.execute(db);
  await sql`DROP TABLE IF EXISTS proxy_grants`.execute(db);
}
