# The command outputs shown in README.md and docs/ (the blocks after `<!-- aimci-output: ...`
# markers) are what the binary prints: tools/doc_outputs.sh runs each documented command
# and compares. When the numbers change on purpose, `make docs-record` rewrites them all.
. "$ROOT/tests/scripts/common.inc"

"$ROOT/tools/doc_outputs.sh" "$AIMCI" >out.txt 2>err.txt || fail "$(cat err.txt)"
matches out.txt '^doc_outputs: [0-9]+ documented outputs match$'
n=$(sed -n 's/^doc_outputs: \([0-9]*\) .*/\1/p' out.txt)
[ "$n" -ge 3 ] || fail "only $n documented outputs were checked"

# The checker can fail: a block that differs from its command's output is reported.
mkdir -p fake/docs fake/tools
cp "$ROOT/tools/doc_outputs.sh" fake/tools/
ln -s "$ROOT/examples" fake/examples
ln -s "$ROOT/stdlib" fake/stdlib
cat >fake/README.md <<'X'
<!-- aimci-output: ./aimci --version -->
```
aimci 0.0.0-not-this-one
```
X
fake/tools/doc_outputs.sh "$AIMCI" >out.txt 2>err.txt && fail "a wrong block passed"
has err.txt "-aimci 0.0.0-not-this-one"
fake/tools/doc_outputs.sh --record "$AIMCI" >out.txt 2>err.txt || fail "--record: $(cat err.txt)"
"$AIMCI" --version >want.txt
sed -n '3p' fake/README.md >got.txt
diff want.txt got.txt >/dev/null || fail "--record wrote: $(cat fake/README.md)"
fake/tools/doc_outputs.sh "$AIMCI" >out.txt 2>err.txt || fail "after --record: $(cat err.txt)"
exit 0
