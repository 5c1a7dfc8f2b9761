# Saved experiment job results (REPORT.jobs/): a rerun reuses them and writes the same report
# and CSV byte for byte; an experiment killed (kill -9) between jobs resumes to the outputs of
# an uninterrupted run; a damaged result is said and run again; a changed script reuses only
# the jobs it does not change; --fresh reuses nothing; --shard 0/2 + 1/2 = one run.
. "$ROOT/tests/scripts/common.inc"

cat >x.aimc <<'X'
seed = 3
device rram : soft_bounds { up_down = 0.2 }
data ls : least_squares { rows = 30, cols = 6, noise = 0.1 }
model lin { dense(6, 1, on = rram, bias = false) }
optimizer sgd : digital_sgd { lr = 0.02 }
optimizer asgd : analog_sgd { lr = 0.02 }
train fit { model = lin, data = ls, steps = 300, optimizer = [sgd, asgd] }
experiment grid {
    train = fit
    vary rram.up_down in [0, 0.3]
    repeat = 3
    report = "out/grid.md"
}
X
jobs() { find out/grid.jobs -name '*.job' 2>/dev/null | wc -l; }
# same_as REF: the report and CSV are REF's, and the console is, but for the "reused" line.
same_as() {
    cmp "$1.md" out/grid.md || fail "$2: the report differs from $1's"
    cmp "$1.csv" out/grid.csv || fail "$2: the CSV differs from $1's"
    grep -v '^  reused ' out.txt | cmp - "$1.txt" || fail "$2: the console differs from $1's"
}
keep() { cp out/grid.md "$1.md" && cp out/grid.csv "$1.csv" && cp out.txt "$1.txt"; }

# One uninterrupted run: a result per job (2 cells x 2 optimizers x 3 repeats).
expect_status 0 "$AIMCI" --only grid x.aimc
keep ref
[ "$(jobs)" -eq 12 ] || fail "expected 12 job results, got $(jobs)"
grep -q reused out.txt && fail "a first run reused results"
# Run again: nothing runs, every result is reused, the outputs are the same.
expect_status 0 "$AIMCI" --only grid x.aimc
has out.txt "  reused 12 of 12 job results from out/grid.jobs/ (--fresh runs them again)"
same_as ref "a rerun"
# --fresh runs every job again.
expect_status 0 "$AIMCI" --fresh --only grid x.aimc
cmp out.txt ref.txt || fail "--fresh reused results"

# A damaged result (a byte changed) and a cut one are said, run again, and change nothing.
sed -i '5s/./#/' out/grid.jobs/cell1-opt2-rep3.job
head -c 200 out/grid.jobs/cell2-opt1-rep1.job >cut && mv cut out/grid.jobs/cell2-opt1-rep1.job
expect_status 0 "$AIMCI" --only grid x.aimc
has out.txt "  reused 10 of 12 job results"
has err.txt "warning: experiment 'grid': the saved job result out/grid.jobs/cell1-opt2-rep3.job is damaged"
has err.txt "out/grid.jobs/cell2-opt1-rep1.job is damaged"
same_as ref "after damaged results"
grep -q '^check ' out/grid.jobs/cell2-opt1-rep1.job || fail "the cut result was not written again"

# A changed script: the jobs it changes run again (asgd's lr), the others are reused (sgd).
sed 's/asgd : analog_sgd { lr = 0.02 }/asgd : analog_sgd { lr = 0.03 }/' x.aimc >y.aimc
expect_status 0 "$AIMCI" --only grid y.aimc
has out.txt "  reused 6 of 12 job results"
keep lr3
cmp -s lr3.csv ref.csv && fail "a changed optimizer reused its old results"
# ... and the script that changes the data reuses none.
sed 's/noise = 0.1/noise = 0.2/' x.aimc >z.aimc
expect_status 0 "$AIMCI" --only grid z.aimc
grep -q reused out.txt && fail "changed data reused results: $(cat out.txt)"

# Shards: 0/2 runs half the jobs and writes no report (nor runs the script's train: a shard
# is a share of jobs alone); 1/2 finds all and writes it.
rm -rf out
expect_status 0 "$AIMCI" --shard 0/2 --set 'fit.log="out/fit.csv"' x.aimc
has out.txt "train fit: not run by a shard (the run without --shard runs it)"
[ -e out/fit.csv ] && fail "a shard ran the train"
has out.txt "  shard 0/2: 6 of 12 job results are in out/grid.jobs/; the report waits for the other 6"
[ -e out/grid.md ] && fail "a shard wrote the report with results missing"
[ "$(jobs)" -eq 6 ] || fail "shard 0/2 kept $(jobs) results, not 6"
# Jobs j with j mod 2 = 0: numbered cell, optimizer, repeat, so repeats 1 and 3 of cell 1's
# first optimizer (jobs 0 and 2).
[ -e out/grid.jobs/cell1-opt1-rep1.job ] && [ -e out/grid.jobs/cell1-opt1-rep3.job ] &&
    [ ! -e out/grid.jobs/cell1-opt1-rep2.job ] || fail "shard 0/2 ran other jobs: $(ls out/grid.jobs)"
expect_status 0 "$AIMCI" --shard 1/2 --only grid x.aimc
has out.txt "  reused 6 of 12 job results"
same_as ref "shards 0/2 and 1/2"
# A shard of 3 and a plain run: the plain run runs the rest.
rm -rf out
expect_status 0 "$AIMCI" --shard 2/3 --only grid x.aimc
expect_status 0 "$AIMCI" --only grid x.aimc
has out.txt "  reused 4 of 12 job results"
same_as ref "shard 2/3, then the rest"
# --shard needs K/N with K < N, and an experiment with a report (or plot) to keep results.
expect_status 2 "$AIMCI" --shard 2/2 x.aimc
has err.txt "aimci: error: --shard needs K/N, this process's part K of N parts with 0 <= K < N (as 0/4 .. 3/4), not '2/2'"
expect_status 2 "$AIMCI" --shard 1 x.aimc
sed 's/report = "out\/grid.md"//' x.aimc >noreport.aimc
expect_status 1 "$AIMCI" --shard 0/2 --only grid noreport.aimc
has err.txt "experiment 'grid' has no report or plot to keep its job results beside: --shard needs them (nothing was run)"

# kill -9 between jobs (longer jobs, one thread): what was finished is kept, and the next run
# runs the rest to the outputs of an uninterrupted run.
rm -rf out
expect_status 0 "$AIMCI" --threads 1 --set fit.steps=10000 --only grid x.aimc
keep long
rm -rf out
"$AIMCI" --threads 1 --set fit.steps=10000 --only grid x.aimc >/dev/null 2>&1 &
pid=$!
wait_until 30 "3 job results" '[ "$(jobs)" -ge 3 ]'
kill -9 $pid
wait $pid 2>/dev/null
kept=$(jobs)
[ "$kept" -ge 3 ] && [ "$kept" -lt 12 ] || fail "killed after 3 results, $kept were kept"
[ -e out/grid.md ] && fail "a killed run wrote the report"
expect_status 0 "$AIMCI" --threads 1 --set fit.steps=10000 --only grid x.aimc
has out.txt "  reused $kept of 12 job results"
same_as long "a run killed, then run again"
exit 0
