#!/usr/bin/env bash
# Installs the Python `schemathesis` API fuzzer into a virtual environment
# and prints the path of its `schemathesis` executable on stdout.
#
# The end-to-end fuzz test runs it against the OpenAPI document of every
# service when HAP_SCHEMATHESIS names it:
#   HAP_SCHEMATHESIS="$(tools/install-schemathesis.sh)" cargo test -p hap-e2e --test fuzz_api
#
# Running the script again reuses a working environment instead of reinstalling.
# Environment variables:
#   HAP_SCHEMATHESIS_VENV     folder of the virtual environment
#                             (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-schemathesis)
#   HAP_SCHEMATHESIS_VERSION  version to install from PyPI (default: 4.32.5)
set -euo pipefail

venv_dir="${HAP_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-schemathesis}"
version="${HAP_SCHEMATHESIS_VERSION:-4.32.5}"
cli="$venv_dir/bin/schemathesis"

fail() {
    echo "install-schemathesis: $*" >&2
    exit 1
}

if [[ -x "$cli" ]] && "$cli" --version 2>/dev/null | grep -q -- "$version"; then
    echo "$cli"
    exit 0
fi

command -v python3 >/dev/null 2>&1 \
    || fail "python3 not found on PATH. Install Python 3 (Debian: apt-get install python3 python3-venv) and run this script again."

python3 -m venv --help >/dev/null 2>&1 \
    || fail "the Python venv module is missing. Install it (Debian: apt-get install python3-venv) and run this script again."

echo "install-schemathesis: creating virtual environment in $venv_dir" >&2
python3 -m venv "$venv_dir" >&2 \
    || fail "python3 -m venv $venv_dir failed. Check that the folder is writable and that ensurepip is installed (Debian: apt-get install python3-venv)."

[[ -x "$venv_dir/bin/pip" ]] \
    || fail "pip is missing in $venv_dir. Install ensurepip (Debian: apt-get install python3-venv), delete $venv_dir and run this script again."

echo "install-schemathesis: installing schemathesis==$version from PyPI" >&2
"$venv_dir/bin/pip" install --disable-pip-version-check --quiet "schemathesis==$version" >&2 \
    || fail "pip install schemathesis==$version failed. Check access to PyPI, or set HAP_SCHEMATHESIS_VERSION to a published version."

[[ -x "$cli" ]] \
    || fail "pip finished but $cli does not exist. Delete $venv_dir and run this script again."

"$cli" --version >/dev/null 2>&1 \
    || fail "$cli --version failed. Delete $venv_dir and run this script again."

echo "$cli"
