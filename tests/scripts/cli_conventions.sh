# The command line's GNU conventions (--opt=VALUE, --, - for standard input, one-line usage
# errors, contradicting options), errors that must not be silent (a full standard output,
# a bad AIMCI_THREADS, an unquoted string in --set), and "wrote" lines printed once.
. "$ROOT/tests/scripts/common.inc"

cat >two.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure first  { device = pw, pulses = [+5, -5], out = "out/first.csv" }
measure second { device = pw, pulses = [+7], out = "out/second.csv" }
X

# --opt=VALUE is --opt VALUE.
expect_status 0 "$AIMCI" --only=second --set='second.pulses=[+3]' two.aimc
has out.txt "measure second: 3 pulses on pw"
grep -q "measure first" out.txt && fail "--only=second ran first"
expect_status 0 "$AIMCI" --threads=1 --check two.aimc
expect_status 2 "$AIMCI" --threads=x --check two.aimc
has err.txt "--threads needs a number of threads from 1 to 1024, not 'x'"
expect_status 2 "$AIMCI" --check=yes two.aimc
has err.txt "--check takes no value"
rm -rf out

# -- ends the options: a script named like an option.
cp two.aimc ./--dump
expect_status 0 "$AIMCI" --check -- --dump
has out.txt "--dump: ok"

# - reads the script from standard input.
"$AIMCI" --only first - <two.aimc >out.txt 2>err.txt || fail "aimci - failed: $(cat err.txt)"
has out.txt "measure first: 10 pulses on pw"
[ -s out/first.csv ] || fail "aimci - did not write out/first.csv"
printf 'x = 1 +\n' | "$AIMCI" --check - >out.txt 2>err.txt && fail "a bad script on stdin passed"
has err.txt "<stdin>:"
rm -rf out

# A usage error is one line and a hint to --help, never the whole help.
for bad in "--chek two.aimc" "--check --dump two.aimc" "--only a --only b two.aimc" \
    "--name x two.aimc" "--fit soft_bounds" "two.aimc two.aimc" "--set"; do
    # shellcheck disable=SC2086
    expect_status 2 "$AIMCI" $bad
    [ "$(wc -l <err.txt)" -eq 2 ] || fail "'aimci $bad' printed more than a usage line: $(cat err.txt)"
    matches err.txt "^aimci: error: "
    has err.txt "Try 'aimci --help' for more information."
    [ -s out.txt ] && fail "'aimci $bad' printed on stdout"
done
expect_status 2 "$AIMCI" --check --dump two.aimc
has err.txt "--check and --dump contradict each other"
expect_status 2 "$AIMCI" --only first --only second two.aimc
has err.txt "--only runs one block: given twice"

# --help and --version on stdout, exit 0.
expect_status 0 "$AIMCI" --help
has out.txt "usage: aimci"
expect_status 0 "$AIMCI" --version
matches out.txt '^aimci [0-9]+\.[0-9]+\.[0-9]+$'

# Writing to a full device fails loudly.
if [ -w /dev/full ]; then
    "$AIMCI" --help >/dev/full 2>err.txt && fail "--help >/dev/full exited 0"
    has err.txt "aimci: error: cannot write standard output"
    "$AIMCI" --dump two.aimc >/dev/full 2>err.txt && fail "--dump >/dev/full exited 0"
    has err.txt "cannot write standard output"
fi

# AIMCI_THREADS must be a thread count (--threads wins over it).
AIMCI_THREADS=abc "$AIMCI" --check two.aimc >out.txt 2>err.txt && fail "AIMCI_THREADS=abc passed"
has err.txt "AIMCI_THREADS must be a number of threads from 1 to 1024, not 'abc'"
AIMCI_THREADS=0 "$AIMCI" --check two.aimc >out.txt 2>err.txt && fail "AIMCI_THREADS=0 passed"
AIMCI_THREADS=abc "$AIMCI" --threads 1 --check two.aimc >out.txt 2>err.txt ||
    fail "--threads did not override AIMCI_THREADS"
AIMCI_THREADS=2 "$AIMCI" --check two.aimc >out.txt 2>err.txt || fail "AIMCI_THREADS=2 failed"

# A string without quotes in --set: say how to quote it.
expect_status 2 "$AIMCI" --set first.out=out/x.csv --check two.aimc
has err.txt "--set:1:11: error: 'out/x.csv' looks like a file name: a string needs double quotes"
has err.txt "--set 'first.out=\"out/x.csv\"'"
expect_status 0 "$AIMCI" --set 'first.out="out/x.csv"' --only first two.aimc
[ -s out/x.csv ] || fail "the quoted --set did not take"
rm -rf out

# A log and a plot of the same name share one resolved script, announced once.
cat >lp.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure m { device = pw, pulses = [+5, -5], out = "out/m.csv", plot = "out/m.png" }
X
expect_status 0 "$AIMCI" lp.aimc
[ "$(grep -c 'wrote out/m.resolved.aimc' out.txt)" -eq 1 ] ||
    fail "the resolved script was announced $(grep -c 'wrote out/m.resolved.aimc' out.txt) times"

# A train by steps shows its progress on a terminal only; piped output is the summary alone.
cat >steps.aimc <<'X'
device rram : soft_bounds { dw_min = 1e-3 }
data ls : least_squares { rows = 20, cols = 5 }
model lin { dense(5, 1, on = rram, bias = false) }
optimizer asgd : analog_sgd { lr = 0.01 }
train fit { model = lin, data = ls, loss = half_mse, steps = 3000, batch = 1, optimizer = asgd }
X
expect_status 0 "$AIMCI" steps.aimc
grep -q "steps/s" out.txt && fail "progress drawn into a pipe"
PTY=$(dirname "$AIMCI")/repl_pty
[ -x "$PTY" ] || PTY=$ROOT/build/san/repl_pty
if [ -x "$PTY" ]; then
    printf 'expect steps/s\nexpect final loss\nexit 0\n' | "$PTY" -t 60 "$AIMCI" steps.aimc \
        >pty.txt 2>&1 || fail "no progress bar on a terminal: $(cat pty.txt)"
fi
exit 0
