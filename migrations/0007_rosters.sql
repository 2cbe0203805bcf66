-- Version 7: enterprise rosters (issue 12): workers' residence and
-- workplace history, as periods valid from one day to another.
--
-- tracing.worker_periods holds no raw personal value: a worker appears as
-- the keyed hash of their phone (person_key) and of their ID number
-- (alt_person_key, when both were given). Names and raw numbers sit in
-- private.roster_workers, one row per employee (the latest given).
-- Days are Vietnamese calendar days; a period covers [valid_from,
-- valid_to), valid_to NULL while open.
--
-- Tenancy as in 0006: every row carries its enterprise, and the policies
-- let '*' (officials) reach all and 'e:<enterprise>' only its own.
-- Statements are written so that the file can run again harmlessly.

CREATE TABLE IF NOT EXISTS tracing.roster_imports (
  enterprise text PRIMARY KEY CHECK (enterprise <> '' AND enterprise <> '*'),
  last_as_of date NOT NULL,
  imported_at timestamptz NOT NULL,
  imports bigint NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS tracing.worker_periods (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  enterprise text NOT NULL CHECK (enterprise <> '' AND enterprise <> '*'),
  employee_id text NOT NULL,
  person_key bytea NOT NULL CHECK (length(person_key) = 32),
  alt_person_key bytea CHECK (length(alt_person_key) = 32),
  address text NOT NULL DEFAULT '',
  boarding_house text NOT NULL DEFAULT '',
  room text NOT NULL DEFAULT '',
  ward_code text NOT NULL DEFAULT '',
  location geometry(Point, 4326),
  site text NOT NULL DEFAULT '',
  line text NOT NULL DEFAULT '',
  shift text NOT NULL DEFAULT '',
  bus_route text NOT NULL DEFAULT '',
  valid_from date NOT NULL,
  valid_to date,
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
-- One open period per worker; the import's diff joins on it.
CREATE UNIQUE INDEX IF NOT EXISTS worker_periods_open ON tracing.worker_periods (enterprise, employee_id)
  WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS worker_periods_history ON tracing.worker_periods (enterprise, employee_id, valid_from);
CREATE INDEX IF NOT EXISTS worker_periods_person ON tracing.worker_periods (person_key, valid_from);
CREATE INDEX IF NOT EXISTS worker_periods_alt_person ON tracing.worker_periods (alt_person_key, valid_from)
  WHERE alt_person_key IS NOT NULL;

CREATE TABLE IF NOT EXISTS private.roster_workers (
  enterprise text NOT NULL,
  employee_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  id_number text NOT NULL DEFAULT '',
  PRIMARY KEY (enterprise, employee_id)
);

ALTER TABLE tracing.roster_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.roster_imports FORCE ROW LEVEL SECURITY;
ALTER TABLE tracing.worker_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracing.worker_periods FORCE ROW LEVEL SECURITY;
ALTER TABLE private.roster_workers ENABLE ROW LEVEL SECURITY;
ALTER TABLE private.roster_workers FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS roster_imports_tenant ON tracing.roster_imports;
CREATE POLICY roster_imports_tenant ON tracing.roster_imports FOR ALL
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);
DROP POLICY IF EXISTS worker_periods_tenant ON tracing.worker_periods;
CREATE POLICY worker_periods_tenant ON tracing.worker_periods FOR ALL
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);
DROP POLICY IF EXISTS roster_workers_tenant ON private.roster_workers;
CREATE POLICY roster_workers_tenant ON private.roster_workers FOR ALL
  USING (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise)
  WITH CHECK (tracing.tenant() = '*' OR tracing.tenant() = 'e:' || enterprise);

GRANT SELECT, INSERT, UPDATE, DELETE ON tracing.roster_imports, tracing.worker_periods, private.roster_workers
  TO bando_tracing;
