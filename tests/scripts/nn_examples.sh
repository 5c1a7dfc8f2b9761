# The paper examples on networks run with small overrides: fcn_fashion, lenet_fashion and
# the table8 sweep (one experiment, one table of 18 rows).
set -e
. "$ROOT/tests/scripts/common.inc"
ex="$ROOT/examples/paper"
expect_status 0 "$AIMCI" "$ex/fcn_fashion.aimc" --set fit.epochs=1 --set fm.limit=300 \
    --set fm.test_limit=100
has out.txt "train fit: fcn on fm, 1 epochs, batch 10, seed 618 (300 examples, 100 test)"
for o in sgd asgd rl rlv2; do matches out.txt "^  $o epoch 1/1: lr "; done
has out/fcn_fashion.resolved.aimc "epochs           = 1             # set from outside"
expect_status 0 "$AIMCI" "$ex/lenet_fashion.aimc" --set fit.epochs=1 --set fm.limit=48 \
    --set fm.test_limit=50
for o in sgd asgd rl; do matches out.txt "^  $o epoch 1/1: lr "; done
expect_status 0 "$AIMCI" "$ex/table8.aimc" --set fit.epochs=1 --set fm.limit=40 \
    --set fm.test_limit=50 --set sweep.repeat=1
has out/table8.md "| pw.gamma_res | pw.tau | model | asgd | rl |"
[ "$(grep -c '^| [0-9]' out/table8.md)" -eq 18 ] || fail "table8 should have 18 rows"
has out/table8.md "| 2 | 0.8 | exponential |"
