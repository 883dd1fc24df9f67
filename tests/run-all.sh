#!/usr/bin/env bash
# Runs every test of contactkeeper: formatting, lints, and the Rust tests
# (unit, integration, property and doc tests), and the Python package's
# tests (python/run-tests.sh: it makes its own .venv). This is the README's
# test command; it installs nothing by hand and needs a Rust toolchain with
# rustfmt and clippy, and CPython 3.9 or later with pip and venv.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== Python tests (python/run-tests.sh)"
bash python/run-tests.sh
