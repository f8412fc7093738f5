#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md (see `make bench`):
#   1. Rust core (criterion): signcore vs raw sha2/hmac/ed25519-dalek and
#      vs serde_json + serde_json_canonicalizer; 100k-event chains.
#   2. C ABI (criterion, dlopen of libsigncore.so): C call vs Rust call.
#   3. Node (ffi-node/bench/run.mjs): binding vs node:crypto / npm canonicalize.
#   4. AWS KMS calls against the emulator (ffi-node/bench/kms.mjs).
#   5. Edge figures (edge/run.sh): stack and .text on thumbv7em.
#   6. signcore-proxy under load (proxy/bench/run.sh, wrk): vs a Node http server.
# Every ratio compares two measurements taken in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
BENCH_ARGS=${BENCH_ARGS:---warm-up-time 2 --measurement-time 5}

echo "bench: Rust core"
cargo bench -q -p signcore --features std --bench core -- $BENCH_ARGS | tee target/bench/core.txt
echo "bench: C ABI"
cargo build -q --release -p signcore-ffi
cargo bench -q -p signcore-ffi-bench --bench c_abi -- $BENCH_ARGS | tee target/bench/c_abi.txt
echo "bench: Node"
(cd ffi-node && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build >/dev/null && node bench/run.mjs --json ../target/bench/node.json) | tee target/bench/node.txt
echo "bench: AWS KMS calls (emulator)"
if [ -x build/venv/bin/ministack ]; then
    (cd ffi-node && node bench/kms.mjs --json ../target/bench/kms.json) | tee target/bench/kms.txt
else
    echo "bench: skipped (no ministack: run .ci/install-kms.sh)"; rm -f target/bench/kms.json
fi
echo "bench: edge"
EDGE_HOST=0 bash edge/run.sh > target/bench/edge.txt 2>&1 || echo "bench: edge budgets failed (see target/bench/edge.txt)"
echo "bench: signcore-proxy under load"
bash proxy/bench/run.sh | tee target/bench/proxy.txt || echo "bench: proxy load benchmark failed (see target/bench/proxy.txt)"
python3 scripts/benchmarks_md.py > target/BENCHMARKS.md.new && mv target/BENCHMARKS.md.new BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md"
