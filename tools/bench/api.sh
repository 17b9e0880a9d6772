#!/usr/bin/env bash
# API load test of the applications service: wrk reads applications
# (`GET /v1/applications/{id}` with bearer tokens, round robin over many
# existing applications) from a release build against the real PostgreSQL,
# and prints throughput and latency percentiles. The same wrk run against
# `/health/live`, which touches no database, is the reference: the figures
# to compare are the ratios, since the machine's speed and load vary.
#   HAP_BENCH_APPLICATIONS  applications to create and read (default 2000)
#   HAP_BENCH_CONNECTIONS   wrk's keep-alive connections (default 32)
#   HAP_BENCH_SECONDS       length of each measured run (default 15)
# Needs PostgreSQL and RabbitMQ as `make test` does, and wrk, which it
# installs with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/servers.sh

applications=${HAP_BENCH_APPLICATIONS:-2000}
connections=${HAP_BENCH_CONNECTIONS:-32}
seconds=${HAP_BENCH_SECONDS:-15}
for setting in applications connections seconds; do
  if ! [[ ${!setting} =~ ^[1-9][0-9]*$ ]]; then
    echo "HAP_BENCH_${setting^^} is \`${!setting}\`; use a positive whole number." >&2
    exit 2
  fi
done

if ! command -v wrk >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk with apt-get" >&2
    apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  fi
  if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is not installed and apt-get could not install it; install wrk 4 and rerun." >&2
    exit 1
  fi
fi
hap_ensure_postgres
hap_ensure_rabbitmq

cargo build --release --quiet -p hap-applications --bin hap-applications --example seed_reads
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

work=$(mktemp -d)
database=hap_bench_api
database_server=postgres://postgres@127.0.0.1:5432
service_pid=
cleanup() {
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  if command -v psql >/dev/null 2>&1; then
    psql -q "$database_server/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if command -v psql >/dev/null 2>&1; then
  psql -q "$database_server/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
fi

# The service runs with its default pool sizes and the JSON logs a cluster
# uses; only the address, database, broker namespace and secret are set.
secret="bench-development-secret-$(date +%s%N)"
env -i PATH="$PATH" \
  HAP__HTTP__HOST=127.0.0.1 \
  HAP__HTTP__PORT=0 \
  HAP__DATABASE__URL="$database_server/$database" \
  HAP__BROKER__NAMESPACE=hap-bench-api \
  HAP__AUTH__DEV_SECRET="$secret" \
  HAP__TELEMETRY__FORMAT=json \
  "$target/release/hap-applications" >"$work/service.log" 2>&1 &
service_pid=$!

port=
for _ in $(seq 600); do
  port=$(sed -n 's/.*"message":"service started".*"port":\([0-9]*\).*/\1/p; s/.*"port":\([0-9]*\).*"message":"service started".*/\1/p' "$work/service.log" | head -n 1)
  [ -n "$port" ] && break
  if ! kill -0 "$service_pid" 2>/dev/null; then
    echo "hap-applications stopped during start:" >&2
    cat "$work/service.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "hap-applications did not start within 60 s:" >&2
  cat "$work/service.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"

HAP__AUTH__DEV_SECRET="$secret" "$target/release/examples/seed_reads" "$base" "$applications" "$work/reads.txt"

# Prints wrk's summary line for one run; fails when any request failed.
run_wrk() {
  local duration=$1 url=$2 reads=$3 line
  line=$(HAP_BENCH_READS="$reads" wrk -t1 -c"$connections" -d"${duration}s" \
    -s tools/bench/wrk-report.lua "$url" | grep '^requests ')
  local failed
  failed=$(awk '{ print $18 + $20 }' <<<"$line")
  if [ "$failed" != 0 ]; then
    echo "wrk against $url had failed requests: $line" >&2
    tail -n 20 "$work/service.log" >&2
    return 1
  fi
  echo "$line"
}

# CPU seconds (user and system) the service process has used so far.
service_cpu() {
  awk -v ticks="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / ticks }' "/proc/$service_pid/stat"
}

field() { awk -v key="$1" '{ for (i = 1; i < NF; i++) if ($i == key) print $(i + 1) }' <<<"$2"; }

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
run_wrk 3 "$base/v1/applications" "$work/reads.txt" >/dev/null
live=$(run_wrk "$seconds" "$base/health/live" "")
cpu_before=$(service_cpu)
reads=$(run_wrk "$seconds" "$base/v1/applications" "$work/reads.txt")
cpu_after=$(service_cpu)
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

report() {
  printf '%s: %s req/s, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n' "$1" \
    "$(field rate "$2")" "$(field p50 "$2")" "$(field p90 "$2")" "$(field p99 "$2")" "$(field max "$2")"
}
report "/health/live (reference)" "$live"
report "GET /v1/applications/{id}, $applications applications" "$reads"
awk -v reads="$(field rate "$reads")" -v live="$(field rate "$live")" \
  -v p99r="$(field p99 "$reads")" -v p99l="$(field p99 "$live")" \
  -v cpu="$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { print b - a }')" \
  -v count="$(field requests "$reads")" -v conns="$connections" \
  'BEGIN {
    printf "reads/live: throughput ratio %.2f, p99 ratio %.2f; service CPU %.0f us per read; %d connections\n",
      reads / live, p99r / p99l, cpu * 1e6 / count, conns
  }'
