# An experiment keeps every run's curve: the long CSV beside the report has one row per job
# and logged step (jobs = cells x optimizers x repeats), and each cell's own log (its path
# joins in the cell's values) holds exactly that cell's rows. A log path that is the same in
# every cell is written by no cell. The curves are the same for any number of threads, and
# when assembled from the saved job results (analog evaluations included).
. "$ROOT/tests/scripts/common.inc"
set -e
cat > x.aimc <<'AIMC'
seed = 3
device rram : linear { tau = 1, c_lin = 0.1, dw_min = 0.01 }
data ls : least_squares { rows = 20, cols = 5, noise = 0.1 }
model lin { dense(5, 1, on = rram, bias = false) }
optimizer sgd : digital_sgd { lr = 0.05 }
optimizer asgd : analog_sgd { lr = 0.05 }
io noisy : analog { out_noise = 0.1 }
train fit {
    test_io = noisy, test_repeat = 2
    model = lin, data = ls, steps = 40, log_every = 10, optimizer = [sgd, asgd]
    log = "out/fit_c" + rram.c_lin + "_lr" + asgd.lr + ".csv"
}
experiment sweep {
    train = fit
    vary rram.c_lin in [0, 0.2]
    vary asgd.lr in [0.05, 0.1, 0.2]
    repeat = 2
    report = "out/sweep.md"
}
AIMC
AIMCI_THREADS=1 "$AIMCI" --only sweep x.aimc > one.txt
cp out/sweep.curves.csv one.csv
AIMCI_THREADS=2 "$AIMCI" --fresh --only sweep x.aimc > two.txt
cmp one.csv out/sweep.curves.csv || fail "the curves depend on the thread count"
"$AIMCI" --only sweep x.aimc > reused.txt
has reused.txt "reused 24 of 24 job results"
cmp one.csv out/sweep.curves.csv || fail "the curves from saved results differ"
# 6 cells x 2 optimizers x 2 repeats, each logged at steps 0, 10, 20, 30, 40.
head -n 1 out/sweep.curves.csv | grep -qx 'rram.c_lin,asgd.lr,optimizer,repeat,seed,step,loss,dist_to_w_star,loss_analog,loss_analog_std' \
    || fail "header: $(head -n 1 out/sweep.curves.csv)"
[ "$(($(wc -l < out/sweep.curves.csv) - 1))" -eq $((6 * 2 * 2 * 5)) ] || fail "rows: $(wc -l < out/sweep.curves.csv)"
for c in 0 0.2; do
    for lr in 0.05 0.1 0.2; do
        f=out/fit_c${c}_lr${lr}.csv
        [ -f "$f" ] || fail "no $f"
        has one.txt "wrote $f"
        head -n 1 "$f" | grep -qx 'optimizer,repeat,seed,step,loss,dist_to_w_star,loss_analog,loss_analog_std' || fail "$f header"
        # the cell's rows of the long CSV, without the two cell columns, are the cell's log
        grep "^\"$c\",\"$lr\"," out/sweep.curves.csv | cut -d, -f3- > cell.csv
        tail -n +2 "$f" | cmp - cell.csv || fail "$f differs from its rows of the curves CSV"
        [ "$(wc -l < cell.csv)" -eq 20 ] || fail "$f: $(wc -l < cell.csv) rows"
    done
done
awk -F, 'NR > 1 && ($9 == "" || $10 == "") { bad = 1 } END { exit bad }' out/sweep.curves.csv \
    || fail "rows without their analog evaluation"
# repeat 2 of a cell is run with seed + 1
grep -q '^"0","0.05",asgd,2,4,0,' out/sweep.curves.csv || fail "repeat 2 has seed 4"
# a path that does not depend on the cell: no cell writes it
rm -rf out
sed 's/ + "_lr" + asgd.lr + ".csv"/ + ".csv"/; s/vary rram.c_lin in \[0, 0.2\]//' x.aimc > same.aimc
"$AIMCI" --only sweep same.aimc > same.txt
[ ! -e out/fit_c0.1.csv ] || fail "a log path shared by every cell was written"
[ -f out/sweep.curves.csv ] || fail "no curves CSV"
exit 0
