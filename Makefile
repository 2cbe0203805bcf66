# Bando's two everyday commands: `make run` (the server with demo data) and
# `make test` (every test, against real PostGIS, Redis and Chromium).
GO ?= go

.PHONY: run test services vet fmt-check unit fuzz e2e bench-tiles mutate

run:
	$(GO) run ./cmd/bando

# test installs and starts what the tests need, then runs every check.
test: services vet fmt-check unit fuzz e2e

services:
	bash .ci/services

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './static/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -count=1 -timeout 15m ./...

# fuzz runs every fuzz target of a parser of outside input for a few
# seconds (tools/fuzz/run.sh, about a minute).
fuzz:
	bash tools/fuzz/run.sh

# e2e runs the browser tests in headless Chromium against two seeded servers:
# the files that write on one, the files that only read on the other, both
# lanes at once (static/e2e/run.sh).
e2e:
	bash static/e2e/run.sh

bench-tiles:
	$(GO) run ./cmd/bando bench tiles

# mutate runs mutation testing (gremlins) on PACKAGES, one package at a time,
# and prints each package's score with the mutants in
# docs/mutation-equivalents.txt left out. Slow and CPU-heavy: not part of
# `make test` or .ci/run. See "Mutation testing" in the README.
PACKAGES ?= features tiles features/caseimport features/bulletin features/edit auth \
	features/cql2 tracing/exposure tracing
# features is scored on its geometry and validation logic; the rest of the
# package root is store contracts and catalog plumbing tested elsewhere.
export MUTATE_EXCLUDE_features ?= ^(auditdoc|bbox|catalog|collections|earth|edit|model|queryables|search|store|temporal|version|vocab)\.go$$
# The authorization checks: features/edit is scored on rules.go (roles,
# district scope, zone lifecycle), auth on its policy (roles and principals,
# users, token scopes, sessions, the sign-in limiter). The rest needs PostGIS
# or is tested through sub-packages (authhttp tests the Authenticator).
export MUTATE_EXCLUDE_features_edit ?= ^(cases|edit|import|ops|revert)\.go$$
export MUTATE_EXCLUDE_auth ?= ^(accounts|authenticator|errors|password|store)\.go$$
# The exposure engine is scored on its rules: rules.go (defaults, windows,
# tiers) and engine_rules.go (which overlap, ride, residence or proximity is
# a close contact). Its indexes, scheduling and the naive reference are
# tested through the same rules but left out of this score.
export MUTATE_EXCLUDE_tracing_exposure ?= ^(doc|engine|engine_cluster|engine_core|engine_run|index_[a-z]+|naive|sort|types|world)\.go$$
# tracing (the package root) is scored on the QR tokens and person passes
# (token.go) and the tenant and role checks (access.go).
export MUTATE_EXCLUDE_tracing ?= ^(access_log|batch|checkin_person|clock|declaration|doc|errors|movement|movement_parse|movement_upload|person|retention|roster|roster_csv|store|trace|trace_parse|venue|visit)\.go$$

mutate:
	bash tools/mutate/run.sh $(PACKAGES)
