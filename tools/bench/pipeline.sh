#!/usr/bin/env bash
# Pipeline load test: many applications in flight at once through the five
# services (release builds, real PostgreSQL and RabbitMQ), each delivered
# exactly once. Prints the total time and the rate.
#   HAP_BENCH_IN_FLIGHT  applications started at once (default 100)
#   HAP_BENCH_PERSONS    synthetic persons in the registries (default 20000)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/servers.sh
hap_ensure_postgres
hap_ensure_rabbitmq

cargo build --release --quiet --bins
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo test --release --quiet -p hap-e2e --test pipeline_load -- \
  --ignored --nocapture pipeline_load_benchmark 2>&1 | grep -E "^pipeline:|panicked|FAILED|failed"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
