#!/usr/bin/env bash
# Runs every cargo-fuzz (libFuzzer) target in fuzz/ for a number of seconds
# each and fails on the first crash, timeout or out-of-memory report.
#
#   bash tools/fuzz.sh [SECONDS]        (default 15 seconds per target)
#
# cargo-fuzz is installed by tools/install-cargo-fuzz.sh into a cache
# folder on first use, which compiles it once (a few minutes). The fuzz
# build needs unstable compiler flags (-Z sanitizer, -C
# passes=sancov-module), which the stable toolchain accepts with
# RUSTC_BOOTSTRAP=1. Seed corpora come from fuzz/seeds/TARGET,
# committed small valid inputs (none yet for registry_parquet). Inputs that found new coverage are kept in
# the cache corpus folder between runs. A crashing input is written to
# fuzz/artifacts/TARGET/ and the script prints the command that replays it.
#
# Environment variables:
#   HAP_TOOLS_DIR        where cargo-fuzz is installed, as for install-cargo-fuzz.sh
#   HAP_FUZZ_TARGET_DIR  build folder of the fuzz targets
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/fuzz-target)
#   HAP_FUZZ_CORPUS_DIR  folder of the growing corpora
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/fuzz-corpus)
#   HAP_FUZZ_TARGETS     space-separated targets to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz: the run time must be a whole number of seconds above 0, found \`$seconds\`" >&2
    exit 2
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/hap"
target_dir="${HAP_FUZZ_TARGET_DIR:-$cache/fuzz-target}"
corpus_root="${HAP_FUZZ_CORPUS_DIR:-$cache/fuzz-corpus}"

fuzz_bin="$(bash tools/install-cargo-fuzz.sh)"
export PATH="$(dirname "$fuzz_bin"):$PATH"

if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz: libFuzzer is C++ and no C++ compiler was found; install one (Debian: apt-get install g++) and run $0 again" >&2
    exit 1
fi

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$target_dir"

if [[ -n "${HAP_FUZZ_TARGETS:-}" ]]; then
    read -r -a targets <<<"$HAP_FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

# One build for all targets, with debug assertions so that arithmetic
# overflow counts as a crash.
cargo fuzz build --fuzz-dir fuzz --debug-assertions

for target in "${targets[@]}"; do
    corpus="$corpus_root/$target"
    mkdir -p "$corpus"
    # libFuzzer stops when a corpus folder is missing, and a target without
    # committed seeds has none.
    corpora=("$corpus")
    if [[ -d "fuzz/seeds/$target" ]]; then
        corpora+=("fuzz/seeds/$target")
    fi
    echo "fuzz: running $target for $seconds s" >&2
    # -timeout: one input running longer than 10 s counts as a hang.
    # -rss_limit_mb: a target using more than 2 GiB counts as a crash.
    if ! cargo fuzz run --fuzz-dir fuzz --debug-assertions "$target" \
        "${corpora[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1; then
        echo "fuzz: $target failed; replay the input with" >&2
        echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz --debug-assertions $target fuzz/artifacts/$target/<file>" >&2
        exit 1
    fi
done
echo "fuzz: ${#targets[@]} targets ran $seconds s each without a failure" >&2
