/*
** test_io_lang.c: the `io` declaration and the `forward`/`backward` layer parameters in
** the checker and in --dump (docs/theory.md §4; runtime/rt_io.h).
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "dump.h"
#include "fe_fixtures.h"
#include "rt_io.h"

TestSuite(io_lang, .init = fe_setup, .fini = fe_teardown);

#define DEVICE "device rram : soft_bounds { dw_min = 1e-3 }\n"

/* Every field of two IrIO but name, loc, parent and origin. */
static void assert_same_io(const IrIO *a, const IrIO *b)
{
    cr_assert_eq(a->family, b->family);
    cr_assert_eq(a->inp_bound, b->inp_bound);
    cr_assert_eq(a->inp_res, b->inp_res);
    cr_assert_eq(a->inp_sto_round, b->inp_sto_round);
    cr_assert_eq(a->inp_noise, b->inp_noise);
    cr_assert_eq(a->inp_asymmetry, b->inp_asymmetry);
    cr_assert_eq(a->out_bound, b->out_bound);
    cr_assert_eq(a->out_res, b->out_res);
    cr_assert_eq(a->out_sto_round, b->out_sto_round);
    cr_assert_eq(a->out_noise, b->out_noise);
    cr_assert_eq(a->out_noise_std, b->out_noise_std);
    cr_assert_eq(a->out_scale, b->out_scale);
    cr_assert_eq(a->out_asymmetry, b->out_asymmetry);
    cr_assert_eq(a->noise_management, b->noise_management);
    cr_assert_eq(a->nm_thres, b->nm_thres);
    cr_assert_eq(a->nm_decay, b->nm_decay);
    cr_assert_eq(a->bound_management, b->bound_management);
    cr_assert_eq(a->max_bm_factor, b->max_bm_factor);
    cr_assert_eq(a->max_bm_res, b->max_bm_res);
    cr_assert_eq(a->bm_test_negative_bound, b->bm_test_negative_bound);
    cr_assert_eq(a->w_noise, b->w_noise);
    cr_assert_eq(a->w_noise_type, b->w_noise_type);
}

/* The schema's analog defaults are the runtime's default I/O (Table 4), field by field. */
Test(io_lang, analog_family_defaults_are_the_runtime_default)
{
    assert_ok("io d : analog { }\n");
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->nios, 1);
    assert_same_io(p->ios[0], rt_io_default());
    cr_assert_float_eq(p->ios[0]->inp_res, 1.0 / 126, 1e-18);
    cr_assert_eq(p->ios[0]->out_noise, 0.06);
}

Test(io_lang, io_declarations_inherit)
{
    assert_ok("io mine : analog { out_noise = 0.1 }\n"
              "io theirs : mine { noise_management = average_abs_max, w_noise = 0.02\n"
              "                   w_noise_type = pcm_read }\n"
              "io exact : perfect { out_scale = 2 }\n");
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->nios, 3);
    const IrIO *t = p->ios[1];
    cr_assert_str_eq(t->name, "theirs");
    cr_assert_str_eq(t->parent, "mine");
    cr_assert_eq(t->family, IR_IO_ANALOG);
    cr_assert_eq(t->out_noise, 0.1);
    cr_assert_eq(t->noise_management, IR_NM_AVERAGE_ABS_MAX);
    cr_assert_eq(t->w_noise_type, IR_W_NOISE_PCM_READ);
    cr_assert_eq(t->out_bound, 12.0);
    cr_assert_eq(p->ios[2]->family, IR_IO_PERFECT);
    cr_assert_eq(p->ios[2]->out_scale, 2.0);
}

Test(io_lang, layers_take_forward_and_backward)
{
    assert_ok(DEVICE "io f : analog { out_noise = 0 }\n"
                     "io b : perfect { }\n"
                     "model m {\n"
                     "    dense(4, 3, on = rram, forward = f, backward = b)\n"
                     "    dense(3, 1, on = rram)\n"
                     "    dense(1, 1)\n"
                     "}\n");
    const IrProgram *p = chk_program(fe.c);
    const IrLayer *l = p->models[0]->layers;
    cr_assert_str_eq(l[0].forward->name, "f");
    cr_assert_str_eq(l[0].backward->name, "b");
    cr_assert_null(l[1].forward, "NULL: the analog defaults");
    cr_assert_null(l[1].backward);
    cr_assert_null(l[2].forward);
}

/* A wrong name for forward/backward, or a misplaced io, with a clear message. */
typedef struct BadIO {
    char src[200];
    int line, col;
    char msg[120];
} BadIO;

static BadIO bad_ios[] = {
    {DEVICE "model m { dense(2, 1, on = rram, forward = rram) }\n", 2, 44,
     "'rram' is a device; forward expects an io"},
    {DEVICE "io f : analog { }\nmodel m { dense(2, 1, backward = f) }\n", 3, 23,
     "'backward' sets the I/O of an analog layer, but this layer has no device"},
    {"io p : perfect { out_noise = 0.1 }\n", 1, 18,
     "io family perfect has no parameter 'out_noise'"},
    {"io a : analog { noise_management = absmax }\n", 1, 36, "unknown noise_management 'absmax'"},
    {"io a : analog { inp_bound = 2 }\n", 1, 17, "inp_bound must be 1 with noise management"},
    {"io a : analog { w_noise = 0.01 }\n", 1, 17, "w_noise has no effect without w_noise_type"},
    {"io a : analog { out_bound = 0 }\n", 1, 29, "out_bound is out of range: 0"},
    {"io a : digital { }\n", 1, 8, "unknown io family 'digital'"},
    {"io a { }\n", 1, 4, "an io needs a family"},
    {"io a : analog { max_bm_factor = 2.5 }\n", 1, 33, "max_bm_factor must be a whole number"},
};

ParameterizedTestParameters(io_lang, bad_io_is_reported)
{
    return cr_make_param_array(BadIO, bad_ios, sizeof bad_ios / sizeof *bad_ios);
}

ParameterizedTest(BadIO *t, io_lang, bad_io_is_reported)
{
    assert_error_at(t->src, t->line, t->col, t->msg);
}

Test(io_lang, a_misspelt_enum_gets_a_suggestion)
{
    fe_check("io a : analog { noise_management = absmax }\n");
    assert_output_has("did you mean 'abs_max'?");
}

Test(io_lang, io_parameters_read_back_in_expressions)
{
    assert_ok("io a : analog { out_noise = 0.1 }\n"
              "io b : analog { out_noise = a.out_noise * 2 }\n");
    cr_assert_eq(chk_program(fe.c)->ios[1]->out_noise, 0.2);
}

/* The dump is a script: checked again, it gives the same I/O and the same layers. */
Test(io_lang, dump_reproduces_the_io)
{
    assert_ok(DEVICE "io mine : analog { out_noise = 0.1, inp_res = 1/254 }\n"
                     "io theirs : mine { bound_management = none }\n"
                     "io exact : perfect { out_scale = 0.5 }\n"
                     "model m {\n"
                     "    dense(4, 3, on = rram, forward = theirs, backward = exact)\n"
                     "    dense(3, 1, on = rram, backward = mine)\n"
                     "}\n");
    const IrProgram *p = chk_program(fe.c);
    Buf b = {0};
    dump_program(&b, p, "t.aimc");
    cr_assert_not_null(strstr(b.s, "io theirs : analog {"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "dense(4, 3, on = rram, bias = true, forward = theirs, "
                                   "backward = exact)"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "backward = mine)  # forward: the io analog defaults"), "%s",
                       b.s);
    Checker *again = chk_new(fe.ar, fe.d, fe.tmp);
    const char *text = fe_copy(b.s, b.n);
    cr_assert_eq(chk_source(again, "dump.aimc", text, b.n), 0, "%s\n%s", fe_text(), b.s);
    const IrProgram *q = chk_program(again);
    cr_assert_eq(q->nios, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq(q->ios[i]->name, p->ios[i]->name);
        assert_same_io(q->ios[i], p->ios[i]);
    }
    const IrLayer *l = q->models[0]->layers;
    cr_assert_str_eq(l[0].forward->name, "theirs");
    cr_assert_str_eq(l[0].backward->name, "exact");
    cr_assert_null(l[1].forward);
    cr_assert_str_eq(l[1].backward->name, "mine");
    buf_free(&b);
}
