#!/bin/sh
# layering.sh: the one-way include rule, checked by the compiler (`make layering`, run by
# `make test`). Each layer compiles with the include path the Makefile gives it ($I_<layer>,
# $CC from the environment); here every layer must reach a header it uses and must not reach
# a header of a layer above it. The positive probes keep the check from passing vacuously
# (a wrong path would make every #include fail).
#
#   runtime  <  interp/front  <  interp/check  <  interp/{plot, run, fit}  <  interp/repl
#   (the IR contract runtime/ir and the allocators of runtime/base are seen by all; the front
#   end sees nothing else of the runtime)
pass=0
fail=0
compiles() { printf '#include "%s"\n' "$2" | $CC $1 -fsyntax-only -x c - >/dev/null 2>&1; }
sees() {
    layer=$1 flags=$2
    shift 2
    for h; do
        if compiles "$flags" "$h"; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL: $layer should reach $h"; fi
    done
}
# Private headers and entry points that no include path can hide (they share a folder with
# public ones, or a layer above must see that folder): the sources are searched for pattern
# outside the folders it belongs to. A hit inside them keeps the check from passing
# vacuously (a pattern that matches nothing).
srcgrep() { grep -rlE --include='*.c' --include='*.h' --include='*.y' --include='*.re' "$@" 2>/dev/null; }
only_in() {
    what=$1 pattern=$2
    shift 2
    if [ -n "$(srcgrep "$pattern" "$@")" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: nothing in $* uses $what (is the pattern wrong?)"; fi
    strays=0
    for f in $(srcgrep "$pattern" grammar interp runtime tests tools); do
        case " $* " in *" $(dirname "$f") "*) continue ;; esac
        strays=$((strays + 1))
        echo "FAIL: $f uses $what, private to $*"
    done
    if [ "$strays" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + strays)); fi
}
blind() {
    layer=$1 flags=$2
    shift 2
    for h; do
        if compiles "$flags" "$h"; then
            fail=$((fail + 1)); echo "FAIL: $layer reaches $h, a header of a layer above it"
        else pass=$((pass + 1)); fi
    done
}

INTERP="ast.h diag.h ps.h lex.h parser.h check.h schema.h dump.h eval.h eval_jobs.h eval_ranks.h eval_cost.h eval_log.h eval_curves.h plot.h fit_cmd.h measured.h repl.h"
sees    runtime "$I_runtime" ir.h srcloc.h rt_mem.h rt_tile.h rt_kern.h rt_net.h rt_train.h rt_cost.h
blind   runtime "$I_runtime" $INTERP
sees    front   "$I_front"   ir.h srcloc.h rt_mem.h ast.h diag.h ps.h lex.h parser.h
blind   front   "$I_front"   rt_tile.h rt_kern.h rt_device.h check.h schema.h eval.h plot.h repl.h
sees    check   "$I_check"   ps.h check.h schema.h dump.h rt_net.h rt_device.h
blind   check   "$I_check"   eval.h eval_jobs.h eval_ranks.h eval_cost.h eval_log.h eval_curves.h plot.h fit_cmd.h measured.h repl.h repl_session.h
sees    plot    "$I_plot"    plot.h text.h rt_file.h rt_mem.h
blind   plot    "$I_plot"    check.h eval.h fit_cmd.h repl.h
sees    run     "$I_run"     eval.h eval_jobs.h eval_ranks.h eval_cost.h eval_log.h eval_curves.h plot.h check.h rt_train.h rt_cost.h
blind   run     "$I_run"     fit_cmd.h measured.h repl.h repl_session.h
sees    fit     "$I_fit"     fit_cmd.h measured.h check.h rt_fit.h
blind   fit     "$I_fit"     eval.h plot.h repl.h repl_session.h
sees    repl    "$I_repl"    repl.h repl_session.h eval.h plot.h fit_cmd.h check.h rt_tile.h
# The checker's internals stay in it: other layers ask check.h's queries. Lemon's parser is
# the front end's: other layers parse through ps.h.
only_in "the checker's internals (chk.h)" '#[[:space:]]*include[[:space:]]*"chk\.h"' interp/check
only_in "Lemon's entry points (ps_Parse)" '\<ps_Parse[A-Za-z]*[[:space:]]*\(' grammar interp/front
only_in "Lemon's token codes (parser.h)" '#[[:space:]]*include[[:space:]]*"parser\.h"' \
    grammar interp/front tests/front
echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
