#!/usr/bin/env bash
# signcore against Go's golang.org/x/mod/sumdb/{tlog,note} (Debian's copy).
# Builds tests/go/tlogcheck offline in GOPATH mode (the Debian package lays
# the source out as a GOPATH under /usr/share/gocode; no module proxy, no
# toolchain download), then runs core/tests/go_interop.rs against it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
out="$repo/target/go"
mkdir -p "$out"
export GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOTOOLCHAIN=local GOFLAGS= GOCACHE="$out/cache"
go version
go vet ./tests/go/tlogcheck
go build -o "$out/tlogcheck" ./tests/go/tlogcheck
SIGNCORE_TLOGCHECK="$out/tlogcheck" cargo test -q -p signcore --all-features --test go_interop -- --nocapture 2>&1 \
    | grep -E '^(go interop|vectors):|test result|panicked|error' ; test "${PIPESTATUS[0]}" -eq 0
# What the `signcore` command prints (signed checkpoints, inclusion and
# consistency proofs) verified by Go's note.Open / tlog.CheckRecord / CheckTree.
SIGNCORE_TLOGCHECK="$out/tlogcheck" cargo test -q -p signcore-cli --test checkpoint go_verifies -- --nocapture 2>&1 \
    | grep -E '^go interop:|test result|panicked|error' ; test "${PIPESTATUS[0]}" -eq 0
# The edge checkpoint known answers (edge/src/kat_checkpoint.rs) are Go's, regenerated here.
python3 edge/kat_checkpoint.py "$out/tlogcheck" | cmp - edge/src/kat_checkpoint.rs \
    && echo "go interop: edge/src/kat_checkpoint.rs matches Go's answers" \
    || { echo "edge/src/kat_checkpoint.rs differs from Go's answers (run: python3 edge/kat_checkpoint.py target/go/tlogcheck > edge/src/kat_checkpoint.rs)"; exit 1; }
