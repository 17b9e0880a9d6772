#!/usr/bin/env bash
# Checks the dependency tree against deny.toml with cargo-deny: licences,
# banned crates and sources. cargo-deny is installed into a cache folder on
# first use, which compiles it once (a few minutes).
#   HAP_TOOLS_DIR   where cargo-deny is installed (default ${XDG_CACHE_HOME:-$HOME/.cache}/hap/tools)
set -euo pipefail
cd "$(dirname "$0")/.."

tools_dir="${HAP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/tools}"
version="0.20.2"

deny_bin="$(command -v cargo-deny || true)"
if [[ -z "$deny_bin" && -x "$tools_dir/bin/cargo-deny" ]]; then
    deny_bin="$tools_dir/bin/cargo-deny"
fi
if [[ -z "$deny_bin" ]]; then
    echo "cargo-deny not found, so installing version $version into $tools_dir" >&2
    build_dir="$(mktemp -d)"
    trap 'rm -rf "$build_dir"' EXIT
    if ! CARGO_TARGET_DIR="$build_dir" cargo install --quiet --locked --version "$version" \
        --root "$tools_dir" cargo-deny; then
        echo "cargo-deny could not be installed from crates.io; install it (cargo install cargo-deny) and run $0 again" >&2
        exit 1
    fi
    deny_bin="$tools_dir/bin/cargo-deny"
fi

"$deny_bin" --version
"$deny_bin" --locked check licenses bans sources
