#!/usr/bin/env bash
# Runs every test of contactkeeper: formatting, lints, and the Rust tests
# (unit, integration, property and doc tests). This is the README's test
# command; it installs nothing by hand and needs only a Rust toolchain with
# rustfmt and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
