// Frozen in time: Kysely<any>, no application imports. Issue 13, accounts for people: a user signs in to the console
// with a name and a password (argon2id hash) and gets sessions; each user owns an api_clients row of kind 'user', so
// that everything keyed by request.client.id (the inbox's client_id, idempotency per client, rate limits, audit) keeps
// one id space and a user's id can never be taken for a key's. A user row has no key: key_hash is null exactly there.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_clients ADD COLUMN kind text NOT NULL DEFAULT 'key'`.execute(db);
  await sql`ALTER TABLE api_clients ALTER COLUMN key_hash DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE api_clients ADD CONSTRAINT api_clients_kind_check
    CHECK (kind IN ('key', 'user') AND (kind = 'key') = (key_hash IS NOT NULL))`.execute(db);

  await sql`CREATE TABLE users (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    email text,
    password_hash text NOT NULL,
    client_id integer NOT NULL UNIQUE REFERENCES api_clients (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    disabled_at timestamptz
  )`.execute(db);

  // Only a hash of the session id is stored: a copy of this table does not let anyone sign in.
  await sql`CREATE TABLE user_sessions (
    id_hash text PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    address text
  )`.execute(db);
  await sql`CREATE INDEX user_sessions_user_idx ON user_sessions (user_id)`.execute(db);
  await sql`CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS user_sessions`.execute(db);
  await sql`DROP TABLE IF EXISTS users`.execute(db);
  await sql`ALTER TABLE api_clients DROP CONSTRAINT IF EXISTS api_clients_kind_check`.execute(db);
  // Users' rows stay (the inbox refers to them), revoked and with a key hash no key can have (not hex).
  await sql`UPDATE api_clients SET key_hash = 'user:' || id, revoked_at = coalesce(revoked_at, now())
    WHERE key_hash IS NULL`.execute(db);
  await sql`ALTER TABLE api_clients ALTER COLUMN key_hash SET NOT NULL`.execute(db);
  await sql`ALTER TABLE api_clients DROP COLUMN IF EXISTS kind`.execute(db);
}
