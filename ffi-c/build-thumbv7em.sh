#!/usr/bin/env bash
# Builds the C ABI without `std` (#![no_std], no allocator, panic = abort) as
# a static library for thumbv7em-none-eabihf (Cortex-M4F/M7), the library C
# firmware links, and reports its size and what it needs from the firmware.
#
# Uses Debian's rustc-web (its library source allows -Z build-std; see
# shared/notes/edge-target.md), installed by .ci/install-edge.sh when missing.
# Environment: CARGO_TARGET_DIR (default <repo>/target/edge-ffi),
# OPT_LEVEL (default "z", for size), FFI_EDGE_NO_INSTALL=1 skips the install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
TARGET=thumbv7em-none-eabihf

if [ "${FFI_EDGE_NO_INSTALL:-0}" != 1 ]; then
    if [ -f "$repo/.ci/install-edge.sh" ]; then
        bash "$repo/.ci/install-edge.sh"
    elif [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ]; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends rustc-web cargo-web rust-web-src lld-22 qemu-user binutils >/dev/null
    fi
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/edge-ffi}"
# Debian's toolchain, not rustup's (which has no rust-src here).
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS RUSTUP_TOOLCHAIN
# sha2's rolled-up rounds: unrolled SHA-512 alone is ~26 KB of Thumb-2 code.
export RUSTFLAGS='--cfg sha2_backend_soft="compact"'
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_PANIC=abort

cd "$repo"
# -p alone: no other workspace member can switch `std` on through feature
# unification. A `std` or `alloc` dependency cannot build for this target.
log="$(mktemp)"
status=0
/usr/bin/cargo rustc --release --quiet --crate-type staticlib \
    -Z build-std=core,compiler_builtins -Z build-std-features=compiler-builtins-mem \
    --target "$TARGET" -p signcore-ffi --no-default-features --lib > "$log" 2>&1 || status=$?
grep -v 'dropping unsupported crate type `cdylib`' "$log" || true
rm -f "$log"
lib="$CARGO_TARGET_DIR/$TARGET/release/libsigncore.a"
if [ "$status" -ne 0 ] || [ ! -f "$lib" ]; then
    echo "build-thumbv7em: the no_std build failed" >&2
    exit 1
fi

size=$(stat -c %s "$lib")
echo "build-thumbv7em: $TARGET no_std static library: $lib"
echo "build-thumbv7em: size: $size bytes ($(( (size + 1023) / 1024 )) KiB), opt-level $CARGO_PROFILE_RELEASE_OPT_LEVEL, panic = abort"

# What the archive holds and what a firmware must provide. GNU readelf and
# size read Arm ELF objects (nm would try the LLVM plugin and fail).
if command -v readelf >/dev/null 2>&1 && command -v size >/dev/null 2>&1; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && ar x "$lib")
    symbols() { for o in "$work"/*.o; do readelf -sW "$o"; done; }
    defined=$(symbols | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && NF >= 8 {print $8}' | sort -u)
    undefined=$(symbols | awk '$7 == "UND" && NF >= 8 {print $8}' | sort -u)
    missing=$(comm -23 <(echo "$undefined") <(echo "$defined") | tr '\n' ' ')
    exported=$(echo "$defined" | grep -c '^signcore_' || true)
    code=$(size -t "$work"/signcore-*.o | awk 'END {print $1}')
    echo "build-thumbv7em: members: $(ar t "$lib" | sed 's/-[0-9a-f]*\..*//' | sort -u | tr '\n' ' ')"
    echo "build-thumbv7em: signcore object: $code bytes of code and read-only data for all $exported exported functions (a firmware linking with --gc-sections keeps only what it calls)"
    echo "build-thumbv7em: needs from the firmware's C library: ${missing:-nothing}"
    # Link every exported function into one image with no C library at all:
    # proves nothing is left undefined, and gives the code a firmware that
    # calls everything pays (--gc-sections drops the rest).
    if command -v ld.lld-22 >/dev/null 2>&1; then
        roots=$(echo "$defined" | grep '^signcore_' | sed 's/^/-u /' | tr '\n' ' ')
        # shellcheck disable=SC2086
        if ld.lld-22 --gc-sections -e signcore_version $roots -o "$work/all.elf" "$lib"; then
            echo "build-thumbv7em: all functions linked with ld.lld (no libc): $(size -A "$work/all.elf" |
                awk '$1 == ".text" || $1 == ".rodata" || $1 == ".data" || $1 == ".bss" {printf "%s %d  ", $1, $2}')"
        else
            echo "build-thumbv7em: linking every function failed" >&2
            exit 1
        fi
    fi
    if echo "$defined" | grep -qx 'signcore_key_from_env'; then
        echo "build-thumbv7em: signcore_key_from_env present in a no_std build" >&2
        exit 1
    fi
    if [ "$exported" -lt 30 ]; then
        echo "build-thumbv7em: only $exported signcore_* symbols exported" >&2
        exit 1
    fi
fi
