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
  /** Migration 0021: a generated or reset password; every route but the session's answers 403 until it is changed. */
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  /** Migration 0021: when a temporary password stops signing in; null for a password the person chose. */
  temporary_password_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
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

/** Migration 0021: 代录 grants, for one province (reporting unit) or one university; revoked rows stay. */
export interface ProxyGrantTable {
  id: Generated<number>;
  user_id: number;
  province_code: string | null;
  university_code: string | null;
  granted_at: Timestamp;
  granted_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** Migration 0021: failed sign-ins of one name from one address, and the lock of that pair. */
export interface LoginFailureTable {
  /** The name as typed, NFC and lower case. */
  name_key: string;
  address: string;
  failures: number;
  last_failed_at: Date;
  locked_until: Date | null;
}

/** Migration 0021: failed sign-ins of one name from every address in the hour from window_start. */
export interface LoginNameFailureTable {
  name_key: string;
  window_start: Date;
  failures: number;
  alarmed_at: Date | null;
}

export interface AccountTables {
  users: UserTable;
  user_sessions: UserSessionTable;
  proxy_grants: ProxyGrantTable;
  login_failures: LoginFailureTable;
  login_name_failures: LoginNameFailureTable;
}
