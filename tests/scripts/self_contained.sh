# The repository stands on its own: no file points at documents outside it (a private
# reference, a shared folder next to the checkout, numbered tracker items), and every
# `docs/theory.md §N.M` citation names a section that docs/theory.md has.
# Files: git's tracked files when $ROOT is a git checkout, else every file under $ROOT but
# .git, build/ and out/. This file is the only one allowed to spell the patterns.
. "$ROOT/tests/scripts/common.inc"
LC_ALL=C
export LC_ALL
self=tests/scripts/self_contained.sh
pat='DOMAIN\.md|shared/docs|\.\./shared|[Ii]ssues? #?[0-9]'

# list: the files to scan, one path relative to $ROOT per line.
if command -v git >/dev/null 2>&1 && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$ROOT" ls-files >files.txt || fail "git ls-files failed"
else
    (cd "$ROOT" && find . \( -name .git -o -path ./build -o -path ./out \) -prune -o -type f \
        -print | sed 's|^\./||') >files.txt || fail "find failed"
fi
[ -s files.txt ] || fail "no files found under $ROOT"
grep -q '^docs/theory\.md$' files.txt || fail "docs/theory.md is missing"

: >hits.txt
while IFS= read -r f; do
    [ "$f" = "$self" ] && continue
    [ -f "$ROOT/$f" ] || continue
    grep -I -n -E -- "$pat" "$ROOT/$f" 2>/dev/null | sed "s|^|$f:|" >>hits.txt
done <files.txt
if [ -s hits.txt ]; then
    cat hits.txt >&2
    fail "files point outside the repository (see above)"
fi

# The sections of docs/theory.md: "## 2. Title", "### 2.4 Title", "#### 3.2.1 Title".
sed -n 's/^##* \([0-9][0-9.]*\)[ .].*/\1/p' "$ROOT/docs/theory.md" | sed 's/\.$//' \
    | sort -u >sections.txt
[ "$(wc -l <sections.txt)" -ge 8 ] || fail "docs/theory.md has too few numbered sections"

# Every explicit citation in the tree, and the bare ones of docs/theory.md itself (those not
# preceded by another document's name).
: >cites.txt
while IFS= read -r f; do
    [ -f "$ROOT/$f" ] || continue
    grep -I -o -E 'docs/theory\.md §[0-9]+(\.[0-9]+)*' "$ROOT/$f" 2>/dev/null \
        | sed "s|^docs/theory\.md §|$f: |" >>cites.txt
done <files.txt
grep -o -E '(\.md`? )?§[0-9]+(\.[0-9]+)*' "$ROOT/docs/theory.md" | grep -v '^\.md' \
    | sed 's|^§|docs/theory.md (itself): |' >>cites.txt
[ -s cites.txt ] || fail "no docs/theory.md citations found"

bad=0
while IFS= read -r line; do
    n=${line##*: }
    if ! grep -qx -F -- "$n" sections.txt; then
        echo "no section $n in docs/theory.md: cited by ${line%: *}" >&2
        bad=$((bad + 1))
    fi
done <cites.txt
[ "$bad" -eq 0 ] || fail "$bad citations of docs/theory.md name no section"
exit 0
