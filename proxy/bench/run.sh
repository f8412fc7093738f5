#!/usr/bin/env bash
# Load benchmark (not a test): POST /sign/hash with 64 concurrent keep-alive
# connections on loopback, HMAC and Ed25519, signcore-proxy (release build)
# against a Node http server doing the same with node:crypto (node-server.js),
# same load generator (wrk, proxy/bench/sign-hash.lua), same run, interleaved
# (rust-hmac, node-hmac, rust-ed25519, node-ed25519, repeated ROUNDS times;
# medians reported). Writes target/bench/proxy.md (BENCHMARKS.md's section).
#   ROUNDS=3 DURATION=10s CONNECTIONS=64 THREADS=2 bash proxy/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench: node is needed" >&2; exit 1; }

# SIGNCORE_PROXY_BIN: an already built release binary (else built here).
if [ -z "${SIGNCORE_PROXY_BIN:-}" ]; then cargo build -q --release -p signcore-proxy; fi
BIN=${SIGNCORE_PROXY_BIN:-target/release/signcore-proxy}
mkdir -p target/bench
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

export SIGNING_PROXY_API_KEY=bench-api-key
export MOCK_AUDIT_SIGNING_KEY=bench-key
printf '[{"key_id":"node-ed","alg":"ed25519","secret_hex":"%s"}]' "$(printf '07%.0s' $(seq 32))" > "$tmp/ks.json"
chmod 600 "$tmp/ks.json"

# start_rust <name> <args...>: waits for the "listening" line, records the port.
start_rust() {
  local name=$1; shift
  "$BIN" --listen 127.0.0.1:0 "$@" 2> "$tmp/$name.log" &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -q '"event":"listening"' "$tmp/$name.log" 2>/dev/null; then
      sed -n 's/.*"addr":"127.0.0.1:\([0-9]*\)".*/\1/p' "$tmp/$name.log" | head -1 > "$tmp/$name.port"
      return
    fi
    sleep 0.05
  done
  echo "bench: $name did not start: $(cat "$tmp/$name.log")" >&2; exit 1
}
start_node() {
  local name=$1 alg=$2
  node proxy/bench/node-server.js 0 "$alg" > "$tmp/$name.out" &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -q '^listening' "$tmp/$name.out" 2>/dev/null; then
      awk '{print $2}' "$tmp/$name.out" > "$tmp/$name.port"
      return
    fi
    sleep 0.05
  done
  echo "bench: $name did not start" >&2; exit 1
}

start_rust rust-hmac --mock
start_rust rust-ed25519 --keystore "$tmp/ks.json" --key-id node-ed
start_node node-hmac hmac
start_node node-ed25519 ed25519

# Same answers from both (a sanity check, not a measurement).
for alg in hmac ed25519; do
  r=$(curl -s -H "Authorization: Bearer $SIGNING_PROXY_API_KEY" -H 'Content-Type: application/json' \
      -d '{"digest_hex":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}' "http://127.0.0.1:$(cat "$tmp/rust-$alg.port")/sign/hash")
  n=$(curl -s -H "Authorization: Bearer $SIGNING_PROXY_API_KEY" -H 'Content-Type: application/json' \
      -d '{"digest_hex":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}' "http://127.0.0.1:$(cat "$tmp/node-$alg.port")/sign/hash")
  [ "$(echo "$r" | sed 's/.*"signature":"\([0-9a-f]*\)".*/\1/')" = "$(echo "$n" | sed 's/.*"signature":"\([0-9a-f]*\)".*/\1/')" ] \
    || { echo "bench: $alg answers differ: $r vs $n" >&2; exit 1; }
done

results=target/bench/proxy.tsv
: > "$results"
for round in $(seq "$ROUNDS"); do
  for alg in hmac ed25519; do
    for server in rust node; do
      port=$(cat "$tmp/$server-$alg.port")
      wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s proxy/bench/sign-hash.lua "http://127.0.0.1:$port" > /dev/null
      line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s proxy/bench/sign-hash.lua "http://127.0.0.1:$port" | grep '^RESULT')
      echo "bench: round $round $server $alg $line"
      printf '%s\t%s\t%s\t%s\n' "$round" "$server" "$alg" "$line" >> "$results"
    done
  done
done

python3 - "$results" "$CONNECTIONS" "$DURATION" "$ROUNDS" > target/bench/proxy.md <<'PY'
import sys, statistics, re, subprocess
path, conns, duration, rounds = sys.argv[1:5]
rows = {}
for line in open(path):
    rnd, server, alg, result = line.rstrip('\n').split('\t')
    kv = dict(re.findall(r'(\w+)=(\d+)', result))
    kv = {k: int(v) for k, v in kv.items()}
    rows.setdefault((server, alg), []).append(kv)
def med(server, alg, key):
    return statistics.median(r[key] for r in rows[(server, alg)])
def rps(server, alg):
    return statistics.median(r['requests'] / (r['duration_us'] / 1e6) for r in rows[(server, alg)])
def failed(server, alg):
    return sum(r['non2xx'] + r['connect'] + r['read'] + r['write'] + r['timeout'] for r in rows[(server, alg)])
cpu = subprocess.run(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print('## signcore-proxy under load (proxy/bench/run.sh)\n')
print(f'`POST /sign/hash`, {conns} concurrent keep-alive connections on loopback, wrk ({duration} per run after a 2 s warm-up),')
print(f'{rounds} interleaved rounds, medians. signcore-proxy: release build, 2 tokio workers, one log line per request to a file.')
print('Node: node:http + node:crypto, one process (the seed\'s mock proxy done properly). Both check the Bearer key in')
print(f'constant time and answer the same signature. Machine: {cpu}, {subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()} cores shared with other work, so absolute figures are noisy; ratios are of medians over the same interleaved rounds.\n')
print('| alg | server | requests/s | p50 | p99 | failed |')
print('|---|---|---:|---:|---:|---:|')
summary = []
for alg in ('hmac', 'ed25519'):
    for server in ('rust', 'node'):
        name = 'signcore-proxy' if server == 'rust' else 'Node http'
        print(f'| {alg} | {name} | {rps(server, alg):,.0f} | {med(server, alg, "p50_us")/1000:.2f} ms | {med(server, alg, "p99_us")/1000:.2f} ms | {failed(server, alg)} |')
    ratio = rps('rust', alg) / rps('node', alg)
    p99 = med('rust', alg, 'p99_us') < med('node', alg, 'p99_us')
    summary.append(f'{alg}: {ratio:.2f}x the Node throughput, p99 {"below" if p99 else "NOT below"} Node\'s')
print()
print('Ratio (goal: >= 3x with a lower p99, 0 failed): ' + '; '.join(summary) + '.')
PY
cat target/bench/proxy.md
