# make install into a temporary DESTDIR, the installed binary run from another folder (its
# standard library found beside it), the man page and the bash completion in step with
# --help, and make uninstall.
. "$ROOT/tests/scripts/common.inc"

dest=$PWD/dest
prefix=/usr/local
make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=$prefix AIMCI_BIN="$AIMCI" >make.txt 2>&1 ||
    fail "make install: $(cat make.txt)"
bin=$dest$prefix/bin/aimci
share=$dest$prefix/share
for f in "$bin" "$share/aimci/stdlib/devices.aimc" "$share/man/man1/aimci.1" \
    "$share/bash-completion/completions/aimci" "$share/doc/aimci/README.md" \
    "$share/doc/aimci/docs/language.md" "$share/doc/aimci/examples/quickstart.aimc"; do
    [ -s "$f" ] || fail "make install did not install $f"
done
[ -x "$bin" ] || fail "the installed binary is not executable"
# aimci-mpi, built beside the binary, is installed with it.
[ ! -x "$AIMCI-mpi" ] || [ -x "$dest$prefix/bin/aimci-mpi" ] || fail "aimci-mpi was not installed"

# The installed binary, from elsewhere, on an installed example that uses the stdlib.
mkdir elsewhere && cd elsewhere || fail "cd"
cp "$share/doc/aimci/examples/devices.aimc" .
expect_status 0 "$bin" --check devices.aimc
expect_status 0 "$bin" --only sp_rram devices.aimc
has out.txt "measure sp_rram: 20000 pulses on rram"
# The stdlib is the installed one (a library only it has), unless AIMCI_PATH has another.
printf 'device only_here : soft_bounds { dw_min = 0.002 }\n' >"$share/aimci/stdlib/mark.aimc"
printf 'use "mark"\nx = only_here.dw_min\n' >m.aimc
expect_status 0 "$bin" --check m.aimc
mkdir lib && printf 'device only_there : soft_bounds {}\n' >lib/mark2.aimc
printf 'use "mark2"\n' >m2.aimc
expect_status 2 "$bin" --check m2.aimc
AIMCI_PATH=$PWD/lib "$bin" --check m2.aimc >out.txt 2>err.txt || fail "AIMCI_PATH: $(cat err.txt)"
rm "$share/aimci/stdlib/mark.aimc"
cd .. || fail "cd .."

# The man page documents every option and variable of --help, and no other option.
"$bin" --help >help.txt || fail "--help"
man=$share/man/man1/aimci.1
grep -oE -- '--[a-z]+(-[a-z]+)*|(^| )-i ' help.txt | tr -d ' ' | sort -u >help_opts.txt
sed 's/\\-/-/g' "$man" | grep -oE -- '--[a-z]+(-[a-z]+)*|(^|[ "])-i( |$)' | tr -d ' "' | sort -u >man_opts.txt
diff help_opts.txt man_opts.txt >d.txt || fail "the man page and --help differ in options: $(cat d.txt)"
[ "$(wc -l <help_opts.txt)" -ge 9 ] || fail "too few options found in --help: $(cat help_opts.txt)"
for v in $(grep -oE 'AIMCI_[A-Z]+' help.txt | sort -u); do
    grep -q "^\.B $v" "$man" || fail "the man page lacks $v"
done
version=$("$bin" --version | sed 's/^aimci //')
grep -q "^\.TH AIMCI 1 .*\"aimci $version\"" "$man" || fail "the man page is not of version $version"
grep -q "$prefix/share/doc/aimci" "$man" || fail "the man page does not name the installed docs"

# The bash completion: the options of --help, block names for --only, declarations for --set.
comp=$share/bash-completion/completions/aimci
grep -oE -- '--[a-z]+(-[a-z]+)*' help_opts.txt | grep -v -- '--opt' >want.txt
sed -n 's/.*compgen -W "\(--check[^"]*\)".*/\1/p' "$comp" | tr ' ' '\n' | grep -- '^--' | sort -u >got.txt
diff want.txt got.txt >d.txt || fail "the completion and --help differ in options: $(cat d.txt)"
if command -v bash >/dev/null; then
    cat >s.aimc <<'X'
device rram : soft_bounds { dw_min = 0.001 }
measure first { device = rram, pulses = [+1] }
measure second { device = rram, pulses = [+1] }
X
    cat >c.bash <<X
. "$comp"
COMP_WORDS=(aimci --only s s.aimc); COMP_CWORD=2; _aimci; echo "only: \${COMPREPLY[*]}"
COMP_WORDS=(aimci s.aimc --set ""); COMP_CWORD=3; _aimci; echo "set: \${COMPREPLY[*]}"
COMP_WORDS=(aimci --ch); COMP_CWORD=1; _aimci; echo "opt: \${COMPREPLY[*]}"
COMP_WORDS=(aimci --only = f s.aimc); COMP_CWORD=3; _aimci; echo "eq: \${COMPREPLY[*]}"
X
    bash c.bash >comp.txt 2>&1 || fail "the completion script failed: $(cat comp.txt)"
    has comp.txt "only: second"
    has comp.txt "set: rram. first. second."
    has comp.txt "opt: --check"
    has comp.txt "eq: first"
fi

# make uninstall removes every file it installed.
make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX=$prefix >make.txt 2>&1 ||
    fail "make uninstall: $(cat make.txt)"
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
exit 0
