# Embudo developer tasks. `make help` lists them.

# The repository root: this file's directory. sam build runs this Makefile
# from a scratch copy of a function's directory (see build-<LogicalId> below).
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

GO ?= go
# How every Lambda bootstrap is built, by `make build` and by sam build:
# linux/arm64, static, without the RPC mode, stripped, without local paths.
GO_LAMBDA_BUILD = GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w'

# aws-lambda-rie runs the Lambda binaries in tests (internal/rietest). Its
# repository has no semver tags, so the module proxy serves a pseudo-version.
RIE_PKG     := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
RIE_STAMP   := bin/.aws-lambda-rie-$(RIE_VERSION)
# staticcheck runs over every package before the tests (make vet, make test):
# v0.8.2 is staticcheck 2026.2.2, which knows Go 1.26.
STATICCHECK_PKG     := honnef.co/go/tools/cmd/staticcheck
STATICCHECK_VERSION := v0.8.2
STATICCHECK_STAMP   := bin/.staticcheck-$(STATICCHECK_VERSION)
# oapi-codegen, the common Go client generator: internal/httpapi's
# TestOpenAPIGeneratesAGoClient generates a client from GET /openapi.json
# with it and compiles it against its runtime library at OAPI_RUNTIME_VERSION
# (fetched through the module proxy into a module of its own).
OAPI_CODEGEN_PKG     := github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
OAPI_CODEGEN_VERSION := v2.8.2
OAPI_RUNTIME_VERSION := v1.9.0
OAPI_CODEGEN_STAMP   := bin/.oapi-codegen-$(OAPI_CODEGEN_VERSION)
# gremlins mutates the code of a package and runs its tests (make mutate).
GREMLINS_PKG     := github.com/go-gremlins/gremlins/cmd/gremlins
GREMLINS_VERSION := v0.6.0
GREMLINS_STAMP   := bin/.gremlins-$(GREMLINS_VERSION)
# The packages where a wrong branch is a wrong answer for a user, one at a
# time; one worker, as the machines are small and shared.
MUTATE_PKGS    ?= ./internal/crm ./internal/leads ./internal/notify ./internal/stream
MUTATE_WORKERS ?= 1
# gremlins' time limit per mutant is this times a coverage run, build included:
# 3 suits a quiet machine; a loaded one times out nearly every crm mutant
# while compiling (docs/testing.md), so raise it there (e.g. 100).
MUTATE_TIMEOUT_COEFFICIENT ?= 3
# npm writes this file on every install, so it marks infra/node_modules as current.
NPM_STAMP   := infra/node_modules/.package-lock.json
NPM         := $(shell command -v npm)
# moto, the AWS emulator internal/awstest deploys template.yaml into, and
# aws-sam-translator, which comes with it (through cfn-lint): make tools
# installs them with pip where moto_server is missing.
MOTO_VERSION := 5.2.1
PIP          := $(shell command -v pip3 || command -v pip)

FUNCTIONS := $(patsubst functions/%/,%,$(wildcard functions/*/))
BENCHTIME ?= 1s
FUZZTIME  ?= 10s
RACE      ?= -race
# The size limit of a stripped Lambda bootstrap in MB of 1,048,576 bytes: the
# one number `make build` marks binaries against and infra/template_test.go
# fails on (it reads it from here). The design aims at 15 MB, which
# the functions miss (docs/performance.md has their sizes): 6 MB of each is
# nyaruka/phonenumbers (carrier and geocoding data and x/text display tables,
# initialised at package level, so the linker keeps them), and the stream and
# reminder functions add the SES and Scheduler clients and html/template. The
# limit is therefore what they weigh today with a little room, so that the
# next dependency's cost is seen when it is added; it comes down to 15 only
# once phone numbers are parsed without those tables.
MAX_BINARY_MB := 20

.DEFAULT_GOAL := help
.PHONY: help run test vet lint bench build tools fuzz mutate clean screenshots
.PHONY: build-ApiFunction build-WebhookFunction build-StreamFunction build-ReminderFunction build-InboundFunction

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

run: ## run the whole CRM locally on 127.0.0.1:3000 (extra flags: ARGS='--addr :8080')
	$(GO) run ./cmd/embudo serve $(ARGS)

test: tools lint vet ## install the tools, lint the template, go vet and staticcheck, then every test (RACE= to drop -race)
	$(GO) test $(RACE) -count=1 -timeout 30m ./...

vet: $(STATICCHECK_STAMP) ## go vet and staticcheck over every package
	$(GO) vet ./...
	bin/staticcheck ./...

lint: ## check template.yaml with cfn-lint (skipped where it is missing, required when CI=true)
	@if command -v cfn-lint >/dev/null 2>&1; then \
		echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	elif [ "$${CI:-}" = true ]; then \
		echo "lint: cfn-lint is required in CI (pip install cfn-lint)" >&2; exit 1; \
	else \
		echo "lint: cfn-lint not found; skipping the template check (pip install cfn-lint)"; \
	fi

bench: ## run the benchmarks (BENCHTIME=1s by default)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./...

screenshots: ## rewrite the web app's screenshots in docs/img (the README's) from a demo CRM, in a headless Chromium
	$(GO) test -tags screenshots -run '^TestScreenshots$$' -count=1 -v ./internal/webapp/

build: ## cross-compile every functions/<name> to .build/<name>/bootstrap (linux/arm64) and print sizes
	@set -e; for fn in $(FUNCTIONS); do \
		echo "build functions/$$fn"; \
		$(GO_LAMBDA_BUILD) -o .build/$$fn/bootstrap ./functions/$$fn; \
	done
	@for fn in $(FUNCTIONS); do \
		bytes=$$(wc -c < .build/$$fn/bootstrap); \
		awk -v f=$$fn -v b=$$bytes -v max=$(MAX_BINARY_MB) 'BEGIN { \
			mb = b / 1048576; \
			printf "%-12s %6.1f MB  .build/%s/bootstrap%s\n", f, mb, f, (mb > max ? "  (over the " max " MB limit)" : "") }'; \
	done

# sam build's targets, one per AWS::Serverless::Function (template.yaml:
# BuildMethod makefile, ContextPath .). SAM runs `make --makefile <this file>
# build-<LogicalId>` in a scratch copy of the function's CodeUri with
# ARTIFACTS_DIR set, so the build runs from ROOT, where go.mod is.
# infra/template_test.go runs each and checks the binary it makes.
sam-build = @test -n "$(ARTIFACTS_DIR)" || { echo "$@: ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; }; \
	cd $(ROOT) && $(GO_LAMBDA_BUILD) -o $(abspath $(ARTIFACTS_DIR))/bootstrap ./functions/$(1)
build-ApiFunction:      ; $(call sam-build,api)
build-WebhookFunction:  ; $(call sam-build,webhook)
build-StreamFunction:   ; $(call sam-build,stream)
build-ReminderFunction: ; $(call sam-build,reminder)
build-InboundFunction:  ; $(call sam-build,inbound)

tools: $(RIE_STAMP) $(STATICCHECK_STAMP) $(OAPI_CODEGEN_STAMP) $(if $(NPM),$(NPM_STAMP)) moto-server ## install aws-lambda-rie, staticcheck and oapi-codegen into ./bin and the npm emulators into infra/node_modules, and moto with pip
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

$(STATICCHECK_STAMP):
	GOBIN=$(CURDIR)/bin $(GO) install $(STATICCHECK_PKG)@$(STATICCHECK_VERSION)
	@rm -f bin/.staticcheck-*
	@touch $@

$(OAPI_CODEGEN_STAMP):
	GOBIN=$(CURDIR)/bin $(GO) install $(OAPI_CODEGEN_PKG)@$(OAPI_CODEGEN_VERSION)
	@rm -f bin/.oapi-codegen-*
	@touch $@

$(NPM_STAMP): infra/package.json infra/package-lock.json
	npm ci --prefix infra --no-audit --no-fund

# moto_server on PATH is what counts, not a file. pip may refuse (a Python
# the distribution manages): the moto tests then skip, and CI fails here.
.PHONY: moto-server
moto-server:
	@if command -v moto_server >/dev/null 2>&1; then :; \
	elif [ -n "$(PIP)" ] && echo "pip install 'moto[server]==$(MOTO_VERSION)'" && \
		$(PIP) install --quiet 'moto[server]==$(MOTO_VERSION)' && command -v moto_server >/dev/null 2>&1; then :; \
	elif [ "$${CI:-}" = true ]; then \
		echo "tools: moto_server is required in CI (pip install 'moto[server]==$(MOTO_VERSION)')" >&2; exit 1; \
	else \
		echo "tools: no moto_server, and pip could not install it; the moto tests will skip (pip install 'moto[server]==$(MOTO_VERSION)')"; \
	fi

fuzz: ## run every fuzz target for FUZZTIME each (default 10s)
	@set -e; found=; \
	for file in $$(grep -rl --include='*_test.go' --exclude-dir=node_modules '^func Fuzz' .); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/p' $$file); do \
			found=1; echo "fuzz $$(dirname $$file) $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$(dirname $$file); \
		done; \
	done; \
	[ -n "$$found" ] || echo "no fuzz targets yet"

mutate: $(GREMLINS_STAMP) ## mutation testing of MUTATE_PKGS with gremlins, one package at a time (slow: not in CI; docs/testing.md)
	@mkdir -p .build/mutate
	@set -e; for pkg in $(MUTATE_PKGS); do \
		name=$$(basename $$pkg); \
		echo "== gremlins $$pkg (log: .build/mutate/$$name.log)"; \
		bin/gremlins unleash --workers $(MUTATE_WORKERS) --timeout-coefficient $(MUTATE_TIMEOUT_COEFFICIENT) -o .build/mutate/$$name.json $$pkg > .build/mutate/$$name.log; \
		tail -n 5 .build/mutate/$$name.log; \
		echo "== the same, completed (package | killed | lived | not covered | not viable | timed out | efficacy | mutant coverage)"; \
		$(GO) run ./tools/mutants -report .build/mutate/$$name.json $$pkg | tee .build/mutate/$$name.txt; \
	done

$(GREMLINS_STAMP):
	GOBIN=$(CURDIR)/bin $(GO) install $(GREMLINS_PKG)@$(GREMLINS_VERSION)
	@rm -f bin/.gremlins-*
	@touch $@

clean: ## remove build output and installed tools (keeps the local data in .embudo)
	rm -rf .build bin infra/node_modules
