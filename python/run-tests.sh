#!/usr/bin/env bash
# The Python package's tests: builds and installs `contactkeeper` from
# python/ into a virtual environment of its own (.venv at the repository
# root, created if missing, ignored by git), then runs the pytest suite,
# mypy's stubtest over the installed package, and mypy --strict over the
# Python quickstart, and runs the quickstart. Called by tests/run-all.sh;
# needs CPython 3.9 or later with pip and venv (PYTHON=... to choose one),
# a Rust toolchain, and PyPI for the pinned tools.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$PWD/$VENV/bin/python"
# The PEP 517 hooks run the venv's `maturin` by name.
export PATH="$PWD/$VENV/bin:$PATH"
"$PY" -m pip install --quiet --disable-pip-version-check \
    "maturin==1.16.0" "pytest==9.2.0" "mypy==2.4.1"

# `pip install ./python`, as on a fresh machine, with the pinned maturin
# (no build isolation) and the dev profile: the core's debug build is
# shared with `cargo test`, and the hashing crates are optimised in dev too
# (see the workspace Cargo.toml). Releases build with the release profile.
echo "== pip install ./python (the Rust build runs first; its time is printed)"
started=$(date +%s)
MATURIN_PEP517_ARGS="--profile dev" \
    "$PY" -m pip install --quiet --disable-pip-version-check --no-build-isolation \
    --force-reinstall --no-deps ./python
echo "   installed in $(( $(date +%s) - started )) s"

# From outside the source tree, so that only the installed package is seen.
cd "$VENV"
echo "== python -c 'import contactkeeper'"
"$PY" -c "import contactkeeper, sys; print('contactkeeper', sys.version.split()[0])"
echo "== pytest"
"$PY" -m pytest -q -p no:cacheprovider ../python/tests
echo "== mypy.stubtest contactkeeper"
"$PY" -m mypy.stubtest contactkeeper
echo "== mypy --strict python/tests/test_typing_probe.py"
"$PY" -m mypy --strict --no-incremental ../python/tests/test_typing_probe.py
echo "== mypy --strict examples/python/quickstart.py"
"$PY" -m mypy --strict --no-incremental ../examples/python/quickstart.py
echo "== python examples/python/quickstart.py (twice, on a new file)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" ../examples/python/quickstart.py "$tmp/quickstart.db" > /dev/null
again=$("$PY" ../examples/python/quickstart.py "$tmp/quickstart.db")
grep -q "from an earlier run" <<< "$again"
