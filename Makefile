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

## histories: record the workflow histories the replay test checks (run after a deliberate, versioned workflow change;
## first copy the current files to new names, so that the histories of the earlier version keep being replayed).
histories:
	MOTIONFLOW_RECORD_HISTORIES=1 $(GO) test -count=1 -run 'TestDigitalisierungImQuadrat|TestRemindersArriveExactlyOnceAcrossRestarts|TestCouncilMeetingFromPlanningToPublishedMinutes|TestADecisionIsFollowedThroughToItsEnd|TestEveryoneTheCodeAllowsMovesAMotion|TestABudgetMotionIsAmendedAndMerged' ./e2e

# --- Proof: fuzzing, benchmarks, fault tests, static checks (issue 6). None of
# these is part of `make test`, which runs the fuzz targets' seed corpora only.
.PHONY: fuzz bench faults lint vulncheck

FUZZTIME ?= 20s
## fuzz: run every fuzz target (func Fuzz… in any *_test.go) with the fuzzing engine for FUZZTIME each.
## A run that fails without writing a failing input to testdata/fuzz is Go's coordinator racing its own
## -fuzztime deadline ("context deadline exceeded"); it is run once more, and a second such failure fails.
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' --exclude-dir=.git '^func Fuzz' .); do \
	  for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
	    d=$$(dirname $$f); echo "== $$fn ($$d), $(FUZZTIME)"; \
	    before=$$(ls $$d/testdata/fuzz/$$fn 2>/dev/null | wc -l); \
	    if ! $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -parallel 1 ./$$d; then \
	      if [ "$$(ls $$d/testdata/fuzz/$$fn 2>/dev/null | wc -l)" != "$$before" ]; then exit 1; fi; \
	      echo "== $$fn failed without a failing input (fuzzing engine's deadline race): once more"; \
	      $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -parallel 1 ./$$d; \
	    fi; \
	  done; \
	done

BENCHTIME ?= 300x
LISTTIME ?= 50x
CREATETIME ?= 100x
## bench: the benchmarks of bench/ (build tag bench) on embedded Temporal and PostgreSQL; see docs/BENCHMARKS.md.
bench:
	$(GO) vet -tags bench ./bench
	$(GO) test -tags bench -run '^$$' -bench 'BenchmarkTransition$$|BenchmarkThroughput' -benchtime $(BENCHTIME) -timeout 60m ./bench
	$(GO) test -tags bench -run '^$$' -bench 'BenchmarkList' -benchtime $(LISTTIME) -timeout 60m ./bench
	$(GO) test -tags bench -run '^$$' -bench 'BenchmarkCreate|BenchmarkTransitionAnatomy|BenchmarkUpdateLadder|BenchmarkProject' -benchtime $(CREATETIME) -timeout 60m ./bench
	$(GO) test -tags bench -run '^$$' -bench 'BenchmarkDeadlineBurst|BenchmarkWorkerMemory' -benchtime 1x -timeout 60m ./bench
	$(GO) test -tags bench -run '^$$' -bench 'BenchmarkSessionResult' -benchtime 150x -timeout 60m ./bench

## faults: the fault tests (e2e, build tag faults; workers and API as processes killed with SIGKILL, Temporal restarts, PostgreSQL stopped); see docs/RELIABILITY.md.
faults:
	$(GO) vet -tags faults ./e2e
	$(GO) test -tags faults -count=1 -run '^TestFault' -timeout 60m -v ./e2e

# --- The production engine (issue 17): Temporal v1.32.1 built from the module cache (deploy/engine, its own
# go.mod), on PostgreSQL, 16 history shards, frontend+matching+worker in one process and two history
# processes; binaries, configs, logs and pids in .motionflow/engine (gitignored). See docs/OPERATIONS.md.
.PHONY: engine engine-up engine-app engine-down bench-engine
ENGINE := deploy/engine/run.sh
## engine: build the engine's binaries (temporal-server, temporal-sql-tool, temporal-setup).
engine:
	$(ENGINE) build

## engine-up: a fresh engine (databases temporal and temporal_visibility recreated), namespace and search attributes registered.
engine-up: engine
	$(ENGINE) down
	$(ENGINE) schema
	$(ENGINE) up

## engine-app: motionflow on the running engine, each part a process: the development identity provider, serve, two workers.
engine-app:
	$(ENGINE) app

## engine-down: stop the engine's processes (and engine-app's).
engine-down:
	$(ENGINE) down

ENGINE_CLIENTS ?= 32
ENGINE_DEADLINES ?= 10000
## bench-engine: transitions/throughput, creation and the deadline burst on a fresh engine, beside the bare update on it.
bench-engine: engine-up
	$(GO) vet -tags bench ./bench
	MOTIONFLOW_BENCH_TEMPORAL=127.0.0.1:7233 $(GO) test -tags bench -run '^$$' -bench 'BenchmarkTransition$$|BenchmarkThroughput' -benchtime $(BENCHTIME) -timeout 60m ./bench || { $(ENGINE) down; exit 1; }
	MOTIONFLOW_BENCH_TEMPORAL=127.0.0.1:7233 $(GO) test -tags bench -run '^$$' -bench 'BenchmarkCreate$$' -benchtime $(CREATETIME) -timeout 60m ./bench || { $(ENGINE) down; exit 1; }
	MOTIONFLOW_BENCH_TEMPORAL=127.0.0.1:7233 MOTIONFLOW_BENCH_DEADLINES=$(ENGINE_DEADLINES) $(GO) test -tags bench -run '^$$' -bench 'BenchmarkDeadlineBurst' -benchtime 1x -timeout 60m ./bench || { $(ENGINE) down; exit 1; }
	$(ENGINE) down

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
## lint: staticcheck (fetched through the module proxy on first use), with the bench and faults files.
lint:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags 'bench faults' ./bench ./e2e

## vulncheck: govulncheck against a pinned snapshot of the Go vulnerability database (built from golang.org/x/vulndb; GOVULNDB=https://vuln.go.dev where it can be reached); fails on a reached vulnerability not named in .ci/vulncheck-accepted.
vulncheck:
	bash .ci/vulncheck

## ci-extra: what CI runs after `make test`: static checks, vulnerabilities, the fuzzers for a short time, the fault tests.
.PHONY: ci-extra
ci-extra: lint vulncheck
	$(MAKE) fuzz FUZZTIME=10s
	$(MAKE) faults
