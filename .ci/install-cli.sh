#!/usr/bin/env bash
# What the cli tests need: a PostgreSQL server (Debian's postgresql package,
# started by the tests themselves) and the moto S3 emulator in build/venv-s3 (its own venv: the KMS emulator pins other versions in build/venv).
# Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
venv="$root/build/venv-s3"
if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.5'
fi
"$venv/bin/moto_server" --help >/dev/null
