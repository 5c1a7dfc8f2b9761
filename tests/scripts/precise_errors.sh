# Precise messages for malformed inputs: CSV numbers out of range for a 32-bit float and
# tiny ones, a folder as CSV, the line of a NUL byte, CR-only line endings, lines without
# end (/dev/zero) in every reader, NUL bytes in the REPL, and :load / :save of things that
# are not files. Errors in data files are found before anything runs (exit status 2, as
# `aimci --check` finds them).
. "$ROOT/tests/scripts/common.inc"

# csv NAME: a script training on NAME (a labelled CSV: two features, the label last).
csv() {
    printf 'data d : csv { file = "%s", label = -1 }\nmodel m { dense(2, 4) }\n' "$1"
    printf 'optimizer sgd : digital_sgd { lr = 0.01 }\n'
    printf 'train t { model = m, data = d, loss = cross_entropy, epochs = 1, batch = 1, optimizer = [sgd] }\n'
}

# train_on NAME.csv STATUS: run the script of csv NAME.csv, which must exit with STATUS
# (2: the data file is refused before the run).
train_on() {
    csv "$1" >"${1%.csv}.aimc"
    expect_status "$2" "$AIMCI" "${1%.csv}.aimc"
}

printf 'x1,x2,y\n1,2,3\n1e308,2,3\n' >big.csv
train_on big.csv 2
has err.txt "big.csv:3: column 1, '1e308', is out of range for a 32-bit float (magnitude at most 3.402823e+38)"
printf 'x1,x2,y\n1,-inf,3\n' >inf.csv
train_on inf.csv 2
has err.txt "inf.csv:2: column 2, '-inf', is out of range for a 32-bit float"

printf 'x1,x2,y\n1e-320,2,3\n4,5,1\n' >tiny.csv
train_on tiny.csv 0
has out.txt "(2 examples, 0 test)"

mkdir folder.csv
train_on folder.csv 2
has err.txt "folder.csv: is a directory, not a CSV file"

printf 'x1,x2,y\n1,2,3\n4,5\0,6\n7,8,1\n' >nul.csv
train_on nul.csv 2
has err.txt "nul.csv: line 3: a NUL byte at column 4 (is this a binary file?)"

printf 'x1,x2,y\r1,2,3\r4,5,1\r' >cr.csv
train_on cr.csv 0
has out.txt "(2 examples, 0 test)"
printf 'x1,x2,y\r\n1,2,3\r\n4,5,1' >crlf.csv
train_on crlf.csv 0
has out.txt "(2 examples, 0 test)"

# Lines without end: the reader stops at 1 MiB instead of growing its buffer until memory
# runs out (timeout: a reader that tried would never end).
csv /dev/zero >zero.aimc
expect_status 2 timeout 60 "$AIMCI" zero.aimc
has err.txt "/dev/zero: line 1: a NUL byte at column 1 (is this a binary file?)"
awk 'BEGIN { for (i = 0; i < 1100000; i++) printf "1"; print "" }' >long.csv
train_on long.csv 2
has err.txt "long.csv: line 1 is longer than 1048576 bytes"
# Measured traces (aimci --fit) read through the same reader.
printf 'pulse,direction,w\n0,1,0.1\n1,1,0.2\0\n' >trace.csv
expect_status 2 "$AIMCI" --fit soft_bounds trace.csv
has err.txt "trace.csv:3:"
has err.txt "a NUL byte at column 8"
# Scripts that are not files.
expect_status 2 "$AIMCI" --check /dev/zero
has err.txt "'/dev/zero' is a character device, not a script"

# The REPL: a NUL byte is an error at its line and column, as in a script, and the line is
# dropped (not read up to the NUL: y would be 2); /dev/zero ends the session at once.
printf 'x = 1\ny = 2\0 + 5\ny\nx + 1\n' | "$AIMCI" >out.txt 2>err.txt
has err.txt "<stdin>:2:6: error: NUL byte in input"
has err.txt "unknown name 'y'"
has out.txt "2"
timeout 60 "$AIMCI" </dev/zero >out.txt 2>err.txt
st=$?
[ "$st" = 2 ] || fail "the REPL on /dev/zero: exit $st"
has err.txt "<stdin>:1:1: error: NUL byte in input"
has err.txt "the rest of the input is not read"
printf ':load /dev/zero\n:load /tmp\n:load nowhere.aimc\nx = 1\n:save /proc/version\n' | "$AIMCI" >out.txt 2>err.txt
has err.txt "<stdin>:1:7: error: '/dev/zero' is a character device, not a script file"
has err.txt "<stdin>:2:7: error: '/tmp' is a directory, not a script file"
has err.txt "<stdin>:3:7: error: cannot open 'nowhere.aimc': no such file"
has err.txt "cannot write '/proc/version': cannot create a file in '/proc/'"
exit 0
