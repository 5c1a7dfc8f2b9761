/*
** test_check_expr.c: expressions at check time (interp/check/check_expr.c): constants of every
** type, fields of declarations, the math functions, and the tabulation of response functions
** with its accuracy.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <string.h>

#include "check_fixtures.h"

TestSuite(check_expr, .init = fe_setup, .fini = fe_teardown);

/* {======================================================================
** Constants, expressions, fields
** ======================================================================= */

Test(check_expr, constants_are_usable_in_later_expressions)
{
    const IrProgram *p = program("a = 2\nb = a * 3\nc = b - a / 4\nrate = c / 100\n"
                                 "optimizer o : digital_sgd { lr = rate }\n");
    cr_assert_eq(const_num(p, "b"), 6);
    cr_assert_eq(const_num(p, "c"), 5.5);
    cr_assert_eq(p->noptimizers, 1);
    cr_assert_eq(p->optimizers[0]->lr, 0.055);
}

Test(check_expr, constants_of_every_type)
{
    const IrProgram *p = program("n = 1.5\nb = true\ns = \"out/a.csv\"\nl = [1, -2]\n"
                                 "device d : ideal {}\nr = d\n");
    cr_assert_str_eq(const_text(p, "n"), "1.5");
    cr_assert_str_eq(const_text(p, "b"), "true");
    cr_assert_str_eq(const_text(p, "s"), "\"out/a.csv\"");
    cr_assert_str_eq(const_text(p, "l"), "[1, -2]");
    cr_assert_str_eq(const_text(p, "r"), "d");
}

Test(check_expr, constants_stand_for_their_values_in_declarations)
{
    const IrProgram *p =
        program("device pw : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6 }\n"
                "path = \"out/m.csv\"\nprog = [+10, -10]\ndev = pw\nw0 = -0.1\n"
                "measure m { device = dev, pulses = prog, out = path, start = w0 }\n");
    const IrMeasure *m = p->runs[0].u.measure;
    cr_assert_eq(m->device, p->devices[0]);
    cr_assert_eq(m->nprog, 2);
    cr_assert_eq(m->pulses[0], 10);
    cr_assert_eq(m->pulses[1], -10);
    cr_assert_str_eq(m->out, "out/m.csv");
    cr_assert_eq(m->start, -0.1);
}

Test(check_expr, fields_of_declarations_read_final_values)
{
    const IrProgram *p = program("device d : soft_bounds { w_max = 0.8 }\n"
                                 "x = d.w_max / 2\ny = d.dw_min\nz = d.mult_noise\n"
                                 "optimizer o : analog_sgd { desired_bl = 10 }\n"
                                 "bl = o.desired_bl + 1\npt = o.pulse_type\n");
    cr_assert_eq(const_num(p, "x"), 0.4);
    cr_assert_eq(const_num(p, "y"), 0.001, "a default is readable too");
    cr_assert_str_eq(const_text(p, "z"), "true");
    cr_assert_eq(const_num(p, "bl"), 11);
    cr_assert_str_eq(const_text(p, "pt"), "\"stochastic_compressed\"");
}

Test(check_expr, a_field_that_names_a_declaration_is_a_reference)
{
    const IrProgram *p = program(TRAIN_DECLS "model m { dense(5, 1) }\n"
                                 "train t { model = m, data = ls, optimizer = o }\n"
                                 "train u { model = t.model, data = t.data, optimizer = o,"
                                 " steps = t.steps * 2 }\n");
    const IrTrain *u = p->runs[1].u.train;
    cr_assert_eq(u->model, p->models[0]);
    cr_assert_eq(u->data, p->data[0]);
    cr_assert_eq(u->steps, 2000);
}

Test(check_expr, fields_in_a_response_function_are_folded)
{
    const IrProgram *p = program("device a : soft_bounds { w_max = 0.5 }\n"
                                 "device r : response { q_up = 1 - w / a.w_max / 2,"
                                 " q_down = 1 }\n");
    const IrDevice *r = p->devices[1];
    cr_assert_str_eq(r->q_up_text, "1 - w / 0.5 / 2");
    cr_assert_float_eq(r->q_up.q[0], 1 + 0.6, 1e-15);
}

typedef struct FnCase {
    char expr[40];
    double value;
} FnCase;

ParameterizedTestParameters(check_expr, math_functions)
{
    static FnCase cases[] = {
        {"exp(0)", 1},          {"exp(1)", 2.718281828459045}, {"log(1)", 0},
        {"log(exp(2))", 2},     {"log10(1000)", 3},            {"sqrt(16)", 4},
        {"abs(-2.5)", 2.5},     {"tanh(0)", 0},                {"floor(2.7)", 2},
        {"floor(-2.5)", -3},    {"ceil(2.1)", 3},              {"min(2, 3)", 2},
        {"max(2, 3)", 3},       {"pow(2, 10)", 1024},          {"max(min(1, 2), -1)", 1},
        {"sqrt(2)^2", 2.0000000000000004},
    };
    return cr_make_param_array(FnCase, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(FnCase *fc, check_expr, math_functions)
{
    char src[64];
    snprintf(src, sizeof src, "x = %s\n", fc->expr);
    const IrProgram *p = program(src);
    cr_assert_eq(const_num(p, "x"), fc->value, "%s = %s", fc->expr, const_text(p, "x"));
}

/* }====================================================================== */

/* {======================================================================
** Response functions: tabulation and its accuracy
** ======================================================================= */

/* Node k of a table over [lo, hi] with n nodes, as the checker places it (ir.h). */
static double node(const IrTable *t, size_t k)
{
    double h = (t->hi - t->lo) / (double)(t->n - 1);
    return k + 1 == t->n ? t->hi : t->lo + (double)k * h;
}

/*
** Linear interpolation on a cell of width h errs by at most h^2/8 * max|q''| (the remainder
** of the interpolant, |q(x) - p(x)| = |q''(xi)|/2 (x - a)(b - x) <= |q''| h^2 / 8).
** q = 1 + 0.1 w^2 has q'' = 0.2 everywhere, so the bound is attained at every midpoint:
** the measured max_err (taken at midpoints and quarter points) must equal it up to rounding.
*/
Test(check_expr, a_smooth_response_is_tabulated_within_the_interpolation_bound)
{
    const IrProgram *p =
        program("device d : response { q_up = 1 + 0.1 * w ^ 2, q_down = exp(w) }\n");
    const IrDevice *d = p->devices[0];
    const IrTable *t = &d->q_up;
    cr_assert_eq(t->n, SCH_RESPONSE_NODES);
    cr_assert_eq(t->lo, -0.6);
    cr_assert_eq(t->hi, 0.6);
    for (size_t k = 0; k < t->n; k++) {
        double w = node(t, k);
        cr_assert_float_eq(t->q[k], 1 + 0.1 * pow(w, 2), 1e-15, "node %zu", k);
    }
    double h = (t->hi - t->lo) / (double)(t->n - 1);
    double bound = h * h / 8 * 0.2;
    cr_assert_leq(t->max_err, bound * (1 + 1e-6), "max_err %g > bound %g", t->max_err, bound);
    cr_assert_geq(t->max_err, bound * 0.99, "max_err %g: the midpoints were not measured",
                  t->max_err);
    /* exp: q'' = exp(w) <= exp(0.6); the worst cell is the last, its midpoint just below. */
    const IrTable *e = &d->q_down;
    double ebound = h * h / 8 * exp(0.6);
    cr_assert_lt(e->max_err, ebound, "max_err %g >= bound %g", e->max_err, ebound);
    cr_assert_gt(e->max_err, 0.99 * ebound);
    cr_assert_float_eq(e->q[0], exp(-0.6), 1e-15);
    cr_assert_float_eq(e->q[e->n - 1], exp(0.6), 1e-15);
    cr_assert_str_eq(d->q_up_text, "1 + 0.1 * w ^ 2");
    cr_assert_str_eq(d->q_down_text, "exp(w)");
}

Test(check_expr, a_linear_response_is_tabulated_exactly)
{
    const IrProgram *p = program("device d : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6,"
                                 " w_min = -0.6, w_max = 0.6 }\n");
    const IrTable *t = &p->devices[0]->q_up;
    cr_assert_lt(t->max_err, 1e-15);
    cr_assert_float_eq(t->q[0], 2, 1e-15);
    cr_assert_float_eq(t->q[t->n - 1], 0, 1e-15);
    cr_assert_float_eq(t->q[(t->n - 1) / 2], 1, 1e-15);
}

Test(check_expr, the_table_spans_the_device_bounds)
{
    const IrProgram *p =
        program("device d : response { q_up = (1 - w) ^ 0.5, q_down = (1 + w / 0.5) ^ 0.5,"
                " w_min = -0.5, w_max = 1 }\n");
    const IrDevice *d = p->devices[0];
    cr_assert_eq(d->q_up.lo, -0.5);
    cr_assert_eq(d->q_up.hi, 1);
    cr_assert_eq(d->q_down.lo, -0.5);
    cr_assert_eq(d->q_up.q[d->q_up.n - 1], 0);
    cr_assert_eq(d->q_down.q[0], 0);
    /* sqrt has an unbounded q'' at the bound: the error is large there but still measured. */
    cr_assert_gt(d->q_up.max_err, 1e-3);
    cr_assert_lt(d->q_up.max_err, 0.02);
}

Test(check_expr, response_text_folds_constants)
{
    const IrProgram *p = program("a = 0.6\nk = 2\n"
                                 "device d : response { q_up = (1 - w / a) ^ (1 / k),"
                                 " q_down = max(0, 1 + w / a) * 1 }\n");
    cr_assert_str_eq(p->devices[0]->q_up_text, "(1 - w / 0.6) ^ 0.5");
    cr_assert_str_eq(p->devices[0]->q_down_text, "max(0, 1 + w / 0.6) * 1");
}

/* }====================================================================== */

/* {======================================================================
** Regressions: each comment says what the checker once got wrong
** ======================================================================= */

/* A constant response function (`q_up = 1`) is accepted but never tabulated: n = 0. */
Test(check_expr, a_constant_response_function_is_tabulated)
{
    const IrProgram *p = program("device d : response { q_up = 1, q_down = 0.5 }\n");
    cr_assert_eq(p->devices[0]->q_up.n, SCH_RESPONSE_NODES);
    cr_assert_eq(p->devices[0]->q_down.q[0], 0.5);
    cr_assert_not_null(p->devices[0]->q_up_text);
}

/* A malformed number reads as 0 after its error, so `1 / 1e999` also says "division by
** zero" and `dw_min = 1e999` "dw_min is out of range: 0". */
Test(check_expr, a_malformed_number_gives_one_error)
{
    cr_assert_eq(fe_check("x = 1 / 1e999\n"), 1, "%s", fe_text());
    cr_assert_eq(fe_check("device d : soft_bounds { dw_min = 1e }\n"), 1, "%s", fe_text());
}

/* Whole numbers of 10 or more print in exponent form: `x = 20` dumps as "2e+01", and
** "desired_bl is out of range: 7e+01" (txt_num, interp/front/text.c, tries %.1g first). */
Test(check_expr, whole_numbers_print_plainly)
{
    const IrProgram *p = program("x = 20\ny = 1500\nz = 0.25\nv = 1e-05\n");
    cr_assert_str_eq(const_text(p, "x"), "20");
    cr_assert_str_eq(const_text(p, "y"), "1500");
    cr_assert_str_eq(const_text(p, "z"), "0.25");
    cr_assert_str_eq(const_text(p, "v"), "1e-05");
}

/* }====================================================================== */
