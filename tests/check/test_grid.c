/*
** test_grid.c: parameters set from outside their declaration (--set) and experiment grids
** (vary): the cells the checker builds, their order and values, and the errors.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "check_fixtures.h"

TestSuite(grid, .init = fe_setup, .fini = fe_teardown);

/* A small program whose train `fit` uses device `rram` and optimizers `sgd`, `asgd`. */
#define BASE                                                                                  \
    "seed = 5\n"                                                                              \
    "device rram : soft_bounds { up_down = 0.2 }\n"                                           \
    "data ls : least_squares { rows = 20, cols = 5 }\n"                                       \
    "model lin { dense(5, 1, on = rram, bias = false) }\n"                                    \
    "optimizer sgd : digital_sgd { lr = 0.01 }\n"                                             \
    "optimizer asgd : analog_sgd { lr = 0.02 }\n"                                             \
    "train fit { model = lin, data = ls, steps = 10, optimizer = [sgd, asgd] }\n"

/* The first run of kind `kind` named `name`. */
static const IrRun *find_run(const IrProgram *p, const char *name)
{
    for (size_t i = 0; i < p->nruns; i++)
        if (strcmp(p->runs[i].name, name) == 0)
            return &p->runs[i];
    return NULL;
}

Test(grid, set_overrides_a_parameter_and_records_its_origin)
{
    cr_assert_eq(chk_set(fe.c, "fit.steps=7"), 0, "%s", fe_text());
    cr_assert_eq(chk_set(fe.c, "rram.dw_min=2e-3"), 0, "%s", fe_text());
    assert_ok(BASE);
    const IrProgram *p = chk_program(fe.c);
    const IrTrain *t = find_run(p, "fit")->u.train;
    cr_assert_eq(t->steps, 7);
    cr_assert_float_eq(t->model->layers[0].on->dw_min, 2e-3, 1e-18);
    cr_assert_eq(t->model->layers[0].on->origin[0], IR_ORIGIN_OVERRIDE); /* dw_min is slot 0 */
}

Test(grid, set_replaces_a_constant_and_the_seed)
{
    cr_assert_eq(chk_set(fe.c, "seed=11"), 0, "%s", fe_text());
    assert_ok(BASE);
    cr_assert_eq(chk_program(fe.c)->seed, 11);
    cr_assert_eq(find_run(chk_program(fe.c), "fit")->u.train->seed, 11);
}

Test(grid, set_errors_name_the_culprit_with_a_suggestion)
{
    chk_set(fe.c, "fitt.steps=3");
    chk_set(fe.c, "fit.stepz=3");
    fe_check(BASE);
    cr_assert_null(chk_program(fe.c));
    assert_output_has("--set:1:1: error: no declaration 'fitt' to set");
    assert_output_has("hint: did you mean 'fit'?");
    assert_output_has("--set:1:1: error: unknown parameter 'stepz' of a train");
    assert_output_has("hint: did you mean 'steps'?");
}

Test(grid, set_value_out_of_range_is_reported_in_the_set_text)
{
    chk_set(fe.c, "rram.dw_min=-1");
    fe_check(BASE);
    cr_assert_null(chk_program(fe.c));
    assert_output_has("--set:1:13: error: dw_min is out of range: -1");
}

Test(grid, set_needs_a_path_and_a_value)
{
    cr_assert_gt(chk_set(fe.c, "steps"), 0);
    assert_output_has("--set:1:");
}

Test(grid, set_cannot_reach_a_model)
{
    chk_set(fe.c, "lin.in=3");
    fe_check(BASE);
    cr_assert_null(chk_program(fe.c));
    assert_output_has("'lin' is a model: its layers cannot be set from outside");
}

Test(grid, a_field_cannot_be_assigned_in_a_script)
{
    assert_error_at(BASE "fit.steps = 3\n", 8, 1, "'fit.steps' cannot be assigned after its declaration");
}

Test(grid, cells_are_row_major_with_the_last_vary_fastest)
{
    assert_ok(BASE "experiment e {\n"
                   "    train = fit\n"
                   "    vary rram.up_down in [0, 0.1, 0.3]\n"
                   "    vary batch in [1, 2]\n"
                   "    repeat = 2\n"
                   "}\n");
    const IrExperiment *x = find_run(chk_program(fe.c), "e")->u.experiment;
    cr_assert_eq(x->ncells, 6);
    cr_assert_eq(x->nvary, 2);
    cr_assert_str_eq(x->vary_path[0], "rram.up_down");
    cr_assert_str_eq(x->vary_path[1], "batch");
    cr_assert_eq(x->repeat, 2);
    const double up_down[3] = {0, 0.1, 0.3};
    for (size_t k = 0; k < 6; k++) {
        const IrTrain *t = x->cell[k];
        cr_assert_float_eq(t->model->layers[0].on->up_down, up_down[k / 2], 1e-15, "cell %zu", k);
        cr_assert_eq(t->batch, 1 + k % 2, "cell %zu", k);
        cr_assert_eq(t->seed, 5, "cells keep the script's seed");
        cr_assert_str_eq(x->cell_value[k * 2 + 1], k % 2 ? "2" : "1");
    }
    /* The train as declared is untouched. */
    cr_assert_eq(x->train->batch, 1);
    cr_assert_float_eq(x->train->model->layers[0].on->up_down, 0.2, 1e-15);
}

Test(grid, varying_the_optimizer_gives_one_optimizer_per_cell)
{
    assert_ok(BASE "experiment e { train = fit, vary optimizer in [asgd, sgd] }\n");
    const IrExperiment *x = find_run(chk_program(fe.c), "e")->u.experiment;
    cr_assert_eq(x->ncells, 2);
    cr_assert_eq(x->cell[0]->nopt, 1);
    cr_assert_str_eq(x->cell[0]->opt[0]->name, "asgd");
    cr_assert_float_eq(x->cell[0]->opt[0]->lr, 0.02, 1e-15);
    cr_assert_str_eq(x->cell[1]->opt[0]->name, "sgd");
    cr_assert_str_eq(x->cell_value[0], "asgd");
}

Test(grid, a_set_applies_to_every_cell_and_a_vary_wins_over_it)
{
    chk_set(fe.c, "fit.steps=4");
    chk_set(fe.c, "fit.batch=3");
    assert_ok(BASE "experiment e { train = fit, vary batch in [1, 2] }\n");
    const IrExperiment *x = find_run(chk_program(fe.c), "e")->u.experiment;
    cr_assert_eq(x->cell[0]->steps, 4);
    cr_assert_eq(x->cell[1]->steps, 4);
    cr_assert_eq(x->cell[0]->batch, 1);
    cr_assert_eq(x->cell[1]->batch, 2);
}

Test(grid, a_bad_value_in_a_vary_list_is_reported_at_the_value)
{
    fe_check(BASE "experiment e { train = fit, vary rram.dw_min in [1e-3, -2] }\n");
    cr_assert_null(chk_program(fe.c));
    char line[512];
    cr_assert(fe_error_line(8, 56, line, sizeof line), "%s", fe_text());
    cr_assert(strstr(line, "dw_min is out of range: -2"), "%s", line);
}

Test(grid, vary_paths_are_checked_with_suggestions)
{
    assert_error_at(BASE "experiment e { train = fit, vary rram.dw_mn in [1] }\n", 8, 39,
                    "unknown parameter 'dw_mn' of device family soft_bounds");
    assert_output_has("did you mean 'dw_min'?");
}

Test(grid, vary_needs_a_written_list)
{
    assert_error_at(BASE "experiment e { train = fit, vary batch in 3 }\n", 8, 43,
                    "vary needs a list of values written out");
}

Test(grid, a_path_is_varied_once)
{
    assert_error_at(BASE "experiment e { train = fit, vary batch in [1], vary batch in [2] }\n",
                    8, 53, "'batch' is varied twice");
}

Test(grid, models_and_constants_cannot_be_varied)
{
    assert_error_at(BASE "experiment e { train = fit, vary lin.in in [1] }\n", 8, 34,
                    "'lin' is a model: it has no parameters to vary");
}

Test(grid, vary_outside_an_experiment_is_an_error)
{
    assert_error_at("device d : ideal { vary x in [1] }\n", 1, 20,
                    "'vary' belongs in an experiment, not in a device");
}

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

Test(grid, an_experiment_expands_into_cells_of_complete_trains)
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

Test(grid, an_experiment_may_vary_the_optimizer_of_its_train)
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
Test(grid, a_cell_that_fails_is_reported_at_its_value)
{
    fe_check(GRID_DECLS "experiment e { train = fit, vary steps in [10, 0, -1] }\n");
    cr_assert_null(chk_program(fe.c));
    assert_output_has("t.aimc:7:48: error: steps is out of range: 0\n");
    cr_assert_eq(fe_error_headers(), 1, "%s", fe_text());
}

Test(grid, set_from_outside_overrides_a_parameter_and_a_constant)
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

/* Values given from outside count as given: log_every is not derived from steps then, and a
** label set from outside a csv with targets is the conflict it would be in the script. */
Test(grid, a_value_set_from_outside_is_the_users_not_a_default)
{
    cr_assert_eq(chk_set(fe.c, "fit.log_every=7"), 0, "%s", fe_text());
    const IrProgram *p = program(GRID_DECLS "experiment e { train = fit, vary log_every in "
                                 "[3, 5] }\n");
    cr_assert_eq(p->runs[0].u.train->log_every, 7, "not steps / 100 = 2");
    const IrExperiment *x = p->runs[1].u.experiment;
    cr_assert_eq(x->cell[0]->log_every, 3);
    cr_assert_eq(x->cell[1]->log_every, 5);
}

Test(grid, a_label_set_from_outside_conflicts_with_targets)
{
    cr_assert_eq(chk_set(fe.c, "reg.label=0"), 0, "%s", fe_text());
    fe_check("data reg : csv { file = \"r.csv\", targets = [-2, -1] }\n");
    cr_assert_null(chk_program(fe.c));
    assert_output_has("error: data 'reg' sets both label and targets\n");
}

typedef struct SetCase {
    char set[40];
    char msg[96];
} SetCase;

ParameterizedTestParameters(grid, set_errors)
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

ParameterizedTest(SetCase *sc, grid, set_errors)
{
    chk_set(fe.c, sc->set);
    fe_check(GRID_DECLS);
    cr_assert_null(chk_program(fe.c));
    assert_output_has(sc->msg);
}

ParameterizedTestParameters(grid, experiment_errors)
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
        {GRID_DECLS "experiment e { vary steps in [1] }\n", 7, 12, "experiment 'e' needs a train or a measure",
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

ParameterizedTest(ErrCase *ec, grid, experiment_errors)
{
    check_errors(ec);
}

/* }====================================================================== */
