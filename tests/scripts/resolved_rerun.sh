# The resolved script written next to an output re-runs and reproduces that output byte for
# byte; and it is a fixed point of --dump (up to its first comment line).
. "$ROOT/tests/scripts/common.inc"

mkdir first second
(cd first && "$AIMCI" "$ROOT/examples/quickstart.aimc" >/dev/null &&
    "$AIMCI" "$ROOT/examples/response.aimc" >/dev/null) || fail "the examples failed"
cp first/out/quickstart.resolved.aimc first/out/pw_trace.resolved.aimc second/
(cd second && "$AIMCI" quickstart.resolved.aimc >/dev/null &&
    "$AIMCI" pw_trace.resolved.aimc >/dev/null) || fail "a resolved script failed"
cmp first/out/quickstart.csv second/out/quickstart.csv ||
    fail "the resolved quickstart does not reproduce its CSV"
cmp first/out/pw_trace.csv second/out/pw_trace.csv ||
    fail "the resolved response script does not reproduce its CSV"
# Re-resolving changes nothing but the origin comments and the header naming the source.
strip() { sed -e '1d' -e 's/ *#.*$//' -e '/^$/d' "$1"; }
strip first/out/quickstart.resolved.aimc >r1.txt
strip second/out/quickstart.resolved.aimc >r2.txt
cmp r1.txt r2.txt || fail "resolving the resolved quickstart changed a value"
exit 0
