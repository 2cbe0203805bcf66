#!/usr/bin/env bash
# Cold tiles of Bando against pg_tileserv on the same PostGIS database, with
# the same tile lists, in one interleaved run (docs/BENCHMARKS.md).
#
#   docs/scripts/bench-vs-pg_tileserv.sh [--seed]
#
# Environment:
#   PG_TILESERV   path of a pg_tileserv binary (required; it is not part of
#                 this repository: build it from its source in a scratch
#                 folder, e.g. `git clone https://github.com/CrunchyData/pg_tileserv
#                 /tmp/pgts && (cd /tmp/pgts && go build -o pg_tileserv .)`)
#   DATABASE_URL  the database both servers read (default
#                 postgres://postgres@127.0.0.1:5432/bando_bench?sslmode=disable)
#   BANDO_PORT, PGTS_PORT   loopback ports of the two servers (8181, 7800)
#   CLIENTS, DURATION, ROUNDS   load of bando bench http (8, 3s, 3)
#   SLOW_REQUESTS, SLOW_CLIENTS  the composite at z11 and z8, where one
#                 pg_tileserv unit takes seconds: composite tiles per target
#                 and the clients sending them, in one round (4, 2)
#
# --seed creates the database when missing, migrates it and seeds the
# province (bando seed --scale province, 1-3 minutes); without it the
# database must hold the province already.
#
# Bando runs without any tile cache (BANDO_MEMORY_CACHE_MB=0, no Redis), so
# every tile is drawn from PostGIS, as pg_tileserv draws it (its CacheTTL is
# 0, a Cache-Control header only).
#
# What is compared:
#   markets z14     /tiles/markets/z/x/y.mvt against /public.markets/z/x/y.pbf
#   composite z14, z11, z8
#                   Bando's one request for all 15 layers against pg_tileserv's
#                   15 single-layer requests (public.<layer>), sent one after the
#                   other by the same client: a unit of work is one composite tile
#                   in both columns, and req/s counts composite tiles.
# The tiles are bando bench's fixed list in the dense south (40 per zoom at
# most; z8 is one tile, z11 a few). Both servers are asked for gzip.
# pg_tileserv draws with its defaults (buffer 256, every column as a
# property, at most 50,000 features a tile, no thinning); Bando by its rules
# (buffer 64, public properties, thinning below z14, cells for people below
# z13, budgets of 10,000 features a layer and 50,000 a tile).
set -euo pipefail

cd "$(dirname "$0")/../.."
: "${PG_TILESERV:?set PG_TILESERV to a pg_tileserv binary (see the head of this script)}"
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bando_bench?sslmode=disable}
BANDO_PORT=${BANDO_PORT:-8181}
PGTS_PORT=${PGTS_PORT:-7800}
CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-3s}
ROUNDS=${ROUNDS:-3}
SLOW_REQUESTS=${SLOW_REQUESTS:-4}
SLOW_CLIENTS=${SLOW_CLIENTS:-2}
LAYERS=cases,contacts,medical_facilities,epidemic_points,lockdown_points,emergency_stations,quarantine_zones,markets,shopping_centres,convenience_stores,mask_sale_points,supermarkets,petrol_stations,districts,wards

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/bando" ./cmd/bando
bando=$work/bando
export BANDO_DATABASE_URL=$DATABASE_URL

if [[ ${1:-} == --seed ]]; then
	db=${DATABASE_URL##*/}
	db=${db%%\?*}
	admin=${DATABASE_URL%/*}/postgres?${DATABASE_URL#*\?}
	psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
		psql "$admin" -c "CREATE DATABASE \"$db\""
	"$bando" migrate
	"$bando" seed --scale province
fi

# pg_tileserv publishes the tables of the public schema as public.<table>.
DATABASE_URL=$DATABASE_URL TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$PGTS_PORT \
	"$PG_TILESERV" >"$work/pg_tileserv.log" 2>&1 &
pids+=($!)
BANDO_ADDR=127.0.0.1:$BANDO_PORT BANDO_MEMORY_CACHE_MB=0 BANDO_REDIS_URL= BANDO_SEED_DEMO=false \
	"$bando" serve >"$work/bando.log" 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$PGTS_PORT/index.json" "http://127.0.0.1:$BANDO_PORT/readyz"; do
	for _ in $(seq 60); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && break
		sleep 0.5
	done
	curl -fsS -o /dev/null "$url" || { cat "$work"/*.log; echo "not ready: $url" >&2; exit 1; }
done

pgts=http://127.0.0.1:$PGTS_PORT
load=(--clients "$CLIENTS" --rounds "$ROUNDS")

echo "== markets z14 (single layer)"
"$bando" bench http "${load[@]}" --duration "$DURATION" --zooms 14 --layers markets \
	--target "bando=http://127.0.0.1:$BANDO_PORT" \
	--target "pg_tileserv=$pgts/public.markets/{z}/{x}/{y}.pbf"

pgts_all=()
for l in ${LAYERS//,/ }; do pgts_all+=(--target "pg_tileserv=$pgts/public.$l/{z}/{x}/{y}.pbf"); done
for z in 14 11 8; do
	run=("${load[@]}" --duration "$DURATION")
	[[ $z != 14 ]] && run=(--clients "$SLOW_CLIENTS" --rounds 1 --requests "$SLOW_REQUESTS")
	echo
	echo "== composite z$z (Bando: one request of 15 layers; pg_tileserv: 15 single-layer requests)"
	"$bando" bench http "${run[@]}" --zooms "$z" --layers "$LAYERS" \
		--target "bando=http://127.0.0.1:$BANDO_PORT" "${pgts_all[@]}"
done
