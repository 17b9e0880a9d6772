# Entry points of the HAP workspace. `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

CARGO ?= cargo

.PHONY: test faults demo bench bench-api bench-pipeline bench-linkage chart-check deny fmt clippy build servers fuzz fuzz-api

## Seconds each fuzz target runs in `make fuzz`.
FUZZ_SECONDS ?= 300
## Seconds each fuzz target runs in `make test`.
FUZZ_TEST_SECONDS ?= 25

## test: format check, the dependency policy, clippy with -D warnings,
## every unit, integration and end-to-end test against the real PostgreSQL
## and RabbitMQ, and a short libFuzzer run of every fuzz target.
test: servers
	$(CARGO) fmt --all -- --check
	bash tools/deny.sh
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	$(CARGO) build --bins --quiet
	if cli=$$(bash tools/install-crypt4gh-cli.sh 2>/dev/null); then \
	  export HAP_CRYPT4GH_CLI=$$cli; \
	else \
	  echo "the Python crypt4gh CLI could not be installed; its interoperability tests are skipped"; \
	fi; \
	if python=$$(bash tools/install-pycanon.sh 2>/dev/null); then \
	  export HAP_PYCANON_PYTHON=$$python; \
	else \
	  echo "pycanon could not be installed; its disclosure-control checks are skipped"; \
	fi; \
	if server=$$(bash tools/install-moto-server.sh 2>/dev/null); then \
	  export HAP_MOTO_SERVER=$$server; \
	else \
	  echo "moto's S3 server could not be installed; the delivery store's S3 tests are skipped"; \
	fi; \
	if validator=$$(bash tools/install-openapi-validator.sh 2>/dev/null); then \
	  export HAP_OPENAPI_VALIDATOR=$$validator; \
	else \
	  echo "openapi-spec-validator could not be installed; the OpenAPI schema validation is skipped"; \
	fi; \
	if schemathesis=$$(bash tools/install-schemathesis.sh 2>/dev/null); then \
	  export HAP_SCHEMATHESIS=$$schemathesis; \
	else \
	  echo "schemathesis could not be installed; the API fuzz test is skipped"; \
	fi; \
	if [ -z "$${HAP_TEST_POSTGRES_BIN:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then \
	  echo "no PostgreSQL server binaries were found; the database-restart tests are skipped"; \
	fi; \
	$(CARGO) test --workspace
	# The parser targets of tests/fuzz/parsers run FUZZ_TEST_SECONDS each
	# with AddressSanitizer, and a crash fails the build. In 25 s libFuzzer
	# gets through the committed seeds and the corpus kept in ~/.cache/hap
	# and mutates well past them, which catches shallow bugs: the criteria
	# target found an integer overflow in its first run, in under a minute.
	# The three runs add about 85 s. The cold build took about 4 minutes on
	# a 2-core machine, and later runs reuse it from ~/.cache/hap/fuzz-target.
	HAP_FUZZ_CRATES=parsers bash tools/fuzz.sh $(FUZZ_TEST_SECONDS)
	# The registry targets of tests/fuzz/registries build hap-linkage with
	# Arrow and Parquet, whose release build with coverage instrumentation
	# took 20 minutes cold (38 with AddressSanitizer). Built with the fuzz
	# crate's dev profile (opt-level 1) and no sanitizer, the cold build
	# took 3.3 minutes on an idle 2-core machine, and registry_parquet still
	# ran about 1,100 inputs per second from its seeds. A crash or panic
	# fails the build; `make fuzz` runs them longer with AddressSanitizer.
	HAP_FUZZ_CRATES=registries HAP_FUZZ_SANITIZER=none HAP_FUZZ_PROFILE=dev \
	  bash tools/fuzz.sh $(FUZZ_TEST_SECONDS)

## faults: the fault-tolerance end-to-end tests alone: the broker cut and
## blackholed, services killed mid-step, the database restarted and cut,
## and a dead letter replayed.
faults: servers
	$(CARGO) build --bins --quiet
	$(CARGO) test -p hap-e2e --test faults

## demo: the main job end to end on 100,000-person synthetic registries.
demo:
	bash tools/demo.sh

## fuzz-api: schemathesis against the OpenAPI document of every service,
## with 200 generated requests per operation and phase instead of the 10 of
## `make test` (HAP_SCHEMATHESIS_MAX_EXAMPLES).
fuzz-api: servers
	$(CARGO) build --bins --quiet
	schemathesis=$$(bash tools/install-schemathesis.sh); \
	HAP_SCHEMATHESIS="$$schemathesis" \
	HAP_SCHEMATHESIS_MAX_EXAMPLES="$${HAP_SCHEMATHESIS_MAX_EXAMPLES:-200}" \
	  $(CARGO) test -p hap-e2e --test fuzz_api -- --nocapture

## fuzz: every fuzz target of tests/fuzz/parsers and tests/fuzz/registries
## for FUZZ_SECONDS seconds each, with AddressSanitizer (libFuzzer through
## cargo-fuzz, installed into ~/.cache/hap/tools). HAP_FUZZ_CRATES=parsers
## runs the parser targets alone.
fuzz:
	bash tools/fuzz.sh $(FUZZ_SECONDS)

## bench: speed figures of the pure libraries and the services in release
## builds, the API and pipeline load tests included.
bench:
	bash tools/bench.sh

## bench-api: the API load test alone, wrk reading applications from the
## applications service (HAP_BENCH_APPLICATIONS, HAP_BENCH_CONNECTIONS,
## HAP_BENCH_SECONDS).
bench-api:
	bash tools/bench/api.sh

## bench-pipeline: the pipeline load test alone, 100 applications in flight
## through the five services (HAP_BENCH_IN_FLIGHT, HAP_BENCH_PERSONS).
bench-pipeline:
	bash tools/bench/pipeline.sh

## deny: licences, banned crates and sources of the dependencies (cargo-deny).
deny:
	bash tools/deny.sh

## bench-linkage: the linkage benchmark alone, hapctl link against DuckDB on
## 5 million persons and 50 million events (HAP_BENCH_PERSONS, HAP_BENCH_EVENTS).
bench-linkage:
	bash tools/bench/linkage.sh

## chart-check: helm lint and template of the chart, with schema validation.
chart-check:
	bash tools/chart-check.sh

servers:
	source tools/servers.sh && hap_ensure_postgres && hap_ensure_rabbitmq

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

build:
	$(CARGO) build --bins
