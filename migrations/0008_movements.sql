-- Version 8: shuttle buses, rides and location traces (issue 12).
--
-- Buses and rides are enterprise data: an enterprise (bando.tenant
-- 'e:<id>') reads and writes its own, officials ('*') all. Traces are
-- location histories people shared with tracers: officials only, never
-- enterprises. Persons appear only as person_key (see 0006); riders'
-- employee ids are the enterprise's own codes, not personal numbers.
--
-- Traces are partitioned by UTC day on their time, so that retention
-- drops whole partitions. The day-partition helpers of 0006 now take
-- their list of partitioned tables from tracing.day_partitioned: a later
-- migration that partitions a table by day adds a row there.

CREATE TABLE tracing.day_partitioned (parent text PRIMARY KEY);
INSERT INTO tracing.day_partitioned VALUES ('visits'), ('declarations'), ('traces');

CREATE OR REPLACE FUNCTION tracing.ensure_day_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tracing.day_partitioned d WHERE d.parent = ensure_day_partition.parent) THEN
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

CREATE OR REPLACE FUNCTION tracing.drop_day_partitions(parent text, before timestamptz)
RETURNS TABLE (name text, row_count bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  part record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tracing.day_partitioned d WHERE d.parent = drop_day_partitions.parent) THEN
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

CREATE TABLE tracing.buses (
  enterprise text NOT NULL CHECK (enterprise <> '' AND enterprise <> '*' AND position(':' in enterprise) = 0),
  id text NOT NULL CHECK (id <> '' AND length(id) <= 40),
  route text NOT NULL DEFAULT '',
  seats integer NOT NULL DEFAULT 0 CHECK (seats BETWEEN 0 AND 100),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (enterprise, id)
);

CREATE TABLE tracing.rides (
  enterprise text NOT NULL,
  ride_date date NOT NULL,
  trip text NOT NULL CHECK (trip IN ('am', 'pm')),
  bus_id text NOT NULL,
  person_key bytea NOT NULL CHECK (length(person_key) = 32),
  employee text NOT NULL DEFAULT '',
  seat text NOT NULL DEFAULT '',
  departure timestamptz,
  PRIMARY KEY (enterprise, ride_date, bus_id, trip, person_key),
  FOREIGN KEY (enterprise, bus_id) REFERENCES tracing.buses (enterprise, id)
);
CREATE INDEX rides_person_date ON tracing.rides (person_key, ride_date);
CREATE INDEX rides_date ON tracing.rides (ride_date);

-- One point per person and instant: an upload sent twice adds nothing.
-- The primary key serves reads by person; reads by time go by partition
-- (a day is read whole). No other index and no CHECK: tracing/postgis
-- validates every point before COPY, and each of them cost a quarter of
-- the bulk ingest's speed.
CREATE TABLE tracing.traces (
  person_key bytea NOT NULL,
  at timestamptz NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  accuracy_m double precision NOT NULL,
  PRIMARY KEY (person_key, at)
) PARTITION BY RANGE (at);

ALTER TABLE tracing.buses ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.buses FORCE ROW LEVEL SECURITY;
CREATE POLICY buses_tenant ON tracing.buses FOR ALL
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);

ALTER TABLE tracing.rides ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.rides FORCE ROW LEVEL SECURITY;
CREATE POLICY rides_tenant ON tracing.rides FOR ALL
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);

ALTER TABLE tracing.traces ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.traces FORCE ROW LEVEL SECURITY;
CREATE POLICY traces_officials ON tracing.traces FOR ALL
  USING (tracing.tenant() = '*') WITH CHECK (tracing.tenant() = '*');

GRANT SELECT, INSERT, UPDATE ON tracing.buses, tracing.rides TO bando_tracing;
GRANT SELECT, INSERT ON tracing.traces TO bando_tracing;
