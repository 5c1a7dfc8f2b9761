/*
** check_expr.c: evaluating expressions at check time. Every expression is a constant
** except in a response function, where the weight `w` is free: such an expression
** evaluates to VAL_FUNC and is tabulated (chk_tabulate) for the runtime.
*/
#include "chk.h"

#include <math.h>
#include <string.h>

#include "ps.h"
#include "text.h"

#define AT(ir, off, T) ((const T *)((const char *)(ir) + (off)))

#define MAX_EXPR_DEPTH (PS_MAX_OPS + 4 * LX_MAX_NEST) /* the parser keeps trees shallower */
#define MAX_LIST_ITEMS 4194304.0 /* items of a list built by repeat() */

static Value err_value(SrcLoc at)
{
    return (Value){.kind = VAL_ERR, .loc = at};
}

static Value num_value(SrcLoc at, double x)
{
    return (Value){.kind = VAL_NUM, .loc = at, .num = x};
}

const char *chk_describe(const Value *v)
{
    switch (v->kind) {
    case VAL_ERR: return "an invalid value";
    case VAL_NUM: return "a number";
    case VAL_BOOL: return "a boolean";
    case VAL_STR: return "a string";
    case VAL_LIST: return "a list";
    case VAL_REF:
        return v->ref->kind == SYM_CONST ? "a constant" : sch_kinds[v->ref->kind].article;
    case VAL_FUNC: return "an expression of w";
    }
    return "a value";
}

/* 0 for a number-valued operand (VAL_FUNC passes through), 1 otherwise: reported here, or
** already reported for VAL_ERR. */
static int need_number(Checker *c, const Value *v, const char *what)
{
    if (v->kind == VAL_NUM || v->kind == VAL_FUNC)
        return 0;
    if (v->kind != VAL_ERR) {
        diag_error(c->diag, v->loc, "%s needs a number, got %s", what, chk_describe(v));
        diag_expected(c->diag, "a number or an arithmetic expression");
    }
    return 1;
}

static Value finite_or_error(Checker *c, SrcLoc at, double x, const char *what)
{
    if (isfinite(x))
        return num_value(at, x);
    diag_error(c->diag, at, "%s is not a finite number (%s)", what, isnan(x) ? "nan" : "inf");
    diag_expected(c->diag, "arguments inside the domain of the operation");
    return err_value(at);
}

static double apply_binary(int op, double a, double b)
{
    switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return pow(a, b);
    }
}

static Value eval_name(Checker *c, const AstNode *e, bool allow_w)
{
    if (allow_w && strcmp(e->str, "w") == 0)
        return (Value){.kind = VAL_FUNC, .loc = e->span, .expr = e};
    const Sym *s = chk_lookup(c, e->str);
    if (s && s->kind == SYM_CONST) {
        Value v = s->value;
        v.loc = e->span;
        return v;
    }
    if (s)
        return (Value){.kind = VAL_REF, .loc = e->span, .ref = s};
    const AstNode *later = chk_declared_later(c, e->str);
    if (later) {
        diag_error(c->diag, e->loc, "'%s' is used before it is defined", e->str);
        diag_hint(c->diag, "it is defined at line %u; move that line above this one",
                  later->loc.line);
        return err_value(e->loc);
    }
    diag_error(c->diag, e->loc, "unknown name '%s'", e->str);
    if (sch_func_find(e->str))
        diag_hint(c->diag, "'%s' is a function: call it as %s(x)", e->str, e->str);
    else if (strcmp(e->str, "w") == 0)
        diag_hint(c->diag, "the weight w exists only in q_up and q_down of a response device");
    else {
        diag_expected(c->diag, "a constant or a declaration defined above this line");
        chk_suggest(c, e->str, -1, allow_w ? (const char *[]){"w"} : NULL, allow_w ? 1 : 0);
    }
    return err_value(e->loc);
}

/* The parameter p of declaration s read back as a value (`rram.w_max`). */
static Value read_param(Checker *c, const Sym *s, const SchParam *p, SrcLoc at)
{
    const void *ir = s->ir;
    Value v = {.kind = VAL_NUM, .loc = at};
    switch (p->type) {
    case SCH_NUM:
        v.num = *AT(ir, p->offset, double);
        if (isnan(v.num)) { /* a number without default, not set (train.init) */
            diag_error(c->diag, at, "'%s.%s' is not set", s->name, p->name);
            diag_expected(c->diag, "a parameter with a value (set, inherited or default)");
            v.kind = VAL_ERR;
        }
        break;
    case SCH_SIZE: v.num = (double)*AT(ir, p->offset, size_t); break;
    case SCH_INT: v.num = *AT(ir, p->offset, int); break;
    case SCH_SEED: v.num = (double)*AT(ir, p->offset, uint64_t); break;
    case SCH_BOOL:
        v.kind = VAL_BOOL;
        v.num = *AT(ir, p->offset, bool);
        break;
    case SCH_ENUM:
        v.kind = VAL_STR;
        v.str = p->enums[*AT(ir, p->offset, int)];
        break;
    case SCH_STR:
        v.kind = VAL_STR;
        v.str = *AT(ir, p->offset, const char *);
        if (!v.str)
            v.str = "";
        break;
    case SCH_REF: {
        const void *r = *AT(ir, p->offset, const void *);
        v.kind = r ? VAL_REF : VAL_ERR;
        v.ref = chk_sym_of_ir(c, r);
        if (!v.ref)
            v.kind = VAL_ERR;
        break;
    }
    case SCH_REFS:
    case SCH_PULSES:
    case SCH_NUMS:
    case SCH_COLS:
    case SCH_FUNC_W:
        diag_error(c->diag, at, "'%s.%s' cannot be used in an expression", s->name, p->name);
        diag_expected(c->diag, "a number, boolean, string or single name");
        v.kind = VAL_ERR;
        break;
    }
    return v;
}

static Value eval_field(Checker *c, const AstNode *e)
{
    const Sym *s = chk_lookup(c, e->str);
    if (!s) {
        diag_error(c->diag, e->loc, "unknown name '%s'", e->str);
        diag_expected(c->diag, "a declaration defined above this line");
        chk_suggest(c, e->str, -1, NULL, 0);
        return err_value(e->loc);
    }
    const SchKind *k = s->kind == SYM_CONST ? NULL : &sch_kinds[s->kind];
    int i = k ? sch_param_find(k->params, k->nparams, e->field) : -1;
    if (!k || i < 0 || !sch_accepts(&k->params[i], s->family)) {
        diag_error(c->diag, e->loc2, "%s '%s' has no field '%s'",
                   k ? k->keyword : "constant", s->name, e->field);
        if (k) {
            const char **names = arena_alloc(c->ar, (k->nparams + 1) * sizeof *names);
            size_t n = 0;
            for (size_t p = 0; p < k->nparams; p++)
                if (sch_accepts(&k->params[p], s->family))
                    names[n++] = k->params[p].name;
            diag_expected(c->diag, "a parameter of '%s'", s->name);
            const char *best = diag_nearest(e->field, names, n);
            if (best)
                diag_hint(c->diag, "did you mean '%s.%s'?", s->name, best);
        }
        return err_value(e->loc2);
    }
    return read_param(c, s, &k->params[i], e->span);
}

static Value eval_call(Checker *c, const AstNode *e, bool allow_w, int depth);

/* A string piece of a join: a string as is, a number as the script writes it (txt_num), a
** boolean, a declaration's name; NULL for anything else (reported unless already). */
static const char *join_piece(Checker *c, const Value *v)
{
    char num[32];
    switch (v->kind) {
    case VAL_STR: return v->str;
    case VAL_NUM: txt_num(num, v->num); return arena_strdup(c->ar, num);
    case VAL_BOOL: return v->num ? "true" : "false";
    case VAL_REF: return v->ref->kind == SYM_CONST ? NULL : v->ref->name;
    case VAL_ERR: return NULL;
    default: break;
    }
    diag_error(c->diag, v->loc, "'+' joins a string with strings, numbers, booleans or names, "
               "not %s", chk_describe(v));
    diag_expected(c->diag, "e.g. \"out/fit_\" + rram.c_lin + \".csv\"");
    return NULL;
}

/* STRING + VALUE or VALUE + STRING: the two joined into one string (paths per cell). */
static Value join(Checker *c, const AstNode *e, const Value *a, const Value *b)
{
    const char *x = join_piece(c, a), *y = join_piece(c, b); /* both reported */
    if (!x || !y)
        return err_value(e->span);
    return (Value){.kind = VAL_STR, .loc = e->span, .str = arena_printf(c->ar, "%s%s", x, y)};
}

static Value eval(Checker *c, const AstNode *e, bool allow_w, int depth)
{
    if (depth > MAX_EXPR_DEPTH) {
        diag_error(c->diag, e->loc, "expression nested too deep");
        return err_value(e->loc);
    }
    switch (e->kind) {
    case AST_NUM: /* NaN: a malformed number, already reported by the lexer */
        return isnan(e->num) ? err_value(e->span) : num_value(e->span, e->num);
    case AST_BOOL: return (Value){.kind = VAL_BOOL, .loc = e->span, .num = e->num};
    case AST_STR: return (Value){.kind = VAL_STR, .loc = e->span, .str = e->str};
    case AST_NAME: return eval_name(c, e, allow_w);
    case AST_FIELD: return eval_field(c, e);
    case AST_CALL: return eval_call(c, e, allow_w, depth);
    case AST_LIST: {
        Value *items = arena_alloc(c->ar, (e->items.n + 1) * sizeof *items);
        bool bad = false;
        for (size_t i = 0; i < e->items.n; i++) {
            items[i] = eval(c, e->items.v[i], false, depth + 1);
            bad |= items[i].kind == VAL_ERR;
        }
        if (bad)
            return err_value(e->span);
        return (Value){.kind = VAL_LIST, .loc = e->span, .items = items, .n = e->items.n};
    }
    case AST_UNARY: {
        Value a = eval(c, e->a, allow_w, depth + 1);
        if (need_number(c, &a, e->op == '-' ? "unary '-'" : "unary '+'"))
            return err_value(e->span);
        if (a.kind == VAL_FUNC)
            return (Value){.kind = VAL_FUNC, .loc = e->span, .expr = e};
        return num_value(e->span, e->op == '-' ? -a.num : a.num);
    }
    case AST_BINARY: {
        Value a = eval(c, e->a, allow_w, depth + 1);
        Value b = eval(c, e->b, allow_w, depth + 1);
        if (e->op == '+' && (a.kind == VAL_STR || b.kind == VAL_STR))
            return join(c, e, &a, &b);
        char what[16];
        snprintf(what, sizeof what, "'%c'", e->op);
        int bad = need_number(c, &a, what);
        bad |= need_number(c, &b, what); /* both operands reported */
        if (bad)
            return err_value(e->span);
        if (a.kind == VAL_FUNC || b.kind == VAL_FUNC)
            return (Value){.kind = VAL_FUNC, .loc = e->span, .expr = e};
        if (e->op == '/' && b.num == 0) {
            diag_error(c->diag, e->b->span, "division by zero");
            diag_expected(c->diag, "a non-zero divisor");
            return err_value(e->span);
        }
        return finite_or_error(c, e->span, apply_binary(e->op, a.num, b.num),
                               "the result of this operation");
    }
    default: break;
    }
    diag_error(c->diag, e->loc, "expected an expression, got %s", ast_describe(e));
    return err_value(e->loc);
}

/* repeat(LIST, N): the items of LIST, N times (pulse programs such as repeat([+1, -1], 10000)). */
static Value eval_repeat(Checker *c, const AstNode *e, int depth)
{
    if (e->items.n != 2 || e->items.v[0]->kind == AST_ENTRY || e->items.v[1]->kind == AST_ENTRY) {
        diag_error(c->diag, e->span, "repeat takes 2 arguments");
        diag_expected(c->diag, "repeat(LIST, N), e.g. repeat([+1, -1], 10000)");
        return err_value(e->span);
    }
    Value l = eval(c, e->items.v[0], false, depth + 1);
    Value n = eval(c, e->items.v[1], false, depth + 1);
    if (l.kind == VAL_ERR || n.kind == VAL_ERR)
        return err_value(e->span);
    if (l.kind != VAL_LIST || n.kind != VAL_NUM || n.num < 0 || n.num != floor(n.num) ||
        (double)l.n * n.num > MAX_LIST_ITEMS) {
        diag_error(c->diag, e->span, "repeat needs a list and a whole number of repeats");
        diag_expected(c->diag, "repeat(LIST, N) with N >= 0 and at most %.0f items in all",
                      MAX_LIST_ITEMS);
        return err_value(e->span);
    }
    size_t times = (size_t)n.num, total = l.n * times;
    Value *items = arena_alloc(c->ar, (total + 1) * sizeof *items);
    for (size_t r = 0; r < times; r++)
        memcpy(items + r * l.n, l.items, l.n * sizeof *items);
    return (Value){.kind = VAL_LIST, .loc = e->span, .items = items, .n = total};
}

static Value eval_call(Checker *c, const AstNode *e, bool allow_w, int depth)
{
    if (strcmp(e->str, "repeat") == 0)
        return eval_repeat(c, e, depth);
    const SchFunc *f = sch_func_find(e->str);
    if (!f) {
        diag_error(c->diag, e->loc, "unknown function '%s'", e->str);
        const char *names[32];
        size_t n = 0;
        Buf b = {0};
        for (; n < sch_nfuncs && n < 32; n++) {
            names[n] = sch_funcs[n].name;
            buf_printf(&b, "%s%s", n ? ", " : "", names[n]);
        }
        diag_expected(c->diag, "a function: %s, repeat", b.s);
        buf_free(&b);
        const char *best = diag_nearest(e->str, names, n);
        if (best)
            diag_hint(c->diag, "did you mean '%s'?", best);
        else if (strcmp(e->str, "dense") == 0)
            diag_hint(c->diag, "layers are written inside a model block");
        return err_value(e->loc);
    }
    if (e->items.n != (size_t)f->arity) {
        diag_error(c->diag, e->span, "%s takes %d argument%s, got %zu", f->name, f->arity,
                   f->arity == 1 ? "" : "s", e->items.n);
        diag_expected(c->diag, f->arity == 1 ? "%s(x)" : "%s(x, y)", f->name);
        return err_value(e->span);
    }
    Value args[2];
    bool func = false;
    int bad = 0;
    for (int i = 0; i < f->arity; i++) {
        const AstNode *a = e->items.v[i];
        if (a->kind == AST_ENTRY) {
            diag_error(c->diag, a->loc, "%s takes no named arguments", f->name);
            return err_value(a->loc);
        }
        args[i] = eval(c, a, allow_w, depth + 1);
        bad |= need_number(c, &args[i], f->name);
        func |= args[i].kind == VAL_FUNC;
    }
    if (bad)
        return err_value(e->span);
    if (func)
        return (Value){.kind = VAL_FUNC, .loc = e->span, .expr = e};
    double x = f->arity == 1 ? f->f1(args[0].num) : f->f2(args[0].num, args[1].num);
    return finite_or_error(c, e->span, x, arena_printf(c->ar, "%s(...)", f->name));
}

Value chk_eval(Checker *c, const AstNode *e, bool allow_w)
{
    return eval(c, e, allow_w, 0);
}

/*
** {======================================================================
** Functions of w
** =======================================================================
*/

double chk_eval_w(const Checker *c, const AstNode *e, double w)
{
    switch (e->kind) {
    case AST_NUM: return e->num;
    case AST_NAME: {
        if (strcmp(e->str, "w") == 0)
            return w;
        const Sym *s = chk_lookup(c, e->str);
        return s && s->value.kind == VAL_NUM ? s->value.num : NAN;
    }
    case AST_FIELD: {
        /* Validated by chk_eval: a numeric field of a declaration. */
        const Sym *s = chk_lookup(c, e->str);
        const SchKind *k = &sch_kinds[s->kind];
        const SchParam *p = &k->params[sch_param_find(k->params, k->nparams, e->field)];
        Value v = read_param((Checker *)c, s, p, e->span);
        return v.kind == VAL_NUM ? v.num : NAN;
    }
    case AST_UNARY: {
        double a = chk_eval_w(c, e->a, w);
        return e->op == '-' ? -a : a;
    }
    case AST_BINARY: return apply_binary(e->op, chk_eval_w(c, e->a, w), chk_eval_w(c, e->b, w));
    case AST_CALL: {
        const SchFunc *f = sch_func_find(e->str);
        if (f->arity == 1)
            return f->f1(chk_eval_w(c, e->items.v[0], w));
        return f->f2(chk_eval_w(c, e->items.v[0], w), chk_eval_w(c, e->items.v[1], w));
    }
    default: return NAN;
    }
}

static bool depends_on_w(const AstNode *e)
{
    switch (e->kind) {
    case AST_NAME: return strcmp(e->str, "w") == 0;
    case AST_UNARY: return depends_on_w(e->a);
    case AST_BINARY: return depends_on_w(e->a) || depends_on_w(e->b);
    case AST_CALL:
        for (size_t i = 0; i < e->items.n; i++)
            if (depends_on_w(e->items.v[i]))
                return true;
        return false;
    default: return false;
    }
}

static int precedence(const AstNode *e)
{
    if (e->kind == AST_BINARY)
        return e->op == '+' || e->op == '-' ? 1 : e->op == '^' ? 4 : 2;
    if (e->kind == AST_UNARY)
        return 3;
    return 5;
}

static void print_func(const Checker *c, Buf *b, const AstNode *e, int outer)
{
    int prec = precedence(e);
    bool paren = prec < outer;
    if (!depends_on_w(e)) {
        char num[32];
        double v = chk_eval_w(c, e, 0);
        txt_num(num, v);
        bool neg = v < 0 && outer > 1;
        buf_printf(b, neg ? "(%s)" : "%s", num);
        return;
    }
    if (paren)
        buf_printf(b, "(");
    switch (e->kind) {
    case AST_NAME: buf_printf(b, "w"); break;
    case AST_UNARY:
        buf_printf(b, "%c", e->op);
        print_func(c, b, e->a, 3);
        break;
    case AST_BINARY:
        /* Left-associative + - * /: the right operand needs parens at equal precedence;
        ** '^' is right-associative: the left one does. */
        print_func(c, b, e->a, e->op == '^' ? prec + 1 : prec);
        buf_printf(b, " %c ", e->op);
        print_func(c, b, e->b, e->op == '^' ? prec : prec + 1);
        break;
    case AST_CALL:
        buf_printf(b, "%s(", e->str);
        for (size_t i = 0; i < e->items.n; i++) {
            if (i)
                buf_printf(b, ", ");
            print_func(c, b, e->items.v[i], 0);
        }
        buf_printf(b, ")");
        break;
    default: break;
    }
    if (paren)
        buf_printf(b, ")");
}

const char *chk_print_func(Checker *c, const AstNode *e)
{
    Buf b = {0};
    print_func(c, &b, e, 0);
    const char *r = arena_strdup(c->ar, b.s);
    buf_free(&b);
    return r;
}

/* Linear interpolation of the table at w (the runtime's rule, ir.h). */
static double interp(const double *q, size_t n, double lo, double hi, double w)
{
    double t = (w - lo) / (hi - lo) * (double)(n - 1);
    if (t <= 0)
        return q[0];
    if (t >= (double)(n - 1))
        return q[n - 1];
    size_t k = (size_t)t;
    double f = t - (double)k;
    return q[k] + f * (q[k + 1] - q[k]);
}

/* Report a bad value of q at w; 1. */
static int bad_q(Checker *c, const AstNode *e, const char *name, double w, double q)
{
    char ws[32], qs[32];
    txt_num(ws, w);
    txt_num(qs, q);
    if (isfinite(q))
        diag_error(c->diag, e->span, "%s is negative at w = %s (%s = %s)", name, ws, name, qs);
    else
        diag_error(c->diag, e->span, "%s is not a finite number at w = %s", name, ws);
    diag_expected(c->diag, "a response function that is finite and >= 0 on [w_min, w_max]");
    return 1;
}

int chk_tabulate(Checker *c, const AstNode *e, const char *name, double lo, double hi, size_t n,
                 IrTable *out)
{
    double *q = arena_alloc(c->ar, n * sizeof *q);
    double h = (hi - lo) / (double)(n - 1);
    for (size_t k = 0; k < n; k++) {
        double w = k + 1 == n ? hi : lo + (double)k * h;
        q[k] = chk_eval_w(c, e, w);
        if (!(q[k] >= 0) || !isfinite(q[k]))
            return bad_q(c, e, name, w, q[k]);
    }
    /* The error of the interpolant, measured inside every cell. */
    double err = 0;
    for (size_t k = 0; k + 1 < n; k++)
        for (int j = 1; j < 4; j++) {
            double w = lo + ((double)k + j / 4.0) * h;
            double exact = chk_eval_w(c, e, w);
            if (!(exact >= 0) || !isfinite(exact))
                return bad_q(c, e, name, w, exact);
            double d = fabs(interp(q, n, lo, hi, w) - exact);
            if (d > err)
                err = d;
        }
    *out = (IrTable){n, lo, hi, q, err};
    return 0;
}

/* }====================================================================== */

static void print_value(Checker *c, Buf *b, const Value *v)
{
    char num[32];
    switch (v->kind) {
    case VAL_NUM:
        txt_num(num, v->num);
        buf_printf(b, "%s", num);
        break;
    case VAL_BOOL: buf_printf(b, "%s", v->num ? "true" : "false"); break;
    case VAL_STR: buf_printf(b, "\"%s\"", v->str); break;
    case VAL_REF: buf_printf(b, "%s", v->ref->name); break;
    case VAL_LIST:
        buf_printf(b, "[");
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                buf_printf(b, ", ");
            print_value(c, b, &v->items[i]);
        }
        buf_printf(b, "]");
        break;
    case VAL_FUNC: buf_printf(b, "%s", chk_print_func(c, v->expr)); break;
    case VAL_ERR: buf_printf(b, "?"); break;
    }
}

const char *chk_print_value(Checker *c, const Value *v)
{
    Buf b = {0};
    print_value(c, &b, v);
    const char *r = arena_strdup(c->ar, b.s ? b.s : "");
    buf_free(&b);
    return r;
}

/* A declaration is named with what it is: "rram: a device (soft_bounds)". */
const char *chk_eval_text(Checker *c, const AstNode *e)
{
    Value v = chk_eval(c, e, false);
    if (v.kind == VAL_ERR)
        return NULL;
    if (v.kind != VAL_REF || v.ref->kind == SYM_CONST)
        return chk_print_value(c, &v);
    const SchKind *k = &sch_kinds[v.ref->kind];
    if (k->has_family && v.ref->family >= 0)
        return arena_printf(c->ar, "%s: %s (%s)", v.ref->name, k->article,
                            k->families[v.ref->family].name);
    return arena_printf(c->ar, "%s: %s", v.ref->name, k->article);
}
