// Table types of migration 0009_console_accounts: people's accounts and their console sessions.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UserTable {
  id: Generated<number>;
  name: string;
  email: string | null;
  /** argon2id, in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash). */
  password_hash: string;
  /** The user's own api_clients row (kind 'user'): what request.client.id is for this user. */
  client_id: number;
  created_at: Timestamp;
  password_changed_at: Timestamp;
  last_login_at: Date | null;
  disabled_at: Date | null;
}

export interface UserSessionTable {
  /** sha256 hex of the session id sent in the cookie; the id itself is never stored. */
  id_hash: string;
  user_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The absolute end of the session (login + SESSION_ABSOLUTE_SECONDS). */
  expires_at: Timestamp;
  address: string | null;
}

export interface AccountTables {
  users: UserTable;
  user_sessions: UserSessionTable;
}
