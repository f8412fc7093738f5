#!/usr/bin/env bash
# The long fuzzing campaign (not CI): each target for 10M runs, logs in logs/.
set -u
cd "$(dirname "$0")"
./seed-corpus.sh >/dev/null
for target in "$@"; do
    cargo +nightly fuzz run -O "$target" "corpus/$target" -- -runs=10000000 -max_len=8192 -print_final_stats=1 \
        > "logs/$target.log" 2>&1
    echo "$target: exit $?" >> logs/summary.txt
done
