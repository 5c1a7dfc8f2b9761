#!/bin/sh
# repl_transcript.sh: a REPL session as a reader sees it, for the docs' command outputs.
#
#   sh tools/repl_transcript.sh AIMCI LINE...
#
# Feeds the LINEs to AIMCI's prompt (standard input, no terminal) and prints each as
# `aimci> LINE` followed by what the REPL printed for it (stdout and stderr, in order),
# so docs/repl.md can show a session that tools/doc_outputs.sh checks against the program.
# The replies are told apart by a string expression typed after every line, whose echo
# ("--aimci-transcript--") is the separator; a line that opens a block must close it.
set -u
[ $# -ge 2 ] || { echo "usage: sh tools/repl_transcript.sh AIMCI LINE..." >&2; exit 2; }
aimci=$1
shift
sep='--aimci-transcript--'
for line in "$@"; do
    printf '%s\n"%s"\n' "$line" "$sep"
done | "$aimci" 2>&1 | awk -v sep="\"$sep\"" '
    BEGIN { n = ARGC; for (i = 1; i < n; i++) { line[i] = ARGV[i]; delete ARGV[i] }
            k = 1; print "aimci> " line[k] }
    $0 == sep { k++; if (k < n) print "aimci> " line[k]; next }
    { print }
' "$@"
