/*
** test_schema.c: the schema (interp/check/schema.c): the families of every declaration kind
** with their defaults, and the language reference (docs/language.md) listing every family,
** parameter, layer parameter and function of it.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check_fixtures.h"

TestSuite(schema, .init = fe_setup, .fini = fe_teardown);

Test(schema, every_family_of_every_kind)
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

/* The reference (docs/language.md) has a table row for every family, parameter and layer
** parameter of the schema, and mentions every function. */
Test(schema, the_language_reference_lists_every_family_and_parameter)
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
        for (int sec = 1; sec < 20; sec++)
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
