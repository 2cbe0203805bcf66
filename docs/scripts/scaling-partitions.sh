#!/usr/bin/env bash
# Why check-ins are partitioned by day (docs/SCALING.md): the daily purge of
# the day past retention, as Bando does it (drop that day's partition) and
# as one unpartitioned table would (DELETE), and a venue-window query on
# each, on a throwaway database. Usage:
#   bash docs/scripts/scaling-partitions.sh [ROWS_PER_DAY] [DAYS]
# (default 100000 rows a day for 22 days: 21 days kept and the one purged).
# Needs psql and a PostgreSQL that trusts postgres@127.0.0.1.
set -euo pipefail
per_day="${1:-100000}"
days="${2:-22}"
db="bando_scaling_$$"
psql=(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -v ON_ERROR_STOP=1 -qAt)
"${psql[@]}" -d postgres -c "CREATE DATABASE $db"
trap '"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
echo "uptime: $(uptime)"
echo "$per_day check-ins a day, $days days: $((per_day * days)) rows in each table"
"${psql[@]}" -d "$db" <<SQL
CREATE TABLE flat (id bigint, venue_id text, person_key bytea, start_at timestamptz NOT NULL, stay_minutes int);
CREATE TABLE parted (LIKE flat) PARTITION BY RANGE (start_at);
DO \$\$ BEGIN
  FOR d IN 0..$days - 1 LOOP
    EXECUTE format('CREATE TABLE parted_%s PARTITION OF parted FOR VALUES FROM (%L) TO (%L)', d,
      timestamptz '2021-08-01 00:00Z' + d * interval '1 day', timestamptz '2021-08-01 00:00Z' + (d + 1) * interval '1 day');
  END LOOP;
END \$\$;
INSERT INTO flat SELECT i, 'v' || (i % 1500), decode(md5(i::text), 'hex'),
  timestamptz '2021-08-01 00:00Z' + (i / $per_day) * interval '1 day' + (i % 1440) * interval '1 minute', 30
  FROM generate_series(0, $per_day * $days - 1) i;
INSERT INTO parted SELECT * FROM flat;
CREATE INDEX ON flat (venue_id, start_at);
CREATE INDEX ON parted (venue_id, start_at);
VACUUM ANALYZE flat;
VACUUM ANALYZE parted;
CREATE TABLE timings (what text, ms numeric);
DO \$\$
DECLARE t timestamptz; n bigint;
BEGIN
  t := clock_timestamp();
  PERFORM count(*) FROM flat WHERE venue_id = 'v42' AND start_at >= timestamptz '2021-08-20 00:00Z' AND start_at < timestamptz '2021-08-21 00:00Z';
  INSERT INTO timings VALUES ('venue, one day: unpartitioned', extract(epoch FROM clock_timestamp() - t) * 1000);
  t := clock_timestamp();
  PERFORM count(*) FROM parted WHERE venue_id = 'v42' AND start_at >= timestamptz '2021-08-20 00:00Z' AND start_at < timestamptz '2021-08-21 00:00Z';
  INSERT INTO timings VALUES ('venue, one day: by day', extract(epoch FROM clock_timestamp() - t) * 1000);
  t := clock_timestamp();
  DELETE FROM flat WHERE start_at < timestamptz '2021-08-02 00:00Z';
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO timings VALUES (format('purge a day (%s rows): DELETE, unpartitioned', n), extract(epoch FROM clock_timestamp() - t) * 1000);
  t := clock_timestamp();
  DROP TABLE parted_0;
  INSERT INTO timings VALUES ('purge a day: DROP its partition', extract(epoch FROM clock_timestamp() - t) * 1000);
END \$\$;
SELECT what || ': ' || round(ms, 1) || ' ms' FROM timings;
SQL
