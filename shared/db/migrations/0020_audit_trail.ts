// Frozen in time: Kysely<any>, no application imports.
//
// The audit trail (审计日志): one row per recorded action, written in the transaction of the change it records.
// audit_head holds the chain's last seq and hash; appending locks that one row, so seqs have no gaps (a rolled-back
// append takes its seq back with it) and the chain's order is the order of commits. Rows cannot be updated or deleted
// through SQL (a trigger refuses it, whatever the role); someone who disables the trigger is still found out, because
// every row carries the hash of the one before (`ledger audit verify`).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    CREATE TABLE audit_log (
      seq bigint PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'key', 'system', 'anonymous')),
      actor_client_id integer,
      actor_name text,
      address text,
      action text NOT NULL,
      target text,
      before jsonb,
      after jsonb,
      result text NOT NULL CHECK (result IN ('ok', 'denied', 'failed')),
      detail jsonb,
      prev_hash text NOT NULL,
      hash text NOT NULL
    );
    CREATE INDEX audit_log_at_idx ON audit_log (at);
    CREATE INDEX audit_log_action_idx ON audit_log (action, at);
    CREATE INDEX audit_log_actor_idx ON audit_log (actor_client_id, at);

    CREATE TABLE audit_head (
      id smallint PRIMARY KEY CHECK (id = 1),
      seq bigint NOT NULL,
      hash text NOT NULL
    );
    INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the audit trail is append-only: % on audit_log is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    -- The head only moves forward; it is never deleted.
    CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 THEN
        RAISE EXCEPTION 'audit_head only advances one entry at a time' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
      FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
    CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    DROP TABLE IF EXISTS audit_log;
    DROP TABLE IF EXISTS audit_head;
    DROP FUNCTION IF EXISTS audit_log_append_only();
    DROP FUNCTION IF EXISTS audit_head_forward_only();
  `,
    )
    .execute(db);
}
