#!/usr/bin/env bash
# Installs Go and Go's own transparency-log code for `make test-go`:
#   golang-go                 the Go toolchain (/usr/bin/go)
#   golang-golang-x-mod-dev   golang.org/x/mod source under /usr/share/gocode
#                             (sumdb/tlog, sumdb/note: the code behind Go's checksum database)
# Idempotent: does nothing when both are installed and their files are there.
set -euo pipefail

pkgs=(golang-go golang-golang-x-mod-dev)
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
for f in /usr/bin/go /usr/share/gocode/src/golang.org/x/mod/sumdb/note/note.go \
         /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog/tlog.go; do
    [ -e "$f" ] || missing+=("($f)")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-go: present: $(/usr/bin/go version), golang.org/x/mod $(dpkg-query -W -f='${Version}' golang-golang-x-mod-dev)"
    exit 0
fi

echo "install-go: missing ${missing[*]}; installing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "install-go: installed $(/usr/bin/go version)"
