#!/usr/bin/env bash
# Installs cargo-fuzz (the libFuzzer front end for Rust) into a cache folder
# when it is missing and prints the path of the binary on stdout. The first
# install compiles it from crates.io (a few minutes).
#   HAP_TOOLS_DIR   where cargo-fuzz is installed
#                   (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/tools)
set -euo pipefail

tools_dir="${HAP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/tools}"
version="0.13.2"

if command -v cargo-fuzz >/dev/null 2>&1; then
    command -v cargo-fuzz
    exit 0
fi
if [[ -x "$tools_dir/bin/cargo-fuzz" ]]; then
    echo "$tools_dir/bin/cargo-fuzz"
    exit 0
fi

echo "install-cargo-fuzz: installing cargo-fuzz $version into $tools_dir" >&2
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT
if ! CARGO_TARGET_DIR="$build_dir" cargo install --quiet --locked --version "$version" \
    --root "$tools_dir" cargo-fuzz >&2; then
    echo "install-cargo-fuzz: cargo install cargo-fuzz $version failed; check access to crates.io and run $0 again" >&2
    exit 1
fi
echo "$tools_dir/bin/cargo-fuzz"
