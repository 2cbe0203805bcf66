#!/usr/bin/env bash
# Runs the browser tests: installs the front-end packages from the lock file,
# checks that the committed dist/ is what the sources build to, starts a
# server seeded with the demo province (unless BANDO_URL names one), and runs
# `node --test e2e/` in headless Chromium. Screenshots: test-output/e2e/.
set -euo pipefail

static="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$static/.." && pwd)"
cd "$static"

say() { echo "e2e: $*"; }

[ -x "${BANDO_CHROMIUM:-/usr/bin/chromium}" ] || { echo "e2e: no Chromium at ${BANDO_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)" >&2; exit 1; }

say "npm ci"
npm ci --no-audit --no-fund --loglevel=error

say "type-checking the front end"
npm run --silent check

say "checking that dist/ matches the sources"
npm run --silent build >/dev/null
if ! git -C "$root" diff --quiet -- static/dist || [ -n "$(git -C "$root" ls-files --others --exclude-standard -- static/dist)" ]; then
  git -C "$root" status --short -- static/dist >&2
  echo "e2e: static/dist is stale: run 'npm run build' in static/ and commit dist/" >&2
  exit 1
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${BANDO_URL:-}" ]; then
  port="${BANDO_E2E_PORT:-18480}"
  say "building and starting a demo server on 127.0.0.1:$port"
  (cd "$root" && go build -o "$tmp/bando" ./cmd/bando)
  # The street base map's tests (e2e/basemap.test.mjs) start a second server
  # of this binary over a small archive of Bình Dương the fixture tool writes.
  (cd "$root" && go run ./tiles/basemap/basemaptest/mkfixture "$tmp/basemap.pmtiles")
  export BANDO_E2E_BIN="$tmp/bando" BANDO_E2E_BASEMAP="$tmp/basemap.pmtiles"
  # The editor's tests sign in as these (e2e/admin.test.mjs ACCOUNTS). The
  # embedded store admits one process at a time: the accounts are written
  # before the server opens the data directory.
  say "creating the editor's test accounts"
  add_user() { # name password role [district]
    printf '%s\n' "$2" | env -u BANDO_DATABASE_URL BANDO_DATA_DIR="$tmp/data" \
      "$tmp/bando" user add --name "$1" --role "$3" ${4:+--district "$4"} --password-stdin >/dev/null
  }
  add_user e2e-admin e2e-admin-password-1 admin
  add_user e2e-district e2e-district-password-1 editor 718
  add_user e2e-viewer e2e-viewer-password-1 viewer
  # The QR check-in tests (e2e/checkin*.test.mjs, checkin-lib.mjs ENTERPRISE)
  # also sign in as an enterprise that registers its own venues.
  printf '%s\n' e2e-enterprise-password-1 | env -u BANDO_DATABASE_URL BANDO_DATA_DIR="$tmp/data" \
    "$tmp/bando" user add --name e2e-enterprise --role enterprise --enterprise e2e-factory --password-stdin >/dev/null
  export BANDO_E2E_ACCOUNTS=1
  # e2e/pmtiles.test.mjs reads a PMTiles archive of the demo province: seed
  # it as the server's first start would (demo, seed 1), export, then serve.
  say "seeding the demo province and exporting a PMTiles archive of it"
  env -u BANDO_DATABASE_URL BANDO_DATA_DIR="$tmp/data" "$tmp/bando" seed --scale demo >/dev/null
  export BANDO_E2E_PMTILES="$tmp/bd.pmtiles" BANDO_E2E_PMTILES_LAYERS=cases,districts BANDO_E2E_PMTILES_DATE=2021-07-05
  env -u BANDO_DATABASE_URL BANDO_DATA_DIR="$tmp/data" "$tmp/bando" tiles export --pmtiles "$BANDO_E2E_PMTILES" \
    --layers "$BANDO_E2E_PMTILES_LAYERS" --zoom 8-12 --date "$BANDO_E2E_PMTILES_DATE" >/dev/null
  env -u BANDO_DATABASE_URL -u BANDO_REDIS_URL \
    BANDO_ADDR="127.0.0.1:$port" BANDO_METRICS_ADDR=off BANDO_DATA_DIR="$tmp/data" BANDO_FRAME_ANCESTORS='*' \
    "$tmp/bando" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  export BANDO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    curl -sf "$BANDO_URL/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; echo "e2e: the server died" >&2; exit 1; }
    sleep 0.5
  done
  curl -sf "$BANDO_URL/readyz" >/dev/null || { cat "$tmp/server.log" >&2; echo "e2e: the server is not ready" >&2; exit 1; }
fi

say "testing $BANDO_URL"
node --test --test-concurrency=1 ${E2E_FILES:-e2e/}
