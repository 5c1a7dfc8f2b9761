# A 4 -> 2 regression from tests/data/regression.csv (16 rows, targets y = W* x exactly,
# W* = [[0.5, -0.3, 0.2, 0.1], [-0.2, 0.4, 0.1, -0.5]], no noise), its weights saved and
# loaded.
#
# 1. Digital SGD learns it: the final loss is under 1% of the initial one.
# 2. Analog SGD on a constant_step device (dw_min 1e-3, no device-to-device or cycle-to-cycle
#    variation, exact I/O) with deterministic pulses reaches its floor. Each weight gets
#    rint(lr |d_i x_j| / dw_min) pulses per sample (update management makes BL q_d q_x equal
#    lr |d x| / dw_min), so the weights stop moving once lr |d_i x_j| < dw_min / 2 for every
#    sample and weight: at that fixed point |d_ri| <= dw_min / (2 lr max_j |x_rj|) for every
#    row r, and the loss (mean of d^2 over rows and outputs) is at most
#    B = mean_r (dw_min / (2 lr max_j |x_rj|))^2. The test checks that the run reached a
#    fixed point (the last logged losses are equal) and that its loss is at most B.
# 3. The saved weights are what was trained (numpy reads them where python3-numpy is
#    installed; else the ZIP members and .npy headers are checked with Python's zipfile).
# 4. A run continued from saved weights is the uninterrupted run: N steps, save; M steps from
#    that file under another seed (so that no device draw of the new run survives), save:
#    the same archive, byte for byte, as N + M steps without stopping. The setting draws no
#    random numbers after the start (one data row, deterministic pulses, no c2c noise, exact
#    I/O), so the random streams, which the file does not hold, play no part.
# 5. A file for another model is an error naming the file and the array, found before
#    anything runs (also by --check).
. "$ROOT/tests/scripts/common.inc"

cp "$ROOT/tests/data/regression.csv" reg.csv
cat >fit.aimc <<'EOF'
seed = 1
device cs : constant_step { dw_min = 0.001, dw_min_dtod = 0, dw_min_std = 0, up_down_dtod = 0,
                            w_max_dtod = 0, w_min_dtod = 0 }
io exact : perfect {}
data reg : csv { file = "reg.csv", targets = ["y1", "y2"] }
model lin { dense(4, 2, on = cs, bias = false, forward = exact, backward = exact) }
optimizer sgd : digital_sgd { lr = 0.1 }
optimizer asgd : analog_sgd { lr = 0.1, pulse_type = deterministic_implicit }
train fit { model = lin, data = reg, optimizer = [sgd, asgd], steps = 4000, batch = 1,
            log = "out/fit.csv", log_every = 200, save = "out/fit.npz" }
EOF
expect_status 0 "$AIMCI" fit.aimc
has out.txt "wrote out/fit.sgd.npz"
has out.txt "wrote out/fit.asgd.npz"
[ -f out/fit.resolved.aimc ] || fail "no resolved program beside out/fit.npz"

bound=$(awk -F, 'NR > 1 { m = 0
                          for (j = 1; j <= 4; j++) { v = $j < 0 ? -$j : $j; if (v > m) m = v }
                          s += (0.001 / (2 * 0.1 * m)) ^ 2; n++ }
                 END { printf "%.6g", s / n }' reg.csv)
awk -F, -v B="$bound" '
    NR > 1 { if (!($1 in first)) first[$1] = $3; prev[$1] = last[$1]; last[$1] = $3 }
    END {
        printf "sgd %g -> %g; asgd %g -> %g (previous %g), floor bound %g\n", first["sgd"],
               last["sgd"], first["asgd"], last["asgd"], prev["asgd"], B
        if (!(last["sgd"] < 0.01 * first["sgd"]))
            { print "FAIL: sgd above 1% of its initial loss"; bad = 1 }
        if (last["asgd"] != prev["asgd"])
            { print "FAIL: asgd did not reach a fixed point"; bad = 1 }
        if (!(last["asgd"] <= B))
            { print "FAIL: asgd above the floor bound"; bad = 1 }
        if (!(last["asgd"] > last["sgd"]))
            { print "FAIL: the analog floor is not above sgd"; bad = 1 }
        exit bad
    }' out/fit.csv || fail "regression: $(cat out/fit.csv)"

# 3. The saved arrays.
if python3 -c 'import numpy' 2>/dev/null; then
    python3 - <<'EOF' || fail "numpy does not read the saved weights"
import numpy as np
z = np.load("out/fit.asgd.npz")
w = z["dense1.weight"]
assert w.dtype == np.float32 and w.shape == (2, 4), (w.dtype, w.shape)
assert np.array_equal(w, z["dense1.W"]), "out_scale 1: weight is the W array"
x = np.loadtxt("reg.csv", delimiter=",", skiprows=1, dtype=np.float32)
y = x[:, :4] @ w.T.astype(np.float64)
mse = np.mean((y - x[:, 4:]) ** 2)
last = float(open("out/fit.csv").read().split("asgd,4000,")[1].split(",")[0])
# aimci's outputs are float32 (rounding about 4 eps32 |y| ~ 5e-7 for |y| ~ 1) and the
# residuals are ~3e-3, so the two mse agree to ~2 * 5e-7 / 3e-3 ~ 3e-4 relative: 1e-3 checked.
assert abs(mse - last) <= 1e-3 * last, (mse, last)
assert z["dense1.W.pulses"].dtype == np.uint64
assert np.all(z["dense1.W.w_max"] == np.float32(0.6))
print("numpy: dense1.weight read; its mse", mse, "is the logged loss")
EOF
else
    echo "python3-numpy is not installed: numpy's own reading of the .npz is skipped"
    python3 - <<'EOF' || fail "the .npz is not a ZIP of NumPy arrays"
import ast, struct, zipfile
z = zipfile.ZipFile("out/fit.asgd.npz")
assert z.testzip() is None
for n in z.namelist():
    b = z.read(n)
    assert n.endswith(".npy") and b[:8] == b"\x93NUMPY\x01\x00", n
    hl = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode("latin1"))
    assert (10 + hl) % 64 == 0 and set(h) == {"descr", "fortran_order", "shape"}, h
w = z.read("dense1.weight.npy")
hl = struct.unpack("<H", w[8:10])[0]
assert ast.literal_eval(w[10:10 + hl].decode())["shape"] == (2, 4)
assert len(w) == 10 + hl + 2 * 4 * 4
print("zipfile: every member is an .npy array;", len(z.namelist()), "arrays")
EOF
fi

# 4. Continuing from saved weights is the uninterrupted run.
head -2 reg.csv >one.csv
cat >cont.aimc <<'EOF'
device sb : soft_bounds { dw_min = 0.01, dw_min_std = 0 }
io exact : perfect {}
data one : csv { file = "one.csv", targets = [-2, -1] }
model net { dense(4, 3, on = sb, forward = exact, backward = exact)
            tanh
            dense(3, 2, on = sb, forward = exact, backward = exact) }
optimizer sgd : digital_sgd { lr = 0.1 }
optimizer asgd : analog_sgd { lr = 0.1, pulse_type = deterministic_implicit }
optimizer rl : residual { lr = 0.1, pulse_type = deterministic_implicit, transfer_io = exact,
                          zero_shift = true, transfer_every = 2 }
optimizer tt : ttv2 { lr = 0.1, pulse_type = deterministic_implicit, transfer_io = exact }
optimizer mp : mixed_precision { lr = 0.1, transfer_every = 3 }
train fit { model = net, data = one, optimizer = sgd, batch = 1, seed = 1 }
EOF
for o in sgd asgd rl tt mp; do
    expect_status 0 "$AIMCI" --set fit.optimizer=$o --set fit.steps=50 \
        --set "fit.save=\"all/$o.npz\"" cont.aimc
    expect_status 0 "$AIMCI" --set fit.optimizer=$o --set fit.steps=20 \
        --set "fit.save=\"half/$o.npz\"" cont.aimc
    expect_status 0 "$AIMCI" --set fit.optimizer=$o --set fit.steps=30 --set fit.seed=7 \
        --set "fit.load=\"half/$o.npz\"" --set "fit.save=\"cont/$o.npz\"" cont.aimc
    cmp -s "all/$o.npz" "cont/$o.npz" ||
        fail "optimizer $o: 20 + 30 steps from the saved weights differ from 50 steps"
    cmp -s "all/$o.npz" "half/$o.npz" && fail "optimizer $o: the weights did not move"
done

# A stochastic run starts where the saved one ended: its first logged loss is the last one.
expect_status 0 "$AIMCI" --set fit.steps=40 --set 'fit.optimizer=asgd' \
    --set 'fit.log="a.csv"' --set 'fit.save="a.npz"' fit.aimc
expect_status 0 "$AIMCI" --set fit.steps=40 --set 'fit.optimizer=asgd' --set fit.seed=5 \
    --set 'fit.log="b.csv"' --set 'fit.load="a.npz"' fit.aimc
[ "$(tail -1 a.csv | cut -d, -f3)" = "$(sed -n 2p b.csv | cut -d, -f3)" ] ||
    fail "the loaded run does not start at the saved loss: $(tail -1 a.csv) / $(sed -n 2p b.csv)"

# 6. Files numpy wrote (numpy 1.24 numpy.savez and savez_compressed; tests/data): a float64
#    Fortran-order weight with a float64 bias, stored with ZIP64 extra fields, and big-endian
#    float32 deflated; the weights are k/8 row by row, the bias [1, -2].
for f in numpy_weights numpy_weights_compressed; do
    cat >np.aimc <<EOF
data reg : csv { file = "reg.csv", targets = [-2, -1] }
model lin { dense(4, 2) }
optimizer sgd : digital_sgd { lr = 0 }
train fit { model = lin, data = reg, optimizer = sgd, steps = 1,
            load = "$ROOT/tests/data/$f.npz", save = "$f.npz" }
EOF
    expect_status 0 "$AIMCI" np.aimc
    python3 - "$f.npz" <<'PY' || fail "$f: the weights numpy wrote are not the ones loaded"
import ast, struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
def arr(name):
    b = z.read(name + ".npy")
    hl = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode())
    n = len(b[10 + hl:]) // 4
    return h["shape"], list(struct.unpack("<%df" % n, b[10 + hl:]))
assert arr("dense1.weight") == ((2, 4), [k / 8 for k in range(8)]), arr("dense1.weight")
assert arr("dense1.bias") == ((2,), [1.0, -2.0]), arr("dense1.bias")
PY
done

# 5. Weights of another model.
sed 's/^model lin .*/model lin { dense(4, 3), tanh, dense(3, 2) }/' fit.aimc >wide.aimc
expect_status 2 "$AIMCI" --check --set 'fit.load="a.npz"' --set fit.optimizer=sgd wide.aimc
has err.txt "train 'fit': load: a.npz: array 'dense1.weight' is float32 (2, 4), but layer 1 \
(dense) of model 'lin' needs shape (3, 4) (nothing was run)"
[ -e w.npz ] && fail "a run wrote weights"
expect_status 2 "$AIMCI" --set 'fit.load="a.npz"' --set fit.optimizer=sgd \
    --set 'fit.save="w.npz"' wide.aimc
[ -e w.npz ] && fail "the run that loads the wrong weights ran"
exit 0
