#!/usr/bin/env bash
# run.sh mutation-tests one package at a time with gremlins and scores the result
# against the equivalent mutants recorded in docs/mutation-equivalents.txt.
#
#   tools/mutate/run.sh features tiles          # or: make mutate PACKAGES="tiles"
#
# Each package is tested in a throwaway copy of the module in which the
# package's own sub-packages that its tests do not need are removed, so that
# gremlins' coverage run (`go test -cover ./pkg/...`) covers only the package
# itself and not, say, the PostGIS store under features/. One worker, `go test
# -p 1`: mutation runs are CPU-heavy and the build machines are shared.
# MUTATE_SAMPLE=N (or MUTATE_SAMPLE_<pkg with / as _>=N) tests a random
# sample of N mutants (tools/mutate/sample; MUTATE_SEED picks it) instead
# of all of them. MUTATE_EXCLUDE_<pkg with / as _> is a gremlins --exclude-files regexp for
# the files of a package left out of its score, relative to the package's
# directory (see the Makefile). MUTATE_TIMEOUT (default 60s) bounds one
# sampled test run; a run cut short counts as killed, so give slow packages
# room (tracing/exposure: 300s). MUTATE_REUSE=1 re-scores existing full
# reports instead of running gremlins again. MUTATE_RECHECK=1 runs only the
# LIVED and NOT COVERED mutants of the existing report (full or sampled)
# again, keeping the rest: after adding tests, the survivors are all that
# can change.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
mod=$(go list -m)
gremlins=${GREMLINS:-$(go env GOPATH)/bin/gremlins}
if [ ! -x "$gremlins" ]; then
	echo "gremlins not found: go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0" >&2
	exit 1
fi
out=${MUTATE_OUT:-$root/.mutate}
# Tests that read the shared data find it by BANDO_SHARED_DIR in the copies.
if [ -d "$root/../shared" ]; then export BANDO_SHARED_DIR=$(cd "$root/../shared" && pwd -P); fi
mkdir -p "$out"
status=0
for pkg in "$@"; do
	pkg=${pkg#./}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$tmp"
	needed=$(go list -deps -test "./$pkg" | { grep "^$mod/$pkg/" || true; } | sed "s|^$mod/||; s| .*||" | sort -u)
	for dir in $(cd "$tmp" && find "$pkg" -mindepth 1 -type d -not -path '*/testdata*' | sort -r); do
		if ! grep -qx "$dir" <<<"$needed" && [ -z "$(grep "^$dir/" <<<"$needed")" ]; then
			find "$tmp/$dir" -maxdepth 1 -name '*.go' -delete
		fi
	done
	var=MUTATE_EXCLUDE_${pkg//\//_}
	excl=(--exclude-files /) # sub-packages are scored on their own
	if [ -n "${!var:-}" ]; then excl+=(--exclude-files "${!var}"); fi
	name=${pkg//\//_}
	report="$out/$name.json"
	sample=MUTATE_SAMPLE_$name
	sample=${!sample:-${MUTATE_SAMPLE:-}}
	echo "== $pkg (report: ${report#$root/}${sample:+, a sample of $sample mutants})"
	go build -o "$tmp/sample.bin" ./tools/mutate/sample
	if [ -n "${MUTATE_RECHECK:-}" ]; then
		if [ ! -f "$report" ]; then echo "MUTATE_RECHECK: no report $report" >&2; exit 1; fi
		echo "   (re-checking the survivors of the existing report)"
		GOFLAGS=-p=1 "$tmp/sample.bin" -dir "$tmp" -pkg "$pkg" -n 0 -lived -timeout "${MUTATE_TIMEOUT:-60s}" "$report" "$report" >"$out/$name.recheck.log" 2>&1 || true
	elif [ -z "$sample" ]; then
		# Every mutant with gremlins, then the NOT COVERED ones again (see
		# tools/mutate/sample for why).
		if [ -z "${MUTATE_REUSE:-}" ] || [ ! -f "$report" ]; then
			(cd "$tmp" && GOFLAGS=-p=1 "$gremlins" unleash --workers 1 --timeout-coefficient 3 \
				"${excl[@]}" -o "$report" "./$pkg" >"$out/$name.log" 2>&1) || true
		fi
		GOFLAGS=-p=1 "$tmp/sample.bin" -dir "$tmp" -pkg "$pkg" -n 0 -timeout "${MUTATE_TIMEOUT:-60s}" "$report" "$report" >>"$out/$name.log" 2>&1 || true
	else
		(cd "$tmp" && GOFLAGS=-p=1 "$gremlins" unleash --dry-run "${excl[@]}" -o "$out/$name.dry.json" "./$pkg" >"$out/$name.log" 2>&1) || true
		GOFLAGS=-p=1 "$tmp/sample.bin" -dir "$tmp" -pkg "$pkg" -n "$sample" -seed "${MUTATE_SEED:-17}" -timeout "${MUTATE_TIMEOUT:-60s}" \
			"$out/$name.dry.json" "$report" >>"$out/$name.log" 2>&1 || true
	fi
	go run ./tools/mutate/score -equivalents docs/mutation-equivalents.txt -pkg "$pkg" "$report" || status=1
	rm -rf "$tmp"
	trap - EXIT
done
exit $status
