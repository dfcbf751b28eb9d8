# Destill — developer tasks. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/destill-dev/destill/app.Version=$(VERSION)
PREFIX ?= $(HOME)/.local
CORPUS ?= ../shared/corpus/cidiff
CORPORA ?= ../shared/corpus
DEMO_LOG ?= examples/logs/github-actions-go-test.log
BENCHTIME ?= 1x
DIST ?= dist
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64

.PHONY: help build test test-e2e bench lint demo install eval eval-one fuzz release image deploy-tools

build: ## Static binary into bin/destill (CGO_ENABLED=0, version stamped)
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/destill .

# End-to-end tests (real binaries as processes: tmux, workers, releases,
# deploy files) are named TestE2E*: make test leaves them to make test-e2e.
E2E := ^TestE2E

test: ## Every test but the end-to-end ones (throwaway PostgreSQL, in-process kfake), the parallel analysis first under the race detector; ends naming any test skipped for a missing tool
	go vet ./...
	scripts/race-tests.sh
	scripts/run-tests.sh go test -count=1 -skip '$(E2E)' ./...

test-e2e: ## The end-to-end tests (TestE2E*): the real binary in tmux, as workers, from the README, as deploy files run it
	scripts/run-tests.sh go test -count=1 -run '$(E2E)' -timeout 15m ./...

bench: ## Benchmarks; last, the performance table on the real logs in CORPORA (throughput and start-up against grep, a 40x20 MB build against download-only, peak RSS), each row with its target
	go test -run '^$$' -bench 'BenchmarkBaseline' -cpu 1 -benchtime $(BENCHTIME) -timeout 30m ./analysis/
	go test -run '^$$' -bench 'BenchmarkAnalyzeBuildURLCached|BenchmarkAutomaticBaseline|BenchmarkAnalyzeHistoryCached' -benchtime $(BENCHTIME) -timeout 30m ./app/
	go test -run '^$$' -bench 'BenchmarkBuild' -benchtime $(BENCHTIME) -timeout 30m ./app/worker/
	DESTILL_CORPUS=$(abspath $(CORPORA)) go test -run '^$$' -bench 'BenchmarkTable' -benchtime $(BENCHTIME) -timeout 60m ./bench/

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...

demo: ## Analyze a shipped sample log (no tokens, no network)
	go run . analyze $(DEMO_LOG)

install: build ## Install bin/destill into $(PREFIX)/bin (default ~/.local/bin; no sudo)
	install -d $(PREFIX)/bin
	install -m 0755 bin/destill $(PREFIX)/bin/destill

# The quality targets of each labeled set: hit@1, hit@5, median lines shown (top 5).
EVAL_TARGETS_cidiff := --min-top1 0.9 --min-top5 1
EVAL_TARGETS_logchunks-dev := --min-top1 0.55 --min-top5 0.8 --max-median-lines 60
EVAL_TARGETS_logdx-dev := --min-top5 0.875

eval: ## Finding quality on every labeled set under CORPORA (cidiff, logchunks-dev with its repository split, logdx-dev on critical_lines), failing below its targets; one set: make eval-one CORPUS=dir
	@go build -o bin/destill-eval . && for set in cidiff logchunks-dev logdx-dev; do \
		dir=$(CORPORA)/$$set; [ -f $$dir/cases.jsonl ] || { echo "eval: $$dir/cases.jsonl is missing (set CORPORA=...)" >&2; exit 1; }; \
		case $$set in cidiff) t="$(EVAL_TARGETS_cidiff)";; logchunks-dev) t="$(EVAL_TARGETS_logchunks-dev)";; logdx-dev) t="$(EVAL_TARGETS_logdx-dev)";; esac; \
		echo "== $$set (targets: $$t)"; bin/destill-eval eval --split $$t $$dir || exit 1; \
	done

eval-one: ## Finding quality on one labeled corpus, misses listed: make eval-one CORPUS=../shared/corpus/logchunks-dev
	go run . eval --misses --by language $(CORPUS)

fuzz: ## Run each fuzz target for a short while (FUZZTIME=30s)
	for f in FuzzClean FuzzLineSplitter FuzzAnalyzer; do go test ./analysis -run '^$$' -fuzz "^$$f\$$" -fuzztime $${FUZZTIME:-30s} || exit 1; done
	go test ./render -run '^$$' -fuzz '^FuzzIndentJSON$$' -fuzztime $${FUZZTIME:-30s}

release: ## Static binaries for linux/darwin x amd64/arm64 into dist/ with SHA256SUMS (VERSION=v1.2.3)
	VERSION="$(VERSION)" DIST="$(DIST)" PLATFORMS="$(PLATFORMS)" deploy/release.sh

deploy-tools: ## Install what the tests need (PostgreSQL, tmux, docker-compose, shellcheck, helm); as root
	deploy/ci-tools.sh

image: ## Container image from deploy/Dockerfile (needs a Docker engine; IMAGE=, VERSION=, DOCKER=podman)
	@VERSION="$(VERSION)" deploy/image.sh

help: ## This list
	@awk -F ':.*## ' '/^[a-z0-9-]+:.*## / { printf "%-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
