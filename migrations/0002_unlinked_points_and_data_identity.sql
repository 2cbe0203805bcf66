-- Version 2.
--
-- 1. Which case visited which epidemiological point, and which case a
--    contact came from, are no longer stored in public tables: listing one
--    case's places is a path, and the link points at a person. (Contact
--    tracing keeps its links in its own, non-public tables.)
-- 2. data_version gets an identity drawn once per database, so that tile
--    caches shared by several databases (one Redis, a restored backup)
--    never mix their tiles: cache keys carry identity and counter.
-- 3. data_version records the geomask cell the public positions were
--    snapped with, so that a changed setting re-masks everyone at start.
ALTER TABLE epidemic_points DROP COLUMN case_code;
ALTER TABLE contacts DROP COLUMN source_case;

ALTER TABLE data_version
  ADD COLUMN identity text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
  ADD COLUMN geomask_m double precision;
