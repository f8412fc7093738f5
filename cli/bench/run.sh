#!/usr/bin/env bash
# Benchmark (not a test): `signcore verify` on 1,000,000 HMAC and 100,000
# Ed25519 events, from a file and from PostgreSQL, against the core's
# in-process verify_chain_parallel on the same events. Prints a Markdown
# table (events/s, peak RSS, ratio). Env: BENCH_DIR (default build/cli-bench),
# HMAC_EVENTS, ED_EVENTS, RUNS.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
profile=bench-cli
cargo build -q --profile "$profile" -p signcore-cli --bin signcore --example gen_chain --example bench_core
export BIN="$root/target/$profile"
export WORK="${BENCH_DIR:-$root/build/cli-bench}"
mkdir -p "$WORK"
exec python3 "$root/cli/bench/bench.py"
