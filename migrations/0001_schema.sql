-- Bando schema, version 1: one table per collection of the map.
--
-- Every table has the same frame: a public id, the thinning rank and minimum
-- zoom used by tiles, a folded name for accent-insensitive search, the public
-- geometry in EPSG:4326 and a generated Web Mercator copy for tiles, each with
-- a GiST index. Public properties follow, one column each, named as in the
-- layer catalog (features/collections.go).
--
-- People layers (cases, contacts) store only a geomasked position in the
-- public table; personal fields and the exact location live in the private
-- schema, which no public query names.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA IF NOT EXISTS private;

-- data_version changes with every write; tile caches key on it.
CREATE TABLE data_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL
);
INSERT INTO data_version VALUES (true, 1);

CREATE TABLE cases (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  code text NOT NULL UNIQUE,
  report_date date NOT NULL,
  report_session text CHECK (report_session IN ('morning', 'afternoon', 'evening')),
  origin text NOT NULL CHECK (origin IN ('community', 'returning_citizen', 'foreign_expert', 'illegal_entry')),
  detected_in text CHECK (detected_in IN ('quarantine_area', 'health_facility', 'community_screening')),
  cluster text,
  status text NOT NULL CHECK (status IN ('under_treatment', 'recovered', 'died')),
  status_date date,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX cases_geom_idx ON cases USING gist (geom);
CREATE INDEX cases_geom3857_idx ON cases USING gist (geom3857);
CREATE INDEX cases_name_folded_idx ON cases USING gin (name_folded gin_trgm_ops);

CREATE TABLE contacts (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  tier text NOT NULL CHECK (tier IN ('F1', 'F2')),
  source_case text,
  quarantine_start date,
  quarantine_end date,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX contacts_geom_idx ON contacts USING gist (geom);
CREATE INDEX contacts_geom3857_idx ON contacts USING gist (geom3857);
CREATE INDEX contacts_name_folded_idx ON contacts USING gin (name_folded gin_trgm_ops);

CREATE TABLE medical_facilities (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  kind text CHECK (kind IN ('hospital', 'field_hospital', 'health_station', 'testing_site')),
  beds integer,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX medical_facilities_geom_idx ON medical_facilities USING gist (geom);
CREATE INDEX medical_facilities_geom3857_idx ON medical_facilities USING gist (geom3857);
CREATE INDEX medical_facilities_name_folded_idx ON medical_facilities USING gin (name_folded gin_trgm_ops);
CREATE INDEX medical_facilities_geom3857_z10_idx ON medical_facilities USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX medical_facilities_geom3857_z11_idx ON medical_facilities USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX medical_facilities_geom3857_z12_idx ON medical_facilities USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX medical_facilities_geom3857_z13_idx ON medical_facilities USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE epidemic_points (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  case_code text,
  visited_from date,
  visited_to date,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX epidemic_points_geom_idx ON epidemic_points USING gist (geom);
CREATE INDEX epidemic_points_geom3857_idx ON epidemic_points USING gist (geom3857);
CREATE INDEX epidemic_points_name_folded_idx ON epidemic_points USING gin (name_folded gin_trgm_ops);
CREATE INDEX epidemic_points_geom3857_z10_idx ON epidemic_points USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX epidemic_points_geom3857_z11_idx ON epidemic_points USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX epidemic_points_geom3857_z12_idx ON epidemic_points USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX epidemic_points_geom3857_z13_idx ON epidemic_points USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE lockdown_points (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  level text CHECK (level IN ('hamlet', 'neighbourhood', 'residential_group')),
  "start" date,
  "end" date,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX lockdown_points_geom_idx ON lockdown_points USING gist (geom);
CREATE INDEX lockdown_points_geom3857_idx ON lockdown_points USING gist (geom3857);
CREATE INDEX lockdown_points_name_folded_idx ON lockdown_points USING gin (name_folded gin_trgm_ops);
CREATE INDEX lockdown_points_geom3857_z10_idx ON lockdown_points USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX lockdown_points_geom3857_z11_idx ON lockdown_points USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX lockdown_points_geom3857_z12_idx ON lockdown_points USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX lockdown_points_geom3857_z13_idx ON lockdown_points USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE emergency_stations (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX emergency_stations_geom_idx ON emergency_stations USING gist (geom);
CREATE INDEX emergency_stations_geom3857_idx ON emergency_stations USING gist (geom3857);
CREATE INDEX emergency_stations_name_folded_idx ON emergency_stations USING gin (name_folded gin_trgm_ops);
CREATE INDEX emergency_stations_geom3857_z10_idx ON emergency_stations USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX emergency_stations_geom3857_z11_idx ON emergency_stations USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX emergency_stations_geom3857_z12_idx ON emergency_stations USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX emergency_stations_geom3857_z13_idx ON emergency_stations USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE quarantine_zones (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'lifted')),
  level text CHECK (level IN ('hamlet', 'neighbourhood', 'residential_group')),
  revision integer DEFAULT 1,
  "start" date,
  "end" date,
  district_code text,
  ward_code text,
  geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX quarantine_zones_geom_idx ON quarantine_zones USING gist (geom);
CREATE INDEX quarantine_zones_geom3857_idx ON quarantine_zones USING gist (geom3857);
CREATE INDEX quarantine_zones_name_folded_idx ON quarantine_zones USING gin (name_folded gin_trgm_ops);

CREATE TABLE markets (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX markets_geom_idx ON markets USING gist (geom);
CREATE INDEX markets_geom3857_idx ON markets USING gist (geom3857);
CREATE INDEX markets_name_folded_idx ON markets USING gin (name_folded gin_trgm_ops);
CREATE INDEX markets_geom3857_z10_idx ON markets USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX markets_geom3857_z11_idx ON markets USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX markets_geom3857_z12_idx ON markets USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX markets_geom3857_z13_idx ON markets USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE shopping_centres (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX shopping_centres_geom_idx ON shopping_centres USING gist (geom);
CREATE INDEX shopping_centres_geom3857_idx ON shopping_centres USING gist (geom3857);
CREATE INDEX shopping_centres_name_folded_idx ON shopping_centres USING gin (name_folded gin_trgm_ops);
CREATE INDEX shopping_centres_geom3857_z10_idx ON shopping_centres USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX shopping_centres_geom3857_z11_idx ON shopping_centres USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX shopping_centres_geom3857_z12_idx ON shopping_centres USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX shopping_centres_geom3857_z13_idx ON shopping_centres USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE convenience_stores (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX convenience_stores_geom_idx ON convenience_stores USING gist (geom);
CREATE INDEX convenience_stores_geom3857_idx ON convenience_stores USING gist (geom3857);
CREATE INDEX convenience_stores_name_folded_idx ON convenience_stores USING gin (name_folded gin_trgm_ops);
CREATE INDEX convenience_stores_geom3857_z10_idx ON convenience_stores USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX convenience_stores_geom3857_z11_idx ON convenience_stores USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX convenience_stores_geom3857_z12_idx ON convenience_stores USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX convenience_stores_geom3857_z13_idx ON convenience_stores USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE mask_sale_points (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX mask_sale_points_geom_idx ON mask_sale_points USING gist (geom);
CREATE INDEX mask_sale_points_geom3857_idx ON mask_sale_points USING gist (geom3857);
CREATE INDEX mask_sale_points_name_folded_idx ON mask_sale_points USING gin (name_folded gin_trgm_ops);
CREATE INDEX mask_sale_points_geom3857_z10_idx ON mask_sale_points USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX mask_sale_points_geom3857_z11_idx ON mask_sale_points USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX mask_sale_points_geom3857_z12_idx ON mask_sale_points USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX mask_sale_points_geom3857_z13_idx ON mask_sale_points USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE supermarkets (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX supermarkets_geom_idx ON supermarkets USING gist (geom);
CREATE INDEX supermarkets_geom3857_idx ON supermarkets USING gist (geom3857);
CREATE INDEX supermarkets_name_folded_idx ON supermarkets USING gin (name_folded gin_trgm_ops);
CREATE INDEX supermarkets_geom3857_z10_idx ON supermarkets USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX supermarkets_geom3857_z11_idx ON supermarkets USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX supermarkets_geom3857_z12_idx ON supermarkets USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX supermarkets_geom3857_z13_idx ON supermarkets USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE petrol_stations (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  name text NOT NULL,
  address text,
  phone text,
  opening_hours text,
  district_code text,
  ward_code text,
  geom geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX petrol_stations_geom_idx ON petrol_stations USING gist (geom);
CREATE INDEX petrol_stations_geom3857_idx ON petrol_stations USING gist (geom3857);
CREATE INDEX petrol_stations_name_folded_idx ON petrol_stations USING gin (name_folded gin_trgm_ops);
CREATE INDEX petrol_stations_geom3857_z10_idx ON petrol_stations USING gist (geom3857) WHERE zmin <= 10;
CREATE INDEX petrol_stations_geom3857_z11_idx ON petrol_stations USING gist (geom3857) WHERE zmin <= 11;
CREATE INDEX petrol_stations_geom3857_z12_idx ON petrol_stations USING gist (geom3857) WHERE zmin <= 12;
CREATE INDEX petrol_stations_geom3857_z13_idx ON petrol_stations USING gist (geom3857) WHERE zmin <= 13;

CREATE TABLE districts (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  level text,
  geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX districts_geom_idx ON districts USING gist (geom);
CREATE INDEX districts_geom3857_idx ON districts USING gist (geom3857);
CREATE INDEX districts_name_folded_idx ON districts USING gin (name_folded gin_trgm_ops);

CREATE TABLE wards (
  id text PRIMARY KEY,
  rank bigint NOT NULL,
  zmin smallint NOT NULL DEFAULT 0,
  name_folded text,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  level text,
  district_code text,
  geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX wards_geom_idx ON wards USING gist (geom);
CREATE INDEX wards_geom3857_idx ON wards USING gist (geom3857);
CREATE INDEX wards_name_folded_idx ON wards USING gin (name_folded gin_trgm_ops);

CREATE INDEX cases_report_date_idx ON cases (report_date);
CREATE INDEX contacts_quarantine_idx ON contacts (quarantine_start, quarantine_end);
CREATE INDEX quarantine_zones_period_idx ON quarantine_zones ("start", "end");

CREATE TABLE private.case_persons (
  case_id text PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  name text,
  phone text,
  id_number text,
  address text,
  location geometry(Point, 4326) NOT NULL
);

CREATE TABLE private.contact_persons (
  contact_id text PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
  name text,
  phone text,
  id_number text,
  address text,
  location geometry(Point, 4326) NOT NULL
);
