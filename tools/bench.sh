#!/usr/bin/env bash
# Prints speed figures of the pure libraries, each from a release build on
# this machine: identity-number parsing, synthetic registries, linkage and
# disclosure control on the ARX adult data when its folder is given, and the
# load tests of the services.
#   HAP_ARX_ADULT_DIR   folder with adult.csv and its hierarchies (optional)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== identity-number parsing"
cargo run --release --quiet -p hap-identity --example parse_throughput

echo "== synthetic registries and linkage, 100,000 persons"
cargo test --release --quiet -p hap-synth --test timing -- --ignored --nocapture
cargo test --release --quiet -p hap-linkage --test synth_folder -- --ignored --nocapture

if [ -n "${HAP_ARX_ADULT_DIR:-}" ]; then
  echo "== disclosure control, ARX adult data, k = 5"
  cargo run --release --quiet -p hap-disclosure --example adult -- "$HAP_ARX_ADULT_DIR" 5
else
  echo "== disclosure control skipped: set HAP_ARX_ADULT_DIR to the ARX adult data folder"
fi
bash tools/bench/disclosure.sh

echo "== linkage against DuckDB"
bash tools/bench/linkage.sh

echo "== consent import, 100,000 events (needs PostgreSQL and RabbitMQ)"
bash tools/bench/consent-import.sh

echo "== API load, reads of applications (needs PostgreSQL and RabbitMQ)"
bash tools/bench/api.sh

echo "== pipeline load, applications in flight (needs PostgreSQL and RabbitMQ)"
bash tools/bench/pipeline.sh
