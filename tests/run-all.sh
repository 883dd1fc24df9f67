#!/usr/bin/env bash
# Runs every test of contactkeeper: formatting, lints, the Rust tests
# (unit, integration, property and doc tests; the C header's freshness), and
# the C tests (tests/c/run.sh: gcc with AddressSanitizer, ThreadSanitizer,
# and valgrind when present). This is the README's test command; it needs a
# Rust toolchain with rustfmt and clippy, and gcc (on the machine image).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== C tests (tests/c/run.sh)"
bash tests/c/run.sh
