#!/usr/bin/env bash
# Installs the AWS KMS emulator `ministack` (PyPI, pinned with all its
# dependencies in .ci/kms-requirements.txt) into a venv at build/venv, for
# `make test-kms`. Idempotent: does nothing when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/venv
want=$(sed -n 's/^ministack==//p' .ci/kms-requirements.txt)
if [ -x "$venv/bin/ministack" ] && [ "$("$venv/bin/pip" show ministack 2>/dev/null | sed -n 's/^Version: //p')" = "$want" ] \
    && "$venv/bin/python" -c 'import cryptography' 2>/dev/null; then
    echo "install-kms: present: ministack $want in $venv"
    exit 0
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "install-kms: $python not found (needs Python >= 3.10 with venv)" >&2; exit 1; }
echo "install-kms: installing ministack $want into $venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r .ci/kms-requirements.txt
echo "install-kms: present: ministack $("$venv/bin/pip" show ministack | sed -n 's/^Version: //p') in $venv"
