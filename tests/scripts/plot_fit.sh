# plot = PATH in train, measure and experiment blocks (gnuplot files beside the image), and
# `aimci --fit` (the declaration it prints is a script that checks and runs).
. "$ROOT/tests/scripts/common.inc"

cat >p.aimc <<'X'
seed = 1
device rram : soft_bounds { dw_min = 1e-3, w_max = 1.0, w_min = -1.0, up_down = 0.2 }
data ls : least_squares { rows = 20, cols = 5 }
model lin { dense(5, 1, on = rram, bias = false) }
optimizer sgd  : digital_sgd { lr = 0.01 }
optimizer asgd : analog_sgd  { lr = 0.01 }
train fit { model = lin, data = ls, steps = 200, optimizer = [sgd, asgd], plot = "out/curves.png" }
measure m { device = rram, pulses = [+50, -100], plot = "out/trace.svg" }
experiment sweep { train = fit, vary rram.up_down in [0, 0.2], plot = "out/sweep.png" }
X

# With gnuplot: the image, its data (one block per optimizer) and its script.
if command -v gnuplot >/dev/null 2>&1; then
    expect_status 0 "$AIMCI" p.aimc
    has out.txt "wrote out/curves.png"
    [ "$(head -c 4 out/curves.png | tail -c 3)" = "PNG" ] || fail "out/curves.png is no PNG"
    grep -q "<svg" out/trace.svg || fail "out/trace.svg is no SVG"
    [ -s out/sweep.png ] || fail "no out/sweep.png"
    # the script redraws the image from the data, in its folder
    (cd out && gnuplot -e "outfile='again.png'" curves.gp) || fail "curves.gp does not run"
    [ -s out/again.png ] || fail "curves.gp drew nothing"
else
    echo "gnuplot is not installed: only the data and scripts are checked" >&2
fi
rm -rf out

# Without gnuplot: a warning that says how to install it, the data and the script kept, exit 0.
AIMCI_GNUPLOT=/nonexistent/gnuplot expect_status 0 "$AIMCI" --only fit p.aimc
has err.txt "p.aimc:7:7: warning: plot 'out/curves.png': gnuplot is not installed"
has err.txt "gnuplot-nox"
[ -e out/curves.png ] && fail "an image without gnuplot"
grep -q "^# series 1: asgd" out/curves.dat || fail "out/curves.dat lacks the asgd block"
has out/curves.gp "plot 'curves.dat' index 0"
rows=$(grep -c '^[0-9]' out/curves.dat)
[ "$rows" -eq 202 ] || fail "out/curves.dat has $rows points, expected 2 x 101 logged steps"

# A path that is no image: a script error where the path is set, before anything runs.
expect_status 2 "$AIMCI" --set 'fit.plot="out/c.jpg"' --only fit p.aimc
has err.txt "error: plot 'out/c.jpg': unknown image type"
[ -e out/c.dat ] && fail "a bad plot path ran the train"
[ -s out.txt ] && fail "the train ran: $(cat out.txt)"
# PDF where gnuplot can draw it.
if command -v gnuplot >/dev/null; then
    expect_status 0 "$AIMCI" --set 'fit.plot="out/c.pdf"' --only fit p.aimc
    [ "$(head -c 5 out/c.pdf)" = "%PDF-" ] || fail "out/c.pdf is not a PDF"
fi

# --fit prints a report and a declaration that checks, and reproduces the trace when measured.
expect_status 0 "$AIMCI" --fit soft_bounds "$ROOT/tests/data/aihwkit-traces/softbounds_1.csv" --name sb
has out.txt "device sb : soft_bounds {"
has out.txt "residual: RMS"
cp out.txt sb.aimc
echo 'measure again { device = sb, pulses = [+200, -400, +200], out = "again.csv" }' >>sb.aimc
expect_status 0 "$AIMCI" sb.aimc
awk -F, 'NR == FNR { if ($1 ~ /^[0-9]+$/) w[$1] = $3; next }
         FNR > 1 && $1 > 0 { d = $3 - w[$1]; if (d < 0) d = -d; if (d > 1e-5) bad++ }
         END { exit bad > 0 }' "$ROOT/tests/data/aihwkit-traces/softbounds_1.csv" again.csv ||
    fail "the fitted device does not reproduce the trace within 1e-5"

# Fit errors: an unknown family (with a suggestion), a file that is not there.
expect_status 2 "$AIMCI" --fit sof_bounds "$ROOT/tests/data/aihwkit-traces/softbounds_1.csv"
has err.txt "unknown device family 'sof_bounds'"
has err.txt "did you mean 'soft_bounds'?"
expect_status 2 "$AIMCI" --fit soft_bounds nothere.csv
has err.txt "nothere.csv"
exit 0
