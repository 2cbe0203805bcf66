-- Version 9: bulk loads of whole day partitions (issue 12).
--
-- bando import checkins fills a day that has no partition yet by loading
-- a plain table first and attaching it after: COPY into a table with no
-- index is many times faster than into a partition that carries the
-- parent's indexes row by row, and ATTACH PARTITION builds the missing
-- indexes in one sort each. The table carries a CHECK constraint equal
-- to the partition's bounds, so that ATTACH skips its validation scan.
-- ATTACH takes only SHARE UPDATE EXCLUSIVE on the parent, so check-ins
-- of other days go on meanwhile; a check-in of the loading day waits on
-- the same advisory lock as ensure_day_partition until the load commits.
-- Both functions run as the connecting user (the owner), in the
-- loading transaction.

-- Makes table tracing.<parent>_pYYYYMMDD, shaped like parent and not yet
-- attached, and returns true; returns false, making nothing, when the
-- day's partition exists.
CREATE FUNCTION tracing.new_day_table(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
  col text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tracing.day_partitioned d WHERE d.parent = new_day_table.parent) THEN
    RAISE EXCEPTION 'tracing: no partitioned table %', parent;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('tracing.' || part));
  IF to_regclass('tracing.' || part) IS NOT NULL THEN
    RETURN false;
  END IF;
  SELECT a.attname INTO STRICT col FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = ('tracing.' || parent)::regclass;
  EXECUTE format('CREATE TABLE tracing.%I (LIKE tracing.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS, '
    'CONSTRAINT day_bounds CHECK (%I IS NOT NULL AND %I >= %L AND %I < %L))',
    part, parent, col, col, (day::timestamp AT TIME ZONE 'UTC'), col, ((day + 1)::timestamp AT TIME ZONE 'UTC'));
  RETURN true;
END
$fn$;

-- Attaches the table new_day_table made as parent's partition of day
-- (building the parent's indexes on it) and drops its bounds constraint,
-- which the partition's bounds now state.
CREATE FUNCTION tracing.attach_day_table(parent text, day date) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  part text := parent || '_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tracing.day_partitioned d WHERE d.parent = attach_day_table.parent) THEN
    RAISE EXCEPTION 'tracing: no partitioned table %', parent;
  END IF;
  EXECUTE format('ALTER TABLE tracing.%I ATTACH PARTITION tracing.%I FOR VALUES FROM (%L) TO (%L)',
    parent, part, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
  EXECUTE format('ALTER TABLE tracing.%I DROP CONSTRAINT day_bounds', part);
END
$fn$;
