/*
** check_param.c: parameters of declarations and layers: defaults, inheritance, typed
** assignment with range checks, layers of a model, and the checks that involve several
** parameters or declarations. (Reading a parameter back, `rram.w_max`, is an expression:
** check_expr.c.)
*/
#include "chk.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "rt_net.h"
#include "text.h"

#define AT(ir, off, T) ((T *)((char *)(ir) + (off)))

#define MAX_PULSES 100000000.0 /* a measure fires at most this many pulses */
#define MAX_DATA 100000000.0   /* rows * cols of generated data */
#define MAX_NUMS 10000         /* numbers in one list parameter (piecewise_up) */

static IrOrigin *origins(const SchKind *k, void *ir)
{
    return AT(ir, k->origin_at, IrOrigin);
}

/* Store a numeric default (numbers, whole numbers, booleans, enum indexes). */
static void store_default(void *ir, const SchParam *p, double v)
{
    switch (p->type) {
    case SCH_NUM: *AT(ir, p->offset, double) = v; break;
    case SCH_SIZE: *AT(ir, p->offset, size_t) = (size_t)v; break;
    case SCH_INT:
    case SCH_ENUM: *AT(ir, p->offset, int) = (int)v; break;
    case SCH_SEED: *AT(ir, p->offset, uint64_t) = (uint64_t)v; break;
    case SCH_BOOL: *AT(ir, p->offset, bool) = v != 0; break;
    default: break; /* strings, references, lists and functions have no default */
    }
}

/* The default of a list of numbers: the one-element list [v] (in the arena). */
static void store_default_nums(Checker *c, void *ir, const SchParam *p, double v)
{
    double *one = arena_alloc(c->ar, sizeof *one);
    *one = v;
    *AT(ir, p->offset, const double *) = one;
    *AT(ir, p->count_at, size_t) = 1;
}

void chk_prefill(Checker *c, Sym *s, const SchKind *k, int family)
{
    s->family = family;
    if (k->has_family)
        *AT(s->ir, k->family_at, int) = family;
    for (size_t i = 0; i < k->nparams; i++) {
        const SchParam *p = &k->params[i];
        if (p->required || !sch_accepts(p, family))
            continue;
        IrOrigin o;
        double v = sch_default(k, (int)i, family, &o);
        if (p->type == SCH_NUMS)
            store_default_nums(c, s->ir, p, v);
        else
            store_default(s->ir, p, v);
        origins(k, s->ir)[i] = o;
    }
}

void chk_inherit(Checker *c, Sym *s, const SchKind *k, const Sym *parent)
{
    (void)c;
    const char *name = *(const char **)s->ir;
    SrcLoc loc = *AT(s->ir, sizeof(const char *), SrcLoc);
    memcpy(s->ir, parent->ir, k->ir_size);
    *(const char **)s->ir = name;
    *AT(s->ir, sizeof(const char *), SrcLoc) = loc;
    *AT(s->ir, k->parent_at, const char *) = parent->name;
    s->family = parent->family;
    IrOrigin *o = origins(k, s->ir);
    for (size_t i = 0; i < k->nparams; i++) {
        if (o[i] == IR_ORIGIN_SET)
            o[i] = IR_ORIGIN_INHERITED;
        s->expr[i] = parent->expr[i];
    }
}

/*
** {======================================================================
** Typed assignment
** =======================================================================
*/

/* "a number in (0, inf)" */
static const char *range_text(Checker *c, const SchParam *p, const char *what)
{
    char lo[32], hi[32];
    txt_num(lo, p->lo);
    txt_num(hi, p->hi);
    return arena_printf(c->ar, "%s in %c%s, %s%c", what, p->lo_open || isinf(p->lo) ? '(' : '[',
                        isinf(p->lo) ? "-inf" : lo, isinf(p->hi) ? "inf" : hi,
                        p->hi_open || isinf(p->hi) ? ')' : ']');
}

static const char *type_text(Checker *c, const SchParam *p)
{
    switch (p->type) {
    case SCH_NUM: return range_text(c, p, "a number");
    case SCH_SIZE:
    case SCH_INT:
    case SCH_SEED: return range_text(c, p, "a whole number");
    case SCH_BOOL: return "true or false";
    case SCH_STR: return "a string";
    case SCH_REF: return arena_printf(c->ar, "the name of %s", sch_kinds[p->ref].article);
    case SCH_REFS:
        return arena_printf(c->ar, "the name of %s, or a list of them", sch_kinds[p->ref].article);
    case SCH_PULSES: return "a list of non-zero whole numbers, e.g. [+200, -400]";
    case SCH_FUNC_W: return "an expression of w, e.g. (1 - w / 0.6) ^ 0.5";
    case SCH_NUMS:
        return arena_printf(c->ar, "a list of numbers, e.g. [1.2, 1, 0.8]; each %s",
                            range_text(c, p, "a number"));
    case SCH_COLS:
        return "a list of columns: 0-based numbers (< 0 from the end) or header names, "
               "e.g. [4, 5], [-2, -1] or [\"y1\", \"y2\"]";
    case SCH_ENUM: {
        Buf b = {0};
        for (size_t i = 0; p->enums[i]; i++)
            buf_printf(&b, "%s%s", i ? ", " : "one of ", p->enums[i]);
        const char *r = arena_strdup(c->ar, b.s);
        buf_free(&b);
        return r;
    }
    }
    return "a value";
}

/* The kind of value a parameter takes, in a few words ("a number", "a device"). */
static const char *type_word(const SchParam *p)
{
    switch (p->type) {
    case SCH_NUM: return "a number";
    case SCH_SIZE:
    case SCH_INT:
    case SCH_SEED: return "a whole number";
    case SCH_BOOL: return "true or false";
    case SCH_STR: return "a string";
    case SCH_REF:
    case SCH_REFS: return sch_kinds[p->ref].article;
    case SCH_PULSES: return "a list of pulse counts";
    case SCH_FUNC_W: return "an expression of w";
    case SCH_NUMS: return "a list of numbers";
    case SCH_COLS: return "a list of columns";
    case SCH_ENUM: return "a name";
    }
    return "a value";
}

static int wrong_type(Checker *c, const SchParam *p, const Value *v)
{
    diag_error(c->diag, v->loc, "%s expects %s, got %s", p->name, type_word(p), chk_describe(v));
    diag_expected(c->diag, "%s", type_text(c, p));
    return 1;
}

static int check_number(Checker *c, const SchParam *p, const Value *v, bool whole)
{
    if (v->kind != VAL_NUM)
        return wrong_type(c, p, v);
    double x = v->num;
    bool ok = (p->lo_open ? x > p->lo : x >= p->lo) && (p->hi_open ? x < p->hi : x <= p->hi);
    if (whole && x != floor(x)) {
        char got[32];
        txt_num(got, x);
        diag_error(c->diag, v->loc, "%s must be a whole number; got %s", p->name, got);
        diag_expected(c->diag, "%s", type_text(c, p));
        return 1;
    }
    if (!ok) {
        char got[32];
        txt_num(got, x);
        diag_error(c->diag, v->loc, "%s is out of range: %s", p->name, got);
        diag_expected(c->diag, "%s", type_text(c, p));
        return 1;
    }
    return 0;
}

/* One declaration of kind p->ref from a value. */
static const void *ref_of(Checker *c, const SchParam *p, const Value *v)
{
    if (v->kind != VAL_REF) {
        wrong_type(c, p, v);
        return NULL;
    }
    if (v->ref->kind != (int)p->ref) {
        diag_error(c->diag, v->loc, "'%s' is %s; %s expects %s", v->ref->name,
                   v->ref->kind == SYM_CONST ? "a constant" : sch_kinds[v->ref->kind].article,
                   p->name, sch_kinds[p->ref].article);
        diag_expected(c->diag, "%s", type_text(c, p));
        chk_suggest(c, v->ref->name, (int)p->ref, NULL, 0);
        return NULL;
    }
    return v->ref->ir;
}

static int assign_refs(Checker *c, void *ir, const SchParam *p, const Value *v)
{
    size_t n = v->kind == VAL_LIST ? v->n : 1;
    if (n == 0) {
        diag_error(c->diag, v->loc, "%s needs at least one name", p->name);
        diag_expected(c->diag, "%s", type_text(c, p));
        return 1;
    }
    const void **refs = arena_alloc(c->ar, n * sizeof *refs);
    for (size_t i = 0; i < n; i++)
        if (!(refs[i] = ref_of(c, p, v->kind == VAL_LIST ? &v->items[i] : v)))
            return 1;
    *AT(ir, p->offset, const void **) = refs;
    *AT(ir, p->count_at, size_t) = n;
    return 0;
}

static int assign_pulses(Checker *c, void *ir, const SchParam *p, const Value *v)
{
    if (v->kind != VAL_LIST || v->n == 0)
        return wrong_type(c, p, v);
    long *prog = arena_alloc(c->ar, v->n * sizeof *prog);
    double total = 0;
    for (size_t i = 0; i < v->n; i++) {
        const Value *x = &v->items[i];
        if (x->kind != VAL_NUM || x->num != floor(x->num) || x->num == 0 || fabs(x->num) > 1e9) {
            diag_error(c->diag, x->loc, "a pulse count must be a non-zero whole number");
            diag_expected(c->diag, "%s; |n| <= 1e9", type_text(c, p));
            return 1;
        }
        prog[i] = (long)x->num;
        total += fabs(x->num);
    }
    if (total > MAX_PULSES) {
        diag_error(c->diag, v->loc, "the program fires %.0f pulses", total);
        diag_expected(c->diag, "at most %.0f pulses in one measure", MAX_PULSES);
        return 1;
    }
    *AT(ir, p->offset, const long *) = prog;
    *AT(ir, p->count_at, size_t) = v->n;
    return 0;
}

/* v is a non-empty list of at most MAX_NUMS `what`s (0), else reported (1). */
static int check_list(Checker *c, const SchParam *p, const Value *v, const char *what)
{
    if (v->kind != VAL_LIST || v->n == 0)
        return wrong_type(c, p, v);
    if (v->n > MAX_NUMS) {
        diag_error(c->diag, v->loc, "%s has %zu %s", p->name, v->n, what);
        diag_expected(c->diag, "at most %d %s", MAX_NUMS, what);
        return 1;
    }
    return 0;
}

/* A non-empty list of numbers, each in the range of p (at most MAX_NUMS of them). */
static int assign_nums(Checker *c, void *ir, const SchParam *p, const Value *v)
{
    if (check_list(c, p, v, "numbers"))
        return 1;
    double *nums = arena_alloc(c->ar, v->n * sizeof *nums);
    for (size_t i = 0; i < v->n; i++) {
        const Value *x = &v->items[i];
        if (x->kind != VAL_NUM)
            return wrong_type(c, p, x);
        if (check_number(c, p, x, false))
            return 1;
        nums[i] = x->num;
    }
    *AT(ir, p->offset, const double *) = nums;
    *AT(ir, p->count_at, size_t) = v->n;
    return 0;
}

/* A non-empty list of CSV columns: whole numbers in p's range or non-empty names, no column
** twice (the same number or the same name). */
static int assign_cols(Checker *c, void *ir, const SchParam *p, const Value *v)
{
    if (check_list(c, p, v, "columns"))
        return 1;
    IrColumn *cols = arena_alloc(c->ar, v->n * sizeof *cols);
    for (size_t i = 0; i < v->n; i++) {
        const Value *x = &v->items[i];
        if (x->kind == VAL_STR && x->str[0]) {
            cols[i] = (IrColumn){0, x->str};
        } else if (x->kind == VAL_NUM) {
            if (check_number(c, p, x, true))
                return 1;
            cols[i] = (IrColumn){(long)x->num, NULL};
        } else {
            return wrong_type(c, p, x);
        }
        for (size_t j = 0; j < i; j++)
            if (cols[i].name ? cols[j].name && strcmp(cols[i].name, cols[j].name) == 0
                             : !cols[j].name && cols[j].index == cols[i].index) {
                char num[32];
                snprintf(num, sizeof num, "%ld", cols[i].index);
                diag_error(c->diag, x->loc, "column %s%s%s is listed twice in %s",
                           cols[i].name ? "'" : "", cols[i].name ? cols[i].name : num,
                           cols[i].name ? "'" : "", p->name);
                diag_expected(c->diag, "each target column once");
                return 1;
            }
    }
    *AT(ir, p->offset, const IrColumn *) = cols;
    *AT(ir, p->count_at, size_t) = v->n;
    return 0;
}

/* Store v into the field of p in ir; returns 0, or 1 (reported) if it does not fit. */
/* Whether a `plot` path names an image type gnuplot draws (.png, .svg, .pdf). */
static bool image_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') &&
           (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".svg") == 0 ||
            strcasecmp(dot, ".pdf") == 0);
}

/* Whether a `save` path ends in .npz. */
static bool npz_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') && strcasecmp(dot, ".npz") == 0;
}

static int assign(Checker *c, void *ir, const SchParam *p, const Value *v, Sym *s, size_t slot)
{
    if (v->kind == VAL_ERR)
        return 1;
    if (strcmp(p->name, "init") == 0 && v->kind == VAL_STR) { /* init = "weights.npz" */
        diag_error(c->diag, v->loc, "init expects a number, got a string");
        diag_expected(c->diag, "a number: every weight's initial value");
        diag_hint(c->diag, "to start from saved weights, write load = \"%s\"", v->str);
        return 1;
    }
    switch (p->type) {
    case SCH_NUM:
        if (check_number(c, p, v, false))
            return 1;
        *AT(ir, p->offset, double) = v->num;
        return 0;
    case SCH_SIZE:
    case SCH_INT:
    case SCH_SEED:
        if (check_number(c, p, v, true))
            return 1;
        store_default(ir, p, v->num);
        return 0;
    case SCH_BOOL:
        if (v->kind != VAL_BOOL)
            return wrong_type(c, p, v);
        *AT(ir, p->offset, bool) = v->num != 0;
        return 0;
    case SCH_STR:
        if (v->kind != VAL_STR)
            return wrong_type(c, p, v);
        if (!v->str[0]) {
            diag_error(c->diag, v->loc, "%s must not be empty", p->name);
            diag_expected(c->diag, "a path such as \"out/run.csv\"");
            return 1;
        }
        if (strcmp(p->name, "save") == 0 && !npz_path(v->str)) {
            diag_error(c->diag, v->loc, "save '%s': not an .npz path", v->str);
            diag_expected(c->diag, "a path ending in .npz (NumPy's archive of arrays)");
            return 1;
        }
        if (strncmp(p->name, "plot", 4) == 0 && !image_path(v->str)) {
            diag_error(c->diag, v->loc, "plot '%s': unknown image type", v->str);
            diag_expected(c->diag, "a path ending in .png, .svg or .pdf (drawn by gnuplot)");
            return 1;
        }
        *AT(ir, p->offset, const char *) = v->str;
        return 0;
    case SCH_REF: {
        const void *r = ref_of(c, p, v);
        *AT(ir, p->offset, const void *) = r;
        return r ? 0 : 1;
    }
    case SCH_REFS: return assign_refs(c, ir, p, v);
    case SCH_PULSES: return assign_pulses(c, ir, p, v);
    case SCH_NUMS: return assign_nums(c, ir, p, v);
    case SCH_COLS: return assign_cols(c, ir, p, v);
    case SCH_FUNC_W:
        if (v->kind != VAL_FUNC && v->kind != VAL_NUM)
            return wrong_type(c, p, v);
        s->expr[slot] = v->expr;
        return 0;
    case SCH_ENUM: break; /* assigned from the name by assign_enum */
    }
    return 1;
}

/* Enum values are bare names (`loss = mse`) or strings, never evaluated. */
static int assign_enum(Checker *c, void *ir, const SchParam *p, const AstNode *e)
{
    if (e->kind == AST_NAME || e->kind == AST_STR) {
        for (size_t i = 0; p->enums[i]; i++)
            if (strcmp(p->enums[i], e->str) == 0) {
                *AT(ir, p->offset, int) = (int)i;
                return 0;
            }
        diag_error(c->diag, e->span, "unknown %s '%s'", p->name, e->str);
        diag_expected(c->diag, "%s", type_text(c, p));
        size_t n = 0;
        while (p->enums[n])
            n++;
        const char *best = diag_nearest(e->str, (const char *const *)p->enums, n);
        if (best)
            diag_hint(c->diag, "did you mean '%s'?", best);
        return 1;
    }
    diag_error(c->diag, e->span, "%s expects a name, got %s", p->name, ast_describe(e));
    diag_expected(c->diag, "%s", type_text(c, p));
    return 1;
}

static int assign_node(Checker *c, void *ir, const SchParam *p, const AstNode *e, Sym *s,
                       size_t slot)
{
    if (p->type == SCH_ENUM)
        return assign_enum(c, ir, p, e);
    Value v = chk_eval(c, e, p->type == SCH_FUNC_W);
    if (v.kind == VAL_NUM && p->type == SCH_FUNC_W)
        v.expr = e; /* a constant response function is tabulated like any other */
    if (v.kind == VAL_FUNC && p->type != SCH_FUNC_W)
        return wrong_type(c, p, &v);
    return assign(c, ir, p, &v, s, slot);
}

/* }====================================================================== */

/*
** {======================================================================
** Entries of declarations
** =======================================================================
*/

static const char *family_name(const SchKind *k, int family)
{
    return family >= 0 && (size_t)family < k->nfamilies ? k->families[family].name : k->keyword;
}

/* Names of the parameters a family accepts, for "expected" lines and suggestions. */
static size_t accepted(Checker *c, const SchParam *ps, size_t n, int family, const char ***out)
{
    const char **v = arena_alloc(c->ar, (n + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (sch_accepts(&ps[i], family))
            v[m++] = ps[i].name;
    *out = v;
    return m;
}

static void unknown_param_at(Checker *c, const SchParam *ps, size_t n, int family,
                             const char *what, const char *name, SrcLoc at)
{
    const char **names;
    size_t m = accepted(c, ps, n, family, &names);
    int other = sch_param_find(ps, n, name);
    if (other >= 0)
        diag_error(c->diag, at, "%s has no parameter '%s'", what, name);
    else
        diag_error(c->diag, at, "unknown parameter '%s' of %s", name, what);
    Buf b = {0};
    for (size_t i = 0; i < m; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    diag_expected(c->diag, "%s", m ? b.s : "no parameters");
    buf_free(&b);
    const char *best = other >= 0 ? NULL : diag_nearest(name, names, m);
    if (best)
        diag_hint(c->diag, "did you mean '%s'?", best);
}

static void unknown_param(Checker *c, const SchParam *ps, size_t n, int family, const char *what,
                          const AstNode *e)
{
    unknown_param_at(c, ps, n, family, what, e->str, e->loc);
}

void chk_unknown_param(Checker *c, const Sym *s, const SchKind *k, const char *name, SrcLoc at)
{
    const char *what = k->has_family ? arena_printf(c->ar, "%s family %s", k->keyword,
                                                    family_name(k, s->family))
                                     : k->article;
    unknown_param_at(c, k->params, k->nparams, s->family, what, name, at);
}

int chk_assign_param(Checker *c, Sym *s, const SchKind *k, size_t slot, const AstNode *value)
{
    return assign_node(c, s->ir, &k->params[slot], value, s, slot);
}

/* 1 (reported) if the parameter was already set (at *set_at), 0 otherwise. */
static int set_twice(Checker *c, SrcLoc *set_at, const AstNode *e)
{
    if (!set_at->line)
        return 0;
    diag_error(c->diag, e->loc, "'%s' is set twice", e->str);
    diag_hint(c->diag, "it was first set at line %u, column %u", set_at->line, set_at->col);
    return 1;
}

void chk_entry(Checker *c, Sym *s, const SchKind *k, const AstNode *e)
{
    if (e->kind != AST_ENTRY) {
        diag_error(c->diag, e->span, "expected 'name = value', got %s", ast_describe(e));
        diag_expected(c->diag, "a parameter of %s, such as '%s = ...'", k->article,
                      k->nparams ? k->params[0].name : "name");
        return;
    }
    int i = sch_param_find(k->params, k->nparams, e->str);
    if (i < 0 || !sch_accepts(&k->params[i], s->family)) {
        chk_unknown_param(c, s, k, e->str, e->loc);
        return;
    }
    if (set_twice(c, &s->set_at[i], e))
        return;
    s->set_at[i] = e->loc;
    if (assign_node(c, s->ir, &k->params[i], e->a, s, (size_t)i) == 0)
        origins(k, s->ir)[i] = IR_ORIGIN_SET;
}

/* }====================================================================== */

/*
** {======================================================================
** Layers
** =======================================================================
*/

static const SchLayer *find_layer(const char *name)
{
    for (size_t i = 0; i < sch_nlayers; i++)
        if (strcmp(sch_layers[i].name, name) == 0)
            return &sch_layers[i];
    return NULL;
}

static const char *layer_usage(Checker *c, const SchLayer *l)
{
    Buf b = {0};
    buf_printf(&b, "%s(", l->name);
    for (size_t i = 0; i < l->nparams; i++) {
        const SchParam *p = &l->params[i];
        buf_printf(&b, "%s%s", i ? ", " : "", p->name);
        if (i >= l->npositional)
            buf_printf(&b, " = %s", p->type == SCH_BOOL ? (p->def ? "true" : "false") : "...");
    }
    buf_printf(&b, ")");
    const char *r = arena_strdup(c->ar, b.s);
    buf_free(&b);
    return r;
}

static void unknown_layer(Checker *c, const AstNode *e)
{
    const Sym *sym = chk_lookup(c, e->str);
    if (sym)
        diag_error(c->diag, e->loc, "'%s' is %s, not a layer", e->str,
                   sym->kind == SYM_CONST ? "a constant" : sch_kinds[sym->kind].article);
    else
        diag_error(c->diag, e->loc, "unknown layer '%s'", e->str);
    const char *names[16];
    size_t n = sch_nlayers < 16 ? sch_nlayers : 16;
    Buf b = {0};
    for (size_t i = 0; i < n; i++) {
        names[i] = sch_layers[i].name;
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    }
    diag_expected(c->diag, "a layer: %s", b.s);
    buf_free(&b);
    const char *best = diag_nearest(e->str, names, n);
    if (best)
        diag_hint(c->diag, "did you mean '%s'?", best);
}

/* One argument of a layer call: which parameter it sets (reported if none). */
static int layer_param(Checker *c, const SchLayer *l, const AstNode *arg, size_t *npos)
{
    if (arg->kind == AST_ENTRY) {
        int i = sch_param_find(l->params, l->nparams, arg->str);
        if (i < 0)
            unknown_param(c, l->params, l->nparams, 1 /* all, analog included */,
                          arena_printf(c->ar, "layer %s", l->name), arg);
        return i;
    }
    if (*npos >= l->npositional) {
        diag_error(c->diag, arg->span, "too many positional arguments for %s", l->name);
        diag_expected(c->diag, "%s", layer_usage(c, l));
        return -1;
    }
    return (int)(*npos)++;
}

/* Parameters of analog layers (family 1) set on a layer without a device: reported (1);
** 0 when there are none. */
static int analog_needs_device(Checker *c, const SchLayer *l, const SrcLoc *set_at)
{
    for (size_t i = 0; i < l->nparams; i++) {
        const char *name = l->params[i].name;
        if (!set_at[i].line || sch_accepts(&l->params[i], 0))
            continue;
        bool io = strcmp(name, "forward") == 0 || strcmp(name, "backward") == 0;
        if (io)
            diag_error(c->diag, set_at[i], "'%s' sets the I/O of an analog layer, but this "
                                           "layer has no device", name);
        else
            diag_error(c->diag, set_at[i], "'%s' applies to analog layers, but this layer has "
                                           "no device", name);
        diag_expected(c->diag, "on = DEVICE in the same layer, or no '%s' (digital layers %s)",
                      name, io ? "compute exact products" : "have no output scales");
        return 1;
    }
    return 0;
}

/* Build one layer from `name(args)` or a bare `name`; returns 0, or 1 if it has errors
** (reported). */
static int check_layer(Checker *c, Sym *s, const AstNode *e, IrLayer *out)
{
    const SchLayer *l = find_layer(e->str);
    if (!l) {
        unknown_layer(c, e);
        return 1;
    }
    SrcLoc set_at[IR_MAX_PARAMS] = {{0}};
    out->kind = l->kind;
    out->loc = e->loc;
    for (size_t i = 0; i < l->nparams; i++)
        store_default(out, &l->params[i], l->params[i].def);
    bool ok = true;
    size_t npos = 0;
    for (size_t a = 0; a < e->items.n; a++) {
        const AstNode *arg = e->items.v[a];
        int i = layer_param(c, l, arg, &npos);
        if (i < 0) {
            ok = false;
            continue;
        }
        if (arg->kind == AST_ENTRY && set_twice(c, &set_at[i], arg)) {
            ok = false;
            continue;
        }
        if (arg->kind != AST_ENTRY && set_at[i].line) {
            diag_error(c->diag, arg->span, "'%s' is set twice", l->params[i].name);
            diag_hint(c->diag, "it was first set at line %u, column %u; positional arguments "
                      "come before named ones", set_at[i].line, set_at[i].col);
            ok = false;
            continue;
        }
        set_at[i] = arg->loc;
        ok &= assign_node(c, out, &l->params[i], arg->kind == AST_ENTRY ? arg->a : arg, s,
                          (size_t)i) == 0;
    }
    for (size_t i = 0; i < l->nparams && ok; i++)
        if (l->params[i].required && !set_at[i].line) {
            diag_error(c->diag, e->span, "%s needs '%s' (%s)", l->name, l->params[i].name,
                       l->params[i].desc);
            diag_expected(c->diag, "%s", layer_usage(c, l));
            ok = false;
        }
    if (ok && !out->on)
        ok = analog_needs_device(c, l, set_at) == 0;
    return ok ? 0 : 1;
}

void chk_layers(Checker *c, Sym *s, const AstNode *d)
{
    IrModel *m = s->ir;
    IrLayer *layers = arena_alloc(c->ar, (d->items.n + 1) * sizeof *layers);
    bool ok = true;
    for (size_t i = 0; i < d->items.n; i++) {
        const AstNode *e = d->items.v[i];
        if (e->kind == AST_CALL || e->kind == AST_NAME) {
            ok &= check_layer(c, s, e, &layers[m->nlayers]) == 0;
            m->nlayers++;
            continue;
        }
        diag_error(c->diag, e->kind == AST_ENTRY ? e->loc : e->span,
                   "expected a layer, got %s", ast_describe(e));
        diag_expected(c->diag, "a layer such as dense(50, 1, on = DEVICE)");
        ok = false;
    }
    m->layers = layers;
    if (d->items.n == 0) {
        diag_error(c->diag, d->loc, "model '%s' has no layers", d->str);
        diag_expected(c->diag, "one layer per line, such as dense(50, 1, on = DEVICE)");
        return;
    }
    size_t first = 0;
    while (first < m->nlayers && layers[first].kind != IR_LAYER_DENSE)
        first++;
    if (ok && first + 1 < m->nlayers) /* from the first dense layer on, shapes are known */
        chk_chain(c, m, first + 1, (RtShape){layers[first].out, 1, 1}, NULL, d->loc);
}

/*
** Shapes through layers from.. of m, layer `from` getting `in` (its source described by
** data, or the previous layer when NULL); a misfit is reported at that layer (with data:
** at `at`, where the train names the model). Returns 0, or 1 if reported.
*/
int chk_chain(Checker *c, const IrModel *m, size_t from, RtShape in, const IrData *data,
              SrcLoc at)
{
    RtShape *out = arena_alloc(c->ar, (m->nlayers + 1) * sizeof *out);
    size_t bad = 0;
    char err[256];
    if (rt_net_shapes(m, from, in, out, &bad, err, sizeof err) == 0)
        return 0;
    const IrLayer *L = &m->layers[bad];
    RtShape got = bad > from ? out[bad - 1] : in;
    bool vector = got.h == 1 && got.w == 1;
    if (L->kind == IR_LAYER_DENSE && vector && !data) {
        diag_error(c->diag, L->loc, "layer %zu takes %zu inputs but layer %zu gives %zu outputs",
                   bad + 1, L->in, bad, got.c);
        diag_expected(c->diag, "in = %zu, the size of the previous layer's output", got.c);
    } else if (data) {
        diag_error(c->diag, at, "model '%s' does not fit data '%s': %s", m->name,
                   data->name, err);
        diag_expected(c->diag, "layers that fit one after the other on the data's examples "
                               "(%zux%zux%zu)", in.c, in.h, in.w);
    } else {
        diag_error(c->diag, L->loc, "%s", err);
        diag_expected(c->diag, "%s", L->kind == IR_LAYER_DENSE
                                         ? "in = the number of values the previous layer gives"
                      : L->kind == IR_LAYER_CONV2D
                          ? "in = the channels of the previous layer, a kernel that fits"
                          : "a window that fits the previous layer's output");
    }
    return 1;
}

/* }====================================================================== */

/*
** {======================================================================
** Whole declarations
** =======================================================================
*/

static int slot(const SchKind *k, const char *name)
{
    return sch_param_find(k->params, k->nparams, name);
}

void chk_checkpoint_places(Checker *c)
{
    const SchKind *k = &sch_kinds[SCH_TRAIN];
    int ck = slot(k, "checkpoint_every");
    for (size_t i = 0; i < c->nsyms; i++) {
        const Sym *s = c->syms[i];
        const IrTrain *t = s->ir;
        if (s->kind != SCH_TRAIN || !t || !t->checkpoint_every || t->log || t->plot)
            continue;
        bool swept = false; /* an experiment's jobs keep theirs beside its results */
        for (size_t j = 0; j < c->nsyms && !swept; j++) {
            const IrExperiment *x = c->syms[j]->ir;
            swept = c->syms[j]->kind == SCH_EXPERIMENT && x && x->train == t &&
                    (x->report || x->plot);
        }
        if (swept)
            continue;
        diag_error(c->diag, s->set_at[ck].line ? s->set_at[ck] : s->loc,
                   "checkpoint_every needs an output of train '%s' to put its checkpoint "
                   "beside", t->name);
        diag_expected(c->diag, "log = \"PATH.csv\" (the checkpoint is PATH.ckpt), or an "
                      "experiment over it with a report (its jobs checkpoint beside their "
                      "results)");
    }
}

/* Cross-checks of the aihwkit step families: equal node lists, reverse modes. */
static void finish_steps(Checker *c, Sym *s, const SchKind *k)
{
    const IrDevice *d = s->ir;
    int up = slot(k, "piecewise_up"), down = slot(k, "piecewise_down");
    if (d->family == IR_DEV_PIECEWISE_STEP && d->npiecewise_up != d->npiecewise_down) {
        int at = s->set_at[down].line ? down : up;
        diag_error(c->diag, s->set_at[at].line ? s->set_at[at] : s->loc,
                   "piecewise_up has %zu nodes but piecewise_down has %zu (device '%s')",
                   d->npiecewise_up, d->npiecewise_down, s->name);
        diag_expected(c->diag, "two lists of the same length");
    }
    int rev = s->set_at[slot(k, "reverse_up")].line ? slot(k, "reverse_up")
                                                    : slot(k, "reverse_down");
    if ((d->family == IR_DEV_LINEAR_STEP || d->family == IR_DEV_SOFT_BOUNDS) &&
        (d->reverse_up || d->reverse_down) && !d->mult_noise) {
        diag_error(c->diag, s->set_at[rev].line ? s->set_at[rev] : s->loc,
                   "reverse_up and reverse_down need mult_noise = true (device '%s')", s->name);
        diag_expected(c->diag, "mult_noise = true, or no reversed direction");
    }
}

static void finish_device(Checker *c, Sym *s, const SchKind *k)
{
    IrDevice *d = s->ir;
    if (d->family == IR_DEV_IDEAL || d->family == IR_DEV_LINEAR || d->family == IR_DEV_POWER ||
        d->family == IR_DEV_EXPONENTIAL)
        return; /* no bounds, or bounds -tau, tau */
    finish_steps(c, s, k);
    if (!(d->w_min < d->w_max)) {
        int w = s->set_at[slot(k, "w_min")].line ? slot(k, "w_min") : slot(k, "w_max");
        diag_error(c->diag, s->set_at[w].line ? s->set_at[w] : s->loc,
                   "w_min must be below w_max (device '%s')", s->name);
        diag_expected(c->diag, "w_min <= 0 <= w_max and w_min < w_max");
        return;
    }
    if (d->family != IR_DEV_RESPONSE)
        return;
    int up = slot(k, "q_up"), down = slot(k, "q_down");
    int before = diag_count(c->diag);
    if (s->expr[up] && chk_tabulate(c, s->expr[up], "q_up", d->w_min, d->w_max,
                                    SCH_RESPONSE_NODES, &d->q_up) == 0)
        d->q_up_text = chk_print_func(c, s->expr[up]);
    if (s->expr[down] && chk_tabulate(c, s->expr[down], "q_down", d->w_min, d->w_max,
                                      SCH_RESPONSE_NODES, &d->q_down) == 0)
        d->q_down_text = chk_print_func(c, s->expr[down]);
    if (diag_count(c->diag) > before && d->parent) {
        char lo[32], hi[32];
        txt_num(lo, d->w_min);
        txt_num(hi, d->w_max);
        diag_hint(c->diag, "device '%s' inherits it from '%s' and tabulates it on [%s, %s]",
                  s->name, d->parent, lo, hi);
    }
}

/* Where parameter `name` of s was set, or the declaration if it was not set there. */
static SrcLoc set_or_decl(const Sym *s, const SchKind *k, const char *name)
{
    int i = slot(k, name);
    return s->set_at[i].line ? s->set_at[i] : s->loc;
}

/* aihwkit's constraints across I/O parameters (IOMetaParameter::initializeForForward). */
static void finish_io(Checker *c, Sym *s, const SchKind *k)
{
    const IrIO *io = s->ir;
    if (io->family != IR_IO_ANALOG)
        return;
    if (io->noise_management != IR_NM_NONE && io->inp_bound != 1.0) {
        diag_error(c->diag, set_or_decl(s, k, "inp_bound"),
                   "inp_bound must be 1 with noise management (io '%s')", s->name);
        diag_expected(c->diag, "inp_bound = 1, or noise_management = none");
    }
    if (io->w_noise > 0.0 && io->w_noise_type == IR_W_NOISE_NONE) {
        diag_error(c->diag, set_or_decl(s, k, "w_noise"),
                   "w_noise has no effect without w_noise_type (io '%s')", s->name);
        diag_expected(c->diag, "w_noise_type = additive_constant or pcm_read");
    }
}

/* The input shape, outputs and rows of data known before running (least_squares,
** fashion_mnist); false for files read only at run time. */
static bool static_shape(const IrData *d, RtShape *in, size_t *outs, size_t *rows)
{
    if (d->kind == IR_DATA_LEAST_SQUARES) {
        *in = (RtShape){d->cols, 1, 1}, *outs = d->outputs, *rows = d->rows;
        return true;
    }
    if (d->kind == IR_DATA_FASHION_MNIST) {
        *in = (RtShape){1, 28, 28}, *outs = 10;
        *rows = d->limit && d->limit < 60000 ? d->limit : 60000;
        return true;
    }
    return false;
}

/*
** The loss fits the data: cross_entropy (the default for labelled data) needs labels; the
** default of least_squares data is half_mse (the seed paper's objective, whose optimum f* the
** summary prints), of csv targets mse.
*/
static void finish_loss(Checker *c, Sym *s, const SchKind *k, const IrData *data, IrLoss *loss)
{
    bool ls = data->kind == IR_DATA_LEAST_SQUARES;
    bool labelled = !ls && !(data->kind == IR_DATA_CSV && data->targets);
    int i = slot(k, "loss");
    if (origins(k, s->ir)[i] == IR_ORIGIN_DEFAULT)
        *loss = labelled ? IR_LOSS_CROSS_ENTROPY : ls ? IR_LOSS_HALF_MSE : IR_LOSS_MSE;
    if (!labelled && *loss == IR_LOSS_CROSS_ENTROPY) {
        diag_error(c->diag, s->set_at[i].line ? s->set_at[i] : s->loc,
                   "loss cross_entropy needs labelled data, but data '%s' %s", data->name,
                   ls ? "is least_squares" : "has real-valued targets");
        diag_expected(c->diag, "loss = mse or half_mse, or data with class labels");
    }
}

static void model_fits(Checker *c, const IrModel *m, const IrData *data, SrcLoc at,
                       size_t batch, SrcLoc batch_at);

static void finish_train(Checker *c, Sym *s, const SchKind *k)
{
    IrTrain *t = s->ir;
    if (origins(k, t)[slot(k, "log_every")] == IR_ORIGIN_DEFAULT) /* else the user's */
        t->log_every = t->steps >= 100 ? t->steps / 100 : 1;
    t->init_set = !isnan(t->init); /* unset: NaN, the uniform initialisation */
    if (t->init_set && t->load) {
        diag_error(c->diag, s->set_at[slot(k, "load")], "train '%s' sets both init and load",
                   s->name);
        diag_expected(c->diag, "initial weights from init (one value) or from load (a file)");
    }
    int rep = slot(k, "test_repeat");
    if (!t->test_io && t->test_repeat != 1) { /* 1, the default, is what --dump writes */
        diag_error(c->diag, s->set_at[rep], "test_repeat has no effect without test_io (train '%s')",
                   s->name);
        diag_expected(c->diag, "test_io = IO (an io declaration) to evaluate through the analog "
                               "forward");
    }
    if (!t->model || !t->data || t->model->nlayers == 0)
        return;
    finish_loss(c, s, k, t->data, &t->loss);
    int b = slot(k, "batch");
    model_fits(c, t->model, t->data, s->set_at[slot(k, "model")], t->batch,
               s->set_at[b].line ? s->set_at[b] : s->set_at[slot(k, "model")]);
}

/*
** Model m takes the examples of data (when their shape is known before running; files are
** checked when they are read) and gives its outputs, in batches of `batch` rows (`batch_at`;
** 0: no batches, an evaluation).
*/
static void model_fits(Checker *c, const IrModel *m, const IrData *data, SrcLoc at,
                       size_t batch, SrcLoc batch_at)
{
    RtShape in;
    size_t outs, rows;
    if (!static_shape(data, &in, &outs, &rows))
        return; /* files: checked when they are read */
    const IrLayer *first = &m->layers[0];
    RtShape *shp = arena_alloc(c->ar, m->nlayers * sizeof *shp);
    char why[256];
    size_t size = rt_shape_size(in);
    bool ls = data->kind == IR_DATA_LEAST_SQUARES;
    if (ls && first->kind == IR_LAYER_DENSE && first->in != size)
        diag_error(c->diag, at, "model '%s' takes %zu inputs but data '%s' has %zu features",
                   m->name, first->in, data->name, size);
    else if (chk_chain(c, m, 0, in, data, at))
        return;
    else if (rt_net_shapes(m, 0, in, shp, NULL, why, sizeof why) ||
             rt_shape_size(shp[m->nlayers - 1]) != outs)
        diag_error(c->diag, at, "model '%s' gives %zu outputs but data '%s' has %zu %s",
                   m->name, rt_shape_size(shp[m->nlayers - 1]), data->name, outs,
                   ls ? (outs == 1 ? "target" : "targets") : "classes");
    else if (batch > rows)
        diag_error(c->diag, batch_at, "batch %zu is larger than the %zu rows of data '%s'",
                   batch, rows, data->name);
    else
        return;
    char bt[64] = ""; /* batch 0: an evaluation, which has none */
    if (batch)
        snprintf(bt, sizeof bt, ", and batch <= %zu", rows);
    if (ls)
        diag_expected(c->diag, "a model whose first layer takes %zu inputs and whose last gives "
                               "%zu output%s%s", size, outs, outs == 1 ? "" : "s", bt);
    else
        diag_expected(c->diag, "a model whose last layer gives %zu outputs (one per class)%s",
                      outs, bt);
}

/*
** evaluate: exactly one source of weights, a train (its model and, by default, its data and
** loss) or a weights file (with a model and data). A train's other data fits its model: the
** same input shape and number of targets or classes; a file's model fits its data (known here
** for drawn data; files are checked when they are read, the weights file before anything
** runs).
*/
static void finish_evaluate(Checker *c, Sym *s, const SchKind *k)
{
    IrEvaluate *e = s->ir;
    int wt = slot(k, "weights"), md = slot(k, "model"), dt = slot(k, "data");
    if (e->train && e->weights) {
        diag_error(c->diag, s->set_at[wt], "evaluate '%s' sets both train and weights", s->name);
        diag_expected(c->diag, "train = T (its final weights, trained first), or weights = "
                               "\"FILE.npz\" with model and data");
        return;
    }
    if (!e->train && !e->weights) {
        diag_error(c->diag, s->loc, "evaluate '%s' needs 'train' or 'weights'", s->name);
        diag_expected(c->diag, "train = T (its final weights, trained first), or weights = "
                               "\"FILE.npz\" with model and data");
        return;
    }
    if (e->train && e->model) {
        diag_error(c->diag, s->set_at[md], "evaluate '%s' sets model with train", s->name);
        diag_expected(c->diag, "no model: the train's model '%s' is evaluated (model goes with "
                               "weights)", e->train->model ? e->train->model->name : "?");
        return;
    }
    if (e->weights && (!e->model || !e->data)) {
        diag_error(c->diag, s->set_at[wt], "evaluate '%s' reads weights and needs '%s'", s->name,
                   e->model ? "data" : "model");
        diag_expected(c->diag, e->model ? "data = D, the data to evaluate on"
                                        : "model = M, the model the file's weights are for");
        return;
    }
    const IrData *data = e->data ? e->data : e->train->data;
    if (!data)
        return;
    if (e->train && origins(k, e)[slot(k, "loss")] == IR_ORIGIN_DEFAULT)
        e->loss = e->train->loss;
    else
        finish_loss(c, s, k, data, &e->loss);
    if (e->weights) {
        if (e->model->nlayers)
            model_fits(c, e->model, data, s->set_at[md], 0, s->set_at[md]);
        return;
    }
    if (!e->data || !e->train->data || e->data == e->train->data)
        return;
    RtShape a, b;
    size_t oa, ob, ra, rb;
    if (!static_shape(e->train->data, &a, &oa, &ra) || !static_shape(e->data, &b, &ob, &rb))
        return;
    if (rt_shape_size(a) == rt_shape_size(b) && a.c == b.c && oa == ob)
        return;
    diag_error(c->diag, s->set_at[dt],
               "data '%s' does not fit the model of train '%s': it has %zu features and %zu "
               "output%s per row, data '%s' has %zu and %zu", e->data->name, e->train->name,
               rt_shape_size(b), ob, ob == 1 ? "" : "s", e->train->data->name, rt_shape_size(a),
               oa);
    diag_expected(c->diag, "data of the shape the train's model was trained on");
}

/* idx: test images and labels come together. */
static void finish_data(Checker *c, Sym *s, const SchKind *k, const AstNode *d)
{
    const IrData *data = s->ir;
    if (data->kind == IR_DATA_LEAST_SQUARES &&
        (double)data->rows * (double)data->cols > MAX_DATA) {
        diag_error(c->diag, d->loc, "data '%s' has %zu x %zu entries", s->name, data->rows,
                   data->cols);
        diag_expected(c->diag, "rows * cols <= %.0f", MAX_DATA);
    }
    if (data->kind == IR_DATA_IDX && !data->test_images != !data->test_labels) {
        const char *set = data->test_images ? "test_images" : "test_labels";
        diag_error(c->diag, s->set_at[slot(k, set)], "data '%s' sets %s but not %s", s->name,
                   set, data->test_images ? "test_labels" : "test_images");
        diag_expected(c->diag, "both test_images and test_labels, or neither (no test set)");
    }
    if (data->kind == IR_DATA_CSV && data->targets &&
        chk_given(origins(k, s->ir)[slot(k, "label")])) {
        diag_error(c->diag, s->set_at[slot(k, "label")],
                   "data '%s' sets both label and targets", s->name);
        diag_expected(c->diag, "a class label column (label), or real-valued target columns "
                               "(targets), not both");
    }
    for (size_t i = 0; data->kind == IR_DATA_CSV && i < data->ntargets; i++)
        if (data->targets[i].name && !data->header) {
            diag_error(c->diag, s->set_at[slot(k, "targets")],
                       "data '%s' names target column '%s', but its file has no header",
                       s->name, data->targets[i].name);
            diag_expected(c->diag, "header = true (the first line names the columns), or "
                                   "targets by number, e.g. [-2, -1]");
            break;
        }
    if (data->kind == IR_DATA_CSV && data->test_file && data->test_fraction > 0.0) {
        diag_error(c->diag, s->set_at[slot(k, "test_fraction")],
                   "data '%s' sets both test_file and test_fraction", s->name);
        diag_expected(c->diag, "a test set from test_file, or held out by test_fraction");
    }
}

void chk_finish_decl(Checker *c, Sym *s, const SchKind *k, const AstNode *d)
{
    for (size_t i = 0; i < k->nparams; i++) {
        const SchParam *p = &k->params[i];
        if (p->required && sch_accepts(p, s->family) && !s->set_at[i].line &&
            origins(k, s->ir)[i] != IR_ORIGIN_INHERITED) {
            diag_error(c->diag, d->loc, "%s '%s' needs '%s'", k->keyword, s->name, p->name);
            diag_expected(c->diag, "%s = %s  (%s)", p->name, type_text(c, p), p->desc);
        }
    }
    if (diag_full(c->diag))
        return;
    switch (d->kind == AST_DECL ? sch_kind_find(d->kw) : -1) {
    case SCH_DEVICE: finish_device(c, s, k); break;
    case SCH_TRAIN: finish_train(c, s, k); break;
    case SCH_IO: finish_io(c, s, k); break;
    case SCH_DATA: finish_data(c, s, k, d); break;
    case SCH_EVALUATE: finish_evaluate(c, s, k); break;
    default: break;
    }
}

/* }====================================================================== */
