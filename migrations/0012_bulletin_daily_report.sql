-- Version 12: the daily report as Bình Dương published it by late 2021, and
-- editors' overrides of ward risk levels (11 is the places branch's).
--
-- One row per day and area (the province, a district or a ward); a NULL
-- figure was not reported. The figures are what the health department
-- publishes, imported from CSV (bando import report, POST
-- /api/editor/reports/import), never personal data.

CREATE TABLE daily_reports (
  day date NOT NULL,
  level text NOT NULL CHECK (level IN ('province', 'district', 'ward')),
  code text NOT NULL CHECK ((level = 'province') = (code = '')),
  cases_health_facility bigint CHECK (cases_health_facility >= 0),
  cases_quarantine_area bigint CHECK (cases_quarantine_area >= 0),
  cases_lockdown_area bigint CHECK (cases_lockdown_area >= 0),
  cases_community bigint CHECK (cases_community >= 0),
  treating_tier1 bigint CHECK (treating_tier1 >= 0),
  treating_tier2 bigint CHECK (treating_tier2 >= 0),
  treating_tier3 bigint CHECK (treating_tier3 >= 0),
  treating_home bigint CHECK (treating_home >= 0),
  discharged bigint CHECK (discharged >= 0),
  deaths bigint CHECK (deaths >= 0),
  mobile_stations bigint CHECK (mobile_stations >= 0),
  doses_allocated bigint CHECK (doses_allocated >= 0),
  dose1 bigint CHECK (dose1 >= 0),
  dose2 bigint CHECK (dose2 >= 0),
  dose3 bigint CHECK (dose3 >= 0),
  doses_12_17 bigint CHECK (doses_12_17 >= 0),
  population bigint CHECK (population >= 0),
  adults bigint CHECK (adults >= 0),
  adults_dose1 bigint CHECK (adults_dose1 >= 0),
  PRIMARY KEY (day, level, code)
);

-- An override applies from from_day to until_day (NULL: open); of two
-- applying to a day, the later set wins. Rows are never updated, so the
-- level of any past day can be computed again.
CREATE TABLE ward_risk_overrides (
  id bigserial PRIMARY KEY,
  ward text NOT NULL CHECK (length(btrim(ward)) > 0),
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  reason text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 500),
  from_day date NOT NULL,
  until_day date CHECK (until_day >= from_day),
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ward_risk_overrides_ward ON ward_risk_overrides (ward, set_at);
