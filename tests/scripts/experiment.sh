# An experiment grid: its table has one row per non-optimizer cell and one column per
# optimizer, its CSV one row per cell and optimizer with `repeat` runs each, and the numbers
# do not depend on the number of worker threads (--fresh: the second run runs every job again).
set -e
cat > x.aimc <<'AIMC'
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
    vary batch in [1, 2, 5]
    repeat = 2
    report = "out/grid.md"
}
AIMC
AIMCI_THREADS=1 "$AIMCI" --only grid x.aimc > one.txt
cp out/grid.csv one.csv
AIMCI_THREADS=2 "$AIMCI" --fresh --only grid x.aimc > two.txt
cmp one.csv out/grid.csv
cmp one.txt two.txt
# Header + separator + 6 rows; columns: up_down, batch, sgd, asgd.
[ "$(grep -c '^|' out/grid.md)" -eq 8 ]
head -n 1 out/grid.md | grep -q '^| rram.up_down | batch | sgd | asgd |$'
# CSV: header + 6 cells x 2 optimizers, each with 2 runs.
[ "$(wc -l < out/grid.csv)" -eq 13 ]
[ "$(awk -F, 'NR > 1 && $4 != 2' out/grid.csv | wc -l)" -eq 0 ]
# Digital SGD ignores the device: its losses agree across up_down for the same batch.
awk -F, 'NR > 1 && $3 == "sgd" { k = $2; if (k in m) { if (m[k] != $5) bad = 1 } else m[k] = $5 }
         END { exit bad }' out/grid.csv
# The resolved program re-runs the grid to the same numbers.
"$AIMCI" --fresh --only grid out/grid.resolved.aimc > /dev/null
cmp one.csv out/grid.csv
# Varying the optimizer puts the optimizers in columns, one row per remaining cell.
"$AIMCI" --set grid.repeat=1 --only grid x.aimc > /dev/null
sed -i 's/vary batch in \[1, 2, 5\]/vary optimizer in [sgd, asgd]/' x.aimc
"$AIMCI" --only grid x.aimc > /dev/null
head -n 1 out/grid.md | grep -q '^| rram.up_down | sgd | asgd |$'
[ "$(grep -c '^|' out/grid.md)" -eq 4 ]
# loss/f* is a number for noisy data (f* > 0) and left empty for noise-free data, whose f* is
# rounding error (column 7 with the optimizer varied: up_down, the varied optimizer, optimizer,
# runs, loss mean and std, loss/f*).
head -n 1 out/grid.csv | cut -d, -f7 | grep -qx loss_over_f_star_mean
[ "$(awk -F, 'NR > 1 && $7 + 0 > 0' out/grid.csv | wc -l)" -eq 4 ]
"$AIMCI" --set ls.noise=0 --only grid x.aimc > /dev/null
[ "$(awk -F, 'NR > 1 && $7 == ""' out/grid.csv | wc -l)" -eq 4 ]
