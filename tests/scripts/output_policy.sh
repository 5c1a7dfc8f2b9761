# The output policy (docs/language.md "Outputs"): device nodes, FIFOs and inputs refused
# before anything runs, symbolic links written through, two outputs never one file, an
# output and its resolved program one unit (full disk, concurrent writers).
. "$ROOT/tests/scripts/common.inc"

printf 'x1,x2,y\n1,2,3\n2,3,4\n3,1,2\n4,4,1\n' >in.csv
cp in.csv in.orig
# train(NAME, LOG): a tiny train; decls: its declarations, with in.csv as data
train() {
    printf 'train %s { model = m, data = ls, loss = half_mse, steps = 20, batch = 1, optimizer = [sgd], log = "%s" }\n' "$1" "$2"
}
decls() {
    printf 'seed = 1\ndata d : csv { file = "in.csv", label = -1 }\ndata ls : least_squares { rows = 20, cols = 2 }\n'
    printf 'model m { dense(2, 1, bias = false) }\noptimizer sgd : digital_sgd { lr = 0.01 }\n'
}

# A device node and a FIFO: refused, left as they were, nothing run.
{ decls; train a /dev/null; } >dev.aimc
expect_status 2 "$AIMCI" dev.aimc
has err.txt "dev.aimc:6:7: error: the log of train 'a': cannot write '/dev/null': it is a character device, not a regular file (nothing was run)"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
[ -s out.txt ] && fail "something ran: $(cat out.txt)"
mkfifo pipe.csv
{ decls; train a pipe.csv; } >fifo.aimc
expect_status 2 "$AIMCI" fifo.aimc
has err.txt "it is a FIFO, not a regular file"
[ -p pipe.csv ] || fail "the FIFO was replaced"
expect_status 2 "$AIMCI" --check fifo.aimc # --check applies the policy too

# The training data, the script itself, a hard link to the data, a `use`d file: refused.
{ decls; train a in.csv; } >data.aimc
expect_status 2 "$AIMCI" data.aimc
has err.txt "the log of train 'a', 'in.csv', is a file of data 'd' of this run (nothing was run)"
ln in.csv alias.csv
{ decls; train a alias.csv; } >alias.aimc
expect_status 2 "$AIMCI" alias.aimc
has err.txt "'alias.csv', is a file of data 'd'"
{ decls; train a self.aimc; } >self.aimc
cp self.aimc self.orig
expect_status 2 "$AIMCI" self.aimc
has err.txt "'self.aimc', is the script of this run"
cmp -s self.aimc self.orig || fail "the script was changed"
printf 'lr0 = 0.01\n' >lib.csv
{ printf 'use "./lib.csv"\n'; decls; train a lib.csv; } >uses.aimc
expect_status 2 "$AIMCI" uses.aimc
has err.txt "is a \`use\`d file of this run"
cmp -s in.csv in.orig || fail "the data were changed"

# Two outputs that are one file: refused before the first train runs.
{ decls; train a out/x.csv; train b out/../out/x.csv; } >twice.aimc
expect_status 2 "$AIMCI" twice.aimc
has err.txt "twice.aimc:7:7: error: the log of train 'b', 'out/../out/x.csv', is also the log of train 'a' (line 6) (nothing was run)"
[ -e out/x.csv ] && fail "the first train ran"
{ decls; train a r.csv; printf 'experiment e { train = a, vary sgd.lr in [0.01, 0.02], report = "r.md" }\n'; } >rep.aimc
expect_status 2 "$AIMCI" rep.aimc
has err.txt "the CSV table of experiment 'e', 'r.csv', is also the log of train 'a'"

# A symbolic link is written through: its target replaced, the link kept.
echo old >real.csv
ln -s real.csv link.csv
{ decls; train a link.csv; } >link.aimc
expect_status 0 "$AIMCI" link.aimc
[ -L link.csv ] || fail "the link was replaced by a file"
has real.csv "optimizer,step,loss"
ln -s /dev/null null.csv
{ decls; train a null.csv; } >nulllink.aimc
expect_status 2 "$AIMCI" nulllink.aimc
has err.txt "cannot write 'null.csv': it links to '/dev/null', which is a character device"

# A full disk (the file size limit here) leaves the old log and resolved program as they were.
{ decls; train a keep/x.csv; } >keep.aimc
expect_status 0 "$AIMCI" keep.aimc
cp keep/x.csv x.before
cp keep/x.resolved.aimc r.before
( trap '' XFSZ; ulimit -f 4; "$AIMCI" --set a.steps=5000 keep.aimc >full.out 2>full.err )
[ $? -eq 1 ] || fail "a full disk is not a failed run: $(cat full.err)"
has full.err "cannot write"
cmp -s keep/x.csv x.before || fail "the log was replaced"
cmp -s keep/x.resolved.aimc r.before || fail "the resolved program was replaced"
[ "$(ls -A keep | wc -l)" -eq 2 ] || fail "files left in keep/: $(ls -A keep)"

# Eight concurrent writers of one log: the log and its resolved program always agree.
for k in 1 2 3 4 5 6 7 8; do
    "$AIMCI" --set a.steps=$((k * 10)) keep.aimc >/dev/null 2>&1 &
done
wait
steps=$(sed -n 's/^ *steps *= *\([0-9]*\).*/\1/p' keep/x.resolved.aimc | sed -n 1p)
last=$(tail -n 1 keep/x.csv | cut -d, -f2)
[ "$steps" = "$last" ] || fail "the log ends at step $last, its resolved program says $steps steps"
[ "$(ls -A keep | wc -l)" -eq 2 ] || fail "files left in keep/: $(ls -A keep)"

# The REPL's :save: a device is refused and left alone (as root it could be replaced).
if [ "$(id -u)" -eq 0 ]; then
    printf 'x = 1\n:save /dev/full\n' | "$AIMCI" >repl.out 2>repl.err
    has repl.err "cannot write '/dev/full': it is a character device"
    [ -c /dev/full ] || fail ":save replaced /dev/full"
else
    echo "skipped (needs root): :save over /dev/full"
fi
printf 'use "./lib.csv"\n:save lib.csv\n' | "$AIMCI" >repl.out 2>repl.err
has repl.err "which the session uses"
has lib.csv "lr0 = 0.01"
exit 0
