#!/usr/bin/env bash
# What the no_std checkpoint verifier (DESIGN.md §12: checkpoint::open with its
# Ed25519 note signature, RFC 9162 inclusion/consistency verification, the
# streaming root) costs on thumbv7em-none-eabihf, measured as run.sh measures
# the core: the size probe with the `checkpoint` part minus the default probe
# (.text delta), and the KAT binary with the `checkpoint` checks (known answers
# from Go's sumdb, src/kat_checkpoint.rs) under qemu-arm with stack painting.
# The default edge build and its budgets are not changed. Needs the toolchain
# of .ci/install-edge.sh (run.sh installs it). Last line: `edge checkpoint: N passed, M failed`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
ARM=thumbv7em-none-eabihf
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/edge}"
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS RUSTUP_TOOLCHAIN
BUILD_STD=(-Z build-std=core,compiler_builtins -Z build-std-features=compiler-builtins-mem)
if [ "${EDGE_NO_INSTALL:-0}" != 1 ]; then
    bash "$repo/.ci/install-edge.sh"
fi
cd "$here"
out="$CARGO_TARGET_DIR/edge-out"
mkdir -p "$out"
passed=0 fail=0
text_size() { local hex; hex=$(readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \.text \+[A-Z_]\+ \+[0-9a-f]\+ \+[0-9a-f]\+ \+\([0-9a-f]\+\) .*/\1/p' | head -1); echo $((16#${hex:-0})); }
build() { # $1 bin, $2 copy name, rest: cargo args
    local bin="$1" name="$2"; shift 2
    /usr/bin/cargo build --release --quiet "${BUILD_STD[@]}" --target $ARM --bin "$bin" "$@" >&2
    cp "$CARGO_TARGET_DIR/$ARM/release/$bin" "$out/$name"
    echo "$out/$name"
}
base=$(build size-probe probe-baseline --no-default-features)
def=$(build size-probe probe-default)
cp_probe=$(build size-probe probe-checkpoint --features checkpoint)
only=$(build size-probe probe-checkpoint-only --no-default-features --features checkpoint)
t_def=$(( $(text_size "$def") - $(text_size "$base") ))
t_cp=$(( $(text_size "$cp_probe") - $(text_size "$base") ))
t_only=$(( $(text_size "$only") - $(text_size "$base") ))
echo "checkpoint verifier .text ($ARM, opt-level z): +$((t_cp - t_def)) over the default core ($t_def -> $t_cp; not budgeted); alone (with its SHA-256/Ed25519) $t_only"
if qemu-arm "$cp_probe"; then echo "ok size probe +checkpoint runs"; passed=$((passed + 1)); else echo "FAIL size probe +checkpoint"; fail=$((fail + 1)); fi
kat=$(build signcore-edge kat-checkpoint --features checkpoint)
status=0
qemu-arm "$kat" > "$out/kat-checkpoint.out" 2>&1 || status=$?
grep -E 'checkpoint|merkle|note_' "$out/kat-checkpoint.out" | sed 's/^/[kat] /'
if [ $status = 0 ] && ! grep -q '^FAIL ' "$out/kat-checkpoint.out"; then
    echo "ok KAT with the checkpoint checks ($(grep -c '^ok ' "$out/kat-checkpoint.out") known answers passed)"; passed=$((passed + 1))
else
    echo "FAIL KAT with the checkpoint checks (exit $status)"; fail=$((fail + 1))
fi
echo "budgeted ops in this (non-default) link: $(grep ' budget ' "$out/kat-checkpoint.out" | cut -d' ' -f2,3,5,6 | paste -sd, - | sed 's/,/, /g')"
echo "edge checkpoint: $passed passed, $fail failed"
[ $fail -eq 0 ]
