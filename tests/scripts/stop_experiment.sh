# Ctrl-C in an experiment: aimci stops between jobs (or after the current step of a running
# one), exits 130, keeps the results of the jobs that finished and writes no report nor any
# temporary file; running the same command again runs the rest, and the report is byte for
# byte that of a run never stopped.
. "$ROOT/tests/scripts/common.inc"
cat >x.aimc <<'AIMC'
seed = 3
device rram : soft_bounds { up_down = 0.2 }
data ls : least_squares { rows = 30, cols = 6, noise = 0.1 }
model lin { dense(6, 1, on = rram, bias = false) }
optimizer asgd : analog_sgd { lr = 0.02 }
optimizer rl : residual { lr = 0.02 }
train fit { model = lin, data = ls, steps = 400, optimizer = [asgd, rl] }
experiment grid {
    train = fit
    vary rram.up_down in [0, 0.3]
    repeat = 4
    report = "out/grid.md"
}
AIMC
mkdir ref
(cd ref && "$AIMCI" --threads 1 ../x.aimc >stdout.txt 2>&1) || fail "the reference run failed"

# Each kept result waits 150 ms before its rename: the 16 jobs take 2.4 s at least.
AIMCI_TEST_WRITE_DELAY_MS=150 "$AIMCI" --threads 1 x.aimc >run1.txt 2>&1 &
pid=$!
wait_until 20 "job result kept" '[ "$(ls out/grid.jobs 2>/dev/null | wc -l)" -ge 3 ]'
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "SIGINT: exit status $st, expected 130"
has run1.txt "aimci: stopped by SIGINT"
has run1.txt "the report waits"
kept=$(ls out/grid.jobs | wc -l)
[ "$kept" -ge 3 ] && [ "$kept" -lt 16 ] || fail "SIGINT: $kept of 16 job results kept"
[ ! -f out/grid.md ] || fail "a stopped experiment wrote its report"
left=$(find out -name '.*tmp*')
[ -z "$left" ] || fail "SIGINT left temporary files: $left"

expect_status 0 "$AIMCI" --threads 1 x.aimc
has out.txt "reused $kept of 16 job results"
for f in grid.md grid.csv; do
    cmp out/$f ref/out/$f || fail "out/$f differs from the uninterrupted run"
done
exit 0
