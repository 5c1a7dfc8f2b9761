# aimci-mpi under a real mpirun: with 1, 2 and 3 ranks (and any thread count) it prints and
# writes exactly what aimci does in one process; a rank that cannot read the script takes no
# jobs and the lead says so; a rank killed with kill -9 ends the run with mpirun's message
# naming it, the jobs finished before are kept, and the same command resumes (from the jobs'
# checkpoints, with --checkpoint-every) to the outputs of an uninterrupted run. SIGTERM to one worker rank of a checkpointed run stops every rank
# after its current step: exit 143, the stopped jobs' checkpoints and the finished results
# kept, no temporary file; the next run (on other ranks) resumes them to the same bytes.
. "$ROOT/tests/scripts/common.inc"

MPI=$AIMCI-mpi
[ -x "$MPI" ] || fail "no $MPI (make test builds it beside $AIMCI)"
command -v mpirun >/dev/null || fail "no mpirun (make test installs openmpi-bin)"
# As root (CI), mpirun needs --allow-run-as-root; 3 ranks on 2 cores need --oversubscribe.
# Shared-memory transfers without single-copy (containers often forbid its ptrace).
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi() {
    n=$1
    shift
    mpirun --allow-run-as-root --oversubscribe -n "$n" "$@"
}

cat >x.aimc <<'X'
seed = 3
device rram : soft_bounds { up_down = 0.2 }
data ls : least_squares { rows = 30, cols = 6, noise = 0.1 }
model lin { dense(6, 1, on = rram, bias = false) }
optimizer sgd : digital_sgd { lr = 0.02 }
optimizer asgd : analog_sgd { lr = 0.02 }
train fit { model = lin, data = ls, steps = 300, optimizer = [sgd, asgd], log = "out/fit.csv" }
experiment grid {
    train = fit
    vary rram.up_down in [0, 0.3]
    vary batch in [1, 2]
    repeat = 2
    report = "out/grid.md"
}
X
outputs="out/fit.csv out/grid.md out/grid.csv out/grid.resolved.aimc"
keep() {
    mkdir -p "$1" && cp out.txt "$1/" && for f in $outputs; do cp "$f" "$1/"; done
}
# same_as REF WHAT: the console and every output are REF's.
same_as() {
    cmp "$1/out.txt" out.txt || fail "$2: the console differs: $(diff "$1/out.txt" out.txt)"
    for f in $outputs; do
        cmp "$1/$(basename "$f")" "$f" || fail "$2: $f differs"
    done
}

# sigterm_rank R ARGS...: aimci-mpi ARGS on 2 ranks in the background (rank k's pid in
# rankk.pid, output in stopped.txt and stopped.err); once rank R runs and some job has
# written a checkpoint, SIGTERM to rank R; then $status is mpirun's exit status.
sigterm_rank() {
    r=$1
    shift
    rm -f rank0.pid rank1.pid
    mpi 2 sh -c 'echo $$ >rank$OMPI_COMM_WORLD_RANK.pid; exec "$0" "$@"' "$MPI" "$@" \
        >stopped.txt 2>stopped.err &
    mpirun_pid=$!
    wait_until 30 "job checkpoint" "[ -s rank$r.pid ] && ls out/grid.jobs/*.ckpt >/dev/null 2>&1"
    kill -TERM "$(cat rank$r.pid)" || fail "no rank $r to stop"
    wait $mpirun_pid
    status=$?
}

# The run of one process, then 1, 2 and 3 ranks (all jobs run again each time).
expect_status 0 "$AIMCI" x.aimc
keep one
for n in 1 2 3; do
    rm -rf out
    expect_status 0 mpi $n "$MPI" x.aimc
    grep -q aimci err.txt && fail "$n ranks: aimci-mpi said something on stderr: $(cat err.txt)"
    same_as one "$n ranks"
done
# Threads per rank change nothing either.
rm -rf out
expect_status 0 mpi 2 "$MPI" --threads 2 x.aimc
same_as one "2 ranks of 2 threads"
rm -rf out
export AIMCI_THREADS=1
expect_status 0 mpi 3 "$MPI" x.aimc
unset AIMCI_THREADS
same_as one "3 ranks of 1 thread"
# Saved results are reused as by aimci.
expect_status 0 mpi 2 "$MPI" x.aimc
has out.txt "  reused 16 of 16 job results from out/grid.jobs/"

# Dealt ahead: while rank 0 runs a long train statement, rank 1 runs the next experiment's
# jobs; the console and every output are still those of one process, and so after two saved
# results are removed (they run again, the others are reused).
sed 's/^experiment grid {/train warm { model = lin, data = ls, steps = 30000, optimizer = asgd, log = "out\/warm.csv" }\n&/' \
    x.aimc >y.aimc
grep -q '^train warm' y.aimc || fail "no train warm in y.aimc"
saved_outputs=$outputs
outputs="$outputs out/warm.csv"
rm -rf out
expect_status 0 "$AIMCI" --threads 1 y.aimc
keep warm
rm -rf out
expect_status 0 mpi 2 "$MPI" --threads 1 y.aimc
same_as warm "2 ranks, jobs dealt ahead"
rm out/grid.jobs/cell1-opt1-rep1.job out/grid.jobs/cell4-opt2-rep2.job
expect_status 0 mpi 2 "$MPI" --threads 1 y.aimc
has out.txt "  reused 14 of 16 job results"
grep -v '^  reused ' out.txt >resumed.txt && mv resumed.txt out.txt
same_as warm "2 ranks, jobs dealt ahead, 2 results missing"
outputs=$saved_outputs

# The script from standard input reaches the lead alone: the other ranks take no jobs, and
# say why through the lead; the lead runs them all.
rm -rf out
mpi 2 "$MPI" - <x.aimc >out.txt 2>err.txt || fail "the script from stdin: $(cat err.txt)"
has err.txt "aimci-mpi: warning: rank 1 takes no jobs: only the lead reads standard input: give aimci-mpi a script file"
cmp one/grid.csv out/grid.csv || fail "the script from stdin: other numbers"

# kill -9 of rank 1 in the middle of longer jobs. Each rank writes its pid before becoming
# aimci-mpi (exec keeps the pid).
rm -rf out
slow="--threads 1 --set fit.steps=10000 --only grid"
expect_status 0 "$AIMCI" $slow x.aimc
outputs="out/grid.md out/grid.csv"
keep long
rm -rf out
mpi 2 sh -c 'echo $$ >rank$OMPI_COMM_WORLD_RANK.pid; exec "$0" "$@"' "$MPI" $slow \
    --checkpoint-every 200 x.aimc >killed.txt 2>killed.err &
mpirun_pid=$!
wait_until 30 "2 job results" '[ "$(find out/grid.jobs -name "*.job" 2>/dev/null | wc -l)" -ge 2 ]'
kill -9 "$(cat rank1.pid)" || fail "no rank 1 to kill"
wait $mpirun_pid
status=$?
[ $status -ne 0 ] || fail "the run went on after a rank died"
grep -q "rank 1 .*exited on signal 9" killed.err || fail "no message names the dead rank: $(cat killed.err)"
kept=$(find out/grid.jobs -name '*.job' | wc -l)
[ "$kept" -ge 2 ] && [ "$kept" -lt 16 ] || fail "killed after 2 results, $kept were kept"
[ -e out/grid.md ] && fail "a run that lost a rank wrote the report"
expect_status 0 mpi 2 "$MPI" $slow x.aimc
has out.txt "  reused $kept of 16 job results"
grep -v '^  re\(used\|sumed\) ' out.txt >resumed.txt && mv resumed.txt out.txt
same_as long "killed rank (its job checkpointed), then run again"
[ -z "$(find out -name '*.ckpt')" ] || fail "checkpoints were left after the report"

# SIGTERM to worker rank 1 (Slurm sends it to every task at a time limit; here to one rank
# alone) in the middle of checkpointed jobs: the whole run stops. 8 jobs of 20000 steps.
rm -rf out
slow="--threads 1 --set fit.steps=20000 --set grid.repeat=1 --only grid"
expect_status 0 "$AIMCI" --threads 2 $slow x.aimc
keep term
rm -rf out
sigterm_rank 1 $slow --checkpoint-every 300 x.aimc
[ $status -eq 143 ] || fail "SIGTERM to rank 1: exit status $status, expected 143: $(cat stopped.err)"
has stopped.err "aimci-mpi: rank 1 was stopped by SIGTERM: every rank stops after its current step"
has stopped.err "aimci: stopped by SIGTERM"
matches stopped.txt '^  kept the checkpoints of [12] stopped jobs? in out/grid\.jobs/'
[ -e out/grid.md ] && fail "a stopped run wrote the report"
[ -z "$(find out -name '.*tmp*')" ] || fail "SIGTERM left temporary files: $(find out -name '.*tmp*')"
expect_status 0 mpi 3 "$MPI" $slow x.aimc
has out.txt "  resumed cell "
grep -v '^  re\(used\|sumed\) ' out.txt >resumed.txt && mv resumed.txt out.txt
same_as term "stopped by SIGTERM at rank 1, then resumed on 3 ranks"
[ -z "$(find out -name '*.ckpt')" ] || fail "checkpoints were left after the report"

# SIGTERM to rank 0 in a train statement while rank 1 runs the experiment's jobs ahead: exit
# 143, no report; what rank 1 finished is saved, what it was running keeps its checkpoint,
# and a run on 3 ranks gives the one-process outputs (the train fit, stopped too, resumes from
# its own checkpoint).
sed 's/^experiment grid {/train warm { model = lin, data = ls, steps = 3000000, optimizer = asgd }\n&/' \
    x.aimc >z.aimc
short="--threads 1 --set fit.steps=20000 --set grid.repeat=1"
rm -rf out
expect_status 0 "$AIMCI" $short --set warm.steps=1000 z.aimc
outputs="out/fit.csv out/grid.md out/grid.csv"
keep ahead
rm -rf out
sigterm_rank 0 $short --checkpoint-every 300 z.aimc
[ $status -eq 143 ] || fail "SIGTERM to rank 0: exit status $status, expected 143: $(cat stopped.err)"
has stopped.err "aimci: stopped by SIGTERM"
[ -e out/grid.md ] && fail "a stopped run wrote the report"
[ -n "$(ls out/grid.jobs)" ] || fail "nothing of the jobs run ahead was kept"
[ -z "$(find out -name '.*tmp*')" ] || fail "SIGTERM left temporary files: $(find out -name '.*tmp*')"
expect_status 0 mpi 3 "$MPI" $short --set warm.steps=1000 z.aimc
grep -v '^ *re\(used\|sumed\) ' out.txt >resumed.txt && mv resumed.txt out.txt
same_as ahead "stopped in a train with jobs run ahead, then resumed on 3 ranks"
[ -z "$(find out -name '*.ckpt')" ] || fail "checkpoints were left after the report"
exit 0
