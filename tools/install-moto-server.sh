#!/usr/bin/env bash
# Installs moto's S3-compatible server (`moto_server`, from PyPI) into a
# virtual environment and prints the path of its executable on stdout.
#
# The delivery service's S3 tests start this server on 127.0.0.1 when
# HAP_MOTO_SERVER names it:
#   HAP_MOTO_SERVER="$(tools/install-moto-server.sh)" cargo test -p hap-delivery
#
# Running the script again reuses a working environment instead of reinstalling.
# Environment variables:
#   HAP_MOTO_VENV     folder of the virtual environment
#                     (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-moto)
#   HAP_MOTO_VERSION  moto version to install from PyPI (default: 5.2.5)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${HAP_MOTO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-moto}"
version="${HAP_MOTO_VERSION:-5.2.5}"
server="$venv_dir/bin/moto_server"

fail() {
    echo "install-moto-server: $*" >&2
    exit 1
}

if [[ -x "$server" ]] && "$server" --help >/dev/null 2>&1; then
    echo "$server"
    exit 0
fi

command -v python3 >/dev/null 2>&1 \
    || fail "python3 not found on PATH. Install Python 3 (Debian: apt-get install python3 python3-venv) and run this script again."

python3 -m venv --help >/dev/null 2>&1 \
    || fail "the Python venv module is missing. Install it (Debian: apt-get install python3-venv) and run this script again."

echo "install-moto-server: creating virtual environment in $venv_dir" >&2
python3 -m venv "$venv_dir" >&2 \
    || fail "python3 -m venv $venv_dir failed. Check that the folder is writable and that ensurepip is installed (Debian: apt-get install python3-venv)."

[[ -x "$venv_dir/bin/pip" ]] \
    || fail "pip is missing in $venv_dir. Install ensurepip (Debian: apt-get install python3-venv), delete $venv_dir and run this script again."

echo "install-moto-server: installing moto[server]==$version from PyPI" >&2
"$venv_dir/bin/pip" install --disable-pip-version-check --quiet "moto[server]==$version" >&2 \
    || fail "pip install moto[server]==$version failed. Check access to PyPI, or set HAP_MOTO_VERSION to a published version."

[[ -x "$server" ]] \
    || fail "pip finished but $server does not exist. Delete $venv_dir and run this script again."

"$server" --help >/dev/null 2>&1 \
    || fail "$server --help failed. Delete $venv_dir and run this script again."

echo "$server"
