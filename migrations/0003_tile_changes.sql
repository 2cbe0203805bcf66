-- Version 3: every write tells which tiles it made stale.
--
-- A statement-level trigger on every collection's table, run in the writing
-- transaction (so it sees writes of any tool, not only Bando's):
--
-- 1. bumps data_version, the in-memory version servers key memos on;
-- 2. logs the bounds of the old and new geometries of the rows written in
--    tile_changes, or, for a TRUNCATE, more than 512 rows, or a log grown
--    past 4096 bounds, starts a new epoch of the collection in tile_epochs
--    and clears its log;
-- 3. NOTIFYs bando_data with the same (JSON: v version, c collection, then
--    e new epoch, b bounds [xmin, ymin, xmax, ymax], or r when the bounds
--    would not fit a notification: read tile_changes).
--
-- Servers LISTEN and turn the log into tile cache keys (tiles.Freshness):
-- every server, and one started later, builds the same keys from it.

CREATE TABLE tile_epochs (
  collection text PRIMARY KEY,
  epoch bigint NOT NULL
);

CREATE TABLE tile_changes (
  collection text NOT NULL,
  version bigint NOT NULL,
  west double precision NOT NULL,
  south double precision NOT NULL,
  east double precision NOT NULL,
  north double precision NOT NULL
);
CREATE INDEX tile_changes_collection_idx ON tile_changes (collection, version);
CREATE INDEX tile_changes_version_idx ON tile_changes (version);

CREATE FUNCTION bando_note_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  max_bounds constant int := 512;  -- bounds one statement may list
  max_logged constant int := 4096; -- bounds one collection's log may hold
  col constant text := TG_TABLE_NAME;
  boxes box2d[];
  n int := 0;
  v bigint;
  logged bigint;
  payload text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(box2d(geom)) INTO boxes FROM (SELECT geom FROM new_rows LIMIT max_bounds + 1) r;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(box2d(geom)) INTO boxes FROM (SELECT geom FROM old_rows LIMIT max_bounds + 1) r;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(box2d(geom)) INTO boxes FROM (
      (SELECT geom FROM old_rows UNION ALL SELECT geom FROM new_rows) LIMIT max_bounds + 1) r;
  END IF;
  n := coalesce(cardinality(boxes), 0);
  IF TG_OP <> 'TRUNCATE' AND n = 0 THEN
    RETURN NULL; -- nothing written, nothing stale
  END IF;
  UPDATE data_version SET version = version + 1 RETURNING version INTO v;
  SELECT count(*) INTO logged FROM tile_changes WHERE collection = col;
  IF TG_OP = 'TRUNCATE' OR n > max_bounds OR logged + n > max_logged THEN
    UPDATE tile_epochs SET epoch = v WHERE collection = col;
    DELETE FROM tile_changes WHERE collection = col;
    payload := json_build_object('v', v, 'c', col, 'e', v)::text;
  ELSE
    INSERT INTO tile_changes (collection, version, west, south, east, north)
      SELECT col, v, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM unnest(boxes) b;
    payload := json_build_object('v', v, 'c', col, 'b',
      (SELECT json_agg(json_build_array(ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b))) FROM unnest(boxes) b))::text;
    IF octet_length(payload) > 7900 THEN
      payload := json_build_object('v', v, 'c', col, 'r', true)::text;
    END IF;
  END IF;
  PERFORM pg_notify('bando_data', payload);
  RETURN NULL;
END
$fn$;

DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'contacts', 'medical_facilities', 'epidemic_points', 'lockdown_points',
    'emergency_stations', 'quarantine_zones', 'markets', 'shopping_centres', 'convenience_stores',
    'mask_sale_points', 'supermarkets', 'petrol_stations', 'districts', 'wards'] LOOP
    INSERT INTO tile_epochs VALUES (t, (SELECT version FROM data_version));
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bando_note_change()', t || '_inserted', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bando_note_change()', t || '_updated', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bando_note_change()', t || '_deleted', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
      FOR EACH STATEMENT EXECUTE FUNCTION bando_note_change()', t || '_truncated', t);
  END LOOP;
END
$do$;
