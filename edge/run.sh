#!/usr/bin/env bash
# The no_std proof on a real embedded target (see README.md):
#   1. installs the toolchain if missing (../.ci/install-edge.sh),
#   2. checks src/kat.rs is what kat.py computes (known answers made outside signcore),
#   3. builds edge/ for thumbv7em-none-eabihf with -Z build-std=core (no std, no alloc),
#   4. runs it under qemu-arm: known-answer checks, stack figures against budgets,
#   5. fails if .text of the linked binary exceeds TEXT_BUDGET,
#   6. builds one variant per check group and reports what each part adds to .text,
#   7. builds and runs the same checks as a no_std, libc-free x86_64 Linux binary.
# Exits 0 only when every check passes and every budget holds.
#
# Environment: EDGE_PARTS=0 skips step 6, EDGE_HOST=0 skips step 7,
# EDGE_NO_INSTALL=1 skips step 1; CARGO_TARGET_DIR defaults to <repo>/target/edge.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
TEXT_BUDGET=49152
ARM=thumbv7em-none-eabihf
HOST=x86_64-unknown-linux-gnu

if [ "${EDGE_NO_INSTALL:-0}" != 1 ]; then
    bash "$repo/.ci/install-edge.sh"
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/edge}"
# Debian's rustc-web, not rustup's: it has the library source for -Z build-std.
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS RUSTUP_TOOLCHAIN
CARGO=/usr/bin/cargo
BUILD_STD=(-Z build-std=core,compiler_builtins -Z build-std-features=compiler-builtins-mem)

cd "$here"
fail=0
passed=0
say() { printf '%s\n' "$*"; }
ok() { say "ok $*"; passed=$((passed + 1)); }
bad() { say "FAIL $*"; fail=$((fail + 1)); }

# --- 2. known answers are computed outside the code under test
export SIGNCORE_VECTORS="${SIGNCORE_VECTORS:-$repo/../shared/vectors}"
if ! command -v python3 >/dev/null 2>&1; then
    say "skip kat.rs freshness (no python3)"
elif [ ! -d "$SIGNCORE_VECTORS/jcs" ]; then
    say "skip kat.rs freshness (no shared vectors at $SIGNCORE_VECTORS)"
elif python3 kat.py | cmp -s - src/kat.rs; then
    ok "kat.rs matches kat.py"
else
    bad "kat.rs differs from kat.py output (run: python3 kat.py > src/kat.rs)"
fi

section_size() { # $1 ELF file, $2 section name: its size in bytes (0 when absent)
    local hex
    hex=$(readelf -SW "$1" | sed -n "s/^ *\[ *[0-9]*\] $2 \+[A-Z_]\+ \+[0-9a-f]\+ \+[0-9a-f]\+ \+\([0-9a-f]\+\) .*/\1/p" | head -1)
    echo $((16#${hex:-0}))
}
text_size() { section_size "$1" '\.text'; }

build() { # $1 target, rest: extra cargo args; prints the binary path
    local target="$1"; shift
    "$CARGO" build --release --quiet "${BUILD_STD[@]}" --target "$target" "$@" >&2 || return 1
    echo "$CARGO_TARGET_DIR/$target/release/signcore-edge"
}

run_bin() { # $1 label, rest: command; prints its output prefixed, returns its status
    local label="$1"; shift
    local status=0
    "$@" > "$CARGO_TARGET_DIR/$label.out" 2>&1 || status=$?
    sed "s/^/[$label] /" "$CARGO_TARGET_DIR/$label.out"
    return $status
}

t0=$(date +%s)

# --- 3./4. the full build on the embedded target
mkdir -p "$CARGO_TARGET_DIR"
if ! bin="$(build $ARM)"; then
    bad "$ARM build"
    say "edge: $passed passed, $fail failed"
    exit 1
fi
cp "$bin" "$CARGO_TARGET_DIR/signcore-edge-$ARM"
bin="$CARGO_TARGET_DIR/signcore-edge-$ARM"
if run_bin "$ARM" qemu-arm "$bin"; then
    ok "$ARM run (qemu-arm exit 0)"
else
    bad "$ARM run (qemu-arm exit $?)"
fi

# --- 5. size
text=$(text_size "$bin")
rodata=$(section_size "$bin" '\.rodata')
if [ "$text" -le "$TEXT_BUDGET" ]; then
    ok "size $ARM .text $text <= $TEXT_BUDGET (.rodata $rodata, mostly test vectors)"
else
    bad "size $ARM .text $text > $TEXT_BUDGET (.rodata $rodata, mostly test vectors)"
fi

# .text by crate, from the symbol table (approximate: LTO inlines across crates,
# e.g. library code inlined into the harness counts as harness)
if command -v nm >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
    nm -S -C "$bin" | python3 -c '
import re, sys, collections
groups = [("harness", "^signcore_edge|^_start"), ("signcore", "signcore::"),
          ("ed25519/curve25519", "curve25519_dalek|ed25519_dalek|ed25519::"),
          ("sha2/hmac", "sha2::|hmac::|digest::|block_buffer"),
          ("serde-json-core", "serde_json_core|serde_core|serde::"), ("ryu-js", "ryu_js"),
          ("compiler_builtins", "compiler_builtins|__aeabi|^mem|^__"), ("core", "core::|f64|char|str|\\[u")]
tot = collections.Counter()
for line in sys.stdin:
    p = line.rstrip("\n").split(" ", 3)
    if len(p) < 4 or p[2] not in "tT":
        continue
    name = p[3].lstrip("<&")
    g = next((g for g, pat in groups if re.search(pat, name)), "other")
    tot[g] += int(p[1], 16)
print("size by crate (.text, approximate): " + ", ".join("%s %d" % kv for kv in tot.most_common()))
'
fi

# --- 6. what each part adds (cumulative feature sets, each variant must pass too)
if [ "${EDGE_PARTS:-1}" != 0 ]; then
    prev=0
    feats=""
    for part in hash ed25519 canonical keystore chain; do
        feats="${feats:+$feats,}$part"
        if ! vbin="$(build $ARM --no-default-features --features "$feats")"; then
            bad "part +$part build"; break
        fi
        vtext=$(text_size "$vbin")
        # A variant's checks must pass too; its stack budgets are reported by the full run.
        if run_bin "part-$part" qemu-arm "$vbin" >/dev/null; then verdict=pass; else verdict=fail; fi
        say "size part +$part .text $vtext (+$((vtext - prev))), its checks $verdict"
        prev=$vtext
    done
fi

# --- 7. the same checks as a no_std x86_64 Linux binary without libc
if [ "${EDGE_HOST:-1}" != 0 ]; then
    if ! hbin="$(build $HOST)"; then
        bad "$HOST build"
    elif run_bin "$HOST" "$hbin"; then
        ok "$HOST run (no_std, no libc, exit 0)"
    else
        bad "$HOST run (exit $?)"
    fi
fi

say "edge: build+run $(( $(date +%s) - t0 ))s"
say "edge: $passed passed, $fail failed"
[ $fail -eq 0 ]
