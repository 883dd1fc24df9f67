#!/usr/bin/env bash
# Runs every test of contactkeeper: formatting, lints, the Rust tests
# (unit, integration, property and doc tests; the C header's freshness),
# the PostgreSQL store on a real server (a throwaway one from Debian's
# postgresql, unless CONTACTKEEPER_POSTGRES_URL names one), the demo (the
# Rust quickstart, run twice on a new file), the C tests (tests/c/run.sh:
# gcc with AddressSanitizer, ThreadSanitizer, and valgrind when present;
# the shared scenarios through the C API, with Debian's libcjson-dev,
# installed when missing), and the Python package's tests
# (python/run-tests.sh: it makes its own .venv). This is the README's test
# command; it needs a Rust toolchain with rustfmt and clippy, gcc, and
# CPython 3.9 or later with pip and venv (on the machine image).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

# The PostgreSQL store against a real server: the one CONTACTKEEPER_POSTGRES_URL
# names, or a throwaway one started here (tests/postgres/server.sh).
echo "== cargo clippy and test --features postgres (PostgreSQL)"
cargo clippy -p contactkeeper --features postgres --all-targets --locked -- -D warnings
if [ -z "${CONTACTKEEPER_POSTGRES_URL:-}" ]; then
    pg=$(mktemp -d)
    trap 'bash tests/postgres/server.sh stop "$pg/cluster"; rm -rf "$pg"' EXIT
    eval "$(bash tests/postgres/server.sh start "$pg/cluster")"
    export CONTACTKEEPER_POSTGRES_URL
fi
# Every test of the core, on the memory, SQLite and PostgreSQL stores.
cargo test -p contactkeeper --features postgres --locked --tests

echo "== cargo run --example quickstart (the demo, twice, on a new file)"
demo=$(mktemp -d)
cargo run --locked --quiet --example quickstart -- "$demo/quickstart.db" >/dev/null
again=$(cargo run --locked --quiet --example quickstart -- "$demo/quickstart.db")
grep -q "the owner from an earlier run" <<<"$again"
rm -rf "$demo"

echo "== C tests (tests/c/run.sh)"
bash tests/c/run.sh

echo "== Python tests (python/run-tests.sh)"
bash python/run-tests.sh
