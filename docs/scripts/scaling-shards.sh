#!/usr/bin/env bash
# A simulation of the sharded design of docs/SCALING.md ("A national
# deployment"): check-ins distributed by venue, the way Citus would hold
# tracing.visits, made with plain PostgreSQL on one cluster. Usage:
#   [ROUNDS=3] [KEEP=1] bash docs/scripts/scaling-shards.sh [CHECKINS] [SHARDS...]
# (default 2000000 check-ins, shard counts 2 and 4, 3 rounds; KEEP=1 leaves
# the databases, bando_shards_*, for a look: drop them after).
#
# For each shard count N it makes throwaway databases on the cluster: a
# coordinator and N workers. Each worker holds one shard, a plain table
# of the check-ins whose venue hashes to it (PostgreSQL's own hash
# partitioning of venue_id, modulus N); the coordinator's visits table is
# hash-partitioned by venue_id and its partitions are postgres_fdw foreign
# tables on the workers (async_capable, so the workers scan at once). The
# coordinator also holds the same rows in one unpartitioned table, flat.
# The servers use remote estimates: without them the coordinator prices a
# pushed-down join as a cross product of its sides and joins locally,
# fetching every check-in of the shard; with them it asks each worker to
# EXPLAIN, which is planning time that grows with the shards. Times are
# timestamp (UTC), not timestamptz: postgres_fdw ships only immutable
# expressions, and timestamptz ± interval is stable (it depends on
# TimeZone), so a window bound on it would keep the join local.
#
# The world: 15,000 venues with a skewed popularity (venue v has a share
# proportional to 1/(v+50)^0.8), 1,000,000 persons, 21 days (9–29 August
# 2021), stays of 15–180 minutes between 06:00 and 22:00 local time. It
# is generated in SQL: every value of a check-in is a pure function of
# its venue and its number there (hashint8extended with fixed seeds), so
# each database generates its own rows directly and all of them hold the
# same world, whatever N is.
#
# The query is the venue rule of the exposure reference
# (tracing/postgis/exposure_sql.go, sqlRefVenue): for each F0 visit A
# within the window W, P = A ∩ W, E = P with the 30-minute aerosol tail,
# B another person's visit at the same venue starting within MaxStay (24 h)
# of A, O = E ∩ B; a row per non-empty O, close when |O| >= 15 min. Left
# out here: aliases (worker periods), venue categories and per-F0 windows
# (all F0 share one window). The F0 are every 200th person (5,000).
# It runs on flat and on the sharded table in one session, alternating,
# and compares the rows' count and a checksum.
#
# Needs psql, bc, postgres_fdw and a PostgreSQL that trusts postgres@127.0.0.1.
set -euo pipefail
checkins="${1:-2000000}"
shift || true
shards=("$@")
[ ${#shards[@]} -gt 0 ] || shards=(2 4)
rounds="${ROUNDS:-3}"
host="${PGHOST:-127.0.0.1}"
user="${PGUSER:-postgres}"
port="${PGPORT:-5432}"
prefix="bando_shards_$$"
psql=(psql -h "$host" -p "$port" -U "$user" -v ON_ERROR_STOP=1 -qAt)

dbs=()
cleanup() {
	for db in "${dbs[@]}"; do
		"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
	done
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# world WHERE: the check-ins of the venues for which WHERE holds (on v, the
# venue number, and venue_id, its text id), as a SELECT.
world() {
	cat <<SQL
WITH venues AS (
  SELECT v, 'venue-' || v AS venue_id, power(v + 50, -0.8) AS w FROM generate_series(0, 14999) v),
share AS (
  SELECT v, venue_id, floor($checkins * w / sum(w) OVER ()) ::bigint AS n FROM venues),
rows AS (
  SELECT s.venue_id, s.v::bigint * 10000000 + j AS k
  FROM share s, generate_series(0, s.n - 1) j
  WHERE $1),
drawn AS (
  SELECT venue_id,
    abs(hashint8extended(k, 1) % 1000000) AS person,
    timestamp '2021-08-08 23:00' + abs(hashint8extended(k, 2) % 21) * interval '1 day'
      + abs(hashint8extended(k, 3) % 960) * interval '1 minute' AS start_at,
    (15 + abs(hashint8extended(k, 4) % 166)) * interval '1 minute' AS stay
  FROM rows)
SELECT venue_id, decode(md5('person-' || person), 'hex') AS person_key, start_at, start_at + stay AS end_at
FROM drawn
SQL
}

# The venue rule over TABLE, returning the rows' count and checksum.
exposure() {
	cat <<SQL
SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE close) || ' close, checksum ' || coalesce(sum(hashtextextended(x::text, 0)::numeric), 0)
FROM (
  SELECT a.person_key AS f0, b.person_key AS other, a.venue_id, a.start_at AS a_start, b.start_at AS b_start,
    greatest(a.start_at, :'wfrom'::timestamp, b.start_at) AS ostart,
    least(least(a.end_at, :'wto'::timestamp) + interval '30 minutes', b.end_at) AS oend,
    least(least(a.end_at, :'wto'::timestamp) + interval '30 minutes', b.end_at)
      - greatest(a.start_at, :'wfrom'::timestamp, b.start_at) >= interval '15 minutes' AS close
  FROM $1 a
  JOIN $1 b ON b.venue_id = a.venue_id
    AND b.start_at >= a.start_at - interval '24 hours' AND b.start_at < a.start_at + interval '24 hours 30 minutes'
  WHERE a.person_key = ANY (:'f0'::bytea[])
    AND a.start_at < :'wto'::timestamp AND a.start_at >= :'wfrom'::timestamp - interval '24 hours'
    AND a.end_at > :'wfrom'::timestamp
    AND b.end_at > a.start_at AND b.end_at > :'wfrom'::timestamp
    AND b.start_at < a.end_at + interval '30 minutes' AND b.start_at < :'wto'::timestamp + interval '30 minutes'
    AND b.person_key <> a.person_key
) x
SQL
}

echo "uptime: $(uptime)"
echo "$checkins check-ins (15,000 venues, 1,000,000 persons, 21 days); shard counts: ${shards[*]}; $rounds rounds"
for n in "${shards[@]}"; do
	coord="${prefix}_c$n"
	dbs+=("$coord")
	"${psql[@]}" -d postgres -c "CREATE DATABASE $coord"
	"${psql[@]}" -d "$coord" -c "CREATE EXTENSION postgres_fdw"
	"${psql[@]}" -d "$coord" -c "CREATE TABLE visits (venue_id text NOT NULL, person_key bytea NOT NULL, start_at timestamp NOT NULL, end_at timestamp NOT NULL) PARTITION BY HASH (venue_id)"
	pids=()
	for ((i = 0; i < n; i++)); do
		w="${prefix}_c${n}_w$i"
		dbs+=("$w")
		"${psql[@]}" -d postgres -c "CREATE DATABASE $w"
		# Each worker generates its own shard at once (in the background).
		"${psql[@]}" -d "$w" >/dev/null <<SQL &
CREATE TABLE hash_shape (venue_id text) PARTITION BY HASH (venue_id);
CREATE TABLE visits_shard AS $(world "satisfies_hash_partition('hash_shape'::regclass, $n, $i, s.venue_id)");
CREATE INDEX ON visits_shard (venue_id, start_at);
CREATE INDEX ON visits_shard (person_key, start_at);
VACUUM ANALYZE visits_shard;
SQL
		pids+=($!)
		"${psql[@]}" -d "$coord" <<SQL
CREATE SERVER w$i FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$host', port '$port', dbname '$w', async_capable 'true', use_remote_estimate 'true', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER w$i OPTIONS (user '$user');
CREATE FOREIGN TABLE visits_p$i PARTITION OF visits FOR VALUES WITH (MODULUS $n, REMAINDER $i)
  SERVER w$i OPTIONS (table_name 'visits_shard');
SQL
	done
	start=$(date +%s.%N)
	"${psql[@]}" -d "$coord" >/dev/null <<SQL
CREATE TABLE flat AS $(world true);
CREATE INDEX ON flat (venue_id, start_at);
CREATE INDEX ON flat (person_key, start_at);
VACUUM ANALYZE flat;
SQL
	flat_s=$(echo "$(date +%s.%N) - $start" | bc)
	for p in "${pids[@]}"; do wait "$p"; done
	shards_s=$(echo "$(date +%s.%N) - $start" | bc)
	echo
	echo "== $n shards (uptime: $(uptime | sed 's/.*load/load/'))"
	printf 'generated: flat in %.1f s; all shards, in parallel with it, by %.1f s\n' "$flat_s" "$shards_s"
	"${psql[@]}" -d "$coord" -c "ANALYZE visits"
	for ((i = 0; i < n; i++)); do
		"${psql[@]}" -d "${prefix}_c${n}_w$i" -c "SELECT 'worker $i: ' || count(*) || ' check-ins, ' || count(DISTINCT venue_id) || ' venues, ' || pg_size_pretty(pg_total_relation_size('visits_shard')) || ' with indexes' FROM visits_shard"
	done
	"${psql[@]}" -d "$coord" -c "SELECT 'flat: ' || count(*) || ' check-ins, ' || pg_size_pretty(pg_total_relation_size('flat')) || ' with indexes' FROM flat"
	# The same rows? Count and checksum of every check-in, both sides.
	"${psql[@]}" -d "$coord" <<'SQL'
SET enable_partitionwise_aggregate = on;
SELECT 'same rows on both sides: ' || ((SELECT count(*) || ' ' || sum(hashtextextended(t::text, 0)::numeric) FROM flat t)
  = (SELECT count(*) || ' ' || sum(hashtextextended(t::text, 0)::numeric) FROM visits t));
SQL
	"${psql[@]}" -d "$coord" <<SQL
SET enable_partitionwise_join = on;
-- Off: the aggregate here is only the count and checksum, and postgres_fdw
-- (PostgreSQL 15) cannot push a partial aggregate to a worker; a local
-- Partial Aggregate above each shard's join would also keep the Append
-- from running the shards' scans asynchronously.
SET enable_partitionwise_aggregate = off;
SET jit = off;
SET work_mem = '64MB';
\\set wfrom '2021-08-19 17:00'
\\set wto '2021-08-26 17:00'
SELECT '{' || string_agg('\\\\x' || md5('person-' || p), ',') || '}' AS f0 FROM generate_series(0, 999999, 200) p \\gset
\\pset tuples_only on
\\echo plan of the sharded query (the F0 array elided):
\\o | sed -E 's/\\{"[^}]*\\}/{…the F0 keys…}/g'
EXPLAIN (VERBOSE, COSTS OFF) $(exposure visits);
\\o
\\timing on
$(for ((r = 1; r <= rounds; r++)); do
	echo "\\echo round $r, flat:"
	exposure flat
	echo ";"
	echo "\\echo round $r, sharded ($n):"
	exposure visits
	echo ";"
done)
\\timing off
$(for ((r = 1; r <= rounds; r++)); do
	echo "\\echo planning and execution, round $r, flat, then sharded:"
	echo "\\o | grep -E 'Planning Time|Execution Time' | tr '\\n' ' '"
	echo "EXPLAIN (ANALYZE, TIMING OFF)"
	exposure flat
	echo ";"
	echo "EXPLAIN (ANALYZE, TIMING OFF)"
	exposure visits
	echo ";"
	echo "\\o"
	echo "\\echo"
done)
\\echo planning of the sharded query with 50 F0 (every 20000th person) instead of 5000, $rounds times:
SELECT '{' || string_agg('\\\\x' || md5('person-' || p), ',') || '}' AS f0 FROM generate_series(0, 999999, 20000) p \\gset
\\o | grep -E 'Planning Time' | tr '\\n' ' '
$(for ((r = 1; r <= rounds; r++)); do
	echo "EXPLAIN (SUMMARY)"
	exposure visits
	echo ";"
done)
\\o
\\echo
SELECT '{' || string_agg('\\\\x' || md5('person-' || p), ',') || '}' AS f0 FROM generate_series(0, 999999, 200) p \\gset
\\echo EXPLAIN ANALYZE, sharded: the pushed-down join of each shard: rows it returned, time
\\o | grep -E 'Foreign Scan|Relations|Planning Time|Execution Time' | sed -E 's/ *\\(cost=[^)]*\\)//'
EXPLAIN (ANALYZE, VERBOSE) $(exposure visits);
\\o
SQL
	[ -n "${KEEP:-}" ] || cleanup
	dbs=()
done
echo
echo "uptime: $(uptime)"
