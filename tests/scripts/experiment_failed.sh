# Failed runs of an experiment are failures: marked in the table and the CSV
# ("diverged@step N"), left out of the means with their count shown, exit status 1.
. "$ROOT/tests/scripts/common.inc"

cat >div.aimc <<'X'
seed = 1
data ls : least_squares { rows = 20, cols = 5 }
model m { dense(5, 1, bias = false) }
optimizer sgd : digital_sgd { lr = 0.01 }
train fit { model = m, data = ls, loss = half_mse, steps = 200, batch = 1, optimizer = [sgd] }
experiment e { train = fit, vary sgd.lr in [0.01, 0.4, 100], repeat = 3, report = "out/e.md" }
X
expect_status 1 "$AIMCI" --only e div.aimc
# lr 0.01 converges; 100 blows up at once (non-finite or a million-fold loss); 0.4 sits at
# the edge: some of its three repeats diverge, the others are averaged without them.
matches out.txt '^\| 0\.01 \| [0-9.e+-]+ ± [0-9.e+-]+ \|$'
matches out.txt '^\| 100 \| diverged@step [0-9]+ \(3 of 3 failed\) \|$'
matches out.txt '^\| 0\.4 \| [0-9.e+-]+ ± [0-9.e+-]+ \([12] of 3 failed: diverged@step [0-9]+\) \|$'
matches out.txt '^[0-9]+ of 9 runs failed \(marked in the table, left out of the means\)$'
matches err.txt "div.aimc:6:12: error: experiment 'e', cell 3, optimizer 'sgd', repeat 1: training diverged at step [0-9]+"
has out/e.csv "optimizer,runs,loss_mean,loss_std,loss_over_f_star_mean,acc_mean,acc_std,failed,failure,"
# (the cost columns after `failure` are empty for digital SGD)
matches out/e.csv '^"0\.01",sgd,3,[^,]+,[^,]+,,,,0,,,,,$'
matches out/e.csv '^"100",sgd,0,,,,,,3,diverged@step [0-9]+,,,,$'
matches out/e.csv '^"0\.4",sgd,[12],[^,]+,[^,]+,,,,[12],diverged@step [0-9]+,,,,$'
# The mean of 0.4 is that of the repeats that succeeded alone: with one left, its std is 0.
row=$(grep '^"0\.4"' out/e.csv)
runs=$(echo "$row" | cut -d, -f3)
[ "$runs" -ne 1 ] || [ "$(echo "$row" | cut -d, -f5)" = "0" ] || fail "one run left, yet a spread: $row"
ok_runs=$(echo "$row" | cut -d, -f3)
bad_runs=$(echo "$row" | cut -d, -f9)
[ $((ok_runs + bad_runs)) -eq 3 ] || fail "runs and failures do not add up to 3: $row"
exit 0
