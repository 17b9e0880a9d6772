#!/usr/bin/env bash
# Installs the Python package pycanon (k-anonymity, l-diversity and
# t-closeness of a table) into a virtual environment and prints the path of
# that environment's python on stdout.
#
# The hap-disclosure pycanon test runs this python when HAP_PYCANON_PYTHON
# names it:
#   HAP_PYCANON_PYTHON="$(tools/install-pycanon.sh)" cargo test -p hap-disclosure --test pycanon
#
# Running the script again reuses a working environment instead of reinstalling.
# Environment variables:
#   HAP_PYCANON_VENV     folder of the virtual environment
#                        (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-pycanon)
#   HAP_PYCANON_VERSION  pycanon version to install from PyPI (default: 1.3.6)
set -euo pipefail

venv_dir="${HAP_PYCANON_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hap/py-pycanon}"
version="${HAP_PYCANON_VERSION:-1.3.6}"
python="$venv_dir/bin/python"

fail() {
    echo "install-pycanon: $*" >&2
    exit 1
}

works() {
    [[ -x "$python" ]] && "$python" -c "import pycanon.anonymity, pandas" >/dev/null 2>&1
}

if works; then
    echo "$python"
    exit 0
fi

command -v python3 >/dev/null 2>&1 \
    || fail "python3 not found on PATH. Install Python 3 (Debian: apt-get install python3 python3-venv) and run this script again."

python3 -m venv --help >/dev/null 2>&1 \
    || fail "the Python venv module is missing. Install it (Debian: apt-get install python3-venv) and run this script again."

echo "install-pycanon: creating virtual environment in $venv_dir" >&2
mkdir -p "$(dirname "$venv_dir")"
python3 -m venv "$venv_dir" >&2 \
    || fail "python3 -m venv $venv_dir failed. Check that the folder is writable and that ensurepip is installed (Debian: apt-get install python3-venv)."

[[ -x "$venv_dir/bin/pip" ]] \
    || fail "pip is missing in $venv_dir. Install ensurepip (Debian: apt-get install python3-venv), delete $venv_dir and run this script again."

echo "install-pycanon: installing pycanon==$version from PyPI" >&2
"$venv_dir/bin/pip" install --disable-pip-version-check --quiet "pycanon==$version" >&2 \
    || fail "pip install pycanon==$version failed. Check access to PyPI, or set HAP_PYCANON_VERSION to a published version."

works \
    || fail "pip finished but $python cannot import pycanon. Delete $venv_dir and run this script again."

echo "$python"
