#!/usr/bin/env bash
# Runs the browser tests: installs the front-end packages from the lock file,
# checks that the committed dist/ is what the sources build to, starts two
# servers seeded with the demo province (unless BANDO_URL names one) and runs
# the test files in headless Chromium in two lanes at once: the files that
# change the server's data (WRITERS) one after another on the first server,
# every other file one after another on the second, a copy of the first's
# data made before either server starts, so that no file reads what another
# file changed at the same time. Screenshots: test-output/e2e/.
#
# With BANDO_URL (a server of your own) every file runs one after another
# on it, as E2E_FILES's files do on the first server. BANDO_E2E_PORT and
# BANDO_E2E_PORT2 are the servers' ports (18480 and two above it:
# e2e/basemap.test.mjs takes the port after its server's for one of its own).
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
server_pids=()
lane_pids=()
cleanup() {
  for pid in "${lane_pids[@]}" "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# WRITERS are the files that change the server's data (zones, points, cases,
# ward risk, venues, check-ins, accounts, tracing worlds and published
# contacts); they run one after another on the first server, in this order
# (a11y.test.mjs only reads, and runs first there, as it always did, to
# even out the lanes).
# Every other file only reads the demo province and runs on the second
# server, which no writer touches. A new file that changes data goes here.
WRITERS=(a11y admin bulletin checkin-admin checkin tracing)

# start_server starts the built server on port over data, logging to log,
# and adds it to server_pids.
start_server() { # port data log
  env -u BANDO_DATABASE_URL -u BANDO_REDIS_URL \
    BANDO_ADDR="127.0.0.1:$1" BANDO_METRICS_ADDR=off BANDO_DATA_DIR="$2" BANDO_FRAME_ANCESTORS='*' \
    "$tmp/bando" >"$3" 2>&1 &
  server_pids+=($!)
}

# await_ready waits until the server of url (its pid, its log) answers /readyz.
await_ready() { # url pid log
  for _ in $(seq 1 120); do
    curl -sf "$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; echo "e2e: the server of $1 died" >&2; exit 1; }
    sleep 0.5
  done
  curl -sf "$1/readyz" >/dev/null || { cat "$3" >&2; echo "e2e: the server of $1 is not ready" >&2; exit 1; }
}

readers_url=""
if [ -z "${BANDO_URL:-}" ]; then
  port="${BANDO_E2E_PORT:-18480}"
  port2="${BANDO_E2E_PORT2:-$((port + 2))}"
  say "building the server"
  (cd "$root" && go build -o "$tmp/bando" ./cmd/bando)
  # The street base map's tests (e2e/basemap.test.mjs) start a third server
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
  export BANDO_URL="http://127.0.0.1:$port"
  if [ -z "${E2E_FILES:-}" ]; then
    # The readers' server: the same data, copied before the writers' server
    # opens it (a server writes to its file as it starts: a copy made then
    # can be torn).
    readers_url="http://127.0.0.1:$port2"
    cp -a "$tmp/data" "$tmp/data2"
  fi
  say "starting the writers' demo server on $BANDO_URL"
  start_server "$port" "$tmp/data" "$tmp/server.log"
  if [ -n "$readers_url" ]; then
    say "starting the readers' demo server on $readers_url"
    start_server "$port2" "$tmp/data2" "$tmp/server2.log"
    await_ready "$readers_url" "${server_pids[1]}" "$tmp/server2.log"
  fi
  await_ready "$BANDO_URL" "${server_pids[0]}" "$tmp/server.log"
fi

if [ -n "${E2E_FILES:-}" ] || [ -z "$readers_url" ]; then
  say "testing $BANDO_URL"
  node --test --test-concurrency=1 ${E2E_FILES:-e2e/}
  exit
fi

writers=()
readers=()
for name in "${WRITERS[@]}"; do
  [ -f "e2e/$name.test.mjs" ] || { echo "e2e: WRITERS names e2e/$name.test.mjs, which is not there" >&2; exit 1; }
  writers+=("e2e/$name.test.mjs")
done
for f in e2e/*.test.mjs; do
  [[ " ${writers[*]} " == *" $f "* ]] || readers+=("$f")
done

# Each lane's output goes to its own file and is shown whole when the lane
# ends, so that the two never interleave. The lane is node itself (exec), so
# that cleanup's kill stops it and, with it, its browser.
lane() { # name url files...
  local name="$1" url="$2"
  shift 2
  BANDO_URL="$url" exec node --test --test-concurrency=1 "$@" >"$tmp/lane-$name.log" 2>&1
}
say "testing in two lanes: ${#writers[@]} files that write on $BANDO_URL, ${#readers[@]} that only read on $readers_url"
start=$SECONDS
lane writers "$BANDO_URL" "${writers[@]}" &
writers_pid=$!
lane readers "$readers_url" "${readers[@]}" &
readers_pid=$!
lane_pids=("$writers_pid" "$readers_pid")
declare -A lane_of=([$writers_pid]=writers [$readers_pid]=readers)
declare -A rc_of=()
# show prints a lane's output once it has ended, with its exit code.
show() { # name rc
  rc_of[$1]=$2
  say "── lane $1 ended after $((SECONDS - start)) s with exit code $2 ──"
  cat "$tmp/lane-$1.log"
  say "── end of lane $1 ──"
}
set +e
wait -n -p first_pid "$writers_pid" "$readers_pid"
rc=$?
first="${lane_of[$first_pid]}"
if [ "$first" = writers ]; then second_pid=$readers_pid; else second_pid=$writers_pid; fi
show "$first" "$rc"
wait "$second_pid"
show "${lane_of[$second_pid]}" "$?"
set -e
failed=0
for name in writers readers; do
  if [ "${rc_of[$name]}" -ne 0 ]; then
    say "lane $name FAILED (exit code ${rc_of[$name]}); its failures:" >&2
    grep -E '^\s*not ok ' "$tmp/lane-$name.log" >&2 || true
    failed=1
  fi
done
[ "$failed" = 0 ] && say "both lanes passed"
exit "$failed"
