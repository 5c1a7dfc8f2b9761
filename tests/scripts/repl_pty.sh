# The REPL at a terminal, driven through a pseudo-terminal by tests/repl/repl_pty.c (built as
# build/san/repl_pty next to the binary by `make test`): line editing and history kept
# across sessions, tab completion, multi-line blocks, errors that do not end the session,
# Ctrl-C at the prompt and during a command or a run, Ctrl-D.
. "$ROOT/tests/scripts/common.inc"

PTY=$(dirname "$AIMCI")/repl_pty
[ -x "$PTY" ] || PTY=$ROOT/build/san/repl_pty
[ -x "$PTY" ] || fail "no pty driver: make build/san/repl_pty"
export HOME=$PWD/home
unset XDG_STATE_HOME
export TERM=dumb

# A session: history, completion, blocks, errors, Ctrl-C, Ctrl-D.
cat >one.txt <<'X'
expect aimci> 
send 2 * 21\r
expect 42
# TAB completes a device name, a family, and lists parameter names.
send device rram : soft_b\t{ dw_min = 0.01 }\r
expect aimci> 
send pulse rr\t+10\r
expect rram: w = 0.0
send rram.dw_min_\t\t
expect dw_min_std
send \x15\r
# A block continues until its braces balance.
send device y : constant_step {\r
expect ...> 
send dw_min = 0.5\r
expect ...> 
send }\r
expect aimci> 
send y.dw_min * 3\r
expect 1.5
# An error is reported like a script error and the session goes on.
send pulse nope +1\r
expect error: no device 'nope'
send show y\r
expect constant_step
expect aimci> 
# Ctrl-C drops the line being typed ...
send 7 * 9 + garbage\x03
expect aimci> 
send 2 + 3\r
expect \n5\r\n
reject garbage'
# ... and stops a long command. Each output is awaited up to the next prompt: a control
# byte typed while a command runs (the terminal cooked) is the kernel's, not libedit's.
send pulse rram +100000000\r
sleep 700
sendnow \x03
expect interrupted after
expect aimci> 
send pulse rram -1\r
expect rram: w =
expect aimci> 
send \x04
exit 0
X
"$PTY" "$AIMCI" <one.txt || fail "the first session"
H=home/.local/state/aimci/history
[ -s $H ] || fail "no history was written to \$HOME/.local/state/aimci/history"
grep -q 'y.dw_min\\040\*\\0403' $H || fail "history: $(cat $H)"

# The next session recalls the history (^P: previous line) and its line runs again.
cat >two.txt <<'X'
expect aimci> 
send \x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\r
expect 42
expect aimci> 
send \x04
exit 0
X
"$PTY" "$AIMCI" <two.txt || fail "the history was not recalled"

# On a real terminal (one that can clear a line) a completion list stays on screen whole:
# the prompt and the line are redrawn below its last row. A block typed over several lines
# is one history entry.
cat >term.txt <<'X'
expect aimci> 
send use "devices"\r
expect aimci> 
send device rram : soft_bounds { dw_min = 0.01 }\r
expect aimci> 
send show \t
expect rram\r\n
expect aimci> show 
send \x15\r
expect aimci> 
send (1 +\r
expect ...> 
send 2) * 7\r
expect 21
send \x10\r
expect 21
expect aimci> 
send \x04
exit 0
X
TERM=xterm "$PTY" "$AIMCI" <term.txt || fail "completion list or block history on a terminal"

# $XDG_STATE_HOME moves it; an older ~/.aimci_history is used while the new file is absent.
printf 'expect aimci> \nsend 6 * 7\\r\nexpect 42\nsend \\x04\nexit 0\n' >xdg.txt
XDG_STATE_HOME=$PWD/state "$PTY" "$AIMCI" <xdg.txt || fail "a session with XDG_STATE_HOME"
[ -s state/aimci/history ] || fail "no history in \$XDG_STATE_HOME/aimci/history"
mkdir old && printf '_HiStOrY_V2_\n6\\040*\\0407\n' >old/.aimci_history
printf 'expect aimci> \nsend \\x10\\r\nexpect 42\nsend \\x04\nexit 0\n' >old.txt
HOME=$PWD/old "$PTY" "$AIMCI" <old.txt || fail "the old ~/.aimci_history was not recalled"
[ -e old/.local/state/aimci/history ] && fail "a new history beside the old one"
grep -q '7' old/.aimci_history || fail "the old history was not kept"

# Ctrl-C stops a run and the prompt comes back; -i loads a script first.
cat >long.aimc <<'X'
device rram : soft_bounds { dw_min = 1e-3, up_down = 0.2 }
data ls : least_squares { rows = 100, cols = 50 }
model lin { dense(50, 1, on = rram, bias = false) }
optimizer asgd : analog_sgd { lr = 0.01 }
train fit { model = lin, data = ls, loss = half_mse, steps = 5000000, batch = 1, optimizer = asgd }
X
cat >three.txt <<'X'
expect aimci> 
send run fit\r
sleep 1500
sendnow \x03
expect interrupted: fit stopped
send rram.up_down\r
expect 0.2
send quit\r
exit 0
X
"$PTY" "$AIMCI" -i long.aimc <three.txt || fail "Ctrl-C during a run"

# A history that cannot be written is a warning; the session goes on.
HOME=/dev/null/nowhere "$PTY" "$AIMCI" <<'X' || fail "an unwritable history ended the session"
expect aimci> 
send 1 + 1\r
expect warning: cannot save the history
send 3 * 3\r
expect 9
expect aimci> 
send \x04
exit 0
X
exit 0
