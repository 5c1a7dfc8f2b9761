# The two examples run, write their CSVs with the documented headers and a resolved script
# next to each; the response trace has the documented shape (docs/theory.md §3.2.9: a
# response device without noise, pulses [+200, -400, +200] from w = 0).
. "$ROOT/tests/scripts/common.inc"

expect_status 0 "$AIMCI" "$ROOT/examples/quickstart.aimc"
has out.txt "train fit: lin on ls, 20000 steps, batch 1, seed 1"
has out.txt "wrote out/quickstart.csv"
has out.txt "wrote out/quickstart.resolved.aimc"
[ -s err.txt ] && fail "quickstart wrote to stderr: $(cat err.txt)"
[ "$(head -n 1 out/quickstart.csv)" = "optimizer,step,loss,dist_to_w_star" ] ||
    fail "quickstart.csv header: $(head -n 1 out/quickstart.csv)"
[ -s out/quickstart.resolved.aimc ] || fail "no out/quickstart.resolved.aimc"
# 101 rows per optimizer: steps 0, 200, ..., 20000 (log_every = steps / 100).
awk -F, 'NR > 1 { n[$1]++; if ($2 % 200) bad = 1 }
         END { exit !(n["sgd"] == 101 && n["asgd"] == 101 && !bad) }' out/quickstart.csv ||
    fail "quickstart.csv does not log sgd and asgd every 200 steps from 0 to 20000"

expect_status 0 "$AIMCI" "$ROOT/examples/response.aimc"
has out.txt "measure pw_trace: 800 pulses on pw"
has out.txt "wrote out/pw_trace.csv"
has out.txt "wrote out/pw_trace.resolved.aimc"
[ -s out/pw_trace.resolved.aimc ] || fail "no out/pw_trace.resolved.aimc"
[ "$(head -n 1 out/pw_trace.csv)" = "pulse_index,direction,w" ] ||
    fail "pw_trace.csv header: $(head -n 1 out/pw_trace.csv)"

# 801 rows: row 0 is the start (direction 0, w = 0), then +1 x200, -1 x400, +1 x200; w stays
# in [-0.6, 0.6], rises on every up pulse and falls on every down pulse (no noise).
awk -F, '
    NR == 1 { next }
    {
        k = NR - 2
        if ($1 != k) { print "pulse_index " $1 " at row " k; bad = 1 }
        want = k == 0 ? 0 : k <= 200 ? 1 : k <= 600 ? -1 : 1
        if ($2 != want) { print "direction " $2 " at pulse " k; bad = 1 }
        if ($3 < -0.6 || $3 > 0.6) { print "w = " $3 " out of [-0.6, 0.6] at " k; bad = 1 }
        if (k == 0 && $3 != 0) { print "start " $3; bad = 1 }
        if (k > 0 && $2 == 1 && !($3 > prev)) { print "w did not rise at " k; bad = 1 }
        if (k > 0 && $2 == -1 && !($3 < prev)) { print "w did not fall at " k; bad = 1 }
        prev = $3; rows++
    }
    END { if (rows != 801) { print rows " rows"; bad = 1 }; exit bad }' out/pw_trace.csv >awk.txt ||
    fail "pw_trace.csv: $(head -5 awk.txt)"
exit 0
