-- Version 6: contact-tracing data (issue 12): venues, persons, visits
-- (check-ins) and health declarations.
--
-- Public schema "tracing" holds no raw personal value: persons appear only
-- as a keyed hash (person_key, an HMAC the server computes). Raw phone and
-- ID numbers, names and venue contacts sit in schema "private".
--
-- Visits and declarations are partitioned by day (UTC) on their start
-- time; tracing/postgis creates partitions ahead as data arrives and
-- retention drops whole partitions.
--
-- Tenancy: the store runs every statement on these tables as role
-- bando_tracing (SET LOCAL ROLE, which obeys row-level security even when
-- the connecting user owns the tables or is a superuser) with
-- bando.tenant set per transaction: '*' for officials, 'e:<enterprise>'
-- for an enterprise, 'v:<venue id>' for a verified venue token. Unset or
-- empty sees nothing.

CREATE SCHEMA IF NOT EXISTS tracing;
CREATE SCHEMA IF NOT EXISTS private;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bando_tracing') THEN
    CREATE ROLE bando_tracing NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of the same server created it at the same time
END
$do$;

DO $do$
BEGIN
  IF NOT pg_has_role(current_user, 'bando_tracing', 'MEMBER') THEN
    EXECUTE format('GRANT bando_tracing TO %I', current_user);
  END IF;
END
$do$;

CREATE FUNCTION tracing.tenant() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('bando.tenant', true), '') $$;

CREATE TABLE tracing.venues (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  name text NOT NULL,
  category text NOT NULL,
  address text NOT NULL DEFAULT '',
  ward_code text NOT NULL,
  location geometry(Point, 4326) NOT NULL,
  default_stay_minutes integer NOT NULL CHECK (default_stay_minutes BETWEEN 1 AND 1440),
  enterprise text CHECK (enterprise <> '' AND enterprise <> '*'),
  registered_by text NOT NULL,
  token_generation bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX venues_ward ON tracing.venues (ward_code);
CREATE INDEX venues_enterprise ON tracing.venues (enterprise);

CREATE TABLE private.venue_contacts (
  venue_id text PRIMARY KEY REFERENCES tracing.venues (id) ON DELETE CASCADE,
  contact text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT ''
);

CREATE TABLE private.tracing_persons (
  person_key bytea PRIMARY KEY CHECK (length(person_key) = 32),
  name text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  id_number text NOT NULL DEFAULT '',
  first_seen timestamptz NOT NULL
);

CREATE SEQUENCE tracing.visits_id_seq;
CREATE SEQUENCE tracing.declarations_id_seq;

CREATE TABLE tracing.visits (
  id bigint NOT NULL DEFAULT nextval('tracing.visits_id_seq'),
  venue_id text NOT NULL,
  person_key bytea NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz,
  stay_minutes integer NOT NULL,
  closing text NOT NULL DEFAULT '',
  source text NOT NULL,
  declaration_id bigint,
  PRIMARY KEY (id, start_at),
  CHECK (end_at IS NULL OR (end_at >= start_at AND end_at <= start_at + interval '24 hours'))
) PARTITION BY RANGE (start_at);
CREATE INDEX visits_person_time ON tracing.visits (person_key, start_at);
CREATE INDEX visits_venue_time ON tracing.visits (venue_id, start_at);

CREATE TABLE tracing.declarations (
  id bigint NOT NULL DEFAULT nextval('tracing.declarations_id_seq'),
  person_key bytea NOT NULL,
  venue_id text,
  declared_at timestamptz NOT NULL,
  symptoms text[] NOT NULL DEFAULT '{}',
  contact_f0 boolean NOT NULL DEFAULT false,
  travel text NOT NULL DEFAULT '',
  PRIMARY KEY (id, declared_at)
) PARTITION BY RANGE (declared_at);
CREATE INDEX visits_open ON tracing.visits (start_at) WHERE end_at IS NULL;
CREATE INDEX declarations_person_time ON tracing.declarations (person_key, declared_at);

-- Day partitions, named <table>_pYYYYMMDD and covering that UTC day.
-- The store calls these as the connecting user (the owner), never as
-- bando_tracing. An advisory lock makes two servers creating the same
-- partition at once harmless.
CREATE FUNCTION tracing.ensure_day_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF parent NOT IN ('visits', 'declarations') THEN
    RAISE EXCEPTION 'tracing: no partitioned table %', parent;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('tracing.' || part));
  IF to_regclass('tracing.' || part) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE tracing.%I PARTITION OF tracing.%I FOR VALUES FROM (%L) TO (%L)',
    part, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
  RETURN true;
END
$fn$;

-- Drops the day partitions of parent that end at or before `before`,
-- returning each one's name and row count.
CREATE FUNCTION tracing.drop_day_partitions(parent text, before timestamptz)
RETURNS TABLE (name text, row_count bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  part record;
BEGIN
  IF parent NOT IN ('visits', 'declarations') THEN
    RAISE EXCEPTION 'tracing: no partitioned table %', parent;
  END IF;
  FOR part IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace n ON n.oid = p.relnamespace
    WHERE n.nspname = 'tracing' AND p.relname = parent
      AND c.relname ~ ('^' || parent || '_p[0-9]{8}$')
      AND ((to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC') <= before
    ORDER BY c.relname
  LOOP
    name := part.relname;
    EXECUTE format('SELECT count(*) FROM tracing.%I', part.relname) INTO row_count;
    EXECUTE format('DROP TABLE tracing.%I', part.relname);
    RETURN NEXT;
  END LOOP;
END
$fn$;

-- Row-level security. FORCE makes the owner obey it too; SET LOCAL ROLE
-- bando_tracing makes a superuser obey it.
ALTER TABLE tracing.venues ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.venues FORCE ROW LEVEL SECURITY;
CREATE POLICY venues_read ON tracing.venues FOR SELECT USING (
  tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise OR tracing.tenant() = 'v:' || id);
CREATE POLICY venues_insert ON tracing.venues FOR INSERT WITH CHECK (
  tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);
CREATE POLICY venues_update ON tracing.venues FOR UPDATE
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);

ALTER TABLE private.venue_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE private.venue_contacts FORCE ROW LEVEL SECURITY;
-- Contacts follow their venue, except for token holders (scanners).
CREATE POLICY venue_contacts_owner ON private.venue_contacts FOR ALL
  USING (tracing.tenant() NOT LIKE 'v:%' AND EXISTS (SELECT 1 FROM tracing.venues v WHERE v.id = venue_id))
  WITH CHECK (tracing.tenant() NOT LIKE 'v:%' AND EXISTS (SELECT 1 FROM tracing.venues v WHERE v.id = venue_id));

ALTER TABLE tracing.visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.visits FORCE ROW LEVEL SECURITY;
CREATE POLICY visits_tenant ON tracing.visits FOR ALL
  USING (tracing.tenant() = '*' OR EXISTS (SELECT 1 FROM tracing.venues v WHERE v.id = venue_id))
  WITH CHECK (tracing.tenant() = '*' OR EXISTS (SELECT 1 FROM tracing.venues v WHERE v.id = venue_id));

ALTER TABLE private.tracing_persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE private.tracing_persons FORCE ROW LEVEL SECURITY;
-- Officials read everyone; an enterprise reads (and the store masks) the
-- persons who visited its venues; anyone scoped may add a person.
CREATE POLICY persons_read ON private.tracing_persons FOR SELECT USING (
  tracing.tenant() = '*' OR (tracing.tenant() LIKE 'e:%'
    AND EXISTS (SELECT 1 FROM tracing.visits v WHERE v.person_key = tracing_persons.person_key)));
CREATE POLICY persons_insert ON private.tracing_persons FOR INSERT WITH CHECK (tracing.tenant() <> '');
CREATE POLICY persons_update ON private.tracing_persons FOR UPDATE
  USING (tracing.tenant() = '*') WITH CHECK (tracing.tenant() = '*');

ALTER TABLE tracing.declarations ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.declarations FORCE ROW LEVEL SECURITY;
-- Declarations are health data: officials read them; a venue token or an
-- official writes them; enterprises neither. (The store takes ids from the
-- sequence first, since RETURNING would need the read policy.)
CREATE POLICY declarations_read ON tracing.declarations FOR SELECT USING (tracing.tenant() = '*');
CREATE POLICY declarations_insert ON tracing.declarations FOR INSERT WITH CHECK (
  tracing.tenant() = '*' OR (tracing.tenant() = 'v:' || venue_id));

GRANT USAGE ON SCHEMA tracing, private TO bando_tracing;
GRANT SELECT, INSERT, UPDATE ON tracing.venues, private.venue_contacts, private.tracing_persons TO bando_tracing;
GRANT SELECT, INSERT, UPDATE ON tracing.visits TO bando_tracing;
GRANT SELECT, INSERT ON tracing.declarations TO bando_tracing;
GRANT EXECUTE ON FUNCTION tracing.tenant() TO bando_tracing;
GRANT USAGE ON SEQUENCE tracing.visits_id_seq, tracing.declarations_id_seq TO bando_tracing;
