# Checkpointed trains survive being stopped: killed (-9) at several points, also while a
# checkpoint is being written, or stopped by SIGINT / SIGTERM, a run resumes and its outputs
# (CSV logs, array statistics, costs, the summary tables) are byte-identical to a run never stopped. Damaged or foreign
# checkpoints are refused with a message naming the file; --fresh starts over.
. "$ROOT/tests/scripts/common.inc"

# Hidden device state (write noise: persistent weights; diffusion: post-update draws), the
# default analog I/O, a schedule, and algorithms with every kind of state: analog arrays,
# references (zero_shift), digital buffers (rlv2, ttv2, mixed_precision's chi), choppers
# and agad's references; trains by epochs, with and without a test set (80 labelled rows of
# 4 features, 3 classes, the last quarter the test set), and by steps.
awk 'BEGIN { print "a,b,c,d,y"
             for (i = 0; i < 80; i++)
                 printf "%.4f,%.4f,%.4f,%.4f,%d\n", sin(i), cos(3 * i), sin(7 * i),
                        cos(i / 3), i % 3 }' >cls.csv
cat >t.aimc <<AIMC
seed = 3
device rram : soft_bounds { dw_min = 0.01, w_max = 1, w_min = -1, up_down = 0.2,
                            write_noise_std = 0.5, diffusion = 0.001 }
data ls : least_squares { rows = 40, cols = 6 }
model net { dense(6, 5, on = rram), sigmoid(), dense(5, 1, on = rram) }
optimizer asgd : analog_sgd  { lr = 0.05 }
optimizer rl   : residual    { lr = 0.05, zero_shift = true }
optimizer rlv2 : residual_v2 { lr = 0.05, zero_shift = true }
optimizer t2   : ttv2        { lr = 0.05 }
optimizer ag   : agad        { lr = 0.05 }
optimizer mp   : mixed_precision { lr = 0.05 }
schedule cos : cosine {}
train fit {
    model = net, data = ls, loss = mse, epochs = 5, batch = 4, lr_schedule = cos
    optimizer = [asgd, rl, rlv2, t2, ag, mp]
    log = "out/fit.csv"
}
train steps {
    model = net, data = ls, loss = mse, steps = 120, batch = 2, log_every = 10
    optimizer = [rl, ag]
    log = "out/steps.csv", checkpoint_every = 7
}
data cs : csv { file = "$PWD/cls.csv", test_fraction = 0.25 }
model lin { dense(4, 3, on = rram), log_softmax }
train cls {
    model = lin, data = cs, epochs = 4, batch = 5, optimizer = [rlv2]
    log = "out/cls.csv"
}
AIMC
OUTS="fit.csv fit.arrays.csv fit.cost.csv steps.csv steps.arrays.csv steps.cost.csv cls.csv
      cls.arrays.csv cls.cost.csv"

# The table of a run: stdout without the progress, resume and stop lines.
table() { grep -v -e ' epoch [0-9]*/' -e '^resumed' -e 'stopped' -e '^  wrote' "$1"; }

mkdir ref
(cd ref && "$AIMCI" ../t.aimc >stdout.txt 2>&1) || fail "the reference run failed"
table ref/stdout.txt >ref/table.txt

# same_as_ref DIR: every output, and the table printed by the run that finished
# (DIR/stdout.all), equal the reference's; no checkpoint or temporary file is left.
same_as_ref() {
    for f in $OUTS; do
        cmp "$1/out/$f" "ref/out/$f" || fail "$1: out/$f differs from the uninterrupted run"
    done
    table "$1/stdout.all" >"$1/table.txt"
    cmp "$1/table.txt" ref/table.txt || fail "$1: the table differs from the uninterrupted run"
    left=$(ls -A "$1/out" | grep -v -e '\.csv$' -e '\.resolved\.aimc$')
    [ -z "$left" ] || fail "$1: left behind: $left"
}

# kill -9 at many points: twice while a checkpoint is being written (each write waits
# 150 ms between its temporary file and the rename), then after 0.25 s plus 0.04 s a start
# (writes wait 50 ms, so that kills land in writes too), until a run ends by itself.
mkdir k9
cd k9
n=0
while :; do
    n=$((n + 1))
    [ $n -le 40 ] || fail "kill -9: no run finished after 40 starts"
    delay=50
    [ $n -le 2 ] && delay=150
    AIMCI_TEST_WRITE_DELAY_MS=$delay "$AIMCI" --checkpoint-every 1 ../t.aimc >run$n.txt 2>&1 &
    pid=$!
    if [ $n -le 2 ]; then # until a checkpoint's temporary file exists
        wait_until 20 "checkpoint being written" "ls -A out 2>/dev/null | grep -q '^\.fit\.ckpt\.tmp'"
    else
        sleep "$(awk "BEGIN { print 0.25 + 0.04 * $n }")"
    fi
    kill -9 $pid 2>/dev/null
    wait $pid && break # it had finished
done
cp run$n.txt stdout.all
cd ..
cat k9/run*.txt | grep -q "^resumed fit/" || fail "kill -9: no run of fit resumed"
cat k9/run*.txt | grep -q "^resumed steps/" || fail "kill -9: no run of steps resumed"
same_as_ref k9

# SIGINT: exit 130 after the current step, the checkpoint kept, nothing temporary; resume.
mkdir int
cd int
AIMCI_TEST_WRITE_DELAY_MS=40 "$AIMCI" --checkpoint-every 2 ../t.aimc >run1.txt 2>&1 &
pid=$!
sleep 0.6
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "SIGINT: exit status $st, expected 130"
matches run1.txt "^  fit(/[a-z0-9]+)? stopped (in|after|before) "
has run1.txt "kept checkpoint out/fit.ckpt"
has run1.txt "aimci: stopped by SIGINT"
[ -f out/fit.ckpt ] || fail "SIGINT: no checkpoint kept"
ls -A out | grep -q tmp && fail "SIGINT: a temporary file is left: $(ls -A out)"
"$AIMCI" ../t.aimc >run2.txt 2>&1 || fail "the resumed run failed"
has run2.txt "resumed fit"
cp run2.txt stdout.all
cd ..
same_as_ref int

# The train with a test set (its log starts with the test of the initial weights), stopped
# by SIGINT after its first checkpoint, resumes with the same log.
mkdir cls
cd cls
AIMCI_TEST_WRITE_DELAY_MS=200 "$AIMCI" --only cls --checkpoint-every 1 ../t.aimc >run1.txt 2>&1 &
pid=$!
wait_until 20 "checkpoint being written" "ls -A out 2>/dev/null | grep -q '^\.cls\.ckpt\.tmp'"
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "SIGINT (cls): exit status $st, expected 130"
"$AIMCI" --only cls ../t.aimc >run2.txt 2>&1 || fail "the resumed run of cls failed"
has run2.txt "resumed cls/rlv2"
for f in cls.csv cls.arrays.csv; do
    cmp out/$f ../ref/out/$f || fail "cls: out/$f differs from the uninterrupted run"
done
cd ..

# SIGTERM: 143. Then a second SIGINT while an output is being written: exit at once, no
# temporary file and no half-written output.
mkdir term
cd term
AIMCI_TEST_WRITE_DELAY_MS=40 "$AIMCI" --checkpoint-every 1 ../t.aimc >run1.txt 2>&1 &
pid=$!
sleep 0.4
kill -TERM $pid
wait $pid
st=$?
[ $st -eq 143 ] || fail "SIGTERM: exit status $st, expected 143"
has run1.txt "aimci: stopped by SIGTERM"
AIMCI_TEST_WRITE_DELAY_MS=3000 "$AIMCI" --checkpoint-every 1 ../t.aimc >run2.txt 2>&1 &
pid=$!
wait_until 20 "checkpoint being written" "ls -A out 2>/dev/null | grep -q '^\.fit\.ckpt\.tmp'"
kill -INT $pid
sleep 0.2
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "a second SIGINT: exit status $st, expected 130"
ls -A out | grep -q tmp && fail "a second SIGINT left a temporary file: $(ls -A out)"
cp out/fit.ckpt good.ckpt

# Damaged checkpoints: refused, naming the file and what is wrong; nothing runs.
refused() { # refused WHAT: the run fails with that message and writes no output
    expect_status 1 "$AIMCI" ../t.aimc
    has err.txt "checkpoint 'out/fit.ckpt': $1"
    has err.txt "run with --fresh to start over"
    [ ! -f out/fit.csv ] || fail "a refused checkpoint still gave out/fit.csv"
}
head -c 100 good.ckpt >out/fit.ckpt
refused "truncated or extended"
head -c 20 good.ckpt >out/fit.ckpt
refused "truncated: 20 bytes"
cp good.ckpt out/fit.ckpt
size=$(wc -c <good.ckpt)
printf 'Z' | dd of=out/fit.ckpt bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refused "corrupt: the checksum of its contents does not match"
printf 'notackpt' | dd of=out/fit.ckpt bs=1 conv=notrunc 2>/dev/null
refused "not an aimci checkpoint"
cp good.ckpt out/fit.ckpt
sed 's/lr = 0.05 }/lr = 0.04 }/' ../t.aimc >other.aimc
expect_status 1 "$AIMCI" other.aimc
has err.txt "checkpoint 'out/fit.ckpt': written by another script or another version of aimci"
# --fresh ignores it, removes it, and gives the uninterrupted run's outputs.
expect_status 0 "$AIMCI" --fresh ../t.aimc
cp out.txt stdout.all
grep -q resumed out.txt && fail "--fresh resumed"
cd ..
same_as_ref term
exit 0
