/*
** test_cost_lang.c: the `hardware` declaration, `hardware =` of train and experiment and the
** devices' `endurance` and `pulse_energy` in the checker and in --dump (docs/cost.md;
** runtime/rt_cost.h).
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "check_fixtures.h"
#include "dump.h"
#include "rt_cost.h"

TestSuite(cost_lang, .init = fe_setup, .fini = fe_teardown);

#define TRAIN                                                                                 \
    "device rram : soft_bounds { endurance = 1e6, pulse_energy = 0.5 }\n"                    \
    "data ls : least_squares { rows = 20, cols = 5 }\n"                                       \
    "model lin { dense(5, 1, on = rram, bias = false) }\n"                                    \
    "optimizer asgd : analog_sgd { lr = 0.05 }\n"

/* Every number of two models. */
static void assert_same_hw(const IrHardware *a, const IrHardware *b)
{
    cr_assert_eq(a->pulse_time, b->pulse_time);
    cr_assert_eq(a->update_cycles, b->update_cycles);
    cr_assert_eq(a->preprocess_time, b->preprocess_time);
    cr_assert_eq(a->mvm_time, b->mvm_time);
    cr_assert_eq(a->digital_op_time, b->digital_op_time);
    cr_assert_eq(a->pulse_energy, b->pulse_energy);
    cr_assert_eq(a->dac_energy, b->dac_energy);
    cr_assert_eq(a->adc_energy, b->adc_energy);
    cr_assert_eq(a->read_energy, b->read_energy);
    cr_assert_eq(a->digital_op_energy, b->digital_op_energy);
}

/* The schema's defaults are the runtime's default model (the one a train without one uses). */
Test(cost_lang, defaults_are_the_runtime_default)
{
    assert_ok("hardware chip { }\n");
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->nhardware, 1);
    assert_same_hw(p->hardware[0], rt_cost_default());
    cr_assert_eq(p->hardware[0]->update_cycles, 32, "the seed paper's Table 3");
}

Test(cost_lang, train_experiment_and_device_take_their_parameters)
{
    assert_ok(TRAIN "hardware chip { pulse_time = 2, mvm_time = 20, adc_energy = 1.5 }\n"
                    "train fit { model = lin, data = ls, optimizer = asgd, steps = 10, "
                    "hardware = chip }\n"
                    "experiment x { train = fit, vary asgd.lr in [0.1, 0.2], cost = true,\n"
                    "               hardware = chip }\n");
    const IrProgram *p = chk_program(fe.c);
    const IrTrain *t = p->runs[0].u.train;
    cr_assert_str_eq(t->hardware->name, "chip");
    cr_assert_eq(t->hardware->pulse_time, 2.0);
    cr_assert_eq(t->hardware->update_cycles, 32);
    cr_assert_eq(t->model->layers[0].on->endurance, 1e6);
    cr_assert_eq(t->model->layers[0].on->pulse_energy, 0.5);
    const IrExperiment *x = p->runs[1].u.experiment;
    cr_assert(x->cost);
    cr_assert_str_eq(x->hardware->name, "chip");
    cr_assert_str_eq(x->cell[1]->hardware->name, "chip", "the cells keep the train's");
}

/* An experiment's model prices its cells with the cell's own copy: a vary of it takes. */
Test(cost_lang, experiment_hardware_follows_a_vary)
{
    assert_ok(TRAIN "hardware chip { }\n"
                    "hardware other { mvm_time = 7 }\n"
                    "train fit { model = lin, data = ls, optimizer = asgd, steps = 10, "
                    "hardware = other }\n"
                    "experiment x { train = fit, hardware = chip,\n"
                    "               vary chip.pulse_time in [1, 2] }\n");
    const IrExperiment *x = chk_program(fe.c)->runs[1].u.experiment;
    cr_assert_eq(x->ncells, 2);
    for (size_t c = 0; c < 2; c++) {
        cr_assert_str_eq(x->cell[c]->hardware->name, "chip", "the experiment's, not the train's");
        cr_assert_eq(x->cell[c]->hardware->pulse_time, c + 1.0);
    }
}

/* The dump writes the model out and checks again to the same values. */
Test(cost_lang, dump_reproduces_the_model)
{
    assert_ok(TRAIN "hardware chip { update_cycles = 10, read_energy = 0.01 }\n"
                    "train fit { model = lin, data = ls, optimizer = asgd, hardware = chip }\n");
    const IrProgram *p = chk_program(fe.c);
    Buf b = {0};
    dump_program(&b, p, "t.aimc");
    cr_assert_not_null(strstr(b.s, "hardware chip {"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "endurance"), "%s", b.s);
    Checker *again = chk_new(fe.ar, fe.d, fe.tmp);
    const char *text = fe_copy(b.s, b.n);
    cr_assert_eq(chk_source(again, "dump.aimc", text, b.n), 0, "%s\n%s", fe_text(), b.s);
    const IrProgram *q = chk_program(again);
    cr_assert_eq(q->nhardware, 1);
    assert_same_hw(q->hardware[0], p->hardware[0]);
    cr_assert_eq(q->runs[0].u.train->hardware, q->hardware[0]);
    buf_free(&b);
}

ParameterizedTestParameters(cost_lang, bad_values_are_errors)
{
    static ErrCase cases[] = {
        {"hardware h { pulse_time = -1 }\n", 1, 27, "pulse_time is out of range: -1", ""},
        {"hardware h { update_cycles = 0 }\n", 1, 30, "update_cycles is out of range: 0", ""},
        {"device d : soft_bounds { endurance = -5 }\n", 1, 38, "endurance is out of range: -5",
         ""},
        {"device d : ideal { pulse_energy = 1 }\n", 1, 20,
         "device family ideal has no parameter 'pulse_energy'", ""},
    };
    return cr_make_param_array(ErrCase, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(ErrCase *ec, cost_lang, bad_values_are_errors)
{
    check_errors(ec);
}
