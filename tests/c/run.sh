#!/usr/bin/env bash
# The C ABI's test suite (issue 3). From anywhere:
#   tests/c/run.sh
# 1. builds the static library (cargo build --release -p signcore-ffi),
# 2. checks include/signcore.h is what the pinned cbindgen generates,
# 3. compiles the header alone as C99 (with and without SIGNCORE_NO_STD) and C++11,
# 4. compiles tests/c/test_signcore.c as C99, as C++ (g++ -x c++) and with
#    AddressSanitizer + UBSan, and runs all three over the shared vectors,
# 5. runs the C99 binaries (test_signcore, test_host) under valgrind
#    (--error-exitcode=1 --leak-check=full),
# 6. builds ffi-c/examples/audit_chain.c through pkg-config (ffi-c/signcore.pc)
#    and runs it, plainly and under valgrind,
# 7. builds tests/c/stack_scan.c (C99, no sanitizers) and runs it: the secret
#    copies each secret-handling call leaves on the stack (must be none).
# Step 4b runs core/examples/interop_fixtures.rs first (burns and §8 archives
# signed by the Rust core at test time) and tests/c/test_host.c on them.
# Installs libcjson-dev (and gcc, g++, valgrind, pkgconf) with apt when missing.
# The last line is "N passed, M failed": N sums the checks that passed in
# every run; M counts failed checks and failed steps. Exits non-zero on any failure.
#
# Environment: SIGNCORE_VECTORS (default <repo>/../shared/vectors),
# CARGO_TARGET_DIR (default <repo>/target), C_TESTS_VALGRIND=0 skips valgrind.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export SIGNCORE_TESTS_DIR="$here"
vectors="${SIGNCORE_VECTORS:-$repo/../shared/vectors}"
target="${CARGO_TARGET_DIR:-$repo/target}"
out="$target/c-tests"
lib="$target/release/libsigncore.a"
native_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
cflags=(-g -O1 -Wall -Wextra -pedantic -Werror -I"$repo/include")

passed=0
failed=0
steps_failed=0
say() { printf 'c-tests: %s\n' "$*"; }
bad() { say "FAIL $*"; steps_failed=$((steps_failed + 1)); }

# --- tools and libraries
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkgconf)
[ -f /usr/include/cjson/cJSON.h ] || need+=(libcjson-dev)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
        { say "FAIL cannot install ${need[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -d "$vectors/jcs" ]; then
    say "FAIL no shared vectors at $vectors (set SIGNCORE_VECTORS)"
    echo "0 passed, 1 failed"
    exit 1
fi
mkdir -p "$out"

# --- 1. the static library
t0=$(date +%s)
if ! (cd "$repo" && cargo build --release --quiet -p signcore-ffi); then
    say "FAIL cargo build --release -p signcore-ffi"
    echo "0 passed, 1 failed"
    exit 1
fi
say "static library $lib: $(stat -c %s "$lib") bytes (built in $(( $(date +%s) - t0 ))s)"

# --- 2. the header is fresh
if "$repo/ffi-c/check-header.sh"; then :; else bad "include/signcore.h is not what cbindgen generates"; fi

# --- 3. the header alone
printf '#include "signcore.h"\nint main(void) { signcore_key k = {{0}}; return (int)sizeof k != SIGNCORE_KEY_STORAGE_BYTES; }\n' \
    > "$out/header_only.c"
gcc -std=c99 "${cflags[@]}" -c "$out/header_only.c" -o "$out/header_c99.o" || bad "header as C99"
gcc -std=c99 -DSIGNCORE_NO_STD "${cflags[@]}" -c "$out/header_only.c" -o "$out/header_nostd.o" || bad "header as C99, SIGNCORE_NO_STD"
g++ -x c++ -std=c++11 "${cflags[@]}" -c "$out/header_only.c" -o "$out/header_cxx.o" || bad "header as C++11"

# --- 4./5. the tests
run_tests() { # $1 label, rest: command
    local label="$1"; shift
    local log="$out/$label.log" status=0 line
    "$@" > "$log" 2>&1 || status=$?
    if [ "$label" = c99 ] || [ "$label" = checkpoint-c99 ] || [ "$label" = host-c99 ]; then
        sed "s/^/  [$label] /" "$log"
    else # the same sets again: show only failures and the result
        grep -E '^FAIL|^[0-9]+ passed, [0-9]+ failed$|ERROR: |runtime error' "$log" | sed "s/^/  [$label] /"
    fi
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
        failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
    else
        bad "$label printed no result line"
    fi
    [ "$status" -eq 0 ] || bad "$label exited $status"
}

src="$here/test_signcore.c"
build_ok=1
gcc -std=c99 "${cflags[@]}" "$src" "$lib" -lcjson "${native_libs[@]}" -o "$out/test_c99" || { bad "compile C99"; build_ok=0; }
g++ -x c++ -std=c++11 "${cflags[@]}" "$src" -x none "$lib" -lcjson "${native_libs[@]}" -o "$out/test_cxx" ||
    bad "compile C++"
gcc -std=c99 "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    "$src" "$lib" -lcjson "${native_libs[@]}" -o "$out/test_asan" || bad "compile ASan/UBSan"

[ -x "$out/test_c99" ] && [ $build_ok = 1 ] && run_tests c99 "$out/test_c99" "$vectors"
[ -x "$out/test_cxx" ] && run_tests c++ "$out/test_cxx" "$vectors"
[ -x "$out/test_asan" ] && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_tests asan-ubsan "$out/test_asan" "$vectors"

# --- 4b. the host API (burns, evidence packages) signed in Rust, verified in C;
# burns and archives signed by the Rust core at test time (interop_fixtures).
interop="$out/interop"
rm -rf "$interop"
(cd "$repo" && cargo run -q -p signcore --all-features --example interop_fixtures -- "$interop") |
    sed 's/^/  /' || bad "cargo run --example interop_fixtures"
host_src="$here/test_host.c"
host_fixture="$here/host_fixture.json"
host_tmp="$(mktemp -d "${TMPDIR:-/tmp}/signcore-c-host.XXXXXX")"
trap 'rm -rf "$host_tmp"' EXIT
gcc -std=c99 "${cflags[@]}" "$host_src" "$lib" -lcjson "${native_libs[@]}" -o "$out/test_host_c99" || bad "compile host C99"
g++ -x c++ -std=c++11 "${cflags[@]}" "$host_src" -x none "$lib" -lcjson "${native_libs[@]}" -o "$out/test_host_cxx" ||
    bad "compile host C++"
gcc -std=c99 "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    "$host_src" "$lib" -lcjson "${native_libs[@]}" -o "$out/test_host_asan" || bad "compile host ASan/UBSan"
for variant in c99 cxx asan; do
    mkdir -p "$host_tmp/$variant"
    [ -x "$out/test_host_$variant" ] && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_tests "host-$variant" "$out/test_host_$variant" "$host_fixture" "$host_tmp/$variant" "$interop"
done

# Checkpoints and Merkle proofs (tests/c/test_checkpoint.c): C99, C++ and ASan/UBSan.
ck="$here/test_checkpoint.c"
for v in c99 c++ asan; do
    case $v in
        c99) cc=(gcc -std=c99 "${cflags[@]}" "$ck") ;;
        c++) cc=(g++ -x c++ -std=c++11 "${cflags[@]}" "$ck" -x none) ;;
        asan) cc=(gcc -std=c99 "${cflags[@]}" -fsanitize=address,undefined -fno-sanitize-recover=all "$ck") ;;
    esac
    if "${cc[@]}" "$lib" "${native_libs[@]}" -o "$out/checkpoint_$v"; then
        run_tests "checkpoint-$v" "$out/checkpoint_$v"
    else
        bad "compile test_checkpoint.c ($v)"
    fi
done

valgrind_summary() { # $1 log: the leak and error summary lines
    grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|All heap blocks were freed' "$1" |
        sed 's/^==[0-9]*== */  valgrind: /'
}
if [ "${C_TESTS_VALGRIND:-1}" != 0 ] && [ -x "$out/test_c99" ]; then
    run_tests valgrind env SIGNCORE_TEST_BIG_KEYSTORE=1000 SIGNCORE_TEST_RSA_EVERY=8 valgrind --error-exitcode=1 --leak-check=full \
        "$out/test_c99" "$vectors"
    valgrind_summary "$out/valgrind.log"
fi
# The host API, burns and archives under valgrind too (about 8 s of CPU).
if [ "${C_TESTS_VALGRIND:-1}" != 0 ] && [ -x "$out/test_host_c99" ]; then
    mkdir -p "$host_tmp/valgrind"
    run_tests host-valgrind valgrind --error-exitcode=1 --leak-check=full \
        "$out/test_host_c99" "$host_fixture" "$host_tmp/valgrind" "$interop"
    valgrind_summary "$out/host-valgrind.log" | sed 's/valgrind:/valgrind (host):/'
fi

# --- 6. the example, linked through pkg-config
pc_flags=$(PKG_CONFIG_PATH="$repo/ffi-c" pkg-config --define-variable=libdir="$target/release" \
    --cflags --libs signcore) || bad "pkg-config signcore"
if gcc -std=c99 -Wall -Wextra -pedantic -Werror "$repo/ffi-c/examples/audit_chain.c" $pc_flags \
    -o "$out/audit_chain"; then
    if "$out/audit_chain" > "$out/example.log" 2>&1; then
        passed=$((passed + 1))
        sed 's/^/  [example] /' "$out/example.log"
    else
        sed 's/^/  [example] /' "$out/example.log"
        bad "example exited non-zero"
    fi
    if [ "${C_TESTS_VALGRIND:-1}" != 0 ]; then
        if valgrind --error-exitcode=1 --leak-check=full "$out/audit_chain" \
            > "$out/example-valgrind.log" 2>&1; then
            passed=$((passed + 1))
            valgrind_summary "$out/example-valgrind.log" | sed 's/valgrind:/valgrind (example):/'
        else
            bad "example under valgrind"
            tail -20 "$out/example-valgrind.log"
        fi
    fi
else
    bad "compile the example"
fi

# --- 7. the stack scan (plain build: sanitizers and valgrind instrument the stack)
if gcc -std=c99 "${cflags[@]}" "$here/stack_scan.c" "$lib" "${native_libs[@]}" -o "$out/stack_scan"; then
    run_tests stack-scan "$out/stack_scan"
    grep -E '^stack-scan: ' "$out/stack-scan.log" | sed 's/^/  [stack-scan] /'
else
    bad "compile stack_scan.c"
fi

say "done in $(( $(date +%s) - t0 ))s"
echo "$passed passed, $((failed + steps_failed)) failed"
[ "$failed" -eq 0 ] && [ "$steps_failed" -eq 0 ]
