# Analog evaluation from the command line: an `evaluate` through a perfect io gives the
# digital numbers in every repetition; through a noisy io the analog loss of the same weights
# is higher; a train's test_io adds the analog columns to its log and summary (the digital
# ones, which say so in the header, unchanged), and with a perfect io they equal the digital.
. "$ROOT/tests/scripts/common.inc"
set -e
awk 'BEGIN { srand(7); print "a,b,c,label";
             for (i = 0; i < 60; i++) { a = rand() * 2 - 1; b = rand() * 2 - 1;
                                        printf "%.4f,%.4f,%.4f,%d\n", a, b, rand(), (a + b > 0) } }' > d.csv
cat > x.aimc <<'AIMC'
seed = 2
device rram : soft_bounds { dw_min = 0.01 }
io exact : perfect {}
io noisy : analog { out_noise = 0.2 }
data ls : least_squares { rows = 40, cols = 6, noise = 0.1 }
data cls : csv { file = "d.csv", test_fraction = 0.25 }
model lin { dense(6, 1, on = rram, bias = false) }
model net { dense(3, 2, on = rram) }
optimizer sgd : digital_sgd { lr = 0.05 }
optimizer asgd : analog_sgd { lr = 0.05 }
train fit { model = lin, data = ls, steps = 100, optimizer = [sgd, asgd], test_io = noisy,
            test_repeat = 3, log = "out/fit.csv" }
train cls_fit { model = net, data = cls, epochs = 2, batch = 5, optimizer = asgd,
                test_io = exact, log = "out/cls.csv" }
evaluate same { train = fit, io = exact, repeat = 3, out = "out/same.csv" }
evaluate worse { train = fit, io = noisy, repeat = 20, out = "out/worse.csv" }
AIMC
expect_status 0 "$AIMCI" x.aimc
has out.txt "final loss (analog)"
has out.txt "test acc (digital)"
has out.txt "test acc (analog)"
head -n 1 out/fit.csv | grep -qx 'optimizer,step,loss,dist_to_w_star,loss_analog,loss_analog_std' \
    || fail "fit.csv header: $(head -n 1 out/fit.csv)"
head -n 1 out/cls.csv | grep -qx \
    'optimizer,epoch,step,lr,train_loss,train_acc,test_loss,test_acc,test_loss_analog,test_loss_analog_std,test_acc_analog,test_acc_analog_std' \
    || fail "cls.csv header: $(head -n 1 out/cls.csv)"
# perfect io: the analog columns are the digital ones, with no spread
awk -F, 'NR > 1 && ($9 != $7 || $11 != $8 || $10 != 0 || $12 != 0) { bad = 1 } END { exit bad }' \
    out/cls.csv || fail "test_io = perfect differs from the digital test: $(cat out/cls.csv)"
[ "$(wc -l < out/same.csv)" -eq $((1 + 2 * 4)) ] || fail "same.csv: $(wc -l < out/same.csv) lines"
for o in sgd asgd; do
    d=$(awk -F, -v o=$o '$1 == o && $2 == "digital" { print $4 }' out/same.csv)
    awk -F, -v o=$o -v d="$d" '$1 == o && $2 == "analog" && $4 != d { bad = 1 } END { exit bad }' \
        out/same.csv || fail "$o: a perfect io gives another loss than $d"
    # output noise adds sigma^2/2 = 0.02 to the mse on average: the mean of 20 is above
    awk -F, -v o=$o '$1 == o && $2 == "digital" { d = $4 } $1 == o && $2 == "analog" { s += $4; n++ }
                     END { exit !(n == 20 && s / n > d) }' out/worse.csv \
        || fail "$o: the noisy evaluation is not worse: $(cat out/worse.csv)"
done
# the evaluate's training is the train's: the same final digital loss
last=$(awk -F, '$1 == "asgd" { l = $3 } END { print l }' out/fit.csv)
grep -q "^asgd,digital,0,$last," out/same.csv || fail "evaluate trained other weights than fit ($last)"
exit 0
