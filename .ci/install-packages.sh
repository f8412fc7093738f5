#!/usr/bin/env bash
# Debian packages the tests need beyond the base image. Idempotent.
set -euo pipefail
bash "$(dirname "$0")/install-edge.sh"
bash "$(dirname "$0")/install-kms.sh"
bash "$(dirname "$0")/install-go.sh"
bash "$(dirname "$0")/install-cli.sh"
