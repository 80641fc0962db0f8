# Embudo developer tasks. `make help` lists them.

GO ?= go

# aws-lambda-rie runs the Lambda binaries in tests (internal/rietest). Its
# repository has no semver tags, so the module proxy serves a pseudo-version.
RIE_PKG     := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
RIE_STAMP   := bin/.aws-lambda-rie-$(RIE_VERSION)
# npm writes this file on every install, so it marks infra/node_modules as current.
NPM_STAMP   := infra/node_modules/.package-lock.json
NPM         := $(shell command -v npm)

FUNCTIONS := $(patsubst functions/%/,%,$(wildcard functions/*/))
BENCHTIME ?= 1s
FUZZTIME  ?= 10s
RACE      ?= -race
# Size limit of a stripped Lambda binary (DESIGN.md section 8).
MAX_BINARY_MB := 15

.DEFAULT_GOAL := help
.PHONY: help run test bench build tools fuzz clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

run: ## run the whole CRM locally on 127.0.0.1:3000 (extra flags: ARGS='--addr :8080')
	$(GO) run ./cmd/embudo serve $(ARGS)

test: tools ## install the tools, then go vet and every test (RACE= to drop -race)
	$(GO) vet ./...
	$(GO) test $(RACE) -count=1 ./...

bench: ## run the benchmarks (BENCHTIME=1s by default)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./...

build: ## cross-compile every functions/<name> to .build/<name>/bootstrap (linux/arm64) and print sizes
	@set -e; for fn in $(FUNCTIONS); do \
		echo "build functions/$$fn"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath \
			-ldflags='-s -w' -o .build/$$fn/bootstrap ./functions/$$fn; \
	done
	@for fn in $(FUNCTIONS); do \
		bytes=$$(wc -c < .build/$$fn/bootstrap); \
		awk -v f=$$fn -v b=$$bytes -v max=$(MAX_BINARY_MB) 'BEGIN { \
			mb = b / 1048576; \
			printf "%-12s %6.1f MB  .build/%s/bootstrap%s\n", f, mb, f, (mb > max ? "  (over the " max " MB target)" : "") }'; \
	done

tools: $(RIE_STAMP) $(if $(NPM),$(NPM_STAMP)) ## install aws-lambda-rie into ./bin and the npm emulators into infra/node_modules
ifeq ($(NPM),)
	@if [ "$${CI:-}" = true ]; then \
		echo "tools: npm is required in CI (the SES emulator tests must not skip)" >&2; exit 1; \
	fi
	@echo "tools: npm not found; skipping the npm emulators (their tests will skip)"
endif

$(RIE_STAMP):
	GOBIN=$(CURDIR)/bin $(GO) install $(RIE_PKG)@$(RIE_VERSION)
	@rm -f bin/.aws-lambda-rie-*
	@touch $@

$(NPM_STAMP): infra/package.json infra/package-lock.json
	npm ci --prefix infra --no-audit --no-fund

fuzz: ## run every fuzz target for FUZZTIME each (default 10s)
	@set -e; found=; \
	for file in $$(grep -rl --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' .); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/p' $$file); do \
			found=1; echo "fuzz $$(dirname $$file) $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$(dirname $$file); \
		done; \
	done; \
	[ -n "$$found" ] || echo "no fuzz targets yet"

clean: ## remove build output and installed tools (keeps the local data in .embudo)
	rm -rf .build bin infra/node_modules
