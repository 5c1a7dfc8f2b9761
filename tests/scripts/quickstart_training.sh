# Acceptance test of examples/quickstart.aimc: digital SGD ends within 2x of the optimum f*
# of the least-squares problem, analog SGD on the asymmetric device stays far above it
# (> 20 f*, the seed paper's point), zero-shifted Residual Learning ends below a tenth of
# analog SGD and RLv2 below it.
#
# f* is the one aimci prints (its Cholesky solve of the normal equations), cross-checked two
# ways with nothing but aimci's logged numbers:
#  1. Full-batch gradient descent on the same data (same data block, same seed; batch = all
#     100 rows, lr 0.5 < 2 / lambda_max) converges to the minimum of the same quadratic, so
#     its final loss must equal f* (to float rounding), and no logged loss may be below f*.
#  2. The loss is quadratic: f(w) - f* = 1/2 (w - w*)' H (w - w*) with H = A'A / rows, so for
#     every logged row 0 <= loss - f* <= lambda_max(H) / 2 * dist^2. For a 100 x 50 Gaussian A
#     with sigma_a = 1, lambda_max is near (1 + sqrt(1/2))^2 = 2.9 (Marchenko-Pastur); 5 is a
#     safe bound. So max(loss - 2.5 dist^2) <= f* <= min(loss) over the digital rows.
. "$ROOT/tests/scripts/common.inc"

expect_status 0 "$AIMCI" "$ROOT/examples/quickstart.aimc"
cp out.txt summary.txt
# "  sgd  final-loss  f*  loss/f*  |W-w*|" rows of the summary.
fstar=$(awk '$1 == "sgd" { print $3 }' summary.txt)
[ -n "$fstar" ] || fail "no f* in the summary: $(cat summary.txt)"

# Final losses from the CSV (the last row of each optimizer).
awk -F, -v f="$fstar" '
    NR > 1 { last[$1] = $3; if ($1 == "sgd") { if (min == "" || $3 < min) min = $3;
                                               lo = $3 - 2.5 * $4 * $4; if (lo > maxlo) maxlo = lo } }
    END {
        s = last["sgd"]; a = last["asgd"]
        printf "f* %s, sgd %s (%.3f f*), asgd %s (%.1f f*)\n", f, s, s / f, a, a / f
        if (!(s >= f * (1 - 1e-5))) { print "FAIL: the final sgd loss is below f*"; bad = 1 }
        if (!(s <= 2 * f)) { print "FAIL: the final sgd loss is not within 2 f*"; bad = 1 }
        if (!(a > 20 * f)) { print "FAIL: the final asgd loss is not above 20 f*"; bad = 1 }
        # Residual Learning with zero-shifting avoids most of the implicit penalty.
        if (!(last["rl"] < a / 10)) { print "FAIL: rl is not below a tenth of asgd"; bad = 1 }
        if (!(last["rlv2"] < a)) { print "FAIL: rlv2 is not below asgd"; bad = 1 }
        if (!(min >= f * (1 - 1e-5))) { print "FAIL: a logged sgd loss " min " is below f*"; bad = 1 }
        if (!(maxlo <= f * (1 + 1e-5))) { print "FAIL: f* is below the bound " maxlo; bad = 1 }
        exit bad
    }' out/quickstart.csv >check.txt || fail "$(cat check.txt)"

# Cross-check 1: full-batch gradient descent on the same data reaches f*.
cat >gd.aimc <<'X'
seed = 1
data ls : least_squares { rows = 100, cols = 50, sigma_a = 1.0, sigma_w = 0.3, noise = 0.1 }
model lin { dense(50, 1, bias = false) }
optimizer gd : digital_sgd { lr = 0.5 }
train full {
    model = lin, data = ls, optimizer = gd
    steps = 2000, batch = 100, log = "gd.csv", log_every = 100
}
X
expect_status 0 "$AIMCI" gd.aimc
awk -F, -v f="$fstar" '
    NR > 1 { last = $3; if (min == "" || $3 < min) min = $3 }
    END {
        if (!(last >= f * (1 - 1e-5) && last <= f * (1 + 1e-5))) {
            print "FAIL: full-batch GD ends at " last ", not at f* = " f; exit 1 }
        if (!(min >= f * (1 - 1e-5))) { print "FAIL: GD went below f*: " min; exit 1 }
    }' gd.csv >gd.txt || fail "$(cat gd.txt)"
# The same data gives the same f* in both trains.
[ "$(awk '$1 == "gd" { print $3 }' out.txt)" = "$fstar" ] ||
    fail "f* differs between the trains: $(cat out.txt)"
exit 0
