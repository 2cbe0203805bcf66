# Bando's two everyday commands: `make run` (the server with demo data) and
# `make test` (every test, against real PostGIS, Redis and Chromium).
GO ?= go

.PHONY: run test services vet fmt-check unit e2e bench-tiles

run:
	$(GO) run ./cmd/bando

# test installs and starts what the tests need, then runs every check.
test: services vet fmt-check unit e2e

services:
	bash .ci/services

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './static/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -count=1 -timeout 15m ./...

# e2e runs the browser tests in headless Chromium against a seeded server.
e2e:
	bash static/e2e/run.sh

bench-tiles:
	$(GO) run ./cmd/bando bench tiles
