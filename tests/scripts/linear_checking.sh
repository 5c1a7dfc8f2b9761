# Checking takes time linear in the number of declarations: 50,000 of them, in a script
# (constants each naming the one before, devices, data, models, optimizers and trains that
# refer to each other) and typed into the REPL, each well under a generous bound (5 s; about
# 0.5 s here). Before the symbol table was hashed and the REPL checked each declaration
# alone, the script took about 40 s and the REPL session hours.
. "$ROOT/tests/scripts/common.inc"

# gen N: N declarations, about a fifth of each kind, every one naming earlier ones.
gen() {
    awk -v n="$1" 'BEGIN {
        print "seed = 1"
        print "c0 = 1"
        for (i = 1; i < n / 5; i++) {
            printf "c%d = c%d + 1\n", i, i - 1
            printf "device d%d : soft_bounds { dw_min = 0.001 * c%d / c%d }\n", i, i, i
            printf "data s%d : least_squares { rows = 4, cols = 2 }\n", i
            printf "model m%d { dense(2, 1, on = d%d, bias = false) }\n", i, i
            printf "optimizer o%d : analog_sgd { lr = 0.01 }\n", i
        }
        for (i = 1; i < 200; i++)
            printf "train t%d { model = m%d, data = s%d, steps = 1, optimizer = [o%d], log = \"out/t%d.csv\" }\n", i, i, i, i, i
    }'
}

# seconds CMD...: run CMD (stdout to out.txt, stderr to err.txt), print its wall time.
seconds() {
    start=$(date +%s.%N)
    "$@" >out.txt 2>err.txt
    st=$?
    end=$(date +%s.%N)
    echo "$start $end" | awk '{ printf "%.2f\n", $2 - $1 }'
    return $st
}

gen 50000 >big.aimc
[ "$(wc -l <big.aimc)" -ge 50000 ] || fail "the script has fewer than 50000 declarations"
t=$(seconds "$AIMCI" --check big.aimc) || { cat err.txt; fail "the script does not check"; }
has out.txt "big.aimc: ok"
echo "script: $t s"
awk -v t="$t" 'BEGIN { exit !(t < 5) }' || fail "checking 50000 declarations took $t s"

# The same declarations typed into the REPL, then one expression using the last of them.
{ cat big.aimc; echo "c9998 * 2"; } >big.in
t=$(seconds "$AIMCI" <big.in) || { tail -5 err.txt; fail "the REPL session failed"; }
echo "REPL: $t s"
has out.txt "19998"
[ -s err.txt ] && { head -5 err.txt; fail "the REPL reported errors"; }
awk -v t="$t" 'BEGIN { exit !(t < 5) }' || fail "the REPL took $t s for 50000 declarations"

# A rejected declaration in a long session is taken back: the session goes on as before.
{ head -n 1000 big.aimc; echo "device bad : soft_bounds { dw_min = c1 + nope }"; echo "device bad : soft_bounds { dw_min = c1 }"; echo "bad.dw_min"; } >undo.in
"$AIMCI" <undo.in >out.txt 2>err.txt
has err.txt "unknown name 'nope'"
has out.txt "2" # c1, through the second `bad`: the first one left nothing behind
[ "$(grep -c error err.txt)" -eq 1 ] || { cat err.txt; fail "one error expected"; }
exit 0
