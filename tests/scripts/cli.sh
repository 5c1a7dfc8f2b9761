# The command line: options, exit statuses (0 ok, 1 a run failed, 2 script or usage errors)
# and their messages.
. "$ROOT/tests/scripts/common.inc"

cat >two.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure first  { device = pw, pulses = [+5, -5], out = "out/first.csv" }
measure second { device = pw, pulses = [+7], out = "out/second.csv" }
X

# --check: "FILE: ok", nothing run.
expect_status 0 "$AIMCI" --check two.aimc
[ "$(cat out.txt)" = "two.aimc: ok" ] || fail "--check printed: $(cat out.txt)"
[ -e out ] && fail "--check ran something"

# --only NAME runs only that block.
expect_status 0 "$AIMCI" --only second two.aimc
has out.txt "measure second: 7 pulses on pw"
grep -q "measure first" out.txt && fail "--only second ran first"
[ -e out/first.csv ] && fail "--only second wrote out/first.csv"
[ -s out/second.csv ] || fail "--only second did not write out/second.csv"
rm -r out

# An unknown --only name: exit 2 and a suggestion.
expect_status 2 "$AIMCI" --only secnd two.aimc
has err.txt "aimci: error: --only: no train, measure or experiment named 'secnd'"
has err.txt "hint: did you mean 'second'?"
[ -e out ] && fail "a bad --only ran something"
expect_status 2 "$AIMCI" --only
has err.txt "--only needs the name of a train, measure or experiment"

# --set changes a parameter (or a constant) without editing the script; bad ones exit 2.
expect_status 0 "$AIMCI" --set 'second.pulses=[+3, -1]' --only second two.aimc
has out.txt "measure second: 4 pulses on pw"
expect_status 0 "$AIMCI" --set second.start=0.25 --dump two.aimc
matches out.txt "^    start += 0.25 +# set from outside"
expect_status 2 "$AIMCI" --set secnd.start=0.25 --check two.aimc
has err.txt "--set:1:1: error: no declaration 'secnd' to set"
has err.txt "hint: did you mean 'second'?"
expect_status 2 "$AIMCI" --set second.start= --check two.aimc
has err.txt "--set:1:"
expect_status 2 "$AIMCI" --check two.aimc --set
has err.txt "--set needs"
rm -rf out

# Unknown options, no argument, two scripts.
expect_status 2 "$AIMCI" --chek two.aimc
has err.txt "aimci: error: unknown option '--chek'; did you mean '--check'?"
has err.txt "Try 'aimci --help' for more information."
expect_status 2 "$AIMCI" -x two.aimc
has err.txt "unknown option '-x'"
# No script: the REPL, which ends at the end of its input (tests/scripts/repl_*.sh).
expect_status 0 "$AIMCI" </dev/null
[ -s out.txt ] && fail "the REPL printed on empty piped input: $(cat out.txt)"
expect_status 2 "$AIMCI" --check
has err.txt "need a script"
expect_status 2 "$AIMCI" -i
has err.txt "-i needs the script"
expect_status 2 "$AIMCI" two.aimc two.aimc
has err.txt "one script at a time"
expect_status 0 "$AIMCI" --help
has out.txt "usage: aimci"
expect_status 0 "$AIMCI" --version
grep -q '^aimci [0-9]' out.txt || fail "--version printed: $(cat out.txt)"

# A missing file: exit 2 and its name.
expect_status 2 "$AIMCI" nothere.aimc
has err.txt "nothere.aimc"
has err.txt "aimci: 1 error"
expect_status 2 "$AIMCI" --check nothere.aimc

# A script error: exit 2, the error count, nothing run.
printf 'device d : soft_bounds { dw_min = -1 }\nx = 1 / 0\n' >bad.aimc
expect_status 2 "$AIMCI" bad.aimc
has err.txt "bad.aimc:1:35: error: dw_min is out of range: -1"
has err.txt "bad.aimc:2:9: error: division by zero"
has err.txt "aimci: 2 errors"

# A run that fails (a training that diverges): exit 1 and a message at the train; what was
# written before is kept.
: >somefile
cat >fails.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure first  { device = pw, pulses = [+5], out = "out/first.csv" }
data ls : least_squares { rows = 10, cols = 3 }
model lin { dense(3, 1, bias = false) }
optimizer wild : digital_sgd { lr = 1e30 }
train second { model = lin, data = ls, optimizer = wild, steps = 50 }
X
expect_status 1 "$AIMCI" fails.aimc
has err.txt "fails.aimc:6:7: error: "
has err.txt "diverged"
[ -s out/first.csv ] || fail "the output of the first measure was not kept"
[ -s out/first.resolved.aimc ] || fail "the resolved script of the first measure was not kept"

# An output path inside a regular file cannot be written: an error before anything runs.
rm -rf out
cat >nofolder.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure first  { device = pw, pulses = [+5], out = "out/first.csv" }
measure second { device = pw, pulses = [+5], out = "somefile/x.csv" }
X
expect_status 2 "$AIMCI" nofolder.aimc
has err.txt "nofolder.aimc:3:9: error: the output of measure 'second': cannot write 'somefile/x.csv'"
[ ! -e out/first.csv ] || fail "a measure ran although an output cannot be written"
[ -f somefile ] && [ ! -s somefile ] || fail "somefile was changed"

# Relative output paths are relative to the current directory, not to the script.
mkdir sub && cd sub || fail "cd sub"
expect_status 0 "$AIMCI" --only first ../two.aimc
[ -s out/first.csv ] || fail "out/first.csv is not relative to the current directory"

# An output whose folder cannot be made is reported once, with the script (exit 2), and
# nothing runs.
cat >blocked.aimc <<'X'
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }
measure first  { device = pw, pulses = [+5], out = "file/first.csv" }
measure second { device = pw, pulses = [+7], out = "out/second.csv" }
X
echo "a file, not a directory" >file
rm -rf out
expect_status 2 "$AIMCI" blocked.aimc
has err.txt "blocked.aimc:2:9: error: the output of measure 'first': cannot write 'file/first.csv': 'file' is a regular file, not a folder (nothing was run)"
[ "$(grep -c error: err.txt)" -eq 1 ] || fail "the blocked output was reported more than once"
grep -q "measure" out.txt && fail "a measure ran although an output cannot be written"
[ ! -e out/second.csv ] || fail "measure second ran"
expect_status 2 "$AIMCI" --check blocked.aimc
has err.txt "cannot write 'file/first.csv'"
