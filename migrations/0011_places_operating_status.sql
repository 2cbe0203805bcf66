-- Version 11 (branch places): operating status of the lookup places, the
-- kinds and free beds of medical facilities, and addresses folded for search.
--
-- Lookup places carry an operating status under the restrictions of the day
-- (open, closed, open with restrictions, delivery only) and a delivery phone;
-- opening_hours was already there, read by features/hours. Medical
-- facilities gain field hospital tiers, vaccination sites and mobile medical
-- stations, and free beds, never more than the beds. address_folded is
-- features.Fold of the address, written by the stores beside name_folded, so
-- that search finds a place by its street without the accents.

ALTER TABLE markets
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE shopping_centres
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE convenience_stores
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE mask_sale_points
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE supermarkets
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE petrol_stations
  ADD COLUMN status text CHECK (status IN ('open', 'closed', 'open_restricted', 'delivery_only')),
  ADD COLUMN delivery_phone text;
ALTER TABLE medical_facilities DROP CONSTRAINT medical_facilities_kind_check;
ALTER TABLE medical_facilities
  ADD CONSTRAINT medical_facilities_kind_check CHECK (kind IN ('hospital', 'field_hospital', 'health_station',
    'testing_site', 'field_hospital_tier1', 'field_hospital_tier2', 'field_hospital_tier3', 'vaccination_site',
    'mobile_medical_station')),
  ADD COLUMN free_beds integer CHECK (free_beds >= 0),
  ADD CONSTRAINT medical_facilities_free_beds_within_beds CHECK (free_beds <= beds);

ALTER TABLE cases ADD COLUMN address_folded text;
ALTER TABLE contacts ADD COLUMN address_folded text;
ALTER TABLE medical_facilities ADD COLUMN address_folded text;
ALTER TABLE epidemic_points ADD COLUMN address_folded text;
ALTER TABLE lockdown_points ADD COLUMN address_folded text;
ALTER TABLE emergency_stations ADD COLUMN address_folded text;
ALTER TABLE quarantine_zones ADD COLUMN address_folded text;
ALTER TABLE markets ADD COLUMN address_folded text;
ALTER TABLE shopping_centres ADD COLUMN address_folded text;
ALTER TABLE convenience_stores ADD COLUMN address_folded text;
ALTER TABLE mask_sale_points ADD COLUMN address_folded text;
ALTER TABLE supermarkets ADD COLUMN address_folded text;
ALTER TABLE petrol_stations ADD COLUMN address_folded text;
ALTER TABLE districts ADD COLUMN address_folded text;
ALTER TABLE wards ADD COLUMN address_folded text;

CREATE INDEX medical_facilities_address_folded_idx ON medical_facilities USING gin (address_folded gin_trgm_ops);
CREATE INDEX epidemic_points_address_folded_idx ON epidemic_points USING gin (address_folded gin_trgm_ops);
CREATE INDEX lockdown_points_address_folded_idx ON lockdown_points USING gin (address_folded gin_trgm_ops);
CREATE INDEX emergency_stations_address_folded_idx ON emergency_stations USING gin (address_folded gin_trgm_ops);
CREATE INDEX markets_address_folded_idx ON markets USING gin (address_folded gin_trgm_ops);
CREATE INDEX shopping_centres_address_folded_idx ON shopping_centres USING gin (address_folded gin_trgm_ops);
CREATE INDEX convenience_stores_address_folded_idx ON convenience_stores USING gin (address_folded gin_trgm_ops);
CREATE INDEX mask_sale_points_address_folded_idx ON mask_sale_points USING gin (address_folded gin_trgm_ops);
CREATE INDEX supermarkets_address_folded_idx ON supermarkets USING gin (address_folded gin_trgm_ops);
CREATE INDEX petrol_stations_address_folded_idx ON petrol_stations USING gin (address_folded gin_trgm_ops);
