#!/usr/bin/env bash
# Installs the toolchain for the bare-metal no_std proof in edge/ (see edge/README.md):
#   rustc-web, cargo-web  Debian's Rust 1.96 as /usr/bin/rustc, /usr/bin/cargo
#   rust-web-src          its library source (/usr/lib/rustlib/src/rust/library), for -Z build-std
#   lld-22                /usr/bin/ld.lld-22, the linker
#   qemu-user             /usr/bin/qemu-arm, runs the ARM Linux-EABI test binary
#   binutils              readelf, for section sizes
# Idempotent: does nothing when all of them are installed and their files are there.
set -euo pipefail

pkgs=(rustc-web cargo-web rust-web-src lld-22 qemu-user binutils)
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for f in /usr/bin/rustc /usr/bin/cargo /usr/bin/ld.lld-22 /usr/bin/qemu-arm /usr/bin/readelf \
         /usr/lib/rustlib/src/rust/library/core/Cargo.toml; do
    [ -e "$f" ] || missing+=("($f)")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-edge: present: $(/usr/bin/rustc --version), ld.lld-22, qemu-arm"
    exit 0
fi

echo "install-edge: missing ${missing[*]}; installing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Always the whole set, so rustc, cargo and the library source stay on one version.
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "install-edge: installed: $(/usr/bin/rustc --version)"
