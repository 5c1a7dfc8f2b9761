#!/bin/sh
# run.sh SECONDS: fuzz the front end (tests/fuzz/fuzz_front.c) for SECONDS from the seed
# corpus, then pipe the corpus through the REPL (the sanitizer build): `make fuzz` and, for
# 60 seconds, `make test`. Without clang's libFuzzer runtime it says so and passes.
# Inputs that crash are left in build/fuzz/crashes/; each one becomes a case in tests/bad/.
set -u
SECONDS_=${1:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BIN=${FUZZ_BIN-build/fuzz/fuzz_front} # empty: the Makefile found no libFuzzer runtime
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
    echo "fuzz: skipped: clang's libFuzzer runtime is missing (clang -fsanitize=fuzzer does not link)"
    exit 0
fi
corpus=build/fuzz/corpus
mkdir -p "$corpus" build/fuzz/crashes
# The seeds: every example, library and malformed script (copied, so that the corpus the
# fuzzer grows stays under build/).
for f in examples/*.aimc examples/*/*.aimc stdlib/*.aimc tests/bad/*.aimc; do
    [ -e "$f" ] && cp "$f" "$corpus/seed_$(echo "$f" | tr '/' '_')"
done
echo "fuzz: $BIN for $SECONDS_ s from $(ls "$corpus" | wc -l) inputs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$BIN" -max_total_time="$SECONDS_" -timeout=25 \
    -rss_limit_mb=3000 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/crashes/ "$corpus" >build/fuzz/log.txt 2>&1
st=$?
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' build/fuzz/log.txt
if [ "$st" -ne 0 ]; then
    tail -40 build/fuzz/log.txt
    echo "fuzz: FAILED: the input is in build/fuzz/crashes/ (make it a tests/bad/ case)"
    exit 1
fi

# The REPL pass: the seeds and the inputs the fuzzer kept (400 at most), piped through the
# REPL of the sanitizer build in a scratch folder: exit 0 or 2 (errors in the session), never
# a crash or a sanitizer report.
AIMCI=${AIMCI:-build/san/aimci}
if [ ! -x "$AIMCI" ]; then
    echo "fuzz: REPL pass skipped: no $AIMCI"
    exit 0
fi
n=0
bad=0
tmp=$(mktemp -d)
for f in $(ls "$corpus" | head -n 400); do
    # Never a mutated `:save` (it could write anywhere) nor a `run` (a training).
    grep -qaE '(^|[^a-z_]):save|^[[:space:]]*run[[:space:]]' "$corpus/$f" && continue
    (cd "$tmp" && HOME="$tmp" ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 timeout 20 \
        "$ROOT/$AIMCI" <"$ROOT/$corpus/$f" >out.txt 2>err.txt)
    st=$?
    n=$((n + 1))
    if { [ "$st" -ne 0 ] && [ "$st" -ne 2 ]; } || grep -q 'Sanitizer' "$tmp/err.txt"; then
        echo "fuzz: REPL FAILED on $corpus/$f (exit $st)"
        tail -20 "$tmp/err.txt"
        bad=$((bad + 1))
    fi
done
rm -rf "$tmp"
echo "fuzz: REPL pass: $n inputs, $bad failed"
[ "$bad" -eq 0 ]
