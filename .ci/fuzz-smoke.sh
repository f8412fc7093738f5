#!/usr/bin/env bash
# Short fuzzing smoke run of every target (the long campaign is fuzz/run-long.sh).
# Needs the nightly toolchain; installs cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET=${FUZZ_SMOKE_SECONDS:-20}
if ! rustup toolchain list | grep -q nightly; then
    echo "fuzz-smoke: no nightly toolchain; skipped" >&2
    exit 1
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
# The committed corpus (seeded from the vectors, grown and minimized by the
# long campaign) is the starting point; the run works on a copy.
cargo +nightly fuzz build -O
passed=0
failed=0
# Past findings first: each input replayed once.
for dir in regressions/*/; do
    target=$(basename "$dir")
    if cargo +nightly fuzz run -O "$target" "$dir"* > /tmp/fuzz-regression.log 2>&1; then
        echo "fuzz-smoke: $target regressions ok ($(ls "$dir" | wc -l) inputs)"
        passed=$((passed + 1))
    else
        echo "fuzz-smoke: $target regressions FAILED"; tail -40 /tmp/fuzz-regression.log
        failed=$((failed + 1))
    fi
done
for target in canonicalize keystore chain c_api key_storage; do
    # Work on a copy: the smoke run must not grow the committed corpus.
    work=$(mktemp -d)
    cp -r "corpus/$target/." "$work/"
    if cargo +nightly fuzz run -O "$target" "$work" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -print_final_stats=1 \
        > "$work.log" 2>&1; then
        echo "fuzz-smoke: $target ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" | grep -o '[0-9]*$' || echo '?') runs)"
        passed=$((passed + 1))
    else
        echo "fuzz-smoke: $target FAILED"; tail -40 "$work.log"
        failed=$((failed + 1))
    fi
    rm -rf "$work" "$work.log"
done
echo "fuzz-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
