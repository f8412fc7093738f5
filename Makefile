# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test test-rust lint docs

demo:
	$(CARGO) run -q -p signcore --features std --example audit_demo

test: lint test-rust docs

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings
	$(CARGO) clippy -p signcore --lib -- -D warnings

test-rust:
	$(CARGO) test -p signcore --all-features -- --nocapture 2>&1 | tee target/rust-tests.log | grep -E '^(vectors|allocations):|^test result' ; test $${PIPESTATUS[0]} -eq 0

docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p signcore --all-features --no-deps
