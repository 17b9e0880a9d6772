#!/usr/bin/env bash
# Prints the time of one consent import of 100,000 events (with a rejected
# row every 37 rows) into the consent service, from a release build on this
# machine. Needs PostgreSQL and RabbitMQ as `make test` does; the figure is
# the HTTP request from the test client, parsing, hashing and the database
# transaction included.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo test --release --quiet -p hap-consent --test import_large -- --nocapture 2>&1 \
  | grep "consent import of"
