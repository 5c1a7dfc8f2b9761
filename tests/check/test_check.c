/*
** test_check.c: the checker's driver (interp/check/check.c): declarations and the names they
** define, references between them, the seed, the program assembled across sources, every
** class of error with its exact message and position, and the IR of the examples.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "check_fixtures.h"

TestSuite(check, .init = fe_setup, .fini = fe_teardown);

/* ", "-separated names of the families of a kind, from the schema. */
static const char *families_text(SchDeclKind kind)
{
    const SchKind *k = &sch_kinds[kind];
    const char *t = "";
    for (size_t f = 0; f < k->nfamilies; f++)
        t = arena_printf(fe.ar, "%s%s%s", t, f ? ", " : "", k->families[f].name);
    return t;
}

/* {======================================================================
** Declarations, references, the seed and the program
** ======================================================================= */

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
    cr_assert_eq(t->loss, IR_LOSS_HALF_MSE, "the default of least_squares data");
    cr_assert_eq(t->steps, 50);
    cr_assert_eq(t->batch, 10);
    cr_assert_eq(t->log_every, 1, "steps / 100, at least 1");
    cr_assert_str_eq(t->log, "out/t.csv");
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

Test(check, an_assignment_to_a_field_in_a_script_is_an_error)
{
    assert_error_at("device d : ideal {}\nd.reset_std = 3\n", 2, 1,
                    "'d.reset_std' cannot be assigned after its declaration");
    assert_output_has("  expected: 'reset_std = ...' inside the block of 'd' (or --set "
                      "d.reset_std=VALUE on the command line)\n");
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
        {"train t { loss = 3 }\n", 1, 18, "loss expects a name, got a number", "  expected: one of mse, cross_entropy, half_mse"},
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

Test(check, an_unknown_family_lists_the_families_of_the_kind)
{
    fe_check("device d : soft_bound {}\noptimizer o : sdg {}\n");
    assert_output_has(arena_printf(fe.ar, "  expected: a device family (%s) or another device\n",
                                   families_text(SCH_DEVICE)));
    assert_output_has(arena_printf(fe.ar, "optimizer family (%s) or another optimizer\n",
                                   families_text(SCH_OPTIMIZER)));
    assert_output_has("ideal, constant_step, soft_bounds, response");
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
** The IR of examples/quickstart.aimc
** ======================================================================= */

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
    cr_assert_eq(fit->loss, IR_LOSS_HALF_MSE);
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

/* }====================================================================== */

/* {======================================================================
** Regressions: each comment says what the checker once got wrong
** ======================================================================= */

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

/* }====================================================================== */
