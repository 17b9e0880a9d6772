#!/usr/bin/env bash
# Runs the cargo-fuzz (libFuzzer) targets of the fuzz crates under
# tests/fuzz/ for a number of seconds each and fails on the first crash,
# timeout or out-of-memory report.
#
#   bash tools/fuzz.sh [SECONDS]        (default 15 seconds per target)
#
# The fuzz crates:
#   parsers     identity_number, criteria, hierarchy_csv: the parsers of
#               hap-identity, hap-contracts and hap-disclosure
#   registries  registry_csv, registry_parquet: the registry readers of
#               hap-linkage, whose build includes Arrow and Parquet
#
# cargo-fuzz is installed by tools/install-cargo-fuzz.sh into a cache
# folder on first use, which compiles it once (a few minutes). The fuzz
# build needs unstable compiler flags (-Z sanitizer, -C
# passes=sancov-module), which the stable toolchain accepts with
# RUSTC_BOOTSTRAP=1. Seed corpora come from tests/fuzz/CRATE/seeds/TARGET,
# committed small valid inputs. Inputs that found new coverage are kept in
# the cache corpus folder between runs. A crashing input is written to tests/fuzz/CRATE/artifacts/TARGET/ and the
# script prints the command that replays it.
#
# Environment variables:
#   HAP_FUZZ_CRATES      space-separated fuzz crates to build and run
#                        (default: parsers registries)
#   HAP_FUZZ_TARGETS     space-separated targets to run, from the chosen
#                        crates (default: all of them)
#   HAP_FUZZ_SANITIZER   sanitizer of the build: address (default), or none
#                        for coverage instrumentation alone, which builds
#                        faster and finds panics but no memory errors
#   HAP_FUZZ_PROFILE     release (default), or dev for the fuzz crate's dev
#                        profile (opt-level 1), which builds several times
#                        faster and runs inputs more slowly
#   HAP_TOOLS_DIR        where cargo-fuzz is installed, as for install-cargo-fuzz.sh
#   HAP_FUZZ_TARGET_DIR  build folder of the fuzz crates, one subfolder per
#                        crate, sanitizer and profile
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/fuzz-target)
#   HAP_FUZZ_CORPUS_DIR  folder of the growing corpora
#                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/fuzz-corpus)
set -euo pipefail
cd "$(dirname "$0")/.."

all_crates=(parsers registries)

seconds="${1:-15}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz: the run time must be a whole number of seconds above 0, found \`$seconds\`" >&2
    exit 2
fi

read -r -a crates <<<"${HAP_FUZZ_CRATES:-${all_crates[*]}}"
for crate in "${crates[@]}"; do
    if [[ ! -f "tests/fuzz/$crate/Cargo.toml" ]]; then
        echo "fuzz: HAP_FUZZ_CRATES names \`$crate\`, which is not a fuzz crate; choose from: ${all_crates[*]}" >&2
        exit 2
    fi
done

sanitizer="${HAP_FUZZ_SANITIZER:-address}"
if [[ "$sanitizer" != address && "$sanitizer" != none ]]; then
    echo "fuzz: HAP_FUZZ_SANITIZER must be \`address\` or \`none\`, found \`$sanitizer\`" >&2
    exit 2
fi

profile="${HAP_FUZZ_PROFILE:-release}"
case "$profile" in
    release) profile_option=--release ;;
    dev) profile_option=--dev ;;
    *)
        echo "fuzz: HAP_FUZZ_PROFILE must be \`release\` or \`dev\`, found \`$profile\`" >&2
        exit 2
        ;;
esac

# libfuzzer-sys compiles libFuzzer, which is C++. Checking first saves
# installing cargo-fuzz for a build that would fail.
if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz: libFuzzer is C++ and no C++ compiler was found; install one (Debian: apt-get install g++) and run $0 again" >&2
    exit 1
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/hap"
target_root="${HAP_FUZZ_TARGET_DIR:-$cache/fuzz-target}"
corpus_root="${HAP_FUZZ_CORPUS_DIR:-$cache/fuzz-corpus}"

fuzz_bin="$(bash tools/install-cargo-fuzz.sh)"
export PATH="$(dirname "$fuzz_bin"):$PATH"
export RUSTC_BOOTSTRAP=1

# Build options, the same for `cargo fuzz build` and `cargo fuzz run` so
# that the run reuses the build. Debug assertions make arithmetic overflow
# count as a crash.
build_options=("$profile_option" --debug-assertions --sanitizer "$sanitizer")

requested=()
if [[ -n "${HAP_FUZZ_TARGETS:-}" ]]; then
    read -r -a requested <<<"$HAP_FUZZ_TARGETS"
fi

# Chooses the targets of every crate before building any, so that a
# misspelt target fails at once instead of after a long build.
declare -A crate_targets=()
found=()
found_all=()
for crate in "${crates[@]}"; do
    # Captured first: a failing command inside a process substitution
    # would go unnoticed and leave the crate without targets.
    if ! listed="$(cargo fuzz list --fuzz-dir "tests/fuzz/$crate")"; then
        echo "fuzz: \`cargo fuzz list\` failed for tests/fuzz/$crate; the output above gives the reason" >&2
        exit 1
    fi
    chosen=()
    while IFS= read -r target; do
        [[ -n "$target" ]] || continue
        found_all+=("$target")
        if [[ ${#requested[@]} -eq 0 || " ${requested[*]} " == *" $target "* ]]; then
            chosen+=("$target")
            found+=("$target")
        fi
    done <<<"$listed"
    crate_targets[$crate]="${chosen[*]}"
done
for target in "${requested[@]}"; do
    if [[ " ${found[*]} " != *" $target "* ]]; then
        echo "fuzz: HAP_FUZZ_TARGETS names \`$target\`, which is not a target of the crates in HAP_FUZZ_CRATES (${crates[*]}); the targets are: ${found_all[*]}" >&2
        exit 2
    fi
done

ran=0
for crate in "${crates[@]}"; do
    read -r -a targets <<<"${crate_targets[$crate]}"
    if [[ ${#targets[@]} -eq 0 ]]; then
        continue
    fi
    fuzz_dir="tests/fuzz/$crate"
    # One folder per crate, sanitizer and profile (release builds have no
    # profile suffix), so that switching between builds reuses each
    # instead of rebuilding.
    folder="$crate-$sanitizer"
    if [[ "$profile" == dev ]]; then
        folder+="-dev"
    fi
    export CARGO_TARGET_DIR="$target_root/$folder"

    echo "fuzz: building $crate (sanitizer $sanitizer, profile $profile) in $CARGO_TARGET_DIR" >&2
    cargo fuzz build --fuzz-dir "$fuzz_dir" "${build_options[@]}"

    for target in "${targets[@]}"; do
        corpus="$corpus_root/$target"
        mkdir -p "$corpus"
        # libFuzzer stops when a corpus folder is missing, and a target
        # without committed seeds has none.
        corpora=("$corpus")
        if [[ -d "$fuzz_dir/seeds/$target" ]]; then
            corpora+=("$fuzz_dir/seeds/$target")
        fi
        echo "fuzz: running $target for $seconds s" >&2
        # -timeout: one input running longer than 10 s counts as a hang.
        # -rss_limit_mb: a target using more than 2 GiB counts as a crash.
        if ! cargo fuzz run --fuzz-dir "$fuzz_dir" "${build_options[@]}" "$target" \
            "${corpora[@]}" -- \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
            -print_final_stats=1; then
            echo "fuzz: $target failed; replay the input with" >&2
            echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir $fuzz_dir ${build_options[*]} $target $fuzz_dir/artifacts/$target/<file>" >&2
            exit 1
        fi
        ran=$((ran + 1))
    done
done
echo "fuzz: $ran targets ran $seconds s each without a failure" >&2
