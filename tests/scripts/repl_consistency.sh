# REPL device commands agree with the rest of aimci (no hard-coded numbers):
#  - `trace D [...]` on a fresh scratch copy fires the pulses a `measure` of D fires (same
#    seed, same cross-point, same noise): the summaries print the same numbers;
#  - `sp D` on a noise-free device: alternating pulses settle within one step (dw_min
#    times the larger q at the point, here <= 2 dw_min) of the analytic symmetric point.
. "$ROOT/tests/scripts/common.inc"

cat >in.txt <<'X'
seed = 11
device pcm : linear_step { dw_min = 0.02, gamma_up = 0.5, up_down = 0.1 }
measure m { device = pcm, pulses = [+40, -70, +25] }
run m
trace pcm [+40, -70, +25]
X
"$AIMCI" <in.txt >out.txt 2>err.txt || { cat err.txt >&2; fail "the session failed"; }
# measure m: 135 pulses on pcm, start S, final w F, min A, max B
want=$(sed -n 's/^measure m: \([0-9]*\) pulses on pcm, start \(.*\)$/\1 pulses, start \2/p' out.txt)
got=$(sed -n 's/^pcm: \([0-9]*\) pulses, start \(.*\)$/\1 pulses, start \2/p' out.txt)
[ -n "$want" ] || fail "no measure summary: $(cat out.txt)"
[ "$want" = "$got" ] || fail "trace ($got) differs from measure ($want)"

cat >in.txt <<'X'
device sb : soft_bounds { dw_min = 0.005, up_down = 0.3, dw_min_dtod = 0, w_max_dtod = 0, w_min_dtod = 0, up_down_dtod = 0, dw_min_std = 0 }
set sb w = -0.5
sp sb
X
"$AIMCI" <in.txt >out.txt 2>err.txt || { cat err.txt >&2; fail "the sp session failed"; }
analytic=$(sed -n 's/^  analytic: \([-0-9.e]*\) .*/\1/p' out.txt)
cell=$(sed -n 's/^  this cross-point: \([-0-9.e]*\) .*/\1/p' out.txt)
settled=$(sed -n 's/^  alternating pulses: \([-0-9.e]*\) .*/\1/p' out.txt)
[ -n "$analytic" ] && [ -n "$settled" ] || fail "sp printed: $(cat out.txt)"
awk -v a="$analytic" -v c="$cell" -v s="$settled" 'BEGIN {
    d = a - s; if (d < 0) d = -d; e = a - c; if (e < 0) e = -e
    exit !(d <= 2 * 0.005 && e <= 1e-9) }' ||
    fail "symmetric points disagree: analytic $analytic, cross-point $cell, settled $settled"
exit 0
