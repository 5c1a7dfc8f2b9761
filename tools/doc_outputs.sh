#!/bin/sh
# doc_outputs.sh: the command outputs shown in README.md and docs/*.md are the program's.
#
#   tools/doc_outputs.sh [--record] [--slow] AIMCI
#
# A Markdown line
#     <!-- aimci-output: COMMAND -->
# (or `<!-- aimci-output slow: COMMAND -->` for a command too long for `make test`) is
# followed by a fenced block that holds exactly what COMMAND prints on stdout. COMMAND runs
# with sh in a fresh folder where ./aimci is the binary AIMCI and examples/, stdlib/, tests/
# and tools/ are the repository's (tools/repl_transcript.sh shows a REPL session), so the
# documented command line is the one a reader types at the repository root.
#
# Without --record: every block is compared with a fresh run; differences are printed as a
# diff and the exit status is 1. With --record: the blocks are rewritten from the runs
# (review with git diff). Slow commands are run only with --slow (`make docs-record` and
# `make docs-check` pass it).
set -u
record=0
slow=0
while [ $# -gt 1 ]; do
    case $1 in
        --record) record=1 ;;
        --slow) slow=1 ;;
        *) echo "doc_outputs.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ $# -eq 1 ] || { echo "usage: tools/doc_outputs.sh [--record] [--slow] AIMCI" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
aimci=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$aimci" ] || { echo "doc_outputs.sh: no binary $1" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
count=0

for doc in "$root"/README.md "$root"/docs/*.md; do
    grep -q '^<!-- aimci-output' "$doc" 2>/dev/null || continue
    name=${doc#"$root"/}
    rm -rf "$work/outs" && mkdir -p "$work/outs"
    # The commands, one per marker, in order; "-" for a slow one that is not run.
    n=0
    sed -n 's/^<!-- aimci-output\( slow\)\{0,1\}: \(.*\) -->$/\1|\2/p' "$doc" >"$work/cmds"
    while IFS='|' read -r kind cmd; do
        n=$((n + 1))
        if [ -n "$kind" ] && [ "$slow" -eq 0 ]; then
            echo "-" >"$work/outs/$n.skip"
            continue
        fi
        run=$work/run$n
        mkdir -p "$run"
        ln -s "$aimci" "$run/aimci"
        ln -s "$root/examples" "$run/examples"
        ln -s "$root/stdlib" "$run/stdlib"
        ln -s "$root/tests" "$run/tests"
        ln -s "$root/tools" "$run/tools"
        if ! (cd "$run" && sh -c "$cmd") >"$work/outs/$n" 2>"$work/outs/$n.err"; then
            echo "FAIL: $name: '$cmd' failed:" >&2
            cat "$work/outs/$n.err" >&2
            status=1
        fi
        rm -rf "$run"
        count=$((count + 1))
    done <"$work/cmds"
    # The document with each block replaced by its command's output (kept when not run).
    awk -v outs="$work/outs" '
        function emit(file,   line) {
            while ((getline line < file) > 0) print line
            close(file)
        }
        state == 0 && /^<!-- aimci-output/ { n++; print; state = 1; next }
        state == 1 && /^```/ { print; state = 2; skip = (getline t < (outs "/" n ".skip")) > 0;
                               close(outs "/" n ".skip"); if (!skip) emit(outs "/" n); next }
        state == 1 { print; next }
        state == 2 && /^```/ { print; state = 0; next }
        state == 2 { if (skip) print; next }
        { print }' "$doc" >"$work/new.md"
    if [ "$record" -eq 1 ]; then
        cmp -s "$doc" "$work/new.md" || { cat "$work/new.md" >"$doc" && echo "recorded $name"; }
    elif ! diff -u "$doc" "$work/new.md" >"$work/diff"; then
        echo "FAIL: $name shows outputs the program does not print (- the doc, + the program):" >&2
        cat "$work/diff" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && [ "$record" -eq 0 ] && echo "doc_outputs: $count documented outputs match"
[ "$status" -eq 0 ] || [ "$record" -eq 1 ] ||
    echo "If the program is right, re-record them all: make docs-record (then review git diff)" >&2
exit $status
