#!/usr/bin/env bash
# The checkpoint part of `make demo` (DESIGN.md §12): a signed checkpoint of
# the demo chain, an inclusion proof of one event verified from the proof
# and the checkpoint alone, and a forged proof refused.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p signcore-cli --bin signcore --example gen_chain
bin=target/debug
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
keystore=examples/node_keystore.json
origin=demo/audit

echo
echo "== signcore: signed checkpoints and proofs =="
$bin/examples/gen_chain "$keystore" demo-ed25519-1 12 "$tmp/events.ndjson" ndjson
echo "\$ signcore checkpoint events.ndjson --origin $origin --keystore $keystore --key-id demo-ed25519-1"
$bin/signcore checkpoint "$tmp/events.ndjson" --origin "$origin" --keystore "$keystore" --key-id demo-ed25519-1 | tee "$tmp/checkpoint.txt"
vkey="$($bin/signcore checkpoint --origin "$origin" --keystore "$keystore" --key-id demo-ed25519-1 --print-verifier-key)"
echo "(the log's verifier key, published once: $vkey)"
echo "\$ signcore prove inclusion events.ndjson --index 7 > proof.json"
$bin/signcore prove inclusion "$tmp/events.ndjson" --index 7 | tee "$tmp/proof.json"
echo "\$ signcore verify-proof proof.json --checkpoint checkpoint.txt --origin $origin --key \"\$VKEY\""
$bin/signcore verify-proof "$tmp/proof.json" --checkpoint "$tmp/checkpoint.txt" --origin "$origin" --key "$vkey"
echo "\$ (the same proof claimed for event 6)"
sed 's/"index": 7/"index": 6/' "$tmp/proof.json" > "$tmp/forged.json"
set +e
$bin/signcore verify-proof "$tmp/forged.json" --checkpoint "$tmp/checkpoint.txt" --origin "$origin" --key "$vkey"
code=$?
set -e
echo "(exit code $code: refused)"
test "$code" -eq 1
