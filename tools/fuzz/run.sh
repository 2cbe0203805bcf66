#!/usr/bin/env bash
# Runs every fuzz target of the parsers of outside input for a few seconds
# each (FUZZTIME, default 3s): tile paths, bbox, datetime, CQL2 text and
# JSON, GeoJSON geometry, cases CSV, workers CSV, traces, rides, QR tokens,
# identities, check-in bodies, and any request to the real router.
# A failure leaves the crasher in the package's testdata/fuzz/<Target>/:
# commit it with the fix, and plain `go test` runs it from then on.
set -euo pipefail
cd "$(dirname "$0")/../.."
FUZZTIME="${FUZZTIME:-3s}"
targets=(
	"./tiles FuzzParseTile"
	"./features/ogc FuzzParseBBox"
	"./features/ogc FuzzParseDatetime"
	"./features/cql2 FuzzParseText"
	"./features/cql2 FuzzParseJSON"
	"./features FuzzGeoJSONGeometry"
	"./features/caseimport FuzzParse"
	"./tracing FuzzParseRoster"
	"./tracing FuzzParseTraces"
	"./tracing FuzzParseRides"
	"./tracing FuzzQRToken"
	"./tracing FuzzParseIdentity"
	"./tracing/tracinghttp FuzzCheckInBody"
	"./cmd/bando FuzzPublicRequest"
)
# run_one fuzzes one "package target" for FUZZTIME.
run_one() {
	read -r pkg name <<<"$1"
	local out
	for attempt in 1 2; do
		out=$(go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel 1 2>&1) && {
			echo "ok   $pkg $name"
			return 0
		}
		# NOTE: on a loaded machine the fuzzing engine itself may time out
		# talking to its workers; that is retried once, a crasher is not.
		if [[ $attempt == 1 ]] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
			continue
		fi
		echo "FAIL $pkg $name"
		echo "$out" | tail -30
		return 1
	done
}
export -f run_one
export FUZZTIME
# Two targets at a time (FUZZJOBS): most of a short run is building and
# starting the test binary.
printf '%s\n' "${targets[@]}" | xargs -P "${FUZZJOBS:-2}" -I{} bash -c 'run_one "{}"'
