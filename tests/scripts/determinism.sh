# The same script run twice gives byte-identical outputs (CSV, resolved script, stdout).
. "$ROOT/tests/scripts/common.inc"

for run in a b; do
    mkdir "$run"
    (cd "$run" && "$AIMCI" "$ROOT/examples/quickstart.aimc" >stdout.txt &&
        "$AIMCI" "$ROOT/examples/response.aimc" >>stdout.txt) || fail "run $run failed"
done
for f in out/quickstart.csv out/quickstart.resolved.aimc out/pw_trace.csv \
    out/pw_trace.resolved.aimc stdout.txt; do
    cmp "a/$f" "b/$f" || fail "$f differs between two runs"
done
exit 0
