#!/usr/bin/env bash
# The `signcore` part of `make demo`: archive a signed chain, verify it,
# cut its tail off, verify again (no external services: a file archive).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p signcore-cli --bin signcore --example gen_chain
bin=target/debug
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
keystore=core/examples/demo_keystore.json

echo
echo "== signcore: signed archives =="
$bin/examples/gen_chain "$keystore" demo-ed25519-1 12 "$tmp/events.ndjson" ndjson
echo "\$ signcore keys list --keystore $keystore"
$bin/signcore keys list --keystore "$keystore"
$bin/signcore keys ring --keystore "$keystore" --out "$tmp/public-ring.json"
echo "\$ signcore archive --from events.ndjson --origin demo/audit --out archive.json --keystore $keystore --key-id demo-ed25519-1"
$bin/signcore archive --from "$tmp/events.ndjson" --origin demo/audit --out "$tmp/archive.json" --keystore "$keystore" --key-id demo-ed25519-1
echo "\$ signcore verify archive.json --ring public-ring.json"
$bin/signcore verify "$tmp/archive.json" --ring "$tmp/public-ring.json"
echo "\$ (drop the last 4 events of archive.json, keep everything else)"
node -e '
  const fs = require("fs"); const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  a.events = a.events.slice(0, -4); fs.writeFileSync(process.argv[2], JSON.stringify(a));' "$tmp/archive.json" "$tmp/truncated.json"
echo "\$ signcore verify truncated.json --ring public-ring.json"
set +e
$bin/signcore verify "$tmp/truncated.json" --ring "$tmp/public-ring.json"
code=$?
set -e
echo "(exit code $code: the cut-off tail is detected)"
test "$code" -eq 1

echo
echo "== signcore: a signed checkpoint and a proof an auditor checks offline =="
origin=demo/audit
echo "\$ signcore checkpoint events.ndjson --origin $origin --keystore $keystore --key-id demo-ed25519-1 --out checkpoint.txt"
$bin/signcore checkpoint "$tmp/events.ndjson" --origin "$origin" --keystore "$keystore" --key-id demo-ed25519-1 --out "$tmp/checkpoint.txt" 2>/dev/null
cat "$tmp/checkpoint.txt"
echo "\$ signcore keys ring --keystore $keystore --note-verifier --name $origin --key-id demo-ed25519-1"
vkey="$($bin/signcore keys ring --keystore "$keystore" --note-verifier --name "$origin" --key-id demo-ed25519-1)"
echo "$vkey"
echo "\$ signcore prove inclusion events.ndjson --index 7 --checkpoint checkpoint.txt --out proof.json"
$bin/signcore prove inclusion "$tmp/events.ndjson" --index 7 --checkpoint "$tmp/checkpoint.txt" --out "$tmp/proof.json"
echo "(proof.json: the event, its hash, $(node -e 'console.log(require(process.argv[1]).proof.length)' "$tmp/proof.json") audit-path hashes and the signed checkpoint)"
echo "\$ (a forged copy: the same proof claimed for event 6)"
sed 's/"index": 7/"index": 6/' "$tmp/proof.json" > "$tmp/forged.json"
set +e
$bin/signcore verify-proof "$tmp/forged.json" --origin "$origin" --verifier-key "$vkey"
code=$?
set -e
echo "(exit code $code: refused)"
test "$code" -eq 1
echo "\$ signcore verify-proof proof.json --origin $origin --verifier-key \"\$VKEY\"   # the proof alone + the log's public key"
$bin/signcore verify-proof "$tmp/proof.json" --origin "$origin" --verifier-key "$vkey"
