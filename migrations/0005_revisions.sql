-- Version 5: every record officials may edit carries a revision.
--
-- revision counts a record's changes from 1 (a bulk import sets it for a
-- new record and adds one for a record it rewrites; each edit adds one); an
-- edit names the revision it was made against (If-Match) and the store
-- refuses it when another is stored. updated_at and updated_by say when
-- and by whom the revision was written (updated_by is NULL for imports).
-- The store alone writes these columns. Every collection's table gets
-- them, so that the store writes all tables alike.
--
-- quarantine_zones had a public revision property written by importers;
-- it becomes the store's revision and stays public (read-only).

UPDATE quarantine_zones SET revision = 1 WHERE revision IS NULL OR revision < 1;
ALTER TABLE quarantine_zones
  ALTER COLUMN revision TYPE bigint,
  ALTER COLUMN revision SET NOT NULL,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by text;

DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'contacts', 'medical_facilities', 'epidemic_points', 'lockdown_points',
    'emergency_stations', 'markets', 'shopping_centres', 'convenience_stores',
    'mask_sale_points', 'supermarkets', 'petrol_stations', 'districts', 'wards'] LOOP
    EXECUTE format('ALTER TABLE %I
      ADD COLUMN revision bigint NOT NULL DEFAULT 1,
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN updated_by text', t);
  END LOOP;
END
$do$;
