/*
** test_check.c: the checker (interp/check*.c): every construct of the language and the IR it
** builds, `use` (files, libraries, cycles, include-once), every class of error with its
** exact message and position, the tabulation of response functions, and the queries other
** layers ask of a checked script (check.h: names, kinds, expressions as text).
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fe_fixtures.h"
#include "ps.h"
#include "schema.h"

TestSuite(check, .init = fe_setup, .fini = fe_teardown);

/* {======================================================================
** Helpers
** ======================================================================= */

/* The printed value of the constant `name` ("0.4", "true", "\"x\"", "[1, 2]", "d"). */
static const char *const_text(const IrProgram *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->nconsts; i++)
        if (strncmp(p->consts[i], name, n) == 0 && strncmp(p->consts[i] + n, " = ", 3) == 0)
            return p->consts[i] + n + 3;
    cr_assert_fail("no constant %s", name);
    return NULL;
}

static double const_num(const IrProgram *p, const char *name)
{
    return strtod(const_text(p, name), NULL);
}

/* Check src cleanly and return the program. */
static const IrProgram *program(const char *src)
{
    int n = fe_check(src);
    cr_assert_eq(n, 0, "unexpected errors:\n%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    cr_assert_not_null(p);
    return p;
}

/* The schema slot of a parameter (the index of its origin). */
static int slot(SchDeclKind kind, const char *name)
{
    int i = sch_param_find(sch_kinds[kind].params, sch_kinds[kind].nparams, name);
    cr_assert_geq(i, 0, "no parameter %s", name);
    return i;
}

/* Check a text registered as NAME in the fixture's folder (so `use` resolves there). */
static int check_in_tmp(const char *name, const char *src)
{
    const char *path = arena_printf(fe.ar, "%s/%s", fe.tmp, name);
    return chk_source(fe.c, path, fe_copy(src, strlen(src)), strlen(src));
}

/* ", "-separated names of the families of a kind, from the schema. */
static const char *families_text(SchDeclKind kind)
{
    const SchKind *k = &sch_kinds[kind];
    const char *t = "";
    for (size_t f = 0; f < k->nfamilies; f++)
        t = arena_printf(fe.ar, "%s%s%s", t, f ? ", " : "", k->families[f].name);
    return t;
}

/* ", "-separated names of the parameters a family accepts (the "expected" line). */
static const char *params_text(SchDeclKind kind, int family)
{
    const SchKind *k = &sch_kinds[kind];
    const char *t = "";
    int n = 0;
    for (size_t i = 0; i < k->nparams; i++)
        if (sch_accepts(&k->params[i], family))
            t = arena_printf(fe.ar, "%s%s%s", t, n++ ? ", " : "", k->params[i].name);
    return t;
}

/* A malformed script, the position and whole message of its error, and a line that helps. */
typedef struct ErrCase {
    char src[640];
    int line, col;
    char msg[112];   /* the whole header after "error: " */
    char help[160];  /* a whole follow-up line ("  expected: ..." / "  hint: ..."), or "" */
} ErrCase;

/* Check ec->src: an error at its position with exactly its message, and its help line. */
static void check_errors(const ErrCase *ec)
{
    int n = fe_check(ec->src);
    cr_assert_gt(n, 0, "no error for:\n%s", ec->src);
    cr_assert_null(chk_program(fe.c), "a program despite errors");
    char got[256], want[160];
    cr_assert(fe_error_line(ec->line, ec->col, got, sizeof got), "no error at %d:%d for:\n%s\n%s",
              ec->line, ec->col, ec->src, fe_text());
    snprintf(want, sizeof want, "t.aimc:%d:%d: error: %s", ec->line, ec->col, ec->msg);
    cr_assert_str_eq(got, want, "for:\n%s", ec->src);
    if (ec->help[0]) {
        char line[200];
        snprintf(line, sizeof line, "\n%s\n", ec->help);
        assert_output_has(line);
    }
}

/* What every train of these tests needs: a device, data with 5 features and 10 rows. */
#define TRAIN_DECLS_NO_DEVICE                                                                 \
    "data ls : least_squares { rows = 10, cols = 5 }\n"                                       \
    "optimizer o : digital_sgd {}\n"
#define TRAIN_DECLS "device d : soft_bounds {}\n" TRAIN_DECLS_NO_DEVICE

/* }====================================================================== */

/* {======================================================================
** Constants, expressions, fields
** ======================================================================= */

Test(check, constants_are_usable_in_later_expressions)
{
    const IrProgram *p = program("a = 2\nb = a * 3\nc = b - a / 4\nrate = c / 100\n"
                                 "optimizer o : digital_sgd { lr = rate }\n");
    cr_assert_eq(const_num(p, "b"), 6);
    cr_assert_eq(const_num(p, "c"), 5.5);
    cr_assert_eq(p->noptimizers, 1);
    cr_assert_eq(p->optimizers[0]->lr, 0.055);
}

Test(check, constants_of_every_type)
{
    const IrProgram *p = program("n = 1.5\nb = true\ns = \"out/a.csv\"\nl = [1, -2]\n"
                                 "device d : ideal {}\nr = d\n");
    cr_assert_str_eq(const_text(p, "n"), "1.5");
    cr_assert_str_eq(const_text(p, "b"), "true");
    cr_assert_str_eq(const_text(p, "s"), "\"out/a.csv\"");
    cr_assert_str_eq(const_text(p, "l"), "[1, -2]");
    cr_assert_str_eq(const_text(p, "r"), "d");
}

Test(check, constants_stand_for_their_values_in_declarations)
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

Test(check, the_seed_is_the_default_of_every_run)
{
    const IrProgram *p = program("seed = 7\n" TRAIN_DECLS "model m { dense(5, 1) }\n"
                                 "train t { model = m, data = ls, optimizer = o }\n"
                                 "train u { model = m, data = ls, optimizer = o, seed = 3 }\n"
                                 "measure v { device = d, pulses = [1] }\n");
    cr_assert_eq(p->seed, 7);
    cr_assert_eq(p->nruns, 3);
    cr_assert_eq(p->runs[0].u.train->seed, 7);
    cr_assert_eq(p->runs[1].u.train->seed, 3);
    cr_assert_eq(p->runs[2].u.measure->seed, 7);
    cr_assert_eq(p->runs[0].u.train->origin[slot(SCH_TRAIN, "seed")], IR_ORIGIN_DEFAULT);
    cr_assert_eq(p->runs[1].u.train->origin[slot(SCH_TRAIN, "seed")], IR_ORIGIN_SET);
}

Test(check, without_a_seed_it_is_zero)
{
    const IrProgram *p = program("device d : ideal {}\nmeasure v { device = d, pulses = [1] }\n");
    cr_assert_eq(p->seed, 0);
    cr_assert_eq(p->runs[0].u.measure->seed, 0);
}

Test(check, the_largest_seed_is_two_to_the_53)
{
    const IrProgram *p = program("seed = 2^53\n");
    cr_assert_eq(p->seed, 9007199254740992ull);
}

Test(check, fields_of_declarations_read_final_values)
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

Test(check, a_field_that_names_a_declaration_is_a_reference)
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

Test(check, fields_in_a_response_function_are_folded)
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

ParameterizedTestParameters(check, math_functions)
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

ParameterizedTest(FnCase *fc, check, math_functions)
{
    char src[64];
    snprintf(src, sizeof src, "x = %s\n", fc->expr);
    const IrProgram *p = program(src);
    cr_assert_eq(const_num(p, "x"), fc->value, "%s = %s", fc->expr, const_text(p, "x"));
}

/* }====================================================================== */

/* {======================================================================
** Declarations: families, defaults, inheritance, layers, runs
** ======================================================================= */

Test(check, defaults_and_their_origins)
{
    const IrProgram *p = program("device s : soft_bounds { dw_min = 0.002 }\n"
                                 "device r : response { q_up = 1, q_down = 1 + 0 * w }\n");
    const IrDevice *s = p->devices[0], *r = p->devices[1];
    cr_assert_eq(s->family, IR_DEV_SOFT_BOUNDS);
    cr_assert_eq(s->dw_min, 0.002);
    cr_assert_eq(s->origin[slot(SCH_DEVICE, "dw_min")], IR_ORIGIN_SET);
    cr_assert_eq(s->dw_min_dtod, 0.3);
    cr_assert_eq(s->origin[slot(SCH_DEVICE, "dw_min_dtod")], IR_ORIGIN_DEFAULT);
    cr_assert_eq(s->w_max, 0.6);
    cr_assert_eq(s->w_min, -0.6);
    cr_assert_eq(s->up_down_dtod, 0.01);
    cr_assert(s->mult_noise);
    cr_assert(s->enforce_consistency);
    cr_assert_null(s->parent);
    /* The response family describes one device exactly: its own defaults. */
    cr_assert_eq(r->family, IR_DEV_RESPONSE);
    cr_assert_eq(r->dw_min_dtod, 0);
    cr_assert_eq(r->origin[slot(SCH_DEVICE, "dw_min_dtod")], IR_ORIGIN_FAMILY);
    cr_assert_eq(r->up_down_dtod, 0);
    cr_assert_eq(r->sigma_c, 0);
}

Test(check, every_family_of_every_kind)
{
    const IrProgram *p = program("device a : ideal {}\ndevice b : constant_step {}\n"
                                 "device c : soft_bounds {}\n"
                                 "device e : response { q_up = 1 + 0*w, q_down = 1 + 0*w }\n"
                                 "data ls : least_squares {}\n"
                                 "optimizer g : digital_sgd {}\noptimizer h : analog_sgd {}\n");
    cr_assert_eq(p->ndevices, 4);
    cr_assert_eq(p->devices[0]->family, IR_DEV_IDEAL);
    cr_assert_eq(p->devices[1]->family, IR_DEV_CONSTANT_STEP);
    cr_assert_eq(p->devices[2]->family, IR_DEV_SOFT_BOUNDS);
    cr_assert_eq(p->devices[3]->family, IR_DEV_RESPONSE);
    cr_assert_eq(p->data[0]->kind, IR_DATA_LEAST_SQUARES);
    cr_assert_eq(p->data[0]->rows, 100);
    cr_assert_eq(p->data[0]->cols, 50);
    cr_assert_eq(p->optimizers[0]->kind, IR_OPT_DIGITAL_SGD);
    cr_assert_eq(p->optimizers[1]->kind, IR_OPT_ANALOG_SGD);
    const IrUpdate *u = &p->optimizers[1]->update;
    cr_assert_eq(u->desired_bl, 31);
    cr_assert(u->update_management);
    cr_assert(u->update_bl_management);
    cr_assert_eq(u->um_grad_scale, 1);
    cr_assert_eq(u->pulse_type, IR_PULSE_STOCHASTIC_COMPRESSED);
    cr_assert_eq(p->optimizers[1]->lr, 0.01);
}

Test(check, enums_take_a_name_or_a_string)
{
    const IrProgram *p = program("optimizer a : analog_sgd { pulse_type = none }\n"
                                 "optimizer b : analog_sgd { pulse_type = \"none\" }\n");
    cr_assert_eq(p->optimizers[0]->update.pulse_type, IR_PULSE_NONE);
    cr_assert_eq(p->optimizers[1]->update.pulse_type, IR_PULSE_NONE);
}

Test(check, device_inheritance)
{
    const IrProgram *p = program("device a : soft_bounds { dw_min = 0.002, w_max = 0.8 }\n"
                                 "device b : a { w_max = 0.9 }\n"
                                 "device c : b { up_down = 0.1 }\n");
    const IrDevice *a = p->devices[0], *b = p->devices[1], *c = p->devices[2];
    cr_assert_str_eq(b->name, "b");
    cr_assert_str_eq(b->parent, "a");
    cr_assert_eq(b->family, IR_DEV_SOFT_BOUNDS);
    cr_assert_eq(b->dw_min, 0.002);
    cr_assert_eq(b->origin[slot(SCH_DEVICE, "dw_min")], IR_ORIGIN_INHERITED);
    cr_assert_eq(b->w_max, 0.9);
    cr_assert_eq(b->origin[slot(SCH_DEVICE, "w_max")], IR_ORIGIN_SET);
    cr_assert_eq(b->origin[slot(SCH_DEVICE, "w_min")], IR_ORIGIN_DEFAULT);
    cr_assert_eq(a->w_max, 0.8, "the parent is unchanged");
    cr_assert_eq(c->w_max, 0.9);
    cr_assert_eq(c->origin[slot(SCH_DEVICE, "w_max")], IR_ORIGIN_INHERITED);
    cr_assert_eq(c->up_down, 0.1);
    cr_assert_str_eq(c->parent, "b");
    cr_assert_eq(b->loc.line, 2);
    cr_assert_eq(b->loc.col, 8);
}

Test(check, a_response_device_inherits_its_functions_and_retabulates_them)
{
    const IrProgram *p = program("device a : response { q_up = 1 - w, q_down = 1 + w }\n"
                                 "device b : a { w_max = 0.9, w_min = -0.9 }\n");
    const IrDevice *b = p->devices[1];
    cr_assert_str_eq(b->q_up_text, "1 - w");
    cr_assert_eq(b->q_up.lo, -0.9);
    cr_assert_eq(b->q_up.hi, 0.9);
    cr_assert_float_eq(b->q_up.q[0], 1.9, 1e-15);
    cr_assert_float_eq(b->q_down.q[b->q_down.n - 1], 1.9, 1e-15);
}

Test(check, optimizer_and_data_inheritance)
{
    const IrProgram *p = program("data a : least_squares { rows = 20, noise = 0.5 }\n"
                                 "data b : a { cols = 3 }\n"
                                 "optimizer o : analog_sgd { lr = 0.5 }\n"
                                 "optimizer q : o { desired_bl = 3 }\n");
    cr_assert_eq(p->data[1]->rows, 20);
    cr_assert_eq(p->data[1]->noise, 0.5);
    cr_assert_eq(p->data[1]->cols, 3);
    cr_assert_eq(p->optimizers[1]->kind, IR_OPT_ANALOG_SGD);
    cr_assert_eq(p->optimizers[1]->lr, 0.5);
    cr_assert_eq(p->optimizers[1]->update.desired_bl, 3);
}

Test(check, layers_positional_keyword_and_bare)
{
    const IrProgram *p = program("device d : soft_bounds {}\n"
                                 "model m {\n  dense(5, 10, on = d)\n"
                                 "  dense(in = 10, out = 3, bias = false)\n  dense(3, 1)\n}\n");
    const IrModel *m = p->models[0];
    cr_assert_eq(m->nlayers, 3);
    cr_assert_eq(m->layers[0].in, 5);
    cr_assert_eq(m->layers[0].out, 10);
    cr_assert_eq(m->layers[0].on, p->devices[0]);
    cr_assert(m->layers[0].bias);
    cr_assert_null(m->layers[1].on, "no device: a digital layer");
    cr_assert_not(m->layers[1].bias);
    cr_assert_eq(m->layers[2].out, 1);
    cr_assert_eq(m->layers[1].loc.line, 4);
}

Test(check, a_train_resolves_its_references)
{
    const IrProgram *p = program(TRAIN_DECLS "optimizer a : analog_sgd {}\n"
                                 "model m { dense(5, 1, on = d) }\n"
                                 "train t {\n  model = m\n  data = ls\n  optimizer = [o, a]\n"
                                 "  steps = 50\n  batch = 10\n  log = \"out/t.csv\"\n}\n");
    cr_assert_eq(p->nruns, 1);
    cr_assert_eq(p->runs[0].kind, IR_RUN_TRAIN);
    cr_assert_str_eq(p->runs[0].name, "t");
    const IrTrain *t = p->runs[0].u.train;
    cr_assert_eq(t->model, p->models[0]);
    cr_assert_eq(t->data, p->data[0]);
    cr_assert_eq(t->nopt, 2);
    cr_assert_eq(t->opt[0], p->optimizers[0]);
    cr_assert_eq(t->opt[1], p->optimizers[1]);
    cr_assert_eq(t->loss, IR_LOSS_MSE);
    cr_assert_eq(t->steps, 50);
    cr_assert_eq(t->batch, 10);
    cr_assert_eq(t->log_every, 1, "steps / 100, at least 1");
    cr_assert_str_eq(t->log, "out/t.csv");
}

Test(check, a_single_optimizer_needs_no_list_and_log_every_can_be_set)
{
    const IrProgram *p = program(TRAIN_DECLS "model m { dense(5, 1) }\n"
                                 "train t { model = m, data = ls, optimizer = o, steps = 1000,"
                                 " log_every = 7 }\n"
                                 "train u { model = m, data = ls, optimizer = o, steps = 1234 }\n");
    const IrTrain *t = p->runs[0].u.train, *u = p->runs[1].u.train;
    cr_assert_eq(t->nopt, 1);
    cr_assert_eq(t->log_every, 7);
    cr_assert_null(t->log);
    cr_assert_eq(u->log_every, 12);
}

Test(check, a_measure_and_the_order_of_runs)
{
    const IrProgram *p = program("device d : constant_step {}\n"
                                 "measure m1 { device = d, pulses = [+3, -2, 5] }\n"
                                 TRAIN_DECLS_NO_DEVICE "model m { dense(5, 1) }\n"
                                 "train t { model = m, data = ls, optimizer = o }\n"
                                 "measure m2 { device = d, pulses = [-1], start = 0.25 }\n");
    cr_assert_eq(p->nruns, 3);
    cr_assert_eq(p->runs[0].kind, IR_RUN_MEASURE);
    cr_assert_eq(p->runs[1].kind, IR_RUN_TRAIN);
    cr_assert_str_eq(p->runs[2].name, "m2");
    const IrMeasure *m1 = p->runs[0].u.measure;
    cr_assert_eq(m1->nprog, 3);
    cr_assert_eq(m1->pulses[2], 5);
    cr_assert_eq(m1->start, 0);
    cr_assert_null(m1->out);
    cr_assert_eq(p->runs[2].u.measure->start, 0.25);
    const char **names;
    cr_assert_eq(chk_run_names(fe.c, &names), 3);
    cr_assert_str_eq(names[1], "t");
}

Test(check, declarations_accumulate_across_sources)
{
    cr_assert_eq(fe_check("device d : ideal {}\n"), 0);
    cr_assert_eq(fe_check("measure m { device = d, pulses = [1] }\n"), 0);
    const IrProgram *p = chk_program(fe.c);
    cr_assert_not_null(p);
    cr_assert_eq(p->runs[0].u.measure->device, p->devices[0]);
}

Test(check, an_empty_source_is_an_empty_program)
{
    const IrProgram *p = program("");
    cr_assert_eq(p->ndevices + p->ndata + p->nmodels + p->noptimizers + p->nruns, 0);
}

Test(check, the_program_is_null_after_any_error)
{
    cr_assert_eq(fe_check("device d : ideal {}\nx = 1 / 0\n"), 1);
    cr_assert_null(chk_program(fe.c));
    cr_assert_eq(fe_check("y = 2\n"), 0, "later sources still check");
    cr_assert_null(chk_program(fe.c), "but the program stays broken");
}

/* }====================================================================== */

/* {======================================================================
** Experiments and parameters set from outside (--set)
** ======================================================================= */

#define GRID_DECLS                                                                            \
    "device rram : linear { tau = 1, c_lin = 0.1, dw_min = 0.01 }\n"                         \
    "data ls : least_squares { rows = 20, cols = 5 }\n"                                       \
    "model lin { dense(5, 1, on = rram, bias = false) }\n"                                    \
    "optimizer sgd : digital_sgd { lr = 0.05 }\n"                                             \
    "optimizer asgd : analog_sgd { lr = 0.05 }\n"                                             \
    "train fit { model = lin, data = ls, optimizer = [sgd, asgd], steps = 200 }\n"

Test(check, an_experiment_expands_into_cells_of_complete_trains)
{
    const IrProgram *p = program(GRID_DECLS "experiment sweep {\n  train = fit\n"
                                 "  vary rram.c_lin in [0, 0.2]\n  vary steps in [1, 2, 3]\n"
                                 "  repeat = 2\n  report = \"out/sweep.md\"\n}\n");
    cr_assert_eq(p->nruns, 2);
    cr_assert_eq(p->runs[1].kind, IR_RUN_EXPERIMENT);
    const IrExperiment *x = p->runs[1].u.experiment;
    cr_assert_str_eq(x->name, "sweep");
    cr_assert_eq(x->train, p->runs[0].u.train);
    cr_assert_eq(x->repeat, 2);
    cr_assert_str_eq(x->report, "out/sweep.md");
    cr_assert_eq(x->nvary, 2);
    cr_assert_str_eq(x->vary_path[0], "rram.c_lin");
    cr_assert_str_eq(x->vary_path[1], "steps");
    cr_assert_str_eq(x->vary_list[1], "[1, 2, 3]");
    cr_assert_eq(x->ncells, 6);
    /* Row-major: the last vary turns fastest. Each cell is its own checked train. */
    static const double c_lin[] = {0, 0, 0, 0.2, 0.2, 0.2};
    static const size_t steps[] = {1, 2, 3, 1, 2, 3};
    for (size_t k = 0; k < 6; k++) {
        const IrTrain *t = x->cell[k];
        cr_assert_eq(t->steps, steps[k], "cell %zu", k);
        cr_assert_eq(t->log_every, 1, "derived defaults follow the cell's values");
        cr_assert_eq(t->model->layers[0].on->c_lin, c_lin[k], "cell %zu", k);
        cr_assert_eq(t->origin[slot(SCH_TRAIN, "steps")], IR_ORIGIN_OVERRIDE);
        cr_assert_eq(t->seed, p->seed);
    }
    cr_assert_str_eq(x->cell_value[3 * 2 + 0], "0.2");
    cr_assert_str_eq(x->cell_value[3 * 2 + 1], "1");
    cr_assert_eq(p->runs[0].u.train->steps, 200, "the train as declared is unchanged");
    const char **names;
    cr_assert_eq(chk_run_names(fe.c, &names), 2);
    cr_assert_str_eq(names[1], "sweep");
}

Test(check, an_experiment_may_vary_the_optimizer_of_its_train)
{
    const IrProgram *p = program(GRID_DECLS "experiment e { train = fit, vary optimizer in "
                                 "[sgd, asgd] }\n");
    const IrExperiment *x = p->runs[1].u.experiment;
    cr_assert_eq(x->ncells, 2);
    cr_assert_eq(x->cell[0]->nopt, 1);
    cr_assert_str_eq(x->cell[1]->opt[0]->name, "asgd");
    cr_assert_eq(x->repeat, 1);
    cr_assert_null(x->report);
}

/* Cells are checked when the program is built: the first failing cell is reported, at the
** value that makes it fail. */
Test(check, a_cell_that_fails_is_reported_at_its_value)
{
    fe_check(GRID_DECLS "experiment e { train = fit, vary steps in [10, 0, -1] }\n");
    cr_assert_null(chk_program(fe.c));
    assert_output_has("t.aimc:7:48: error: steps is out of range: 0\n");
    cr_assert_eq(fe_error_headers(), 1, "%s", fe_text());
}

Test(check, set_from_outside_overrides_a_parameter_and_a_constant)
{
    cr_assert_eq(chk_set(fe.c, "fit.steps=50"), 0, "%s", fe_text());
    cr_assert_eq(chk_set(fe.c, "k = 3"), 0, "%s", fe_text());
    cr_assert_eq(chk_set(fe.c, "seed=9"), 0, "%s", fe_text());
    const IrProgram *p = program("seed = 1\nk = 2\nx = k * 2\n" GRID_DECLS);
    const IrTrain *t = p->runs[0].u.train;
    cr_assert_eq(t->steps, 50);
    cr_assert_eq(t->origin[slot(SCH_TRAIN, "steps")], IR_ORIGIN_OVERRIDE);
    cr_assert_eq(const_num(p, "x"), 6, "later constants see the new value");
    cr_assert_eq(p->seed, 9);
}

typedef struct SetCase {
    char set[40];
    char msg[96];
} SetCase;

ParameterizedTestParameters(check, set_errors)
{
    static SetCase cases[] = {
        {"fit.stepz=100", "--set:1:1: error: unknown parameter 'stepz' of a train"},
        {"nope.steps=1", "--set:1:1: error: no declaration 'nope' to set"},
        {"lin.in=3", "--set:1:1: error: 'lin' is a model: its layers cannot be set from outside"},
        {"zz=3", "--set:1:1: error: no constant 'zz' to set"},
        {"fit.steps=", "--set:1:11: error: unexpected end of "},
        {"fit.steps=0", "--set:1:11: error: steps is out of range: 0"},
    };
    return cr_make_param_array(SetCase, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(SetCase *sc, check, set_errors)
{
    chk_set(fe.c, sc->set);
    fe_check(GRID_DECLS);
    cr_assert_null(chk_program(fe.c));
    assert_output_has(sc->msg);
}

Test(check, an_assignment_to_a_field_in_a_script_is_an_error)
{
    assert_error_at("device d : ideal {}\nd.reset_std = 3\n", 2, 1,
                    "'d.reset_std' cannot be assigned after its declaration");
    assert_output_has("  expected: 'reset_std = ...' inside the block of 'd' (or --set "
                      "d.reset_std=VALUE on the command line)\n");
}

ParameterizedTestParameters(check, experiment_errors)
{
    static ErrCase cases[] = {
        {GRID_DECLS "experiment e { train = fit, vary a.b.c in [1] }\n", 7, 34,
         "a vary path has one or two parts", ""},
        {GRID_DECLS "experiment e { train = fit, vary steps in 3 }\n", 7, 43,
         "vary needs a list of values written out", ""},
        {GRID_DECLS "experiment e { train = fit, vary steps in [1], vary steps in [2] }\n", 7, 53,
         "'steps' is varied twice", "  hint: put all its values in one list"},
        {GRID_DECLS "experiment e { train = fit, vary steps of [1] }\n", 7, 29,
         "expected 'name = value' or 'vary PATH in [values]'", ""},
        {GRID_DECLS "experiment e { train = fit, vary lin.in in [1] }\n", 7, 34,
         "'lin' is a model: it has no parameters to vary", ""},
        {GRID_DECLS "experiment e { train = fit, vary zz.steps in [1] }\n", 7, 34,
         "unknown name 'zz'", ""},
        {GRID_DECLS "experiment e { train = fit, vary lr in [1] }\n", 7, 34,
         "unknown parameter 'lr' of a train", ""},
        {GRID_DECLS "experiment e { vary steps in [1] }\n", 7, 12, "experiment 'e' needs 'train'",
         ""},
        {GRID_DECLS "experiment e { train = fit, repeat = 0 }\n", 7, 38,
         "repeat is out of range: 0", ""},
        {"device d : ideal { vary x in [1] }\n", 1, 20,
         "'vary' belongs in an experiment, not in a device", ""},
        {GRID_DECLS "experiment e { train = fit, vary steps in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],"
                    " vary batch in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], vary sgd.lr in "
                    "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], vary ls.noise in "
                    "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }\n",
         7, 12, "experiment 'e' has 11000 cells",
         "  expected: at most 10000 cells (the product of the vary lists' lengths)"},
    };
    return cr_make_param_array(ErrCase, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(ErrCase *ec, check, experiment_errors)
{
    check_errors(ec);
}

/* }====================================================================== */

/* {======================================================================
** use: files, libraries, cycles, include-once
** ======================================================================= */

Test(check, use_of_a_file_relative_to_the_including_file)
{
    fe_write("lib/devs.aimc", "device rram : soft_bounds { w_max = 0.7 }\nwm = rram.w_max\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"lib/devs.aimc\"\ndevice b : rram {}\nx = wm\n"),
                 0, "%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->ndevices, 2);
    cr_assert_eq(p->devices[1]->w_max, 0.7);
}

Test(check, a_file_used_by_a_file_resolves_from_its_own_folder)
{
    fe_write("lib/a.aimc", "use \"b.aimc\"\nxa = xb + 1\n");
    fe_write("lib/b.aimc", "xb = 1\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"lib/a.aimc\"\ny = xa\n"), 0, "%s", fe_text());
    cr_assert_eq(const_num(chk_program(fe.c), "y"), 2);
}

Test(check, use_of_a_library_from_the_stdlib_folder)
{
    fe_write("mylib.aimc", "device preset : constant_step { dw_min = 0.0016 }\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"mylib\"\ndevice mine : preset {}\n"), 0, "%s",
                 fe_text());
    cr_assert_eq(chk_program(fe.c)->devices[1]->dw_min, 0.0016);
}

Test(check, aimci_path_is_searched_before_the_stdlib)
{
    fe_write("mylib.aimc", "x = 1\n");
    fe_write("other/mylib.aimc", "x = 2\n");
    setenv("AIMCI_PATH", arena_printf(fe.ar, "/nonexistent:%s/other", fe.tmp), 1);
    cr_assert_eq(check_in_tmp("t.aimc", "use \"mylib\"\n"), 0, "%s", fe_text());
    cr_assert_eq(const_num(chk_program(fe.c), "x"), 2);
}

Test(check, each_file_is_included_once)
{
    fe_write("c.aimc", "c1 = 3\ndevice dc : ideal {}\n");
    fe_write("d.aimc", "use \"c.aimc\"\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"c.aimc\"\nuse \"d.aimc\"\nuse \"./c.aimc\"\n"
                                        "z = c1\n"),
                 0, "%s", fe_text());
    cr_assert_eq(chk_program(fe.c)->ndevices, 1);
}

Test(check, an_include_cycle_is_an_error_at_the_use_that_closes_it)
{
    fe_write("a.aimc", "use \"b.aimc\"\nx = 1\n");
    fe_write("b.aimc", "use \"a.aimc\"\ny = 1\n");
    const char *main = fe_write("main.aimc", "use \"a.aimc\"\n");
    cr_assert_eq(chk_file(fe.c, main), 1, "%s", fe_text());
    const char *want = arena_printf(fe.ar, "%s/b.aimc:1:5: error: '%s/a.aimc' includes itself\n",
                                    fe.tmp, fe.tmp);
    assert_output_has(want);
    assert_output_has("  expected: a chain of `use` without cycles\n");
    assert_output_has(arena_printf(fe.ar, "  note: included from %s/a.aimc:1:5\n", fe.tmp));
    assert_output_has(arena_printf(fe.ar, "  note: included from %s:1:5\n", main));
}

Test(check, a_file_that_uses_itself)
{
    const char *main = fe_write("self.aimc", "use \"self.aimc\"\nx = 1\n");
    cr_assert_eq(chk_file(fe.c, main), 1, "%s", fe_text());
    assert_output_has("includes itself\n");
}

Test(check, use_of_a_missing_library_lists_the_libraries)
{
    fe_write("devices.aimc", "x = 1\n");
    fe_write("noise.aimc", "y = 1\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"device\"\n"), 1);
    assert_output_has(":1:5: error: no script or library 'device'\n");
    assert_output_has("  hint: did you mean 'devices'?\n");
    assert_output_has("devices");
    assert_output_has("noise");
}

Test(check, use_of_a_missing_file)
{
    cr_assert_eq(check_in_tmp("t.aimc", "x = 1\nuse \"nofile.aimc\"\n"), 1);
    assert_output_has(":2:5: error: no script or library 'nofile.aimc'\n");
    assert_output_has("      |     ^~~~~~~~~~~~~\n");
}

Test(check, errors_in_a_used_file_name_it_and_the_use)
{
    fe_write("bad.aimc", "device d : soft_bounds {\n  dw_mn = 1\n}\n");
    const char *main = fe_write("main.aimc", "x = 1\nuse \"bad.aimc\"\n");
    cr_assert_eq(chk_file(fe.c, main), 1);
    assert_output_has(arena_printf(fe.ar, "%s/bad.aimc:2:3: error: unknown parameter 'dw_mn'",
                                   fe.tmp));
    assert_output_has(arena_printf(fe.ar, "  note: included from %s:2:5\n", main));
}

Test(check, a_missing_root_file_is_a_plain_error)
{
    cr_assert_eq(chk_file(fe.c, arena_printf(fe.ar, "%s/none.aimc", fe.tmp)), 1);
    assert_output_has("aimci: error: cannot open '");
    assert_output_has("none.aimc': No such file or directory\n");
}

Test(check, an_empty_root_file_is_an_error)
{
    const char *e = fe_write("empty.aimc", "# nothing here\n\n");
    cr_assert_eq(chk_file(fe.c, e), 1);
    assert_output_has(":1:1: error: the script is empty\n");
    assert_output_has("  expected: declarations: device, ");
}

Test(check, a_folder_is_not_a_script)
{
    cr_assert_eq(chk_file(fe.c, fe.tmp), 1);
    assert_output_has("is a directory, not a script\n");
}

/* }====================================================================== */

/* {======================================================================
** Errors: message, position, and the line that helps (expected or hint)
** ======================================================================= */


#define SB "device d : soft_bounds "
#define LS "data ls : least_squares { rows = 10, cols = 5 }\noptimizer o : digital_sgd {}\n"
#define FIT "train t { model = m, data = ls, optimizer = o"

ParameterizedTestParameters(check, errors)
{
    static ErrCase cases[] = {
        /* unknown names of every sort, with "did you mean" */
        {"devic d : soft_bounds {}\n", 1, 1, "unknown declaration 'devic'",
         "  hint: did you mean 'device'?"},
        {"device d : soft_bound {}\n", 1, 12, "unknown device family 'soft_bound'",
         "  hint: did you mean 'soft_bounds'?"},
        {"optimizer o : analog {}\n", 1, 15, "unknown optimizer family 'analog'", ""},
        {"device rram : ideal {}\ndevice d : rrm {}\n", 2, 12, "unknown device family 'rrm'",
         "  hint: did you mean 'rram'?"},
        {SB "{ dw_mn = 1 }\n", 1, 26, "unknown parameter 'dw_mn' of device family soft_bounds",
         "  hint: did you mean 'dw_min'?"},
        {"device d : constant_step { mult_noise = true }\n", 1, 28,
         "device family constant_step has no parameter 'mult_noise'", ""},
        {"device d : ideal { dw_min = 1 }\n", 1, 20, "device family ideal has no parameter 'dw_min'",
         ""},
        {"optimizer o : digital_sgd { desired_bl = 3 }\n", 1, 29,
         "optimizer family digital_sgd has no parameter 'desired_bl'", "  expected: lr"},
        {"train t { step = 3 }\n", 1, 11, "unknown parameter 'step' of a train",
         "  hint: did you mean 'steps'?"},
        {"model m { dens(1, 1) }\n", 1, 11, "unknown layer 'dens'", "  hint: did you mean 'dense'?"},
        {"model m { dense(50, 1, size = 3) }\n", 1, 24, "unknown parameter 'size' of layer dense",
         ""},
        {"rate = 1\nx = rat\n", 2, 5, "unknown name 'rat'", "  hint: did you mean 'rate'?"},
        {"x = sqr(2)\n", 1, 5, "unknown function 'sqr'", "  hint: did you mean 'sqrt'?"},
        {"x = dense(1, 2)\n", 1, 5, "unknown function 'dense'",
         "  hint: layers are written inside a model block"},
        {"x = sqrt\n", 1, 5, "unknown name 'sqrt'", "  hint: 'sqrt' is a function: call it as sqrt(x)"},
        {"optimizer o : analog_sgd { pulse_type = stochastic }\n", 1, 41,
         "unknown pulse_type 'stochastic'", "  hint: did you mean 'stochastic_compressed'?"},
        {"train t { loss = mae }\n", 1, 18, "unknown loss 'mae'", "  hint: did you mean 'mse'?"},
        {SB "{}\nx = d.wmax\n", 2, 7, "device 'd' has no field 'wmax'",
         "  hint: did you mean 'd.w_max'?"},
        {"x = nope.w_max\n", 1, 5, "unknown name 'nope'", ""},
        /* kinds and families in the wrong place */
        {"data ls : least_squares {}\ndevice d : ls {}\n", 2, 12, "'ls' is data, not a device", ""},
        {"device d {}\n", 1, 8, "a device needs a family", ""},
        {"model m : lin { dense(1, 1) }\n", 1, 11, "a model has no family", "  expected: model m { ... }"},
        {"train t : x {}\n", 1, 11, "a train has no family", "  expected: train t { ... }"},
        /* wrong types */
        {SB "{ dw_min = \"a\" }\n", 1, 35, "dw_min expects a number, got a string",
         "  expected: a number in (0, inf)"},
        {SB "{ mult_noise = 1 }\n", 1, 39, "mult_noise expects true or false, got a number",
         "  expected: true or false"},
        {"train t { log = 3 }\n", 1, 17, "log expects a string, got a number", "  expected: a string"},
        {"train t { model = 3 }\n", 1, 19, "model expects a model, got a number",
         "  expected: the name of a model"},
        {"data ls : least_squares {}\ntrain t { model = ls }\n", 2, 19,
         "'ls' is data; model expects a model", ""},
        {"device d : ideal {}\ntrain t { optimizer = [d] }\n", 2, 24,
         "'d' is a device; optimizer expects an optimizer", ""},
        {"data x : least_squares {}\nmodel m { dense(50, 1, on = x) }\n", 2, 29,
         "'x' is data; on expects a device", "  expected: the name of a device"},
        {"model m { dense(1, 1, bias = 1) }\n", 1, 30, "bias expects true or false, got a number", ""},
        {"train t { loss = 3 }\n", 1, 18, "loss expects a name, got a number", "  expected: one of mse, cross_entropy"},
        {"x = true + 1\n", 1, 5, "'+' needs a number, got a boolean", ""},
        {"x = -\"a\"\n", 1, 6, "unary '-' needs a number, got a string", ""},
        {"x = [1] * 2\n", 1, 5, "'*' needs a number, got a list", ""},
        {"x = min(1)\n", 1, 5, "min takes 2 arguments, got 1", "  expected: min(x, y)"},
        {"x = exp(1, 2)\n", 1, 5, "exp takes 1 argument, got 2", "  expected: exp(x)"},
        {"x = min(a = 1, 2)\n", 1, 9, "min takes no named arguments", ""},
        {"device d : response { q_up = 1 + 0*w, q_down = 1 + 0*w }\nx = d.q_up\n", 2, 5,
         "'d.q_up' cannot be used in an expression", ""},
        {"x = 1\ny = x.z\n", 2, 7, "constant 'x' has no field 'z'", ""},
        {"device d : ideal { 3 }\n", 1, 20, "expected 'name = value', got a number", ""},
        {"model m { x = 3 }\n", 1, 11, "expected a layer, got an entry", ""},
        {"model m { 3 }\n", 1, 11, "expected a layer, got a number", ""},
        /* ranges */
        {SB "{ dw_min = -1e-3 }\n", 1, 35, "dw_min is out of range: -0.001",
         "  expected: a number in (0, inf)"},
        {SB "{ dw_min = 0 }\n", 1, 35, "dw_min is out of range: 0", "  expected: a number in (0, inf)"},
        {SB "{ w_min = 0.1 }\n", 1, 34, "w_min is out of range: 0.1",
         "  expected: a number in (-inf, 0]"},
        {SB "{ w_max = -0.1 }\n", 1, 34, "w_max is out of range: -0.1",
         "  expected: a number in [0, inf)"},
        {SB "{ up_down = 1 }\n", 1, 36, "up_down is out of range: 1", "  expected: a number in (-1, 1)"},
        {SB "{ up_down = -1 }\n", 1, 36, "up_down is out of range: -1", ""},
        {SB "{ dw_min_std = -0.1 }\n", 1, 39, "dw_min_std is out of range: -0.1", ""},
        {"optimizer o : analog_sgd { desired_bl = 65 }\n", 1, 41, "desired_bl is out of range: 65",
         "  expected: a whole number in [1, 64]"},
        {"optimizer o : analog_sgd { desired_bl = 0 }\n", 1, 41, "desired_bl is out of range: 0", ""},
        {"optimizer o : digital_sgd { lr = -0.1 }\n", 1, 34, "lr is out of range: -0.1", ""},
        {"data ls : least_squares { rows = 0 }\n", 1, 34, "rows is out of range: 0", ""},
        {"data ls : least_squares { sigma_a = 0 }\n", 1, 37, "sigma_a is out of range: 0", ""},
        {"train t { seed = -1 }\n", 1, 18, "seed is out of range: -1", ""},
        {"data x : least_squares { rows = 1e6, cols = 1e5 }\n", 1, 6,
         "data 'x' has 1000000 x 100000 entries", "  expected: rows * cols <= 100000000"},
        /* whole numbers */
        {"optimizer o : analog_sgd { desired_bl = 6.5 }\n", 1, 41,
         "desired_bl must be a whole number; got 6.5", "  expected: a whole number in [1, 64]"},
        {"train t { steps = 1.5 }\n", 1, 19, "steps must be a whole number; got 1.5", ""},
        {"data ls : least_squares { rows = 10.5 }\n", 1, 34, "rows must be a whole number; got 10.5",
         ""},
        {"model m { dense(2.5, 1) }\n", 1, 17, "in must be a whole number; got 2.5", ""},
        {"seed = 1.5\n", 1, 8, "the seed must be a whole number in [0, 2^53]",
         "  expected: a whole number in [0, 2^53], e.g. seed = 1"},
        {"seed = \"a\"\n", 1, 8, "the seed must be a whole number in [0, 2^53]", ""},
        /* pulse programs */
        {"device d : ideal {}\nmeasure m { device = d, pulses = [0] }\n", 2, 35,
         "a pulse count must be a non-zero whole number", ""},
        {"device d : ideal {}\nmeasure m { device = d, pulses = [+2, 1.5] }\n", 2, 39,
         "a pulse count must be a non-zero whole number", ""},
        {"device d : ideal {}\nmeasure m { device = d, pulses = 5 }\n", 2, 34,
         "pulses expects a list of pulse counts, got a number", ""},
        {"device d : ideal {}\nmeasure m { device = d, pulses = [1e9, 1e9] }\n", 2, 34,
         "the program fires 2000000000 pulses", "  expected: at most 100000000 pulses in one measure"},
        {"optimizer o : digital_sgd {}\ntrain t { optimizer = [] }\n", 2, 23,
         "optimizer needs at least one name", ""},
        /* relations between parameters and declarations */
        {SB "{ w_min = 0, w_max = 0 }\n", 1, 26, "w_min must be below w_max (device 'd')",
         "  expected: w_min <= 0 <= w_max and w_min < w_max"},
        {SB "{\n  w_max = 0\n  w_min = 0\n}\n", 3, 3, "w_min must be below w_max (device 'd')", ""},
        {"model m {\n  dense(50, 10)\n  dense(5, 1)\n}\n", 3, 3,
         "layer 2 takes 5 inputs but layer 1 gives 10 outputs",
         "  expected: in = 10, the size of the previous layer's output"},
        {LS "model m { dense(4, 1) }\n" FIT " }\n", 4, 11,
         "model 'm' takes 4 inputs but data 'ls' has 5 features", ""},
        {LS "model m { dense(5, 2) }\n" FIT " }\n", 4, 11,
         "model 'm' gives 2 outputs but data 'ls' has 1 target", ""},
        {LS "model m { dense(5, 1) }\n" FIT ", batch = 11 }\n", 4, 48,
         "batch 11 is larger than the 10 rows of data 'ls'", ""},
        /* missing required parameters */
        {"device d : response { q_down = 1 }\n", 1, 8, "device 'd' needs 'q_up'", ""},
        {"device d : response { q_up = 1 }\n", 1, 8, "device 'd' needs 'q_down'", ""},
        {"train t { steps = 10 }\n", 1, 7, "train 't' needs 'model'",
         "  expected: model = the name of a model  (the model to train)"},
        {"measure m { pulses = [1] }\n", 1, 9, "measure 'm' needs 'device'", ""},
        {"device d : ideal {}\nmeasure m { device = d }\n", 2, 9, "measure 'm' needs 'pulses'", ""},
        {"model m { dense(50) }\n", 1, 11, "dense needs 'out' (number of outputs)", ""},
        {"model m { dense(out = 1) }\n", 1, 11, "dense needs 'in' (number of inputs)", ""},
        {"model m {}\n", 1, 7, "model 'm' has no layers", ""},
        {"model m { dense(50, 1, 2) }\n", 1, 24, "too many positional arguments for dense", ""},
        /* duplicates */
        {SB "{\n  w_max = 0.6\n  w_max = 0.7\n}\n", 3, 3, "'w_max' is set twice",
         "  hint: it was first set at line 2, column 3"},
        {"model m { dense(50, 1, in = 3) }\n", 1, 24, "'in' is set twice", ""},
        {"device d : ideal {}\ndevice d : ideal {}\n", 2, 8, "'d' is already defined",
         "  hint: 'd' is a device defined at t.aimc:1:8; pick another name"},
        {"x = 1\ndevice x : ideal {}\n", 2, 8, "'x' is already defined", ""},
        {"x = 1\nx = 2\n", 2, 1, "'x' is already defined",
         "  hint: 'x' is a constant defined at t.aimc:1:1; pick another name"},
        /* forward references and w */
        {"x = y\ny = 1\n", 1, 5, "'y' is used before it is defined",
         "  hint: it is defined at line 2; move that line above this one"},
        {"train t { model = m }\nmodel m { dense(2, 1) }\n", 1, 19,
         "'m' is used before it is defined", ""},
        {"x = w + 1\n", 1, 5, "unknown name 'w'",
         "  hint: the weight w exists only in q_up and q_down of a response device"},
        {SB "{ w_max = w }\n", 1, 34, "unknown name 'w'", ""},
        /* arithmetic */
        {"x = 1 / (2 - 2)\n", 1, 9, "division by zero", "  expected: a non-zero divisor"},
        {"x = 1 / 0\n", 1, 9, "division by zero", ""},
        {"x = log(0)\n", 1, 5, "log(...) is not a finite number (inf)", ""},
        {"x = 10 ^ 400\n", 1, 5, "the result of this operation is not a finite number (inf)", ""},
        {"x = sqrt(-1)\n", 1, 5, "sqrt(...) is not a finite number (nan)", ""},
        {"x = (-8) ^ (1/3)\n", 1, 5, "the result of this operation is not a finite number (nan)", ""},
        {"x = 1e308 * 10\n", 1, 5, "the result of this operation is not a finite number (inf)", ""},
        /* response functions */
        {"device d : response { q_up = w, q_down = 1 }\n", 1, 30,
         "q_up is negative at w = -0.6 (q_up = -0.6)",
         "  expected: a response function that is finite and >= 0 on [w_min, w_max]"},
        {"device d : response { q_up = sqrt(w), q_down = 1 }\n", 1, 30,
         "q_up is not a finite number at w = -0.6", ""},
        {"device d : response { q_up = 1, q_down = log(w + 0.6) }\n", 1, 42,
         "q_down is not a finite number at w = -0.6", ""},
        {"device d : response { q_up = 1, q_down = 1 / abs(w) }\n", 1, 42,
         "q_down is not a finite number at w = 0", ""},
        {"device d : response { q_up = 1, q_down = 1 - 2 * w }\n", 1, 42,
         "q_down is negative at w = 0.50009765625 (q_down = -0.0001953125000000444)", ""},
        {"device d : response { q_up = 1 - w, q_down = 1, w_max = 2 }\n", 1, 30,
         "q_up is negative at w = 1.000244140625 (q_up = -0.000244140625)", ""},
    };
    return cr_make_param_array(ErrCase, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(ErrCase *ec, check, errors)
{
    check_errors(ec);
}

Test(check, an_error_is_shown_with_its_line_and_a_caret_under_the_culprit)
{
    fe_check("device rram : soft_bounds {\n    dw_mn  = 1e-3\n}\n");
    const char *want = arena_printf(
        fe.ar,
        "t.aimc:2:5: error: unknown parameter 'dw_mn' of device family soft_bounds\n"
        "    2 |     dw_mn  = 1e-3\n"
        "      |     ^~~~~\n"
        "  expected: %s\n"
        "  hint: did you mean 'dw_min'?\n",
        params_text(SCH_DEVICE, IR_DEV_SOFT_BOUNDS));
    cr_assert_str_eq(fe_text(), want);
    assert_output_has("dw_min, dw_min_dtod, dw_min_dtod_log_normal, dw_min_std, w_max, w_min, ");
}

Test(check, an_unknown_family_lists_the_families_of_the_kind)
{
    fe_check("device d : soft_bound {}\noptimizer o : sdg {}\n");
    assert_output_has(arena_printf(fe.ar, "  expected: a device family (%s) or another device\n",
                                   families_text(SCH_DEVICE)));
    assert_output_has(arena_printf(fe.ar, "optimizer family (%s) or another optimizer\n",
                                   families_text(SCH_OPTIMIZER)));
    assert_output_has("ideal, constant_step, soft_bounds, response");
}

Test(check, an_unknown_parameter_lists_what_the_family_accepts)
{
    fe_check("optimizer o : digital_sgd { desired_bl = 3 }\ndata ls : least_squares { row = 3 }\n");
    assert_output_has(arena_printf(fe.ar, "  expected: %s\n",
                                   params_text(SCH_OPTIMIZER, IR_OPT_DIGITAL_SGD)));
    assert_output_has(arena_printf(fe.ar, "  expected: %s\n",
                                   params_text(SCH_DATA, IR_DATA_LEAST_SQUARES)));
    assert_output_has("  hint: did you mean 'rows'?\n");
}

Test(check, the_caret_follows_tabs)
{
    fe_check("device d : soft_bounds {\n\t\tdw_mn = 1\n}\n");
    assert_output_has("    2 | \t\tdw_mn = 1\n      | \t\t^~~~~\n");
}

/* Columns count bytes; the caret line skips UTF-8 continuation bytes so it lines up. */
Test(check, the_caret_skips_utf8_continuation_bytes)
{
    fe_check("x = [\"\xc3\xa9\", 1 / 0]\n");
    assert_output_has("t.aimc:1:16: error: division by zero\n");
    assert_output_has("      |               ^\n");
}

Test(check, a_family_error_leaves_the_entries_unchecked)
{
    /* With an unknown family the parameters cannot be known: no cascade about them. */
    cr_assert_eq(fe_check("device d : soft_bound { dw_mn = 1, w_max = -3 }\n"), 1, "%s", fe_text());
}

Test(check, a_broken_device_reference_is_one_error)
{
    cr_assert_eq(fe_check("model m { dense(5, 1, on = rram) }\n"), 1, "%s", fe_text());
    assert_output_has("t.aimc:1:28: error: unknown name 'rram'\n");
}

Test(check, several_errors_are_reported_in_source_order)
{
    int n = fe_check("device d : soft_bounds { dw_min = -1 }\nx = 1 / 0\n"
                     "device e : ideal { w_max = 1 }\n");
    cr_assert_eq(n, 3, "%s", fe_text());
    const char *t = fe_text(), *a = strstr(t, "t.aimc:1:"), *b = strstr(t, "t.aimc:2:"),
               *c = strstr(t, "t.aimc:3:");
    cr_assert(a && b && c && a < b && b < c, "%s", t);
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
Test(check, a_smooth_response_is_tabulated_within_the_interpolation_bound)
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

Test(check, a_linear_response_is_tabulated_exactly)
{
    const IrProgram *p = program("device d : response { q_up = 1 - w / 0.6, q_down = 1 + w / 0.6,"
                                 " w_min = -0.6, w_max = 0.6 }\n");
    const IrTable *t = &p->devices[0]->q_up;
    cr_assert_lt(t->max_err, 1e-15);
    cr_assert_float_eq(t->q[0], 2, 1e-15);
    cr_assert_float_eq(t->q[t->n - 1], 0, 1e-15);
    cr_assert_float_eq(t->q[(t->n - 1) / 2], 1, 1e-15);
}

Test(check, the_table_spans_the_device_bounds)
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

Test(check, response_text_folds_constants)
{
    const IrProgram *p = program("a = 0.6\nk = 2\n"
                                 "device d : response { q_up = (1 - w / a) ^ (1 / k),"
                                 " q_down = max(0, 1 + w / a) * 1 }\n");
    cr_assert_str_eq(p->devices[0]->q_up_text, "(1 - w / 0.6) ^ 0.5");
    cr_assert_str_eq(p->devices[0]->q_down_text, "max(0, 1 + w / 0.6) * 1");
}

/* }====================================================================== */

/* {======================================================================
** The IR of examples/quickstart.aimc
** ======================================================================= */

/* The repository root from this file's path (tests/check/test_check.c), "" if relative. */
static const char *repo_path(const char *rel)
{
    const char *me = __FILE__, *cut = strstr(me, "tests/check/test_check.c");
    return arena_printf(fe.ar, "%.*s%s", cut ? (int)(cut - me) : 0, me, rel);
}

Test(check, the_ir_of_the_quickstart_example)
{
    const char *path = repo_path("examples/quickstart.aimc");
    cr_assert_eq(chk_file(fe.c, path), 0, "%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    cr_assert_not_null(p);
    cr_assert_eq(p->seed, 1);
    cr_assert_eq(p->ndevices, 1);
    const IrDevice *rram = p->devices[0];
    cr_assert_str_eq(rram->name, "rram");
    cr_assert_eq(rram->family, IR_DEV_SOFT_BOUNDS);
    cr_assert_eq(rram->dw_min, 1e-3);
    cr_assert_eq(rram->w_max, 1.0);
    cr_assert_eq(rram->w_min, -1.0);
    cr_assert_eq(rram->up_down, 0.2);
    cr_assert_eq(rram->dw_min_dtod, 0.3);
    cr_assert_eq(rram->origin[slot(SCH_DEVICE, "up_down")], IR_ORIGIN_SET);
    cr_assert_eq(rram->origin[slot(SCH_DEVICE, "dw_min_std")], IR_ORIGIN_DEFAULT);
    cr_assert_eq(p->ndata, 1);
    const IrData *ls = p->data[0];
    cr_assert_eq(ls->rows, 100);
    cr_assert_eq(ls->cols, 50);
    cr_assert_eq(ls->sigma_a, 1.0);
    cr_assert_eq(ls->sigma_w, 0.3);
    cr_assert_eq(ls->noise, 0.1);
    cr_assert_eq(p->nmodels, 1);
    const IrModel *lin = p->models[0];
    cr_assert_eq(lin->nlayers, 1);
    cr_assert_eq(lin->layers[0].in, 50);
    cr_assert_eq(lin->layers[0].out, 1);
    cr_assert_eq(lin->layers[0].on, rram, "the layer points at the device");
    cr_assert_not(lin->layers[0].bias);
    cr_assert_eq(p->noptimizers, 4);
    const IrOptimizer *sgd = p->optimizers[0], *asgd = p->optimizers[1];
    const IrOptimizer *rl = p->optimizers[2], *rlv2 = p->optimizers[3];
    cr_assert_eq(rl->kind, IR_OPT_RESIDUAL);
    cr_assert_eq(rlv2->kind, IR_OPT_RESIDUAL_V2);
    cr_assert(rl->zero_shift && rlv2->zero_shift);
    cr_assert_eq(rl->gamma, 0.4, "the family default");
    cr_assert_eq(sgd->kind, IR_OPT_DIGITAL_SGD);
    cr_assert_eq(asgd->kind, IR_OPT_ANALOG_SGD);
    cr_assert_eq(sgd->lr, 0.01);
    cr_assert_eq(asgd->lr, 0.01);
    cr_assert_eq(asgd->update.desired_bl, 31);
    cr_assert_eq(p->nruns, 1);
    cr_assert_eq(p->runs[0].kind, IR_RUN_TRAIN);
    const IrTrain *fit = p->runs[0].u.train;
    cr_assert_str_eq(fit->name, "fit");
    cr_assert_eq(fit->model, lin);
    cr_assert_eq(fit->data, ls);
    cr_assert_eq(fit->loss, IR_LOSS_MSE);
    cr_assert_eq(fit->steps, 20000);
    cr_assert_eq(fit->batch, 1);
    cr_assert_eq(fit->nopt, 4);
    cr_assert_eq(fit->opt[0], sgd);
    cr_assert_eq(fit->opt[1], asgd);
    cr_assert_eq(fit->opt[2], rl);
    cr_assert_eq(fit->opt[3], rlv2);
    cr_assert_str_eq(fit->log, "out/quickstart.csv");
    cr_assert_eq(fit->log_every, fit->steps / 100);
    cr_assert_eq(fit->seed, p->seed, "the train's seed is the script's");
    cr_assert_eq(p->nconsts, 0, "seed is not listed among the constants");
}

Test(check, the_response_example_checks)
{
    cr_assert_eq(chk_file(fe.c, repo_path("examples/response.aimc")), 0, "%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    const IrMeasure *m = p->runs[0].u.measure;
    cr_assert_eq(m->device, p->devices[0]);
    cr_assert_eq(m->nprog, 3);
    cr_assert_eq(p->devices[0]->q_up.n, SCH_RESPONSE_NODES);
}

/* The reference (docs/language.md) has a table row for every family, parameter and layer
** parameter of the schema, and mentions every function. */
Test(check, the_language_reference_lists_every_family_and_parameter)
{
    const char *path = repo_path("docs/language.md");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char *doc = arena_alloc(fe.ar, 1 << 20);
    size_t n = fread(doc, 1, (1 << 20) - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (int kk = 0; kk < SCH__NKINDS; kk++) {
        const SchKind *k = &sch_kinds[kk];
        bool section = false;
        for (int sec = 1; sec < 10; sec++)
            section |= strstr(doc, arena_printf(fe.ar, "### 6.%d %s\n", sec, k->keyword)) != NULL;
        cr_assert(section, "docs/language.md has no section '### 6.N %s'", k->keyword);
        for (size_t i = 0; i < k->nfamilies; i++)
            cr_assert(strstr(doc, arena_printf(fe.ar, "| `%s` |", k->families[i].name)),
                      "docs/language.md lacks the %s family %s", k->keyword,
                      k->families[i].name);
        for (size_t i = 0; i < k->nparams; i++)
            cr_assert(strstr(doc, arena_printf(fe.ar, "| `%s` |", k->params[i].name)),
                      "docs/language.md lacks the %s parameter %s", k->keyword,
                      k->params[i].name);
    }
    for (size_t l = 0; l < sch_nlayers; l++)
        for (size_t i = 0; i < sch_layers[l].nparams; i++)
            cr_assert(strstr(doc, arena_printf(fe.ar, "| `%s` |", sch_layers[l].params[i].name)),
                      "docs/language.md lacks the parameter %s of %s",
                      sch_layers[l].params[i].name, sch_layers[l].name);
    for (size_t i = 0; i < sch_nfuncs; i++)
        cr_assert(strstr(doc, arena_printf(fe.ar, "`%s(", sch_funcs[i].name)),
                  "docs/language.md lacks the function %s", sch_funcs[i].name);
}

/* }====================================================================== */

/* {======================================================================
** Known bugs (reported to the lead; enable each once fixed)
** ======================================================================= */

/* A constant response function (`q_up = 1`) is accepted but never tabulated: n = 0. */
Test(check, a_constant_response_function_is_tabulated)
{
    const IrProgram *p = program("device d : response { q_up = 1, q_down = 0.5 }\n");
    cr_assert_eq(p->devices[0]->q_up.n, SCH_RESPONSE_NODES);
    cr_assert_eq(p->devices[0]->q_down.q[0], 0.5);
    cr_assert_not_null(p->devices[0]->q_up_text);
}

/* `dense(in = 3, 50, 1)`: the positional 50 silently overwrites the named in = 3. */
Test(check, a_positional_argument_cannot_override_a_named_one)
{
    cr_assert_gt(fe_check("model m { dense(in = 3, 50, 1) }\n"), 0);
}

/* A malformed number reads as 0 after its error, so `1 / 1e999` also says "division by
** zero" and `dw_min = 1e999` "dw_min is out of range: 0". */
Test(check, a_malformed_number_gives_one_error)
{
    cr_assert_eq(fe_check("x = 1 / 1e999\n"), 1, "%s", fe_text());
    cr_assert_eq(fe_check("device d : soft_bounds { dw_min = 1e }\n"), 1, "%s", fe_text());
}

/* `log = ""` says "log expects a string, got a string". */
Test(check, an_empty_path_says_so)
{
    fe_check("train t { log = \"\" }\n");
    assert_output_lacks("expects a string, got a string");
}

/* "a device needs a family" lists only the first family (ideal). */
Test(check, a_missing_family_lists_every_family)
{
    fe_check("device d {}\n");
    assert_output_has("ideal, constant_step, soft_bounds, response");
}

/* "expected: a optimizer family (...)": the article is built from the keyword. */
Test(check, an_unknown_optimizer_family_reads_an_optimizer)
{
    fe_check("optimizer o : sdg {}\n");
    assert_output_has("  expected: an optimizer family (");
}

/* `seed = -1` says "must be a whole number", which -1 is. */
Test(check, a_negative_seed_says_out_of_range)
{
    fe_check("seed = -1\n");
    assert_output_lacks("error: the seed must be a whole number\n");
}

/* Forward references: the hint suggests an unrelated one-letter name ('t'), not that 'm'
** is declared below. */
Test(check, a_forward_reference_says_where_the_name_is_declared)
{
    fe_check("train t { model = m }\nmodel m { dense(2, 1) }\n");
    assert_output_lacks("did you mean 't'?");
    assert_output_has("line 2");
}

/* A constant named w is silently shadowed by the weight inside q_up / q_down. */
Test(check, a_constant_named_w_is_rejected)
{
    cr_assert_gt(fe_check("w = 0.5\n"), 0);
}

/* An inherited response function that fails on the child's range is reported at the
** parent's expression without naming the child device. */
Test(check, an_inherited_response_error_names_the_device)
{
    fe_check("device a : response { q_up = 1 - w, q_down = 1 }\ndevice b : a { w_max = 2 }\n");
    assert_output_has("'b'");
}

/* A transposition ("lni" for "lin", "setps" for "steps") counts as two edits: no hint. */
Test(check, a_transposed_name_gets_a_hint)
{
    fe_check("model lin { dense(1, 1) }\nx = lni\ntrain t { setps = 3 }\n");
    assert_output_has("  hint: did you mean 'lin'?\n");
    assert_output_has("  hint: did you mean 'steps'?\n");
}

/* Whole numbers of 10 or more print in exponent form: `x = 20` dumps as "2e+01", and
** "desired_bl is out of range: 7e+01" (txt_num, interp/front/text.c, tries %.1g first). */
Test(check, whole_numbers_print_plainly)
{
    const IrProgram *p = program("x = 20\ny = 1500\nz = 0.25\nv = 1e-05\n");
    cr_assert_str_eq(const_text(p, "x"), "20");
    cr_assert_str_eq(const_text(p, "y"), "1500");
    cr_assert_str_eq(const_text(p, "z"), "0.25");
    cr_assert_str_eq(const_text(p, "v"), "1e-05");
}

/* A string longer than LX_MAX_STRING (4096) is accepted: the limit is never enforced. */
Test(check, a_string_longer_than_the_limit_is_an_error)
{
    char src[5000] = "x = \"";
    memset(src + 5, 'a', 4200);
    strcpy(src + 4205, "\"\n");
    cr_assert_gt(fe_check(src), 0);
}

/* }====================================================================== */

/* {======================================================================
** Queries (check.h)
** ======================================================================= */

static const char *const QUERY_SRC = "tau = 0.6\n"
                                     "device d : linear { tau = tau }\n"
                                     "model m { dense(2, 1) }\n"
                                     "optimizer o : digital_sgd { lr = 0.1 }\n";

Test(check, names_are_listed_in_order_by_kind)
{
    program(QUERY_SRC);
    const char *v[8];
    cr_assert_eq(chk_names(fe.c, -1, v, 8), 4);
    cr_expect_str_eq(v[0], "tau");
    cr_expect_str_eq(v[1], "d");
    cr_expect_str_eq(v[2], "m");
    cr_expect_str_eq(v[3], "o");
    cr_assert_eq(chk_names(fe.c, SCH_DEVICE, v, 8), 1);
    cr_expect_str_eq(v[0], "d");
    cr_assert_eq(chk_names(fe.c, SCH__NKINDS, v, 8), 1, "constants have kind SCH__NKINDS");
    cr_expect_str_eq(v[0], "tau");
    cr_assert_eq(chk_names(fe.c, SCH_TRAIN, v, 8), 0);
    cr_assert_eq(chk_names(fe.c, -1, v, 2), 2, "at most cap names");
    cr_expect_str_eq(v[1], "d");
}

Test(check, name_info_gives_kind_and_family)
{
    program(QUERY_SRC);
    int kind = 99, family = 99;
    cr_assert(chk_name_info(fe.c, "d", &kind, &family));
    cr_expect_eq(kind, SCH_DEVICE);
    cr_expect_eq(family, sch_family_find(&sch_kinds[SCH_DEVICE], "linear"));
    cr_assert(chk_name_info(fe.c, "m", &kind, &family));
    cr_expect_eq(kind, SCH_MODEL);
    cr_expect_eq(family, -1, "a model has no family");
    cr_assert(chk_name_info(fe.c, "tau", &kind, NULL));
    cr_expect_eq(kind, SCH__NKINDS);
    cr_assert_not(chk_name_info(fe.c, "nothing", &kind, &family));
    cr_expect_eq(kind, -1);
    cr_expect_eq(family, -1);
    cr_assert(chk_name_info(fe.c, "o", NULL, NULL));
}

/* The text of the expression src (ps_parse_expr, then chk_eval_text), or NULL. */
static const char *eval_text(const char *src)
{
    size_t len = strlen(src);
    const char *text = fe_copy(src, len);
    uint32_t file = diag_add_file(fe.d, "e.aimc", text, len, (SrcLoc){0});
    const AstNode *e = ps_parse_expr(fe.ar, fe.d, file, text, len, 0);
    cr_assert_not_null(e, "%s", fe_text());
    return chk_eval_text(fe.c, e);
}

Test(check, an_expression_evaluates_to_script_text)
{
    program(QUERY_SRC);
    cr_expect_str_eq(eval_text("2 * tau"), "1.2");
    cr_expect_str_eq(eval_text("d.tau"), "0.6");
    cr_expect_str_eq(eval_text("[1, 2 ^ 3]"), "[1, 8]");
    cr_expect_str_eq(eval_text("\"out/a.csv\""), "\"out/a.csv\"");
    cr_expect_str_eq(eval_text("true"), "true");
    cr_expect_str_eq(fe_text(), "");
}

Test(check, a_declaration_evaluates_to_what_it_is)
{
    program(QUERY_SRC);
    cr_expect_str_eq(eval_text("d"), "d: a device (linear)");
    cr_expect_str_eq(eval_text("m"), "m: a model");
    cr_expect_str_eq(eval_text("[d, o]"), "[d, o]", "inside a list a declaration is its name");
}

Test(check, an_expression_with_an_error_has_no_text)
{
    program(QUERY_SRC);
    cr_expect_null(eval_text("1 + tua"));
    assert_output_has("e.aimc:1:5: error: unknown name 'tua'\n");
}

/* }====================================================================== */
