# The unit tests are where their names say, so a failing test names the file to open:
#   - every Test, ParameterizedTest, ParameterizedTestParameters and TestSuite of
#     tests/DIR/test_STEM.c is in the suite STEM;
#   - every tests/DIR/ mirrors a source folder (interp/DIR, or runtime), except the folders
#     of fixtures, scripts, data and the fuzzer (fixtures, scripts, bad, data, golden,
#     fuzz), which hold no test_*.c.
# Both checks first run on a made-up tree that breaks each rule once, so a check that
# cannot fail (a wrong pattern, a missing folder) fails here instead of passing.
. "$ROOT/tests/scripts/common.inc"

# misnamed TREE: a line "FILE:LINE: ..." for each test macro whose suite is not its file stem.
misnamed() {
    for f in "$1"/tests/*/test_*.c; do
        [ -e "$f" ] || continue
        stem=$(basename "$f" .c)
        awk -v stem="${stem#test_}" -v file="${f#"$1"/}" '
            /^[ \t]*(Test|ParameterizedTest|ParameterizedTestParameters|TestSuite)[ \t]*\(/ {
                macro = $0
                sub(/^[ \t]*/, "", macro)
                sub(/[ \t]*\(.*/, "", macro)
                args = $0
                sub(/^[^(]*\(/, "", args)
                n = split(args, a, ",")
                # ParameterizedTest(Type *param, suite, name, ...): the suite comes second.
                want = macro == "ParameterizedTest" ? 2 : 1
                suite = a[want]
                gsub(/[ \t);]/, "", suite)
                if (n < want || suite == "")
                    printf "%s:%d: %s: the suite is not on this line\n", file, NR, macro
                else if (suite != stem)
                    printf "%s:%d: %s in suite %s, not %s\n", file, NR, macro, suite, stem
            }' "$f"
    done
}

# strays TREE: a line for each test folder that mirrors no source folder, and for each
# test_*.c in a folder that is not a test folder.
strays() {
    for d in "$1"/tests/*/; do
        dir=$(basename "$d")
        case $dir in
        fixtures | scripts | bad | data | golden | fuzz)
            for f in "$d"test_*.c; do
                [ -e "$f" ] && echo "tests/$dir/$(basename "$f"): tests/$dir/ is not a test folder"
            done
            ;;
        runtime) ;;
        *) [ -d "$1/interp/$dir" ] || echo "tests/$dir/: no source folder interp/$dir" ;;
        esac
    done
}

# The made-up tree: one misnamed suite, one good ParameterizedTest, a folder without
# sources, a test among the fixtures.
mkdir -p probe/interp/check probe/tests/check probe/tests/nowhere probe/tests/fixtures
printf 'TestSuite(probe);\nTest(check, a)\nParameterizedTest(Case *c, probe, b)\n' \
    >probe/tests/check/test_probe.c
printf 'Test(nowhere, a)\n' >probe/tests/nowhere/test_nowhere.c
printf 'Test(helper, a)\n' >probe/tests/fixtures/test_helper.c
misnamed probe >got.txt
[ "$(wc -l <got.txt)" -eq 1 ] || fail "the probe has one misnamed suite; found: $(cat got.txt)"
has got.txt "tests/check/test_probe.c:2: Test in suite check, not probe"
strays probe >got.txt
[ "$(wc -l <got.txt)" -eq 2 ] || fail "the probe has two misplaced tests; found: $(cat got.txt)"
has got.txt "tests/nowhere/: no source folder interp/nowhere"
has got.txt "tests/fixtures/test_helper.c: tests/fixtures/ is not a test folder"

# The repository: enough tests found that the patterns clearly match, and no complaint.
found=$(cat "$ROOT"/tests/*/test_*.c | grep -cE '^[[:space:]]*(Test|ParameterizedTest)[[:space:]]*\(')
[ "$found" -ge 100 ] || fail "only $found tests found under $ROOT/tests"
misnamed "$ROOT" >got.txt
strays "$ROOT" >>got.txt
[ -s got.txt ] && fail "tests out of place:
$(cat got.txt)"
exit 0
