# Checkpointed experiment jobs: a job whose train checkpoints (checkpoint_every in the swept
# train, or --checkpoint-every) keeps its checkpoint beside its result in REPORT.jobs/. Killed
# (-9) in the middle of a job, twice, or stopped by SIGTERM, the next run says which jobs it
# resumes and where, and its report, CSV and every job result are byte-identical to those of a
# run never stopped; no checkpoint nor temporary file is left once the report is written. A
# damaged job checkpoint is said (naming the file) and the job starts over; --fresh removes
# them.
. "$ROOT/tests/scripts/common.inc"

# One long job of a tiny model (so that every stop lands in it, never between two jobs), by
# steps, a checkpoint every 300 steps: enough steps that a resumed tile's 16-bit staged pulse
# counters would wrap if a checkpoint restored them wrongly (the pulse counts are in the
# results). The train has no log: checkpoint_every is accepted since the experiment keeps its
# jobs' checkpoints. (Stops between jobs: stop_experiment.sh, mpi.sh.)
cat >x.aimc <<'X'
seed = 3
device rram : soft_bounds { up_down = 0.2 }
data ls : least_squares { rows = 30, cols = 6, noise = 0.1 }
model lin { dense(6, 1, on = rram, bias = false) }
optimizer rl : residual { lr = 0.02 }
train fit { model = lin, data = ls, steps = 100000, optimizer = rl, checkpoint_every = 300 }
experiment grid {
    train = fit
    repeat = 1
    report = "out/grid.md"
}
X
# The uninterrupted run, in its own folder.
mkdir ref
(cd ref && "$AIMCI" --threads 1 --only grid ../x.aimc >out.txt 2>&1) || fail "the reference run failed"
[ -z "$(ls ref/out/grid.jobs/*.ckpt 2>/dev/null)" ] || fail "an uninterrupted run left checkpoints"

# same_as_ref WHAT: the outputs and every job result are the reference's; nothing is left over.
same_as_ref() {
    for f in grid.md grid.csv grid.curves.csv; do
        cmp "out/$f" "ref/out/$f" || fail "$1: out/$f differs from the uninterrupted run"
    done
    for f in ref/out/grid.jobs/*.job; do
        cmp "out/grid.jobs/$(basename "$f")" "$f" || fail "$1: job result $(basename "$f") differs"
    done
    left=$(find out -name '*.ckpt' -o -name '.*tmp*')
    [ -z "$left" ] || fail "$1: left behind: $left"
}

# start ARGS...: run aimci in the background (its pid in $pid) and wait until one of its
# jobs has written a checkpoint, then a little more (a point in the middle of a job).
start() {
    "$AIMCI" --threads 1 "$@" x.aimc >run.txt 2>&1 &
    pid=$!
    wait_until 30 "job checkpoint" "ls out/grid.jobs/*.ckpt >/dev/null 2>&1"
    sleep 0.1
}

# kill -9 in the middle of a job, twice: each run goes on from the checkpoints of the last.
start --only grid
kill -9 $pid
wait $pid 2>/dev/null
[ -e out/grid.md ] && fail "the run was killed too late: the test's jobs are too short"
start --only grid
kill -9 $pid
wait $pid 2>/dev/null
expect_status 0 "$AIMCI" --threads 1 --only grid x.aimc
matches out.txt '^  resumed cell 1, optimizer rl, repeat 1 at step [0-9]+ \(checkpoint out/grid\.jobs/cell1-opt1-rep1\.ckpt\)$'
same_as_ref "killed twice in a job"

# SIGTERM (a cluster's time limit) in the middle of a job: the job stops after its current
# step and writes its checkpoint; exit 143; the results of finished jobs are kept.
rm -rf out
start --only grid
kill -TERM $pid
wait $pid 2>/dev/null
st=$?
[ $st -eq 143 ] || fail "SIGTERM: exit status $st, expected 143"
has run.txt "aimci: stopped by SIGTERM"
matches run.txt '^  kept the checkpoints of 1 stopped job in out/grid\.jobs/: the next run continues them$'
[ -z "$(find out -name '.*tmp*')" ] || fail "SIGTERM left temporary files"
[ -e out/grid.md ] && fail "a stopped experiment wrote its report"
expect_status 0 "$AIMCI" --threads 1 --only grid x.aimc
has out.txt "  resumed cell 1, optimizer"
same_as_ref "stopped by SIGTERM"

# --checkpoint-every on the command line, for a train that does not set checkpoint_every.
sed 's/checkpoint_every = 300/log_every = 400/' x.aimc >y.aimc && mv y.aimc x.aimc
rm -rf out ref
mkdir ref
(cd ref && "$AIMCI" --threads 1 --only grid ../x.aimc >out.txt 2>&1) || fail "the reference run failed"
"$AIMCI" --threads 1 --only grid x.aimc >run.txt 2>&1 &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid 2>/dev/null
[ -z "$(ls out/grid.jobs/*.ckpt 2>/dev/null)" ] || fail "a job checkpointed with checkpointing off"
rm -rf out
start --only grid --checkpoint-every 250
kill -TERM $pid
wait $pid 2>/dev/null
expect_status 0 "$AIMCI" --threads 1 --only grid x.aimc
has out.txt "  resumed cell 1, optimizer"
same_as_ref "--checkpoint-every"

# A damaged checkpoint: said, naming the file; the job starts over, the results are the same.
rm -rf out
start --only grid --checkpoint-every 250
kill -9 $pid
wait $pid 2>/dev/null
ck=$(ls out/grid.jobs/*.ckpt | head -n 1)
printf 'XXXX' | dd of="$ck" bs=1 seek=60 conv=notrunc 2>/dev/null
expect_status 0 "$AIMCI" --threads 1 --only grid x.aimc
has err.txt "warning: experiment 'grid': checkpoint '$ck'"
has err.txt "the job starts over"
grep -q "resumed" out.txt && fail "a damaged checkpoint was resumed"
same_as_ref "a damaged checkpoint"

# --fresh removes a job's checkpoint and runs it from the start.
rm -rf out
start --only grid --checkpoint-every 250
kill -9 $pid
wait $pid 2>/dev/null
expect_status 0 "$AIMCI" --threads 1 --fresh --only grid x.aimc
grep -q "resumed" out.txt && fail "--fresh resumed a job"
same_as_ref "--fresh"
exit 0
