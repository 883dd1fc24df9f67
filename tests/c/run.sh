#!/usr/bin/env bash
# Builds libcontactkeeper, then builds and runs the C tests and the C
# example against include/contactkeeper.h with -Wall -Wextra -Wpedantic
# -Werror:
#   - test_errors, test_scenario, test_attacks and examples/c/quickstart under
#     AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on: any
#     leak fails), linked to the static library;
#   - test_errors again under valgrind memcheck, linked to the shared
#     library (--error-exitcode=1 --leak-check=full);
#   - test_threads under ThreadSanitizer (see its header comment for what
#     it can and cannot see).
# Prints "N passed, N failed" (C test programs) last.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/c-tests
mkdir -p "$out"

echo "== cargo build -p contactkeeper-ffi (libcontactkeeper.a / .so)"
cargo build -p contactkeeper-ffi --locked --quiet
lib=$target/debug
# The system libraries a Rust static library needs (as rustc prints them).
native="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 -I "$root/include" -I "$root/tests/c")
passed=0
failed=0

run() { # name, command...
    local name=$1
    shift
    echo "== $name"
    if "$@" >"$out/$name.log" 2>&1; then
        passed=$((passed + 1))
        tail -n 1 "$out/$name.log"
    else
        failed=$((failed + 1))
        cat "$out/$name.log"
        echo "FAILED: $name"
    fi
}

san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

for t in test_errors test_scenario test_attacks; do
    gcc "${cflags[@]}" "${san[@]}" -pthread "tests/c/$t.c" "$lib/libcontactkeeper.a" $native \
        -o "$out/$t"
    run "$t (asan+ubsan)" "$out/$t"
done

# The shared scenarios (tests/scenarios/*.json), read with cJSON.
if [ ! -e /usr/include/cjson/cJSON.h ]; then
    echo "== installing libcjson-dev (Debian) for the shared-scenario runner"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends libcjson-dev >/dev/null 2>&1 ||
            { apt-get update >/dev/null && apt-get install -y --no-install-recommends libcjson-dev >/dev/null; }
    else
        echo "tests/c/run.sh: the shared-scenario runner needs cJSON: apt-get install libcjson-dev" >&2
        exit 1
    fi
fi
gcc "${cflags[@]}" "${san[@]}" tests/c/test_shared_scenarios.c "$lib/libcontactkeeper.a" $native \
    -lcjson -o "$out/test_shared_scenarios"
run "test_shared_scenarios (asan+ubsan)" "$out/test_shared_scenarios" "$root/tests/scenarios"

gcc "${cflags[@]}" "${san[@]}" examples/c/quickstart.c "$lib/libcontactkeeper.a" $native \
    -o "$out/quickstart"
# The header alone, in every language standard it supports: C99 and later
# (it needs <stdint.h> and <stdbool.h>), and C++11 and later.
printf '#include "contactkeeper.h"\nint main(void) { return 0; }\n' >"$out/header.c"
cp "$out/header.c" "$out/header.cpp"
for std in c99 c11 c17; do
    run "header ($std -Wpedantic)" gcc -std=$std -Wall -Wextra -Wpedantic -Werror -I "$root/include" \
        -c "$out/header.c" -o "$out/header-$std.o"
done
for std in c++11 c++17; do
    run "header ($std -Wpedantic)" g++ -std=$std -Wall -Wextra -Wpedantic -Werror -I "$root/include" \
        -c "$out/header.cpp" -o "$out/header-$std.o"
done

# Freed handles keep no memory: measured without sanitizers, which keep
# freed memory on purpose.
gcc "${cflags[@]}" -pthread tests/c/test_handles.c "$lib/libcontactkeeper.a" $native \
    -o "$out/test_handles"
run "test_handles" "$out/test_handles"

# A new file for the first run; the pkg-config build below runs the later
# day on the same file (the quickstart carries on from an earlier run).
rm -f "$out/quickstart.db"
run "quickstart (asan+ubsan)" "$out/quickstart" "$out/quickstart.db"

# pkg-config, for the build tree: the example built the documented way.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
sed -e "s|@INCLUDEDIR@|$root/include|" -e "s|@LIBDIR@|$lib|" -e "s|@VERSION@|$version|" \
    ffi/contactkeeper.pc.in >"$out/contactkeeper.pc"
if command -v pkg-config >/dev/null; then
    # shellcheck disable=SC2046
    gcc -std=c11 -Wall -Wextra -Wpedantic -Werror examples/c/quickstart.c \
        $(PKG_CONFIG_PATH="$out" pkg-config --cflags --libs contactkeeper) -Wl,-rpath,"$lib" \
        -o "$out/quickstart_shared"
    run "quickstart (pkg-config, shared library)" "$out/quickstart_shared" "$out/quickstart.db"
    grep -q "the owner from an earlier run" "$out/quickstart (pkg-config, shared library).log" ||
        { echo "FAILED: the quickstart's second run did not carry on"; failed=$((failed + 1)); }
fi

if command -v valgrind >/dev/null; then
    gcc "${cflags[@]}" -pthread tests/c/test_errors.c -L "$lib" -lcontactkeeper \
        -Wl,-rpath,"$lib" -o "$out/test_errors_shared"
    # valgrind runs one thread at a time: the conflict race may not happen.
    run "test_errors (valgrind, shared library)" \
        env CK_TEST_SERIAL_THREADS=1 valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        "$out/test_errors_shared"
    # The README's valgrind command on a portal (the quickstart): clean,
    # "possibly lost" included, with the library's suppression file for its
    # one-time caches.
    gcc "${cflags[@]}" examples/c/quickstart.c -L "$lib" -lcontactkeeper \
        -Wl,-rpath,"$lib" -o "$out/quickstart_valgrind"
    rm -f "$out/quickstart_valgrind.db"
    run "quickstart (valgrind, full leak check, the suppression file)" \
        valgrind --quiet --leak-check=full --error-exitcode=1 \
        --suppressions="$root/ffi/contactkeeper.supp" \
        "$out/quickstart_valgrind" "$out/quickstart_valgrind.db"
else
    echo "valgrind not found: skipping the valgrind run"
fi

# ThreadSanitizer against the shared library, so that tsan.supp can tell
# the (uninstrumented) library's own code from the C side's.
gcc "${cflags[@]}" -fsanitize=thread -pthread tests/c/test_threads.c -L "$lib" -lcontactkeeper \
    -Wl,-rpath,"$lib" -o "$out/test_threads"
run "test_threads (tsan)" \
    env TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/c/tsan.supp" "$out/test_threads"

echo "C test programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
