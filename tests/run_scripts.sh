#!/bin/sh
# run_scripts.sh: script-level tests of the aimci binary given as $1 (the ASan/UBSan build
# in `make test`).
#
#   tests/bad/NAME.aimc + NAME.expected   a malformed script: `aimci --check` must print
#       exactly the .expected text on stderr (its first line is "exit: N") and never crash.
#   tests/scripts/NAME.sh                 a shell test; $AIMCI is the binary, the working
#       directory a fresh temporary folder, $ROOT the repository. Exit 0 = pass.
#
# Ends with the line "N passed, N failed". `--update` rewrites the .expected files (review
# the diff: they are the specification of the messages).
set -u
AIMCI=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
UPDATE=${2:-}
export AIMCI ROOT
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
# A failure's output: its first 15 and last 25 lines (a transcript's end is where it stopped).
ko() {
    fail=$((fail + 1))
    echo "FAIL: $1"
    [ -n "${2:-}" ] || return 0
    if [ "$(printf '%s\n' "$2" | wc -l)" -le 40 ]; then
        printf '%s\n' "$2"
    else
        printf '%s\n' "$2" | head -15
        echo "[...]"
        printf '%s\n' "$2" | tail -25
    fi
}

cd "$ROOT" || exit 1
for f in tests/bad/*.aimc; do
    [ -e "$f" ] || continue
    exp=${f%.aimc}.expected
    got=$("$AIMCI" --check "$f" 2>&1 >/dev/null; echo "exit: $?")
    # Put the exit line first, as in the .expected files.
    got=$(printf '%s\n' "$got" | tail -n 1; printf '%s\n' "$got" | sed '$d')
    if [ "$UPDATE" = "--update" ]; then
        printf '%s\n' "$got" > "$exp"
    fi
    case "$got" in
        "exit: 2"*) ;;
        *) ko "$f: exit status is not 2" "$got"; continue ;;
    esac
    if ! printf '%s\n' "$got" | grep -q "^$f:[0-9][0-9]*:[0-9][0-9]*: error: "; then
        ko "$f: no file:line:col error" "$got"
        continue
    fi
    if [ ! -f "$exp" ]; then
        ko "$f: missing $exp" "$got"
        continue
    fi
    if [ "$(cat "$exp")" = "$got" ]; then ok; else
        ko "$f: stderr differs from $exp" "$(printf '%s\n' "$got" | diff "$exp" - )"
    fi
done

for t in tests/scripts/*.sh; do
    [ -e "$t" ] || continue
    dir=$(mktemp -d)
    if out=$(cd "$dir" && sh "$ROOT/$t" 2>&1); then ok; else ko "$t" "$out"; fi
    rm -rf "$dir"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
