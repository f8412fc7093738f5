# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: bench bench-cli demo test test-ed25519-backends test-rust test-package test-c test-node test-kms test-edge test-edge-checkpoint test-fuzz test-proxy test-cli test-go lint docs

demo:
	$(CARGO) run -q -p signcore --features std --example audit_demo
	bash scripts/cli-demo.sh

test: lint test-rust docs test-package test-c test-node test-kms test-edge test-fuzz test-proxy test-cli test-go test-edge-checkpoint

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	$(CARGO) clippy -p signcore --lib -- -D warnings

test-rust:
	$(CARGO) test -p signcore --all-features -- --nocapture 2>&1 | tee target/rust-tests.log | grep -E '^(vectors|allocations|keystore):|^test result' ; test $${PIPESTATUS[0]} -eq 0
	# The no-alloc build: zero allocations including keystores and rings, the MAX_KEYS rule.
	$(CARGO) test -p signcore --lib --test no_alloc -- --nocapture 2>&1 | tee target/rust-tests-no-alloc.log | grep -E '^allocations:|^test result' ; test $${PIPESTATUS[0]} -eq 0

docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p signcore --all-features --no-deps

# `cargo package -p signcore`; the packaged demo runs from the unpacked crate alone.
test-package:
	bash scripts/package-check.sh

# C ABI: the shared vectors through the C API (C99, C++, ASan/UBSan, valgrind),
# the example, the header freshness check and the no_std thumbv7em library.
test-c:
	bash tests/c/run.sh
	bash ffi-c/build-thumbv7em.sh

# The core on a bare-metal target under qemu-arm: known answers, stack and size budgets.
test-edge:
	bash edge/run.sh

# The no_std checkpoint verifier on the same target (a non-default edge build:
# .text delta, stack under qemu-arm, known answers from Go's sumdb).
test-edge-checkpoint:
	bash edge/checkpoint-cost.sh

# Node binding: build the native module, then node:test (vectors, node:crypto
# cross-checks, mock proxy, tsc --strict typings, SQLite audit flow).
test-node:
	cd ffi-node && npm ci --no-audit --no-fund && npm run build && npm test

# AWS KMS through the Node binding against the real emulator ministack (PyPI,
# pinned; venv in build/venv), which the tests start on 127.0.0.1 and stop.
# Uses the native module test-node built (builds it when missing).
test-kms:
	bash .ci/install-kms.sh
	cd ffi-node && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && { ls *.node >/dev/null 2>&1 || npm run build; } && npm run test:kms

# Every benchmark, each against its anchor in the same run; writes BENCHMARKS.md.
bench:
	bash scripts/bench.sh

# Merkle trees, proofs and signed notes against Go's golang.org/x/mod/sumdb
# (tlog, note), both ways; needs .ci/install-go.sh.
test-go:
	bash tests/go/run.sh

# Ed25519 known answers (Wycheproof, RFC 8032) on the curve25519-dalek
# backends a host build could use: avx512 (IFMA with its run-time fallback)
# and serial. Not part of `make test`: each backend rebuilds every dependency
# in its own target directory (see BENCHMARKS.md, "Ed25519 on x86-64").
test-ed25519-backends:
	bash scripts/ed25519-backends.sh

# Each fuzz target for a short smoke period (the long campaign: fuzz/run-long.sh).
test-fuzz:
	bash .ci/fuzz-smoke.sh

# The signing service (proxy/): integration tests that start the real binary
# on 127.0.0.1 (TLS/mTLS with a generated CA, faults, drain), then the Node
# client's tests against it.
test-proxy:
	$(CARGO) build -q -p signcore-proxy
	$(CARGO) test -p signcore-proxy -- --nocapture 2>&1 | tee target/proxy-tests.log | grep -E '^proxy:|^test result' ; test $${PIPESTATUS[0]} -eq 0
	cd ffi-node && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && { ls signcore.*.node >/dev/null 2>&1 || npm run build; } && node --test --test-reporter=spec test/proxy.test.js

# The signcore command: every subcommand and exit code on files, stdin and gzip,
# a real PostgreSQL server and a moto S3 emulator (both started by the tests;
# installed by .ci/install-cli.sh).
# The CLI's --json reports are compared with the Node binding's (cli/tests/verify.rs):
# the addon test-node built is used (built here when missing), and required.
test-cli:
	cd ffi-node && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build
	SIGNCORE_REQUIRE_NODE=1 $(CARGO) test -p signcore-cli -- --nocapture 2>&1 | tee target/cli-tests.log | grep -E '^vectors:|^test result' ; test $${PIPESTATUS[0]} -eq 0

# signcore verify on 1,000,000 HMAC and 100,000 Ed25519 events, file and PostgreSQL.
bench-cli:
	bash cli/bench/run.sh
