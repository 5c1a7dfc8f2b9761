# `use`: files relative to the including file, libraries on AIMCI_PATH and in stdlib/,
# include-once, and cycles (reported at the `use` that closes them, with the chain).
. "$ROOT/tests/scripts/common.inc"

mkdir -p lib other
printf 'use "b.aimc"\nxa = xb + 1\n' >lib/a.aimc
printf 'xb = 1\ndevice shared : ideal {}\n' >lib/b.aimc
printf 'use "lib/a.aimc"\nuse "lib/b.aimc"\ndevice d : shared {}\ny = xa\n' >main.aimc
expect_status 0 "$AIMCI" --check main.aimc

# A library found on AIMCI_PATH before stdlib/, and the stdlib's own "devices".
printf 'device preset : constant_step { dw_min = 0.0042 }\n' >other/mylib.aimc
printf 'use "mylib"\nuse "devices"\ndevice d : preset {}\ndevice g : gokmen_vlasov {}\n' >lib.aimc
expect_status 0 env AIMCI_PATH="$PWD/nowhere:$PWD/other" "$AIMCI" --dump lib.aimc
matches out.txt "^    dw_min +=  ?0.0042 +# inherited$"
expect_status 2 "$AIMCI" --check lib.aimc
has err.txt "lib.aimc:1:5: error: no script or library 'mylib'"

# A cycle of two files: the error is at the `use` that closes it, with the chain of notes.
printf 'use "inc/c1.aimc"\nx = 1\n' >cycle.aimc
mkdir inc
printf 'use "c2.aimc"\n' >inc/c1.aimc
printf '\nuse "c1.aimc"\n' >inc/c2.aimc
expect_status 2 "$AIMCI" --check cycle.aimc
has err.txt "inc/c2.aimc:2:5: error: "
has err.txt "inc/c1.aimc' includes itself"
has err.txt "  expected: a chain of \`use\` without cycles"
has err.txt "  note: included from ./inc/c1.aimc:1:5"
has err.txt "  note: included from cycle.aimc:1:5"
has err.txt "aimci: 1 error"

# An error inside a used file names that file and where it was used.
printf 'device d : soft_bounds { dw_mn = 1 }\n' >inc/bad.aimc
printf 'x = 1\nuse "inc/bad.aimc"\n' >usebad.aimc
expect_status 2 "$AIMCI" --check usebad.aimc
has err.txt "inc/bad.aimc:1:26: error: unknown parameter 'dw_mn' of device family soft_bounds"
has err.txt "  note: included from usebad.aimc:2:5"
exit 0
