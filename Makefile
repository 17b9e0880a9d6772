# Entry points of the HAP workspace. `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

CARGO ?= cargo

.PHONY: test demo bench bench-api bench-pipeline bench-linkage chart-check deny fmt clippy build servers

## test: format check, the dependency policy, clippy with -D warnings, then
## every unit, integration and end-to-end test against the real PostgreSQL
## and RabbitMQ.
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
	$(CARGO) test --workspace

## demo: the main job end to end on 100,000-person synthetic registries.
demo:
	bash tools/demo.sh

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
