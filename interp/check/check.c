/*
** check.c: the checker's driver: files and `use`, statements, declarations, experiments'
** cells, and assembling the IrProgram. The symbol table lives in check_sym.c, expressions
** in check_expr.c, parameters in check_param.c, --set and `vary` in check_grid.c (chk.h
** gives their order).
*/
#include "chk.h"

#include <math.h>
#include <string.h>

#include "load.h"
#include "text.h"
#include "ps.h"

#define MAX_INCLUDE_DEPTH 32

/*
** {======================================================================
** Symbols
** =======================================================================
*/

static const char *kind_article(int kind)
{
    return kind == SYM_CONST ? "a constant" : sch_kinds[kind].article;
}

/* A new symbol, or NULL (reported) if the name is taken. */
static Sym *define(Checker *c, const char *name, SrcLoc at, int kind)
{
    Sym *old = chk_lookup(c, name);
    if (old) {
        diag_error(c->diag, at, "'%s' is already defined", name);
        diag_hint(c->diag, "'%s' is %s defined at %s:%u:%u; pick another name", name,
                  kind_article(old->kind), diag_file_path(c->diag, old->loc.file), old->loc.line,
                  old->loc.col);
        return NULL;
    }
    Sym *s = arena_alloc(c->ar, sizeof *s);
    s->name = name;
    s->loc = at;
    s->kind = kind;
    s->family = -1;
    chk_add_sym(c, s);
    return s;
}

/* }====================================================================== */

/*
** {======================================================================
** Statements
** =======================================================================
*/

static void check_stmts(Checker *c, const AstList *stmts, const char *path);

/* `seed = N`: the script's seed, a whole number in [0, 2^53]. */
static void set_seed(Checker *c, const Value *v)
{
    if (v->kind == VAL_ERR)
        return;
    if (v->kind != VAL_NUM || v->num < 0 || v->num > 9007199254740992.0 ||
        v->num != floor(v->num)) {
        diag_error(c->diag, v->loc, "the seed must be a whole number in [0, 2^53]");
        diag_expected(c->diag, "a whole number in [0, 2^53], e.g. seed = 1");
        return;
    }
    c->has_seed = true;
    c->seed = v->num;
}

static void check_const(Checker *c, const AstNode *n)
{
    if (strcmp(n->str, "w") == 0) {
        diag_error(c->diag, n->loc, "'w' cannot be a constant");
        diag_hint(c->diag, "w is the weight in q_up and q_down; pick another name");
        return;
    }
    const AstNode *value = n->a;
    for (size_t i = 0; i < c->novr; i++)
        if (!c->ovr[i].decl && strcmp(c->ovr[i].param, n->str) == 0) {
            c->ovr[i].used = true; /* --set NAME=VALUE replaces the constant's value */
            value = c->ovr[i].value;
        }
    Value v = chk_eval(c, value, false);
    Sym *s = define(c, n->str, n->loc, SYM_CONST);
    if (!s)
        return;
    s->value = v;
    if (strcmp(n->str, "seed") == 0)
        set_seed(c, &v);
}

static bool already_seen(Checker *c, const char *canon)
{
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen_files[i], canon) == 0)
            return true;
    ARENA_GROW(c->ar, c->seen_files, c->seencap, c->nseen + 1);
    c->seen_files[c->nseen++] = canon;
    return false;
}

size_t chk_input_files(const Checker *c, const char *const **paths)
{
    *paths = c->seen_files;
    return c->nseen;
}

static void use_not_found(Checker *c, const AstNode *n)
{
    const char **libs;
    size_t nlibs = ld_libraries(c->ar, c->stdlib, &libs);
    diag_error(c->diag, n->loc, "no script or library '%s'", n->str);
    Buf names = {0};
    for (size_t i = 0; i < nlibs; i++)
        buf_printf(&names, "%s%s", i ? ", " : "", libs[i]);
    diag_expected(c->diag, "a file (\"path/to/file.aimc\") or a library%s%s", nlibs ? ": " : "",
                  nlibs ? names.s : "");
    buf_free(&names);
    const char *best = diag_nearest(n->str, libs, nlibs);
    if (best)
        diag_hint(c->diag, "did you mean '%s'?", best);
}

/* The parsed file of canonical path `canon`, or NULL. */
static const CachedFile *cache_find(const FileCache *fc, const char *canon)
{
    for (size_t i = 0; i < fc->n; i++)
        if (strcmp(fc->v[i]->canon, canon) == 0)
            return fc->v[i];
    return NULL;
}

static const CachedFile *cache_add(Checker *c, const char *path, const char *canon,
                                   uint32_t file, AstList stmts)
{
    FileCache *fc = c->cache;
    ARENA_GROW(c->ar, fc->v, fc->cap, fc->n + 1);
    CachedFile *f = arena_alloc(c->ar, sizeof *f);
    *f = (CachedFile){path, canon, file, stmts};
    fc->v[fc->n++] = f;
    return f;
}

/* Read and parse a file (or find it parsed already); NULL if it cannot be read (reported). */
static const CachedFile *load(Checker *c, const char *path, const char *canon, SrcLoc from)
{
    const CachedFile *f = cache_find(c->cache, canon);
    if (f)
        return f;
    int before = diag_count(c->diag);
    size_t len;
    const char *err;
    char *text = ld_read(c->ar, path, &len, &err);
    if (!text) {
        if (from.line)
            diag_error(c->diag, from, "%s", err);
        else
            diag_plain(c->diag, "%s", err);
        return NULL;
    }
    uint32_t file = diag_add_file(c->diag, path, text, len, from);
    AstList stmts = {0};
    ps_parse(c->ar, c->diag, file, text, len, &stmts);
    if (!from.line && stmts.n == 0 && diag_count(c->diag) == before) {
        diag_error(c->diag, (SrcLoc){file, 1, 1, 1}, "the script is empty");
        diag_expected(c->diag, "declarations: device, io, data, model, optimizer, train, "
                               "measure, experiment, schedule, hardware, evaluate");
    }
    return cache_add(c, path, canon, file, stmts);
}

/* Check the statements of f with f on the stack of files being included. */
static void check_cached(Checker *c, const CachedFile *f)
{
    const char **open = arena_alloc(c->ar, (c->nopen + 1) * sizeof *open);
    if (c->nopen)
        memcpy(open, c->open_files, c->nopen * sizeof *open);
    open[c->nopen] = f->canon;
    const char **saved = c->open_files;
    c->open_files = open;
    c->nopen++;
    check_stmts(c, &f->stmts, f->path);
    c->nopen--;
    c->open_files = saved;
}

/* Parse and check a file in place of the `use` at `from` (line 0: a root file). */
static int check_file_at(Checker *c, const char *path, SrcLoc from)
{
    int before = diag_count(c->diag);
    const char *canon = ld_canonical(c->ar, path);
    for (size_t i = 0; i < c->nopen; i++)
        if (strcmp(c->open_files[i], canon) == 0) {
            diag_error(c->diag, from, "'%s' includes itself", path);
            diag_expected(c->diag, "a chain of `use` without cycles");
            return diag_count(c->diag) - before;
        }
    if (already_seen(c, canon))
        return 0; /* each file is included once */
    if (c->nopen >= MAX_INCLUDE_DEPTH) {
        diag_error(c->diag, from, "`use` nested too deep");
        diag_expected(c->diag, "at most %d levels of `use`", MAX_INCLUDE_DEPTH);
        return diag_count(c->diag) - before;
    }
    const CachedFile *f = load(c, path, canon, from);
    if (!f)
        return diag_count(c->diag) - before;
    if (!from.line)
        c->root = f;
    check_cached(c, f);
    return diag_count(c->diag) - before;
}

static void check_root(Checker *c)
{
    if (!c->root)
        return;
    already_seen(c, c->root->canon);
    check_cached(c, c->root);
}

static void check_use(Checker *c, const AstNode *n, const char *from_path)
{
    const char *path = ld_resolve(c->ar, from_path, n->str, c->stdlib);
    if (!path) {
        use_not_found(c, n);
        return;
    }
    check_file_at(c, path, n->loc);
}

/* The family or parent after ':'; returns 0, or 1 (reported) if it names neither. */
static int resolve_parent(Checker *c, Sym *s, const SchKind *k, const AstNode *d)
{
    if (!k->has_family) {
        if (d->parent) {
            diag_error(c->diag, d->ploc, "%s has no family", k->article);
            diag_expected(c->diag, "%s %s { ... }", k->keyword, d->str);
        }
        chk_prefill(c, s, k, -1);
        return 0;
    }
    if (!d->parent) {
        Buf all = {0};
        for (size_t f = 0; f < k->nfamilies; f++)
            buf_printf(&all, "%s%s", f ? ", " : "", k->families[f].name);
        diag_error(c->diag, d->loc, "%s needs a family", k->article);
        diag_expected(c->diag, "%s %s : FAMILY { ... }, FAMILY one of: %s", k->keyword, d->str,
                      all.s);
        buf_free(&all);
        chk_prefill(c, s, k, 0);
        return 1;
    }
    int fam = sch_family_find(k, d->parent);
    if (fam >= 0) {
        chk_prefill(c, s, k, fam);
        return 0;
    }
    const Sym *p = chk_lookup(c, d->parent);
    if (p && p->kind == s->kind && p->ir) {
        chk_inherit(c, s, k, p);
        return 0;
    }
    if (p) {
        diag_error(c->diag, d->ploc, "'%s' is %s, not %s", d->parent, kind_article(p->kind),
                   k->article);
    } else {
        diag_error(c->diag, d->ploc, "unknown %s family '%s'", k->keyword, d->parent);
    }
    Buf fams = {0};
    const char **names = arena_alloc(c->ar, k->nfamilies * sizeof *names);
    for (size_t f = 0; f < k->nfamilies; f++) {
        buf_printf(&fams, "%s%s", f ? ", " : "", k->families[f].name);
        names[f] = k->families[f].name;
    }
    diag_expected(c->diag, "%s %s family (%s) or another %s",
                  strchr("aeiou", k->keyword[0]) ? "an" : "a", k->keyword, fams.s, k->keyword);
    buf_free(&fams);
    if (!p)
        chk_suggest(c, d->parent, s->kind, names, k->nfamilies);
    return 1;
}

/*
** Whether expression e reads a field of the declaration `name` (`fit.batch` inside train
** fit): such an entry is checked after the block's other entries and the values set from
** outside (--set, an experiment cell's vary), so that it reads their final values.
*/
static bool reads_self(const AstNode *e, const char *name, int depth)
{
    if (!e || depth > 4 * LX_MAX_NEST + PS_MAX_OPS)
        return false;
    if (e->kind == AST_FIELD && strcmp(e->str, name) == 0)
        return true;
    if (reads_self(e->a, name, depth + 1) || reads_self(e->b, name, depth + 1))
        return true;
    for (size_t i = 0; i < e->items.n; i++)
        if (reads_self(e->items.v[i], name, depth + 1))
            return true;
    return false;
}

static void check_decl(Checker *c, const AstNode *d)
{
    int kind = sch_kind_find(d->kw);
    if (kind < 0) {
        diag_error(c->diag, d->loc2, "unknown declaration '%s'", d->kw);
        const char *kws[SCH__NKINDS];
        Buf list = {0};
        for (int k = 0; k < SCH__NKINDS; k++) {
            kws[k] = sch_kinds[k].keyword;
            buf_printf(&list, "%s%s", k == 0 ? "" : k + 1 == SCH__NKINDS ? " or " : ", ", kws[k]);
        }
        diag_expected(c->diag, "a declaration: %s", list.s);
        buf_free(&list);
        const char *best = diag_nearest(d->kw, kws, SCH__NKINDS);
        if (best)
            diag_hint(c->diag, "did you mean '%s'?", best);
        return;
    }
    const SchKind *k = &sch_kinds[kind];
    Sym *s = define(c, d->str, d->loc, kind);
    if (!s)
        return;
    s->ir = arena_alloc(c->ar, k->ir_size);
    chk_index_ir(c, s);
    *(const char **)s->ir = d->str; /* every IR declaration starts with its name ... */
    *(SrcLoc *)((char *)s->ir + sizeof(const char *)) = d->loc; /* ... and its location */
    s->broken = resolve_parent(c, s, k, d) != 0;
    if (d->broken)
        return; /* its block lost entries to a syntax error: checking the rest would mislead */
    if (kind == SCH_MODEL) {
        chk_layers(c, s, d);
        return;
    }
    if (s->broken)
        return; /* its parameters cannot be known: checking them would only mislead */
    const AstNode **later = arena_alloc(c->ar, (d->items.n + 1) * sizeof *later);
    size_t nlater = 0;
    for (size_t i = 0; i < d->items.n; i++) {
        const AstNode *e = d->items.v[i];
        if (e->kind == AST_VARY)
            chk_vary(c, s, e);
        else if (e->kind == AST_ENTRY && reads_self(e->a, d->str, 0))
            later[nlater++] = e;
        else
            chk_entry(c, s, k, e);
    }
    chk_apply_overrides(c, s, k);
    const IrOrigin *origin = (const IrOrigin *)((const char *)s->ir + k->origin_at);
    for (size_t i = 0; i < nlater; i++) { /* they see the final values, --set and vary too */
        int slot = sch_param_find(k->params, k->nparams, later[i]->str);
        if (slot < 0 || origin[slot] != IR_ORIGIN_OVERRIDE)
            chk_entry(c, s, k, later[i]);
    }
    chk_finish_decl(c, s, k, d);
    if (kind == SCH_EXPERIMENT)
        chk_finish_experiment(c, s);
}

/* `fit.steps = 100` is how --set is written; in a script the value belongs in the block. */
static void check_set_stmt(Checker *c, const AstNode *n)
{
    diag_error(c->diag, n->loc, "'%s.%s' cannot be assigned after its declaration", n->str,
               n->field);
    diag_expected(c->diag, "'%s = ...' inside the block of '%s' (or --set %s.%s=VALUE on the "
                           "command line)",
                  n->field, n->str, n->str, n->field);
}

static void check_stmts(Checker *c, const AstList *stmts, const char *path)
{
    const AstList *saved = c->pending;
    size_t saved_next = c->next;
    c->pending = stmts;
    for (size_t i = 0; i < stmts->n && !diag_full(c->diag); i++) {
        const AstNode *n = stmts->v[i];
        c->next = i + 1;
        switch (n->kind) {
        case AST_CONST: check_const(c, n); break;
        case AST_USE: check_use(c, n, path); break;
        case AST_DECL: check_decl(c, n); break;
        case AST_SET: check_set_stmt(c, n); break;
        default: break; /* the grammar produces no other statements */
        }
    }
    c->pending = saved;
    c->next = saved_next;
}

/* }====================================================================== */

int chk_file(Checker *c, const char *path)
{
    int n = check_file_at(c, path, (SrcLoc){0});
    diag_flush(c->diag);
    return n;
}

int chk_source(Checker *c, const char *path, const char *text, size_t len)
{
    int before = diag_count(c->diag);
    uint32_t file = diag_add_file(c->diag, path, text, len, (SrcLoc){0});
    AstList stmts = {0};
    ps_parse(c->ar, c->diag, file, text, len, &stmts);
    /* A text has no canonical path; its name keeps it apart from files in the cache. */
    c->root = cache_add(c, path, arena_printf(c->ar, "<text>%s", path), file, stmts);
    check_cached(c, c->root);
    diag_flush(c->diag);
    return diag_count(c->diag) - before;
}

int chk_source_more(Checker *c, const char *path, const char *text, size_t len, uint32_t line)
{
    int before = diag_count(c->diag);
    uint32_t file = diag_add_file(c->diag, path, text, len, (SrcLoc){0});
    diag_file_set_first_line(c->diag, file, line);
    AstList stmts = {0};
    ps_parse(c->ar, c->diag, file, text, len, &stmts);
    if (diag_count(c->diag) == before) { /* not cached: nothing `use`s it, nothing looks it up */
        CachedFile *f = arena_alloc(c->ar, sizeof *f);
        *f = (CachedFile){path, arena_printf(c->ar, "<text>%s", path), file, stmts};
        check_cached(c, f);
    }
    diag_flush(c->diag);
    return diag_count(c->diag) - before;
}

ChkMark chk_mark(const Checker *c)
{
    return (ChkMark){c->nsyms, c->nseen, c->has_seed, c->seed, diag_count(c->diag)};
}

void chk_rollback(Checker *c, const ChkMark *m)
{
    chk_truncate_syms(c, m->nsyms);
    c->nseen = m->nseen;
    c->has_seed = m->has_seed;
    c->seed = m->seed;
    diag_forget(c->diag, m->nerr);
}

bool chk_has_experiment(const Checker *c)
{
    return c->nexperiments > 0;
}

/*
** {======================================================================
** Expanding experiments into cells
** =======================================================================
*/

/* A train or measure without its own seed takes the script's (an evaluate its train's). */
static void fill_seed(Checker *c, Sym *s)
{
    const SchKind *k = &sch_kinds[s->kind];
    int slot = sch_param_find(k->params, k->nparams, "seed");
    IrOrigin o = ((IrOrigin *)((char *)s->ir + k->origin_at))[slot];
    if (chk_given(o))
        return;
    if (s->kind == SCH_TRAIN)
        ((IrTrain *)s->ir)->seed = (uint64_t)c->seed;
    else if (s->kind == SCH_MEASURE)
        ((IrMeasure *)s->ir)->seed = (uint64_t)c->seed;
    else if (s->kind == SCH_EVALUATE) {
        IrEvaluate *e = s->ir;
        Sym *t = e->train ? chk_lookup(c, e->train->name) : NULL;
        if (t)
            fill_seed(c, t); /* (again: it changes nothing) */
        e->seed = e->train ? e->train->seed : (uint64_t)c->seed;
    }
}

/* The name of the run an experiment sweeps: its train or its measure. */
static const char *swept_name(const IrExperiment *x)
{
    return x->train ? x->train->name : x->measure->name;
}

/*
** Check the program once more with the cell's values; its train or measure, or NULL if reported. This
** is the checker's one recursion (chk_program -> a cell -> the driver), which is why the
** cells are expanded here and not in check_grid.c.
*/
static const void *check_cell(Checker *c, const Sym *x, const size_t *idx, const char **text)
{
    Checker *sub = chk_new(c->ar, c->diag, c->stdlib);
    sub->cache = c->cache;
    sub->root = c->root;
    sub->is_cell = true;
    for (size_t i = 0; i < c->novr; i++) {
        Override o = c->ovr[i];
        o.used = false;
        chk_add_override(sub, &o);
    }
    for (size_t v = 0; v < x->nvary; v++) {
        const AstNode *item = x->vary[v].node->a->items.v[idx[v]];
        chk_add_override(sub, &(Override){x->vary[v].decl, x->vary[v].param, item, item->span, 0});
    }
    int before = diag_count(c->diag);
    check_root(sub);
    if (diag_count(c->diag) > before)
        return NULL;
    Sym *t = chk_lookup(sub, swept_name(x->ir));
    fill_seed(sub, t);
    const IrHardware *hw = ((const IrExperiment *)x->ir)->hardware;
    if (hw) /* the experiment's cost model prices the cell: the cell's own copy (varied too) */
        ((IrTrain *)t->ir)->hardware = chk_lookup(sub, hw->name)->ir;
    for (size_t v = 0; v < x->nvary; v++) {
        Value val = chk_eval(sub, x->vary[v].node->a->items.v[idx[v]], false);
        text[v] = chk_print_value(sub, &val);
    }
    return t->ir;
}

static void expand(Checker *c, const Sym *s)
{
    IrExperiment *x = s->ir;
    size_t n = 1;
    for (size_t v = 0; v < s->nvary; v++)
        n *= s->vary[v].node->a->items.n;
    const void **cell = arena_alloc(c->ar, n * sizeof *cell);
    const char **text = arena_alloc(c->ar, (n * s->nvary + 1) * sizeof *text);
    size_t *idx = arena_alloc(c->ar, (s->nvary + 1) * sizeof *idx);
    for (size_t k = 0; k < n; k++) {
        if (!(cell[k] = check_cell(c, s, idx, text + k * s->nvary)))
            return; /* one failing cell is enough: the others repeat its message */
        for (size_t v = s->nvary; v-- > 0;) { /* the last vary turns fastest */
            if (++idx[v] < s->vary[v].node->a->items.n)
                break;
            idx[v] = 0;
        }
    }
    x->ncells = n;
    if (x->train)
        x->cell = (const IrTrain *const *)cell;
    else
        x->mcell = (const IrMeasure *const *)cell;
    x->cell_value = text;
}

static void expand_experiments(Checker *c)
{
    for (size_t i = 0; i < c->nsyms && diag_count(c->diag) == 0; i++)
        if (c->syms[i]->kind == SCH_EXPERIMENT && (((IrExperiment *)c->syms[i]->ir)->train ||
                                                   ((IrExperiment *)c->syms[i]->ir)->measure))
            expand(c, c->syms[i]);
}

/* }====================================================================== */

/*
** {======================================================================
** The program
** =======================================================================
*/

/* The IR pointers of every declaration of one kind, in order. */
static const void *const *collect(Checker *c, int kind, size_t *n)
{
    const void **v = arena_alloc(c->ar, (c->nsyms + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i]->kind == kind && c->syms[i]->ir)
            v[(*n)++] = c->syms[i]->ir;
    return v;
}

static const IrRun *collect_runs(Checker *c, size_t *n)
{
    IrRun *runs = arena_alloc(c->ar, (c->nsyms + 1) * sizeof *runs);
    *n = 0;
    for (size_t i = 0; i < c->nsyms; i++) {
        Sym *s = c->syms[i];
        if (s->kind == SCH_TRAIN) {
            fill_seed(c, s);
            runs[(*n)++] = (IrRun){IR_RUN_TRAIN, s->name, {.train = s->ir}};
        } else if (s->kind == SCH_MEASURE) {
            fill_seed(c, s);
            runs[(*n)++] = (IrRun){IR_RUN_MEASURE, s->name, {.measure = s->ir}};
        } else if (s->kind == SCH_EXPERIMENT) {
            runs[(*n)++] = (IrRun){IR_RUN_EXPERIMENT, s->name, {.experiment = s->ir}};
        } else if (s->kind == SCH_EVALUATE) {
            fill_seed(c, s);
            runs[(*n)++] = (IrRun){IR_RUN_EVALUATE, s->name, {.evaluate = s->ir}};
        }
    }
    return runs;
}

static const char *const *collect_consts(Checker *c, size_t *n)
{
    const char **v = arena_alloc(c->ar, (c->nsyms + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i]->kind == SYM_CONST && strcmp(c->syms[i]->name, "seed") != 0)
            v[(*n)++] = arena_printf(c->ar, "%s = %s", c->syms[i]->name,
                                     chk_print_value(c, &c->syms[i]->value));
    return v;
}

const IrProgram *chk_program(Checker *c)
{
    if (!c->is_cell) {
        chk_unused_overrides(c);
        chk_checkpoint_places(c);
    }
    if (diag_count(c->diag) > 0)
        return NULL;
    if (!c->is_cell)
        expand_experiments(c);
    if (diag_count(c->diag) > 0)
        return NULL;
    IrProgram *p = arena_alloc(c->ar, sizeof *p);
    p->seed = (uint64_t)c->seed;
    p->devices = (const IrDevice *const *)collect(c, SCH_DEVICE, &p->ndevices);
    p->data = (const IrData *const *)collect(c, SCH_DATA, &p->ndata);
    p->optimizers = (const IrOptimizer *const *)collect(c, SCH_OPTIMIZER, &p->noptimizers);
    p->models = (const IrModel *const *)collect(c, SCH_MODEL, &p->nmodels);
    p->ios = (const IrIO *const *)collect(c, SCH_IO, &p->nios);
    p->schedules = (const IrSchedule *const *)collect(c, SCH_SCHEDULE, &p->nschedules);
    p->hardware = (const IrHardware *const *)collect(c, SCH_HARDWARE, &p->nhardware);
    p->runs = collect_runs(c, &p->nruns);
    p->consts = collect_consts(c, &p->nconsts);
    return p;
}

size_t chk_run_names(const Checker *c, const char ***names)
{
    const char **v = arena_alloc(c->ar, (c->nsyms + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i]->kind == SCH_TRAIN || c->syms[i]->kind == SCH_MEASURE ||
            c->syms[i]->kind == SCH_EXPERIMENT || c->syms[i]->kind == SCH_EVALUATE)
            v[n++] = c->syms[i]->name;
    *names = v;
    return n;
}
