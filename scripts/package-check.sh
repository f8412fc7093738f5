#!/usr/bin/env bash
# `cargo package -p signcore`, then the packaged demo run from the unpacked
# crate alone (no workspace around it): what a crates.io user gets works.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
cargo package -q -p signcore --allow-dirty --no-verify
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf target/package/signcore-*.crate -C "$work"
cd "$work"/signcore-*
# Shares the workspace's target dir so dependencies are not built again.
out=$(CARGO_TARGET_DIR="$target" cargo run -q --offline --features std --example audit_demo 2>&1) || {
    echo "$out"
    echo "package-check: the packaged example failed"
    exit 1
}
grep -q "OK: 4 events checked, 0 findings" <<<"$out" || { echo "$out"; echo "package-check: unexpected output"; exit 1; }
echo "package-check: signcore $(ls -d "$work"/signcore-* | sed 's/.*signcore-//') packaged ($(tar -tzf "$OLDPWD"/target/package/signcore-*.crate 2>/dev/null | wc -l) files); its example runs from the package alone"
