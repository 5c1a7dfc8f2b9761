# Evaluating saved weights without training (`evaluate { model, data, weights }`), and a train
# of several optimizers loading each optimizer's saved file.
#
# 1. A train of three optimizers (digital SGD; analog SGD on a layer with learned output
#    scales; tiki_taka, whose visible weights combine two arrays) saves its weights; in the
#    same script an evaluate of the train and an evaluate of each saved file, through the same
#    noisy io with the same seed, give the same rows: the digital pass is the run's own (the
#    file holds the visible weights and output scales the run computed with), and the analog
#    passes draw the same noise from the same streams (the evaluation I/O is built from the
#    seed, the noise management starts from the running values the file holds). Exact to the
#    9 printed digits, which rounding differences would change.
# 2. The digital test loss and accuracy of each file are the train's final ones in its log.
# 3. A perfect io gives the digital numbers in every repetition.
# 4. --check passes before the files exist (a train of the same script writes them), and a
#    second run reads the files the first wrote (they are not inputs the run overwrites).
# 5. `load = "out/w.npz"` in a train of the same optimizers starts each from its own file
#    (out/w.sgd.npz, ...): its epoch-0 test loss is the saved run's final one.
# 6. A file of a layer with output scales, evaluated on a model without them, is an error
#    naming the file and the array, before anything runs.
# 7. The spread the noise predicts. A linear layer (no bias) read through an io with output
#    noise sigma only (no noise management, no quantisation, bounds far away) computes
#    y_k = w.x_k + sigma xi_k, xi_k standard normal, independent per row and repetition. The
#    half_mse of N rows with digital residuals r_k (L0 = sum r_k^2 / 2N) is then
#    L = L0 + sigma/N sum r_k xi_k + sigma^2/2N sum xi_k^2, with
#    E[L] = L0 + sigma^2/2 and Var[L] = 2 sigma^2 L0 / N + sigma^4 / 2N.
#    Over K = 400 repetitions the mean is within 4 standard errors sqrt(Var/K) of E[L], and the
#    sample std within 20% of sqrt(Var) (L is a sum of N = 40 independent terms, near normal:
#    the sample std's relative standard error is about 1/sqrt(2K) = 3.5%; 20% is ~6 of them).
. "$ROOT/tests/scripts/common.inc"
awk 'BEGIN { srand(7); print "a,b,c,label";
             for (i = 0; i < 80; i++) { a = rand() * 2 - 1; b = rand() * 2 - 1;
                                        printf "%.4f,%.4f,%.4f,%d\n", a, b, rand(), (a + b > 0) } }' > d.csv
cat > x.aimc <<'AIMC'
seed = 2
device rram : soft_bounds { dw_min = 0.01 }
io exact : perfect {}
io noisy : analog { out_noise = 0.1 }
data cls : csv { file = "d.csv", test_fraction = 0.25 }
model net { dense(3, 4, on = rram, weight_scaling_omega = 0.6, learn_out_scaling = true)
            tanh
            dense(4, 2, on = rram) }
model plain { dense(3, 4, on = rram), tanh, dense(4, 2, on = rram) }
optimizer sgd : digital_sgd { lr = 0.05 }
optimizer asgd : analog_sgd { lr = 0.05 }
optimizer tt : tiki_taka { lr = 0.05 }
train fit { model = net, data = cls, epochs = 3, batch = 5, optimizer = [sgd, asgd, tt],
            log = "out/fit.csv", save = "out/w.npz" }
evaluate tr { train = fit, io = noisy, repeat = 4, out = "out/tr.csv" }
evaluate w_sgd { model = net, data = cls, weights = "out/w.sgd.npz", io = noisy, repeat = 4,
                 out = "out/w_sgd.csv" }
evaluate w_asgd { model = net, data = cls, weights = "out/w.asgd.npz", io = noisy, repeat = 4,
                  out = "out/w_asgd.csv" }
evaluate w_tt { model = net, data = cls, weights = "out/w.tt.npz", io = noisy, repeat = 4,
                out = "out/w_tt.csv" }
evaluate same { model = net, data = cls, weights = "out/w.asgd.npz", io = exact, repeat = 3,
                out = "out/same.csv" }
train again { model = net, data = cls, epochs = 1, batch = 5, optimizer = [sgd, asgd, tt],
              load = "out/w.npz", log = "out/again.csv" }
AIMC
expect_status 0 "$AIMCI" --check x.aimc
expect_status 0 "$AIMCI" x.aimc
has out.txt "evaluate w_asgd: weights out/w.asgd.npz (model net), the test set of cls"
for o in sgd asgd tt; do
    # 1. the file's rows are the train's
    awk -F, -v o=$o 'NR > 1 && $1 == o { sub(/^[^,]*,/, ""); print }' out/tr.csv > want.txt
    tail -n +2 out/w_$o.csv | cut -d, -f2- > got.txt
    [ "$(wc -l < want.txt)" -eq 5 ] || fail "$o: tr.csv has no rows for it: $(cat out/tr.csv)"
    cmp -s want.txt got.txt || fail "$o: the saved weights evaluate otherwise than the train's:
$(cat want.txt)
---
$(cat got.txt)"
    # 2. the digital pass is the train's final test loss and accuracy
    last=$(awk -F, -v o=$o '$1 == o && $2 == 3 { print $7 "," $8 }' out/fit.csv)
    [ -n "$last" ] || fail "$o: no epoch 3 in fit.csv"
    grep -qx "out/w.$o.npz,digital,0,$last" out/w_$o.csv ||
        fail "$o: the file's digital pass is not the final test ($last): $(cat out/w_$o.csv)"
    # 5. each optimizer of `again` starts from its own file
    first=$(awk -F, -v o=$o '$1 == o && $2 == 0 { print $7 }' out/again.csv)
    [ "$first" = "${last%,*}" ] ||
        fail "$o: the train loading out/w.npz starts at test loss $first, not ${last%,*}"
done
# the three optimizers end apart, so that 5 tells the files apart
[ "$(awk -F, '$2 == 3 { print $7 }' out/fit.csv | sort -u | wc -l)" -eq 3 ] ||
    fail "the optimizers end at the same test loss: $(cat out/fit.csv)"
# 3. a perfect io is the digital pass
d=$(awk -F, '$2 == "digital" { print $4 "," $5 }' out/same.csv)
[ "$(awk -F, -v d="$d" '$2 == "analog" && $4 "," $5 == d' out/same.csv | wc -l)" -eq 3 ] ||
    fail "a perfect io differs from the digital pass: $(cat out/same.csv)"
# 4. again, over what the first run wrote: the same numbers
cp out/tr.csv tr1.csv
expect_status 0 "$AIMCI" x.aimc
cmp -s out/tr.csv tr1.csv || fail "the second run evaluated otherwise"
expect_status 0 "$AIMCI" --only w_tt x.aimc
tail -n +2 out/w_tt.csv | cut -d, -f2- | cmp -s - got.txt || fail "--only w_tt differs"
# 6. output scales the model does not have
cat > bad.aimc <<'AIMC'
device rram : soft_bounds { dw_min = 0.01 }
data cls : csv { file = "d.csv", test_fraction = 0.25 }
model plain { dense(3, 4, on = rram), tanh, dense(4, 2, on = rram) }
evaluate ev { model = plain, data = cls, weights = "out/w.asgd.npz" }
AIMC
expect_status 2 "$AIMCI" bad.aimc
has err.txt "evaluate 'ev': weights: out/w.asgd.npz: the file holds output scales \
'dense1.out_scale', but layer 1 (dense) of model 'plain' has none"
has err.txt "(nothing was run)"
# 7. the spread of the noisy passes
cat > s.aimc <<'AIMC'
seed = 3
io noisy : analog { out_noise = 0.3, noise_management = none, bound_management = none,
                    inp_res = 0, out_res = 0, inp_bound = 1000, out_bound = 1000 }
device d : ideal {}
data ls : least_squares { rows = 40, cols = 6, noise = 0.5 }
model lin { dense(6, 1, bias = false, on = d) }
optimizer sgd : digital_sgd { lr = 0.05 }
train fit { model = lin, data = ls, optimizer = sgd, steps = 50, save = "w.npz" }
evaluate spread { model = lin, data = ls, weights = "w.npz", io = noisy, repeat = 400,
                  out = "s.csv" }
AIMC
expect_status 0 "$AIMCI" s.aimc
awk -F, -v sig=0.3 -v N=40 '
    NR == 2 { L0 = $4 }
    NR > 2 { s += $4; s2 += $4 * $4; k++ }
    END {
        m = s / k; sd = sqrt((s2 - k * m * m) / (k - 1))
        pm = L0 + sig ^ 2 / 2; psd = sqrt(2 * sig ^ 2 * L0 / N + sig ^ 4 / (2 * N))
        printf "L0 %g: mean %g (predicted %g), std %g (predicted %g)\n", L0, m, pm, sd, psd
        exit !(k == 400 && (m - pm) ^ 2 <= 16 * psd ^ 2 / k && sd > 0.8 * psd && sd < 1.2 * psd)
    }' s.csv || fail "the noisy passes do not spread as the noise predicts"
exit 0
