# cost.sh: what a train reports about its cost (docs/cost.md): the console table, the
# `.cost.csv` and `.arrays.csv` columns, and the one warning per optimizer whose devices
# pass their endurance, naming the epoch in which it happened.
. "$ROOT/tests/scripts/common.inc"

cat >wear.aimc <<'SCRIPT'
seed = 1
device rram : soft_bounds { dw_min = 1e-3, up_down = 0.2, endurance = 1000 }
data ls : least_squares { rows = 20, cols = 5 }
model lin { dense(5, 1, on = rram, bias = false) }
optimizer sgd : digital_sgd { lr = 0.05 }
optimizer asgd : analog_sgd { lr = 0.05 }
train fit { model = lin, data = ls, optimizer = [sgd, asgd], epochs = 8, log = "out/fit.csv" }
SCRIPT
expect_status 0 "$AIMCI" wear.aimc
has out.txt "hardware cost, model 'default'"
has out.txt "wrote out/fit.cost.csv"
[ "$(grep -c 'past its endurance' err.txt)" -eq 1 ] || fail "one warning expected: $(cat err.txt)"
has err.txt "optimizer 'asgd': a device of array W of layer 1"
# The epoch of the warning is the first whose most-pulsed device of W is past 1000, read
# from the arrays CSV (one row per epoch; column 11 is pulses_max).
first=$(awk -F, '$1 == "asgd" && $4 == "W" && $11 > 1000 { print NR - 1; exit }' out/fit.arrays.csv)
[ -n "$first" ] || fail "the run never passes 1000 pulses: the case tests nothing"
[ "$first" -gt 1 ] || fail "already past in epoch 1: choose a longer endurance"
has err.txt "by the end of epoch $first, past its endurance of 1000"
# The cost CSV: one row per epoch of asgd, none of sgd; wear = max pulses / 1000.
[ "$(grep -c '^asgd,' out/fit.cost.csv)" -eq 8 ] || fail "8 epoch rows expected"
grep -q '^sgd,' out/fit.cost.csv && fail "digital SGD has no hardware cost rows"
awk -F, 'NR > 1 && $NF != $(NF-1) / 1000 { exit 1 }' out/fit.cost.csv ||
    fail "wear is not max_pulses_per_device / endurance"
# Time adds up: the total is the sum of the parts (update, mvm, digital, calibration).
awk -F, 'NR > 1 { s = $8 + $9 + $10 + $11; d = s - $4; if (d < 0) d = -d;
                  if (d > 1e-12 * $4) exit 1 }' out/fit.cost.csv || fail "time parts do not add up"
# Energy adds up too, and the default model prices the MVMs at ISAAC's figures (docs/cost.md
# §2), checked here from the counts of the arrays CSV: a forward MVM of the 5 -> 1 layer is
# 5 DAC conversions (0.390625 pJ), 1 ADC conversion (1.5625 pJ) and 5 device reads
# (0.0018310546875 pJ); the first layer has no backward. The CSVs carry 9 significant digits:
# 1e-8 relative.
awk -F, 'NR > 1 { s = $12 + $13 + $14 + $15; d = s - $5; if (d < 0) d = -d;
                  if (d > 1e-8 * $5) exit 1 }' out/fit.cost.csv || fail "energy parts do not add up"
fwd=$(awk -F, '$1 == "asgd" && $4 == "W" { n = $16; b = $17 } END { print n, b }' out/fit.arrays.csv)
mvm=$(awk -F, '$1 == "asgd" { e = $13 } END { print e }' out/fit.cost.csv)
echo "$fwd $mvm" | awk '{ want = $1 * (5 * 0.390625 + 1.5625 + 5 * 0.0018310546875) * 1e-12;
                         d = want - $3; if (d < 0) d = -d; exit !($1 > 0 && $2 == 0 && d <= 1e-8 * want) }' ||
    fail "the MVM energy ($mvm J) is not the forward MVMs ($fwd) at ISAAC's figures"
# The update energy of Analog SGD is its pulses (no calibration, no transfer read) at the
# default pulse energy, 0.001 pJ (Tang et al., IEDM 2018: a projected 1 fJ per switching of a
# 100 x 100 nm^2 ECRAM); a device's own pulse_energy replaces it, and so does a model's.
# $12 is energy_update_j, $16 pulses, $17 calibration_pulses; 1e-8 relative as above.
update_energy_is() { # FILE PJ_PER_PULSE WHAT
    awk -F, -v e="$2" '$1 == "asgd" { n++; want = $16 * e * 1e-12; d = want - $12; if (d < 0) d = -d;
                        if (!($16 > 0 && $17 == 0 && d <= 1e-8 * want)) bad = 1 }
                        END { exit bad || n == 0 }' "$1" ||
        fail "$3: the update energy is not the pulses at $2 pJ: $(cat "$1")"
}
update_energy_is out/fit.cost.csv 0.001 "the default model"
sed 's/endurance = 1000 }/endurance = 1000, pulse_energy = 0.5 }/' wear.aimc >own.aimc
expect_status 0 "$AIMCI" own.aimc
update_energy_is out/fit.cost.csv 0.5 "the device's pulse_energy"
sed 's/^train fit {/hardware chip { pulse_energy = 2 }\ntrain fit { hardware = chip,/' wear.aimc >chip.aimc
expect_status 0 "$AIMCI" chip.aimc
update_energy_is out/fit.cost.csv 2 "the model's pulse_energy"

# An experiment with `cost = true`: its cost table, and the CSV's cost of the cell that is the
# train itself (same seed, same lr) equals what the train reported.
cat >>wear.aimc <<'SCRIPT'
experiment x { train = fit, vary asgd.lr in [0.05, 0.1], cost = true, report = "out/x.md" }
SCRIPT
expect_status 0 "$AIMCI" --only x wear.aimc
has out.txt "| asgd.lr | optimizer | loss | pulses | max/device | wear | time (s) | energy (J) |"
has out.txt "| 0.05 | sgd | "
head -n 1 out/x.csv | grep -q ',energy_j_mean,time_s_mean,pulses_mean,wear_max$' ||
    fail "no cost columns in the experiment CSV: $(head -n 1 out/x.csv)"
train=$(awk -F, '$1 == "asgd" { t = $4; p = $16; w = $19 } END { print t, p, w }' out/fit.cost.csv)
cell=$(awk -F, '$1 == "\"0.05\"" && $2 == "asgd" { print $12, $13, $14 }' out/x.csv)
[ "$train" = "$cell" ] || fail "the cell's cost ($cell) is not the train's ($train)"
# Run again: the jobs' saved records carry their cost, and the report is the same.
cp out/x.csv first.csv
expect_status 0 "$AIMCI" --only x wear.aimc
cmp -s first.csv out/x.csv || fail "the cost from saved job results differs: $(diff first.csv out/x.csv)"
# A changed hardware model changes the jobs' keys: they run again under the new model.
sed 's/^experiment x { train = fit,/hardware slow { pulse_time = 10 }\nexperiment x { train = fit, hardware = slow,/' wear.aimc >slow.aimc
expect_status 0 "$AIMCI" --only x slow.aimc
cmp -s first.csv out/x.csv && fail "a new hardware model reused the old costs"
exit 0
