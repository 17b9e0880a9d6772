#!/usr/bin/env bash
# Installs the Python `crypt4gh` command-line tool into a virtual environment
# and prints the path of its `crypt4gh` executable on stdout.
#
# The hap-crypt4gh interoperability test runs this CLI when HAP_CRYPT4GH_CLI
# names it:
#   HAP_CRYPT4GH_CLI="$(tools/install-crypt4gh-cli.sh)" cargo test -p hap-crypt4gh
#
# Running the script again reuses a working environment instead of reinstalling.
# Environment variables:
#   HAP_CRYPT4GH_VENV     folder of the virtual environment
#                         (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-crypt4gh)
#   HAP_CRYPT4GH_VERSION  crypt4gh version to install from PyPI (default: 1.8.6)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${HAP_CRYPT4GH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-crypt4gh}"
version="${HAP_CRYPT4GH_VERSION:-1.8.6}"
cli="$venv_dir/bin/crypt4gh"

fail() {
    echo "install-crypt4gh-cli: $*" >&2
    exit 1
}

if [[ -x "$cli" ]] && "$cli" --version >/dev/null 2>&1; then
    echo "$cli"
    exit 0
fi

command -v python3 >/dev/null 2>&1 \
    || fail "python3 not found on PATH. Install Python 3 (Debian: apt-get install python3 python3-venv) and run this script again."

python3 -m venv --help >/dev/null 2>&1 \
    || fail "the Python venv module is missing. Install it (Debian: apt-get install python3-venv) and run this script again."

echo "install-crypt4gh-cli: creating virtual environment in $venv_dir" >&2
python3 -m venv "$venv_dir" >&2 \
    || fail "python3 -m venv $venv_dir failed. Check that the folder is writable and that ensurepip is installed (Debian: apt-get install python3-venv)."

[[ -x "$venv_dir/bin/pip" ]] \
    || fail "pip is missing in $venv_dir. Install ensurepip (Debian: apt-get install python3-venv), delete $venv_dir and run this script again."

echo "install-crypt4gh-cli: installing crypt4gh==$version from PyPI" >&2
"$venv_dir/bin/pip" install --disable-pip-version-check --quiet "crypt4gh==$version" >&2 \
    || fail "pip install crypt4gh==$version failed. Check access to PyPI, or set HAP_CRYPT4GH_VERSION to a published version."

[[ -x "$cli" ]] \
    || fail "pip finished but $cli does not exist. Delete $venv_dir and run this script again."

"$cli" --version >/dev/null 2>&1 \
    || fail "$cli --version failed. Delete $venv_dir and run this script again."

echo "$cli"
