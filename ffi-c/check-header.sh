#!/usr/bin/env bash
# Regenerates include/signcore.h from ffi-c/src with the pinned cbindgen into
# a temporary file and compares it with the committed header.
#
#   ffi-c/check-header.sh            exit 0 when the header is fresh, 1 (with a diff) when not
#   ffi-c/check-header.sh --write    regenerate include/signcore.h in place
#
# cbindgen is pinned in ffi-c/cbindgen-version. A cbindgen of that version on
# PATH is used; otherwise it is installed once with
# `cargo install --locked --root <repo>/target/tools` (about 2 minutes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
version="$(tr -d '[:space:]' < "$here/cbindgen-version")"
header="$repo/include/signcore.h"

find_cbindgen() {
    local c
    for c in "$(command -v cbindgen 2>/dev/null || true)" "$repo/target/tools/bin/cbindgen"; do
        if [ -n "$c" ] && [ -x "$c" ] && [ "$("$c" --version 2>/dev/null)" = "cbindgen $version" ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

if ! cbindgen="$(find_cbindgen)"; then
    echo "check-header: installing cbindgen $version into $repo/target/tools" >&2
    cargo install --quiet --locked cbindgen --version "=$version" --root "$repo/target/tools" >&2
    cbindgen="$(find_cbindgen)" || { echo "check-header: cbindgen $version not found after install" >&2; exit 2; }
fi

tmp="$(mktemp "${TMPDIR:-/tmp}/signcore.h.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
# cbindgen reads the crate's sources (not its dependencies: parse_deps = false).
(cd "$repo" && "$cbindgen" --quiet --config ffi-c/cbindgen.toml --crate signcore-ffi --output "$tmp" ffi-c)

if [ "${1:-}" = "--write" ]; then
    mkdir -p "$(dirname "$header")"
    cp "$tmp" "$header"
    echo "check-header: wrote include/signcore.h (cbindgen $version)"
    exit 0
fi

if [ ! -f "$header" ]; then
    echo "check-header: include/signcore.h is missing; run ffi-c/check-header.sh --write" >&2
    exit 1
fi
if diff -u "$header" "$tmp" > "$tmp.diff"; then
    rm -f "$tmp.diff"
    echo "check-header: include/signcore.h is fresh (cbindgen $version)"
else
    cat "$tmp.diff" >&2
    rm -f "$tmp.diff"
    echo "check-header: include/signcore.h is stale; run ffi-c/check-header.sh --write" >&2
    exit 1
fi
