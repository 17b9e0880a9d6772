#!/usr/bin/env bash
# Runs the main job end to end on this machine: synthetic registries, the
# five services, one application from submission to a decrypted delivery.
# Stops every process it started, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/servers.sh

persons=${HAP_DEMO_PERSONS:-100000}
profile=${HAP_DEMO_PROFILE:-release}
var=var
logs=$var/demo/logs
registries=$var/registries

hap_ensure_postgres
hap_ensure_rabbitmq

echo "building ($profile)"
if [ "$profile" = release ]; then
  cargo build --release --bins --quiet
  bin=${CARGO_TARGET_DIR:-target}/release
else
  cargo build --bins --quiet
  bin=${CARGO_TARGET_DIR:-target}/debug
fi

# Development keys, made once so later runs reuse the project pseudonym keys.
mkdir -p "$var" "$logs"
if [ ! -f "$var/dev-keys.env" ]; then
  random_hex() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }
  umask 077
  {
    echo "HAP__AUTH__DEV_SECRET=$(random_hex)"
    echo "HAP_DEMO_PLATFORM_KEY=$(random_hex)"
    echo "HAP__LINKAGE__MASTER_KEY=$(random_hex)"
  } >"$var/dev-keys.env"
fi
set -a
source "$var/dev-keys.env"
set +a
export HAP__CONSENT__PLATFORM_KEY=$HAP_DEMO_PLATFORM_KEY
export HAP__LINKAGE__PLATFORM_KEY=$HAP_DEMO_PLATFORM_KEY
# Synthetic registries carry synthetic identity numbers, which only the test profile accepts.
export HAP__CONSENT__IDENTITY__PROFILE=test
export HAP__LINKAGE__IDENTITY__PROFILE=test
export HAP__STORE__WORK_DIR=$var/work
export HAP__STORE__REGISTRY_DIR=$registries
export HAP__STORE__DELIVERY_DIR=$var/deliveries
export HAP__BROKER__NAMESPACE=hap-demo

if [ ! -f "$registries/population.csv" ]; then
  echo "generating synthetic registries for $persons persons"
  "$bin/hapctl" synth --persons "$persons" --seed 1 --out "$registries" >"$logs/synth.json"
fi

pids=()
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

port=8081
for service in applications consent linkage anonymization delivery; do
  HAP__HTTP__PORT=$port "$bin/hap-$service" >"$logs/$service.log" 2>&1 &
  pids+=($!)
  port=$((port + 1))
done

"$bin/hapctl" demo --first-port 8081 --registry-dir "$registries" --out "$var/demo"

# No log line may contain an identity number: any 11-digit run that passes
# the checksum, synthetic numbers included.
candidates=$(grep -ohE '(^|[^0-9])[0-9]{11}([^0-9]|$)' "$logs"/*.log | grep -oE '[0-9]{11}' | sort -u || true)
if [ -n "$candidates" ]; then
  leaked=$(printf '%s\n' "$candidates" | "$bin/hapctl" id check --profile test | grep -c '"valid":true' || true)
  if [ "$leaked" -gt 0 ]; then
    echo "FAILED: $leaked identity numbers appear in the service logs under $logs" >&2
    exit 1
  fi
fi
echo "no identity number in the service logs ($logs)"
