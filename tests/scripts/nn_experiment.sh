# An experiment on labelled data: a 2 x 2 grid with 2 repeats gives a table of test
# accuracies (mean ± std in percent) with one row per cell and one column per optimizer, a
# CSV with the accuracy columns, and the same numbers with 1 and 2 worker threads.
set -e
. "$ROOT/tests/scripts/common.inc"
cat > x.aimc <<'AIMC'
seed = 5
device pw : power { gamma_res = 0.5, tau = 0.6, dw_min = 0.001 }
data fm : fashion_mnist { limit = 300, test_limit = 200 }
model net { dense(784, 16, on = pw)
            tanh
            dense(16, 10, on = pw) }
optimizer sgd : digital_sgd { lr = 0.1 }
optimizer rl  : residual { lr = 0.05, transfer_lr = 1 }
train fit { model = net, data = fm, batch = 10, epochs = 1, optimizer = [sgd, rl] }
experiment grid {
    train = fit
    vary pw.tau in [0.6, 0.8]
    vary batch in [10, 20]
    repeat = 2
    report = "out/grid.md"
}
AIMC
AIMCI_THREADS=1 "$AIMCI" x.aimc > one.txt
cp out/grid.csv one.csv
AIMCI_THREADS=2 "$AIMCI" --fresh x.aimc > two.txt
cmp one.csv out/grid.csv || fail "the CSV depends on the number of threads"
cmp one.txt two.txt || fail "the table depends on the number of threads"
has out/grid.md "Test accuracy (%, exact digital forward), mean ± std over 2 repeats:"
# Header + separator + 4 rows; columns: tau, batch, sgd, rl; cells "NN.NN ± N.NN".
[ "$(grep -c '^|' out/grid.md)" -eq 6 ] || fail "expected 4 rows"
head -n 3 out/grid.md | grep -q '^| pw.tau | batch | sgd | rl |$' || fail "wrong header"
[ "$(grep -cE '^\| 0\.[68] \| [12]0 \| [0-9]+\.[0-9]{2} ± [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9]{2} ± [0-9]+\.[0-9]{2} \|$' out/grid.md)" -eq 4 ] ||
    fail "cells are not accuracies"
# CSV: header + 4 cells x 2 optimizers, 2 runs each, accuracies in [0, 1].
[ "$(wc -l < out/grid.csv)" -eq 9 ]
head -n 1 out/grid.csv | grep -q 'acc_mean,acc_std,failed,failure,energy_j_mean,time_s_mean,pulses_mean,wear_max$'
awk -F, 'NR > 1 && ($4 != 2 || $8 < 0 || $8 > 1 || $8 == "" || $10 != 0) { bad = 1 } END { exit bad }' \
    out/grid.csv || fail "bad CSV rows"
# digital SGD ignores the device: its accuracy does not depend on tau
awk -F, 'NR > 1 && $3 == "sgd" { k = $2; if (k in m) { if (m[k] != $8) bad = 1 } else m[k] = $8 }
         END { exit bad }' out/grid.csv || fail "sgd depends on the device"
