/*
** test_algo_lang.c: the optimizer families of the training algorithms and the train's `init`
** in the checker and in --dump (interp/check/schema.c, docs/algorithms.md).
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <string.h>

#include "algo_fixtures.h"
#include "dump.h"
#include "fe_fixtures.h"
#include "schema.h"

TestSuite(algo_lang, .init = fe_setup, .fini = fe_teardown);

static const char *const kinds[] = {
    [IR_OPT_DIGITAL_SGD] = "digital_sgd", [IR_OPT_ANALOG_SGD] = "analog_sgd",
    [IR_OPT_MIXED_PRECISION] = "mixed_precision", [IR_OPT_TIKI_TAKA] = "tiki_taka",
    [IR_OPT_TTV2] = "ttv2", [IR_OPT_C_TTV2] = "c_ttv2", [IR_OPT_AGAD] = "agad",
    [IR_OPT_RESIDUAL] = "residual", [IR_OPT_RESIDUAL_V2] = "residual_v2",
    [IR_OPT_MULTI_TILE] = "multi_tile", [IR_OPT_RIDER] = "rider", [IR_OPT_E_RIDER] = "e_rider",
};

/*
** Every family's defaults are the fixture's (tests/fixtures/algo_fixtures.h): each number, whole
** number, boolean and enum the family accepts, read at its schema offset in both structs.
*/
Test(algo_lang, family_defaults_are_the_fixtures)
{
    const SchKind *sk = &sch_kinds[SCH_OPTIMIZER];
    for (int k = 0; k < IR_OPT__COUNT; k++) {
        fe_teardown();
        fe_setup();
        char src[128];
        snprintf(src, sizeof src, "optimizer o : %s { lr = 0.1 }\n", kinds[k]);
        assert_ok(src);
        const IrOptimizer *o = chk_program(fe.c)->optimizers[0];
        IrOptimizer want = fx_optimizer((IrOptKind)k, 0.1);
        cr_assert_eq(o->kind, (IrOptKind)k);
        size_t checked = 0;
        for (size_t i = 0; i < sk->nparams; i++) {
            const SchParam *sp = &sk->params[i];
            if (!sch_accepts(sp, k))
                continue;
            const char *got = (const char *)o + sp->offset, *exp = (const char *)&want + sp->offset;
            size_t size = sp->type == SCH_NUM    ? sizeof(double)
                          : sp->type == SCH_SIZE ? sizeof(size_t)
                          : sp->type == SCH_BOOL ? sizeof(bool)
                          : sp->type == SCH_INT || sp->type == SCH_ENUM ? sizeof(int)
                                                                         : 0;
            if (size == 0)
                continue; /* references: NULL in both */
            cr_assert_eq(memcmp(got, exp, size), 0, "%s: %s differs from the fixture", kinds[k],
                         sp->name);
            checked++;
        }
        cr_assert_geq(checked, k >= IR_OPT_TIKI_TAKA ? 14 : 1, "%s", kinds[k]);
    }
}

Test(algo_lang, arrays_name_devices_and_an_io)
{
    assert_ok("device a : soft_bounds { }\n"
              "device b : linear { c_lin = 0.1 }\n"
              "io rd : perfect { }\n"
              "optimizer rl : residual { fast = b, slow = a, transfer_io = rd\n"
              "    zero_shift = true, zero_shift_pulses = 500, reference = a }\n"
              "optimizer rl2 : rl { gamma = 0.2 }\n");
    const IrProgram *p = chk_program(fe.c);
    const IrOptimizer *o = p->optimizers[1];
    cr_assert_str_eq(o->fast->name, "b");
    cr_assert_str_eq(o->slow->name, "a");
    cr_assert_str_eq(o->reference->name, "a");
    cr_assert_str_eq(o->transfer_io->name, "rd");
    cr_assert(o->zero_shift);
    cr_assert_eq(o->zero_shift_pulses, 500);
    cr_assert_eq(o->gamma, 0.2);
    cr_assert_eq(o->kind, IR_OPT_RESIDUAL, "inherits the family");
}

typedef struct BadOpt {
    char src[200];
    int line, col;
    char msg[120];
} BadOpt;

static BadOpt bad_opts[] = {
    {"optimizer o : analog_sgd { zero_shift = true }\n", 1, 28,
     "optimizer family analog_sgd has no parameter 'zero_shift'"},
    {"optimizer o : residual { beta = 0.1 }\n", 1, 26,
     "optimizer family residual has no parameter 'beta'"},
    {"optimizer o : agad { zero_shift = true }\n", 1, 22,
     "optimizer family agad has no parameter 'zero_shift'"},
    {"optimizer o : residual_v2 { transfer_lr = 1 }\n", 1, 29,
     "optimizer family residual_v2 has no parameter 'transfer_lr'"},
    {"optimizer o : multi_tile { n_tiles = 9 }\n", 1, 38, "n_tiles is out of range: 9"},
    {"optimizer o : residual { gamma = -0.1 }\n", 1, 34, "gamma is out of range: -0.1"},
    {"optimizer o : residual_v2 { beta = 0 }\n", 1, 36, "beta is out of range: 0"},
    {"optimizer o : tiki_taka { transfer_every = 0 }\n", 1, 44,
     "transfer_every is out of range: 0"},
    {"io i : perfect {}\noptimizer o : residual { fast = i }\n", 2, 33,
     "'i' is an io; fast expects a device"},
    {"optimizer o : residul { }\n", 1, 15, "unknown optimizer family 'residul'"},
    {"optimizer o : rider { zero_shift_pulses = 10 }\n", 1, 23,
     "optimizer family rider has no parameter 'zero_shift_pulses'"},
};

ParameterizedTestParameters(algo_lang, bad_optimizers_are_reported)
{
    return cr_make_param_array(BadOpt, bad_opts, sizeof bad_opts / sizeof *bad_opts);
}

ParameterizedTest(BadOpt *t, algo_lang, bad_optimizers_are_reported)
{
    assert_error_at(t->src, t->line, t->col, t->msg);
}

Test(algo_lang, a_misspelt_family_gets_a_suggestion)
{
    fe_check("optimizer o : residul { }\n");
    assert_output_has("did you mean 'residual'?");
}

#define TRAIN                                                                                 \
    "data ls : least_squares { }\n"                                                           \
    "model m { dense(50, 1) }\n"                                                              \
    "optimizer o : digital_sgd { }\n"

Test(algo_lang, init_is_unset_by_default_and_not_dumped)
{
    assert_ok(TRAIN "train t { model = m, data = ls, optimizer = o }\n");
    const IrTrain *t = chk_program(fe.c)->runs[0].u.train;
    cr_assert(!t->init_set);
    cr_assert(isnan(t->init));
    Buf b = {0};
    dump_program(&b, chk_program(fe.c), "t.aimc");
    cr_assert_null(strstr(b.s, "init"), "%s", b.s);
    buf_free(&b);
}

Test(algo_lang, init_set_is_dumped_and_read_back)
{
    assert_ok(TRAIN "train t { model = m, data = ls, optimizer = o, init = 1 }\n"
                    "x = t.init * 2\n");
    const IrProgram *p = chk_program(fe.c);
    cr_assert(p->runs[0].u.train->init_set);
    cr_assert_eq(p->runs[0].u.train->init, 1.0);
    Buf b = {0};
    dump_program(&b, p, "t.aimc");
    cr_assert_not_null(strstr(b.s, "    init "), "%s", b.s);
    buf_free(&b);
}

Test(algo_lang, reading_an_unset_init_is_an_error)
{
    assert_error_at(TRAIN "train t { model = m, data = ls, optimizer = o }\nx = t.init\n", 5, 5,
                    "'t.init' is not set");
}

/* The dump of every family is a script that checks to the same optimizer. */
Test(algo_lang, dump_of_every_family_checks_again)
{
    Buf src = {0};
    buf_printf(&src, "device d : linear { c_lin = 0.2 }\nio r : perfect { }\n");
    for (int k = 0; k < IR_OPT__COUNT; k++)
        buf_printf(&src, "optimizer o%d : %s { lr = 0.05 }\n", k, kinds[k]);
    buf_printf(&src, "optimizer z : residual { zero_shift = true, fast = d, transfer_io = r }\n");
    assert_ok(src.s);
    Buf b = {0};
    dump_program(&b, chk_program(fe.c), "t.aimc");
    fe_teardown();
    fe_setup();
    assert_ok(b.s);
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->noptimizers, IR_OPT__COUNT + 1);
    const IrOptimizer *z = p->optimizers[IR_OPT__COUNT];
    cr_assert(z->zero_shift);
    cr_assert_str_eq(z->fast->name, "d");
    cr_assert_str_eq(z->transfer_io->name, "r");
    cr_assert_eq(p->optimizers[IR_OPT_RESIDUAL]->gamma, 0.4);
    buf_free(&b);
    buf_free(&src);
}
