# The REPL driven through piped stdin: the output of a scripted session is the golden
# tests/repl/session.out (stdout) and session.err (stderr); the exit status is 2 because
# the session has errors. Plots are left to repl_plot.sh (their form is the plot module's).
. "$ROOT/tests/scripts/common.inc"

"$AIMCI" <"$ROOT/tests/repl/session.in" >out.txt 2>err.txt
status=$?
[ "$status" -eq 2 ] || fail "exit status $status, expected 2 (errors in the session)"
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    cp out.txt "$ROOT/tests/repl/session.out"
    cp err.txt "$ROOT/tests/repl/session.err"
fi
diff -u "$ROOT/tests/repl/session.out" out.txt >&2 || fail "stdout differs from tests/repl/session.out"
diff -u "$ROOT/tests/repl/session.err" err.txt >&2 || fail "stderr differs from tests/repl/session.err"

# A clean session exits 0 and prints nothing for declarations.
printf 'device d : constant_step { dw_min = 0.1 }\nx = 2\n' | "$AIMCI" >out.txt 2>err.txt ||
    fail "a session without errors exited with $?"
[ -s out.txt ] && fail "declarations printed something: $(cat out.txt)"
[ -s err.txt ] && fail "a clean session wrote to stderr: $(cat err.txt)"

# Empty lines count as lines (and are read within their bounds: the fuzzer's find under
# ASan): the error after two of them is on line 3.
printf '\n\nfoo bar\n' | "$AIMCI" >out.txt 2>&1
has out.txt "<stdin>:3:8: error"

# quit ends the session before the end of the input.
printf '1 + 1\nquit\n2 + 2\n' | "$AIMCI" >out.txt 2>&1 || fail "quit exited with $?"
[ "$(cat out.txt)" = "2" ] || fail "quit did not stop the session: $(cat out.txt)"
# compare D1 D2 -> "FILE" draws into a file, as plot does.
if command -v gnuplot >/dev/null; then
    printf 'device a : soft_bounds {}\ndevice b : linear {}\ncompare a b -> "o/cmp.png"\n' |
        "$AIMCI" >out.txt 2>err.txt || fail "compare -> file: $(cat err.txt)"
    has out.txt "wrote o/cmp.png"
    [ -s o/cmp.png ] || fail "compare -> \"o/cmp.png\" wrote no image"
fi
exit 0
