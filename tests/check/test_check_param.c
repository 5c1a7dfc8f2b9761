/*
** test_check_param.c: parameters of declarations and layers (interp/check/check_param.c):
** defaults and their origins, enums, inheritance, the layers of a model, defaults derived
** from other parameters, and what the message of an unknown parameter lists.
*/
#include <criterion/criterion.h>

#include "check_fixtures.h"

TestSuite(check_param, .init = fe_setup, .fini = fe_teardown);

/* {======================================================================
** Parameters: defaults, inheritance, layers
** ======================================================================= */

Test(check_param, defaults_and_their_origins)
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

Test(check_param, enums_take_a_name_or_a_string)
{
    const IrProgram *p = program("optimizer a : analog_sgd { pulse_type = none }\n"
                                 "optimizer b : analog_sgd { pulse_type = \"none\" }\n");
    cr_assert_eq(p->optimizers[0]->update.pulse_type, IR_PULSE_NONE);
    cr_assert_eq(p->optimizers[1]->update.pulse_type, IR_PULSE_NONE);
}

Test(check_param, device_inheritance)
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

Test(check_param, a_response_device_inherits_its_functions_and_retabulates_them)
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

Test(check_param, optimizer_and_data_inheritance)
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

Test(check_param, layers_positional_keyword_and_bare)
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

Test(check_param, a_single_optimizer_needs_no_list_and_log_every_can_be_set)
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

Test(check_param, an_unknown_parameter_lists_what_the_family_accepts)
{
    fe_check("optimizer o : digital_sgd { desired_bl = 3 }\ndata ls : least_squares { row = 3 }\n");
    assert_output_has(arena_printf(fe.ar, "  expected: %s\n",
                                   params_text(SCH_OPTIMIZER, IR_OPT_DIGITAL_SGD)));
    assert_output_has(arena_printf(fe.ar, "  expected: %s\n",
                                   params_text(SCH_DATA, IR_DATA_LEAST_SQUARES)));
    assert_output_has("  hint: did you mean 'rows'?\n");
}

/* }====================================================================== */

/* {======================================================================
** Regressions: each comment says what the checker once got wrong
** ======================================================================= */

/* `dense(in = 3, 50, 1)`: the positional 50 silently overwrites the named in = 3. */
Test(check_param, a_positional_argument_cannot_override_a_named_one)
{
    cr_assert_gt(fe_check("model m { dense(in = 3, 50, 1) }\n"), 0);
}

/* `log = ""` says "log expects a string, got a string". */
Test(check_param, an_empty_path_says_so)
{
    fe_check("train t { log = \"\" }\n");
    assert_output_lacks("expects a string, got a string");
}

/* An inherited response function that fails on the child's range is reported at the
** parent's expression without naming the child device. */
Test(check_param, an_inherited_response_error_names_the_device)
{
    fe_check("device a : response { q_up = 1 - w, q_down = 1 }\ndevice b : a { w_max = 2 }\n");
    assert_output_has("'b'");
}

/* }====================================================================== */
