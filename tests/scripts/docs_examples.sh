# Every example of docs/language.md in a block marked ```aimc is a complete script that passes
# `aimci --check`; the reference tables list every parameter that --dump shows.
. "$ROOT/tests/scripts/common.inc"

doc="$ROOT/docs/language.md"
[ -f "$doc" ] || fail "no $doc"
awk -v dir="$PWD" '
    /^```aimc$/ { n++; file = sprintf("%s/example%02d.aimc", dir, n); inside = 1; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }
    END { print n > (dir "/count.txt") }' "$doc"
n=$(cat count.txt)
[ "$n" -ge 10 ] || fail "only $n aimc examples in $doc"
for f in example*.aimc; do
    "$AIMCI" --check "$f" >out.txt 2>err.txt ||
        fail "the example $f of docs/language.md does not check:
$(cat "$f")
$(cat err.txt)"
done

# The parameters --dump prints for the examples' declarations all appear in the reference.
for f in example*.aimc; do
    "$AIMCI" --dump "$f" >dump.txt 2>/dev/null || continue
    awk '/^    [A-Za-z_][A-Za-z0-9_]* +=/ { print $1 }' dump.txt
done | sort -u >params.txt
while read -r p; do
    grep -qF "| \`$p\` |" "$doc" || fail "docs/language.md has no table row for '$p'"
done <params.txt
exit 0
