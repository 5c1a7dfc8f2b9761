# --dump prints a valid script: checking the dump gives the same values again, and the dump
# of a dump is a fixed point (the first line names the source; origin comments say "set").
. "$ROOT/tests/scripts/common.inc"

cat >inherit.aimc <<'X'
use "devices"
seed = 5
k = 0.6
device mine : gokmen_vlasov { dw_min = 1e-3 }
device pw : response { q_up = (1 - w / k) ^ 0.5, q_down = max(0, 1 + w / k) }
device bent : pw { w_max = 0.5 }
measure m { device = bent, pulses = repeat([+3, -2], 4), start = 0.1 }
data ls : least_squares { rows = 20, cols = 5 }
model lin { dense(5, 1, on = mine, bias = false) }
optimizer sgd : digital_sgd { lr = 0.05 }
train fit { model = lin, data = ls, optimizer = sgd, steps = 10 }
experiment grid { train = fit, vary mine.dw_min in [1e-3, 2e-3], vary batch in [1, 2] }
X
for f in "$ROOT/examples/quickstart.aimc" "$ROOT/examples/response.aimc" \
    "$ROOT/examples/devices.aimc" "$PWD/inherit.aimc"; do
    name=$(basename "$f" .aimc)
    mkdir "$name" && cd "$name" || fail "mkdir $name"
    "$AIMCI" --dump "$f" >d1.aimc || fail "--dump $f"
    "$AIMCI" --dump d1.aimc >d2.aimc || fail "--dump of the dump of $f: $(cat d1.aimc)"
    "$AIMCI" --dump d2.aimc >d3.aimc || fail "--dump d2 of $f"
    sed 1d d2.aimc >a.txt
    sed 1d d3.aimc >b.txt
    cmp a.txt b.txt || fail "the dump of $f is not a fixed point: $(diff a.txt b.txt | head)"
    sed -e 1d -e 's/ *#.*$//' -e '/^$/d' d1.aimc >a.txt
    sed -e 1d -e 's/ *#.*$//' -e '/^$/d' d2.aimc >b.txt
    cmp a.txt b.txt || fail "checking the dump of $f changes a value: $(diff a.txt b.txt | head)"
    "$AIMCI" --check d1.aimc >/dev/null || fail "the dump of $f does not check"
    cd ..
done
# The dump says where each value came from.
matches quickstart/d1.aimc "^    up_down += 0.2 +# set$"
has quickstart/d1.aimc "# default: steps / 100"
has response/d1.aimc "# family default"
has inherit/d1.aimc "# mine inherits from gokmen_vlasov"
has inherit/d1.aimc "# inherited"
matches inherit/d1.aimc "^    q_up += \\(1 - w / 0.6\\) \\^ 0.5 "
has inherit/d1.aimc "# q_up: tabulated on 4097 nodes over [-0.6, 0.5]"
has inherit/d1.aimc "repeat([+3, -2], 4)"
has inherit/d1.aimc "    vary mine.dw_min in [0.001, 0.002]"
exit 0
