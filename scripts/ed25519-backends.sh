#!/usr/bin/env bash
# Ed25519 known answers (Wycheproof ed25519_test.json, RFC 8032) on each
# curve25519-dalek backend the host could be built with (see BENCHMARKS.md,
# "Ed25519 on x86-64"): `avx512` (AVX-512 IFMA, chosen at run time, falling
# back to AVX2 and then serial on CPUs without it), `simd` (the default on
# x86-64: AVX2 with a serial fallback) and `serial` (what a CPU without AVX2
# runs). Each backend builds in its own target directory (a rustflags change
# rebuilds every dependency), so this is not part of `make test`:
# `make test-ed25519-backends`, or BACKENDS="serial" bash scripts/ed25519-backends.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKENDS="${BACKENDS:-avx512 serial}"
if grep -qw avx512ifma /proc/cpuinfo 2>/dev/null; then
    echo "ed25519-backends: this CPU has avx512ifma: the avx512 build runs the IFMA code"
else
    echo "ed25519-backends: this CPU has no avx512ifma: the avx512 build runs its run-time fallback"
fi
for backend in $BACKENDS; do
    echo "ed25519-backends: curve25519_dalek_backend=\"$backend\""
    CARGO_TARGET_DIR="$PWD/target/backend-$backend" RUSTFLAGS="--cfg curve25519_dalek_backend=\"$backend\"" \
        cargo test -q -p signcore --features std --test crypto_vectors -- --nocapture --test-threads=1 2>&1 |
        grep -E "vectors:|^test result|FAILED|panicked"
    test "${PIPESTATUS[0]}" -eq 0
done
echo "ed25519-backends: ok ($BACKENDS)"
