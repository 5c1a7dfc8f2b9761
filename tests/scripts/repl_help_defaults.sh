# The REPL's `help FAMILY` shows the default each parameter really gets: for every device
# and optimizer family, the defaults it prints equal those of `--dump` of a declaration of
# that family with nothing set (both read the checker's schema and family overrides).
. "$ROOT/tests/scripts/common.inc"

checked=0
for kind in device optimizer; do
    printf 'help %s\n' "$kind" | "$AIMCI" >kind.txt 2>&1 || fail "help $kind"
    fams=$(sed -n '/^  families:/,/^  parameters/p' kind.txt | sed -n 's/^    \([a-z_0-9]*\) .*/\1/p')
    [ -n "$fams" ] || fail "no families in help $kind: $(cat kind.txt)"
    for f in $fams; do
        printf '%s x : %s {}\n' "$kind" "$f" >d.aimc
        "$AIMCI" --dump d.aimc >dump.txt 2>/dev/null || continue # required parameters
        printf 'help %s\n' "$f" | "$AIMCI" >help.txt 2>&1 || fail "help $f"
        # name value, from each: "    name = value  # ..." and "    name  desc (default value..."
        sed -n 's/^    \([a-z_0-9]*\) *= *\([^ ]*\) .*/\1 \2/p' dump.txt | sort >want.txt
        sed -n 's/^    \([a-z_0-9]*\) .*(default \([^,;)]*\).*/\1 \2/p' help.txt | sort >got.txt
        join want.txt got.txt >both.txt
        [ "$(wc -l <both.txt)" -ge 1 ] || fail "help $f and --dump share few parameters"
        awk '$2 != $3 { print; bad = 1 } END { exit bad }' both.txt >bad.txt ||
            fail "help $f shows other defaults than --dump (name dump help): $(cat bad.txt)"
        checked=$((checked + 1))
    done
done
[ "$checked" -ge 15 ] || fail "only $checked families compared"
exit 0
