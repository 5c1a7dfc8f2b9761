/*
** check_grid.c: parameters set from outside their declaration, and experiments.
**
** One mechanism serves both: an Override names a declaration, a parameter and a value
** node; the checker applies it right after the declaration's own entries (origin
** IR_ORIGIN_OVERRIDE). `--set fit.steps=100` is one override for the whole program; an
** experiment's cell is the whole program checked again with one override per `vary` (plus
** the --set ones), so every cell is complete, independent IR. Here the varies are read and
** resolved; check.c expands the cells, since checking one is running the driver again.
*/
#include "chk.h"

#include <string.h>

#include "ps.h"
#include "text.h"

#define MAX_CELLS 10000 /* cells in one experiment's grid */

void chk_add_override(Checker *c, const Override *o)
{
    ARENA_GROW(c->ar, c->ovr, c->ovrcap, c->novr + 1);
    c->ovr[c->novr++] = *o;
}

/*
** Whether the value of `--set D.P=VALUE` is an unquoted file name (`out/x.csv`): the
** shell ate the quotes, or they were never typed. A path starts with '/', './', '../' or
** '~', or ends in the extension of a file aimci reads or writes.
*/
static bool unquoted_path(const char *v)
{
    static const char *const ext[] = {".csv", ".png", ".pdf", ".svg", ".txt", ".dat",
                                      ".aimc", ".gz", ".idx", ".gp"};
    if (!*v || strchr(v, '"') || strpbrk(v, " \t[]{}(),"))
        return false;
    if (v[0] == '/' || v[0] == '~' || strncmp(v, "./", 2) == 0 || strncmp(v, "../", 3) == 0)
        return true;
    const char *dot = strrchr(v, '.');
    for (size_t i = 0; dot && i < sizeof ext / sizeof *ext; i++)
        if (strcmp(dot, ext[i]) == 0)
            return true;
    return false;
}

int chk_set(Checker *c, const char *text)
{
    int before = diag_count(c->diag);
    size_t len = strlen(text);
    char *src = arena_strndup(c->ar, text, len);
    uint32_t file = diag_add_file(c->diag, "--set", src, len, (SrcLoc){0});
    const char *eq = strchr(src, '=');
    if (eq && unquoted_path(eq + 1)) {
        uint32_t col = (uint32_t)(eq + 1 - src) + 1;
        diag_error(c->diag, (SrcLoc){file, 1, col, (uint32_t)strlen(eq + 1)},
                   "'%s' looks like a file name: a string needs double quotes", eq + 1);
        diag_expected(c->diag, "--set '%.*s\"%s\"' (single quotes keep the shell from "
                               "removing the double ones)", (int)(eq + 1 - src), src, eq + 1);
        return diag_count(c->diag) - before;
    }
    AstList stmts = {0};
    ps_parse(c->ar, c->diag, file, src, len, &stmts);
    if (diag_count(c->diag) > before)
        return diag_count(c->diag) - before;
    const AstNode *n = stmts.n == 1 ? stmts.v[0] : NULL;
    if (n && n->kind == AST_SET)
        chk_add_override(c, &(Override){n->str, n->field, n->a, ast_join(n->loc, n->loc2), 0});
    else if (n && n->kind == AST_CONST)
        chk_add_override(c, &(Override){NULL, n->str, n->a, n->loc, 0});
    else {
        diag_error(c->diag, (SrcLoc){file, 1, 1, len ? (uint32_t)len : 1},
                   "--set expects DECLARATION.PARAMETER=VALUE or CONSTANT=VALUE");
        diag_expected(c->diag, "e.g. --set fit.steps=100 or --set seed=2");
    }
    return diag_count(c->diag) - before;
}

void chk_apply_overrides(Checker *c, Sym *s, const SchKind *k)
{
    IrOrigin *origin = (IrOrigin *)((char *)s->ir + k->origin_at);
    for (size_t i = 0; i < c->novr; i++) {
        Override *o = &c->ovr[i];
        if (!o->decl || strcmp(o->decl, s->name) != 0)
            continue;
        o->used = true;
        int slot = sch_param_find(k->params, k->nparams, o->param);
        if (slot < 0 || !sch_accepts(&k->params[slot], s->family)) {
            chk_unknown_param(c, s, k, o->param, o->at);
            continue;
        }
        s->set_at[slot] = o->at;
        if (chk_assign_param(c, s, k, (size_t)slot, o->value) == 0)
            origin[slot] = IR_ORIGIN_OVERRIDE;
    }
}

void chk_unused_overrides(Checker *c)
{
    for (size_t i = 0; i < c->novr; i++) {
        const Override *o = &c->ovr[i];
        if (o->used)
            continue;
        const Sym *s = o->decl ? chk_lookup(c, o->decl) : NULL;
        if (!o->decl) {
            diag_error(c->diag, o->at, "no constant '%s' to set", o->param);
            diag_expected(c->diag, "a constant defined at the top level of the script");
            chk_suggest(c, o->param, SYM_CONST, NULL, 0);
        } else if (s && s->kind == SCH_MODEL) {
            diag_error(c->diag, o->at, "'%s' is a model: its layers cannot be set from outside",
                       o->decl);
            diag_expected(c->diag, "a parameter of a device, data, io, optimizer, train, "
                                   "measure or experiment");
        } else if (!s) {
            diag_error(c->diag, o->at, "no declaration '%s' to set", o->decl);
            diag_expected(c->diag, "DECLARATION.PARAMETER with a declaration of the script");
            chk_suggest(c, o->decl, -1, NULL, 0);
        }
    }
}

/*
** {======================================================================
** vary
** =======================================================================
*/

static const char *path_text(Checker *c, const AstNode *e)
{
    Buf b = {0};
    for (size_t i = 0; i < e->items.n; i++)
        buf_printf(&b, "%s%s", i ? "." : "", e->items.v[i]->str);
    const char *r = arena_strdup(c->ar, b.s);
    buf_free(&b);
    return r;
}

/* `vary PATH in [v1, v2, ...]`: the shape is checked here, the path once the train is known. */
void chk_vary(Checker *c, Sym *s, const AstNode *e)
{
    if (s->kind != SCH_EXPERIMENT) {
        diag_error(c->diag, e->loc, "'vary' belongs in an experiment, not in %s",
                   s->kind == SYM_CONST ? "a constant" : sch_kinds[s->kind].article);
        diag_expected(c->diag, "experiment NAME { train = TRAIN, vary PATH in [values] }");
        return;
    }
    if (strcmp(e->kw, "vary") != 0 || strcmp(e->field, "in") != 0) {
        diag_error(c->diag, e->loc, "expected 'name = value'%s",
                   s->kind == SCH_EXPERIMENT ? " or 'vary PATH in [values]'" : "");
        diag_expected(c->diag, s->kind == SCH_EXPERIMENT ? "vary rram.c_lin in [0, 0.1, 0.2]"
                                                          : "a parameter such as 'name = ...'");
        return;
    }
    if (e->items.n > 2) {
        diag_error(c->diag, e->items.v[0]->loc, "a vary path has one or two parts");
        diag_expected(c->diag, "DECLARATION.PARAMETER (rram.c_lin) or a parameter of the train "
                               "(optimizer)");
        return;
    }
    if (e->a->kind != AST_LIST || e->a->items.n == 0) {
        diag_error(c->diag, e->a->span, "vary needs a list of values written out");
        diag_expected(c->diag, "[v1, v2, ...], e.g. vary rram.c_lin in [0, 0.1, 0.2]");
        return;
    }
    const char *path = path_text(c, e);
    for (size_t i = 0; i < s->nvary; i++)
        if (strcmp(s->vary[i].path, path) == 0) {
            diag_error(c->diag, e->items.v[0]->loc, "'%s' is varied twice", path);
            diag_hint(c->diag, "put all its values in one list");
            return;
        }
    Vary *v = arena_alloc(c->ar, (s->nvary + 1) * sizeof *v);
    if (s->nvary)
        memcpy(v, s->vary, s->nvary * sizeof *v);
    v[s->nvary] = (Vary){e, e->items.n == 2 ? e->items.v[0]->str : NULL,
                         e->items.v[e->items.n - 1]->str, path};
    s->vary = v;
    s->nvary++;
}

/* The declaration and parameter a vary sets exist: returns 0, or 1 if reported. */
static int resolve_vary(Checker *c, Vary *v, const IrExperiment *x)
{
    const AstNode *first = v->node->items.v[0];
    if (!v->decl)
        v->decl = x->train ? x->train->name : x->measure->name;
    const Sym *s = chk_lookup(c, v->decl);
    if (!s) {
        diag_error(c->diag, first->loc, "unknown name '%s'", v->decl);
        diag_expected(c->diag, "a declaration defined above this line");
        chk_suggest(c, v->decl, -1, NULL, 0);
        return 1;
    }
    if (s->kind == SYM_CONST || s->kind == SCH_MODEL || s->kind == SCH_EXPERIMENT) {
        diag_error(c->diag, first->loc, "'%s' is %s: it has no parameters to vary", v->decl,
                   s->kind == SYM_CONST ? "a constant" : sch_kinds[s->kind].article);
        diag_expected(c->diag, "a parameter of a device, data, io, optimizer or train");
        return 1;
    }
    const SchKind *k = &sch_kinds[s->kind];
    int slot = sch_param_find(k->params, k->nparams, v->param);
    if (slot < 0 || !sch_accepts(&k->params[slot], s->family)) {
        const AstNode *last = v->node->items.v[v->node->items.n - 1];
        chk_unknown_param(c, s, k, v->param, last->loc);
        for (size_t i = 0; v->node->items.n == 1 && i < c->nsyms; i++) {
            const Sym *o = c->syms[i];
            if (o->kind == SYM_CONST || o->kind == SCH_MODEL || o->kind == SCH_EXPERIMENT)
                continue;
            const SchKind *ok = &sch_kinds[o->kind];
            int os = sch_param_find(ok->params, ok->nparams, v->param);
            if (os >= 0 && sch_accepts(&ok->params[os], o->family)) {
                diag_hint(c->diag, "a one-part path is a parameter of the train; did you mean "
                                   "'%s.%s'?", o->name, v->param);
                break;
            }
        }
        return 1;
    }
    return 0;
}

void chk_finish_experiment(Checker *c, Sym *s)
{
    IrExperiment *x = s->ir;
    if (!x->train == !x->measure) {
        diag_error(c->diag, s->loc, "experiment '%s' needs %s", s->name,
                   x->train ? "either a train or a measure, not both" : "a train or a measure");
        diag_expected(c->diag, "train = TRAIN (a grid of trainings) or measure = MEASURE (a grid "
                               "of pulse programs)");
        return;
    }
    if (x->measure && x->plot) {
        diag_error(c->diag, s->set_at[sch_param_find(sch_kinds[SCH_EXPERIMENT].params,
                                                     sch_kinds[SCH_EXPERIMENT].nparams, "plot")],
                   "experiment '%s' sweeps a measure: plot draws the final losses of trains",
                   s->name);
        diag_expected(c->diag, "plot_curves = PATH (every cell's weight trace)");
    }
    double cells = 1;
    bool ok = true;
    const char **paths = arena_alloc(c->ar, (s->nvary + 1) * sizeof *paths);
    const char **lists = arena_alloc(c->ar, (s->nvary + 1) * sizeof *lists);
    for (size_t i = 0; i < s->nvary; i++) {
        ok &= resolve_vary(c, &s->vary[i], x) == 0;
        paths[i] = s->vary[i].path;
        Value list = chk_eval(c, s->vary[i].node->a, false);
        lists[i] = chk_print_value(c, &list);
        cells *= (double)s->vary[i].node->a->items.n;
    }
    if (ok && cells > MAX_CELLS) {
        diag_error(c->diag, s->loc, "experiment '%s' has %.0f cells", s->name, cells);
        diag_expected(c->diag, "at most %d cells (the product of the vary lists' lengths)",
                      MAX_CELLS);
    }
    x->nvary = s->nvary;
    x->vary_path = paths;
    x->vary_list = lists;
}

/* }====================================================================== */
