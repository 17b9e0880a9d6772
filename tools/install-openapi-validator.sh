#!/usr/bin/env bash
# Installs the Python `openapi-spec-validator` into a virtual environment and
# prints the path of its `openapi-spec-validator` executable on stdout.
#
# The applications service's OpenAPI test runs it on the served document
# when HAP_OPENAPI_VALIDATOR names it:
#   HAP_OPENAPI_VALIDATOR="$(tools/install-openapi-validator.sh)" cargo test -p hap-applications --test openapi
#
# Running the script again reuses a working environment instead of reinstalling.
# Environment variables:
#   HAP_OPENAPI_VALIDATOR_VENV     folder of the virtual environment
#                                  (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-openapi-validator)
#   HAP_OPENAPI_VALIDATOR_VERSION  version to install from PyPI (default: 0.9.0)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${HAP_OPENAPI_VALIDATOR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-openapi-validator}"
version="${HAP_OPENAPI_VALIDATOR_VERSION:-0.9.0}"
cli="$venv_dir/bin/openapi-spec-validator"

fail() {
    echo "install-openapi-validator: $*" >&2
    exit 1
}

if [[ -x "$cli" ]] && "$cli" --help >/dev/null 2>&1; then
    echo "$cli"
    exit 0
fi

command -v python3 >/dev/null 2>&1 \
    || fail "python3 not found on PATH. Install Python 3 (Debian: apt-get install python3 python3-venv) and run this script again."

python3 -m venv --help >/dev/null 2>&1 \
    || fail "the Python venv module is missing. Install it (Debian: apt-get install python3-venv) and run this script again."

echo "install-openapi-validator: creating virtual environment in $venv_dir" >&2
python3 -m venv "$venv_dir" >&2 \
    || fail "python3 -m venv $venv_dir failed. Check that the folder is writable and that ensurepip is installed (Debian: apt-get install python3-venv)."

[[ -x "$venv_dir/bin/pip" ]] \
    || fail "pip is missing in $venv_dir. Install ensurepip (Debian: apt-get install python3-venv), delete $venv_dir and run this script again."

echo "install-openapi-validator: installing openapi-spec-validator==$version from PyPI" >&2
"$venv_dir/bin/pip" install --disable-pip-version-check --quiet "openapi-spec-validator==$version" >&2 \
    || fail "pip install openapi-spec-validator==$version failed. Check access to PyPI, or set HAP_OPENAPI_VALIDATOR_VERSION to a published version."

[[ -x "$cli" ]] \
    || fail "pip finished but $cli does not exist. Delete $venv_dir and run this script again."

"$cli" --help >/dev/null 2>&1 \
    || fail "$cli --help failed. Delete $venv_dir and run this script again."

echo "$cli"
