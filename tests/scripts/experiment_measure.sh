# An experiment over a measure: one table row per cell; the curves CSV has every pulse of
# every run (cells x repeats x (pulses + 1) rows); each cell's own out holds exactly its rows;
# a noise-free device gives every repeat the same trace (std 0), and the cell with the
# measure's own values and repeat 1 reproduces the measure run on its own, pulse for pulse.
# The results do not depend on the number of threads.
. "$ROOT/tests/scripts/common.inc"
set -e
cat > m.aimc <<'AIMC'
seed = 5
device pw : response { q_up = 1 - w / 0.6, q_down = 1 + 0.5 * w / 0.6, dw_min = 0.01 }
measure cycle { device = pw, pulses = repeat([+3, -2], 20), start = 0.1,
                out = "out/cycle_" + pw.dw_min + "_" + cycle.start + ".csv" }
experiment sweep {
    measure = cycle
    vary pw.dw_min in [0.01, 0.02]
    vary start in [0.1, -0.2, 0.3]
    repeat = 2
    report = "out/sweep.md"
}
AIMC
AIMCI_THREADS=1 "$AIMCI" --only sweep m.aimc > one.txt
cp out/sweep.curves.csv one.csv
AIMCI_THREADS=2 "$AIMCI" --only sweep m.aimc > two.txt
cmp one.csv out/sweep.curves.csv || fail "the traces depend on the thread count"
cmp one.txt two.txt || fail "the table depends on the thread count"
has one.txt "| pw.dw_min | start | final w | settles at |"
[ "$(grep -c '^| 0\.0[12] |' one.txt)" -eq 6 ] || fail "not one row per cell: $(cat one.txt)"
head -n 1 out/sweep.curves.csv | grep -qx 'pw.dw_min,start,repeat,seed,pulse_index,direction,w' \
    || fail "curves header: $(head -n 1 out/sweep.curves.csv)"
[ "$(($(wc -l < out/sweep.curves.csv) - 1))" -eq $((6 * 2 * 101)) ] || fail "rows"
# no device noise: both repeats give one trace, so every std in the CSV is 0
awk -F, 'NR > 1 && ($5 != 0 || $7 != 0) { bad = 1 } END { exit bad }' out/sweep.csv \
    || fail "repeats of a noise-free device differ: $(cat out/sweep.csv)"
for d in 0.01 0.02; do
    for s in 0.1 -0.2 0.3; do
        f=out/cycle_${d}_${s}.csv
        [ -f "$f" ] || fail "no $f"
        grep "^\"$d\",\"$s\"," out/sweep.curves.csv | cut -d, -f3- > cell.csv
        tail -n +2 "$f" | cmp - cell.csv || fail "$f differs from its rows of the curves CSV"
    done
done
# the measure on its own (dw_min 0.01, start 0.1, seed 5) is the first repeat of that cell
grep '^1,5,' out/cycle_0.01_0.1.csv | cut -d, -f3- > first.csv
[ "$(wc -l < first.csv)" -eq 101 ] || fail "repeat 1 of the cell has seed 5"
"$AIMCI" --only cycle m.aimc > alone.txt
tail -n +2 out/cycle_0.01_0.1.csv | cmp - first.csv || fail "the cell's first repeat is not the measure"
exit 0
