# motionflow — `make test` is the one test command (README, CI).
GO ?= go
export GOTOOLCHAIN := local

.PHONY: test check build dev histories

## test: formatting, vet, and every test (unit, PostgreSQL, embedded Temporal end-to-end).
test: check
	$(GO) test -count=1 -timeout 45m ./...
	cd deploy/validate && $(GO) test -count=1 ./...

## check: gofmt and go vet.
check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd deploy/validate && $(GO) vet ./...

## build: the motionflow binary (with the dev stack).
build:
	$(GO) build -o bin/motionflow ./cmd/motionflow

## dev: run everything locally.
dev:
	$(GO) run ./cmd/motionflow dev

## histories: record the workflow histories the replay test checks (run after a deliberate, versioned workflow change).
histories:
	MOTIONFLOW_RECORD_HISTORIES=1 $(GO) test -count=1 -run 'TestDigitalisierungImQuadrat|TestRemindersArriveExactlyOnceAcrossRestarts' ./e2e
