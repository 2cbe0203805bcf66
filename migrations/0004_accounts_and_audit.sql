-- Version 4: officials' accounts and the tamper-evident audit log.
--
-- audit_log is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE,
-- whoever asks. Each row's hash covers its fields and the previous row's
-- hash (package audit). before/after are json text, kept byte for byte
-- (jsonb would reorder keys and break the hashes). audit_checkpoint holds
-- the head of the chain signed with a key the database never sees; it is
-- rewritten in the same transaction as every append.

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL DEFAULT '',
  action text NOT NULL,
  collection text NOT NULL,
  subject text NOT NULL,
  revision bigint NOT NULL DEFAULT 0,
  before json,
  after json,
  request_id text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  prev text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_subject_idx ON audit_log (collection, subject, seq);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION bando_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$fn$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION bando_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION bando_audit_append_only();

CREATE TABLE audit_checkpoint (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint NOT NULL,
  hash text NOT NULL,
  at timestamptz NOT NULL,
  sig text NOT NULL
);

CREATE TABLE users (
  name text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'editor', 'tracer', 'enterprise', 'viewer')),
  district_code text,
  enterprise_id text,
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_name text NOT NULL REFERENCES users (name),
  hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_name);

CREATE TABLE sessions (
  hash bytea PRIMARY KEY,
  user_name text NOT NULL REFERENCES users (name),
  csrf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_name);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
