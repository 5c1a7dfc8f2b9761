/*
** test_check_sym.c: the checker's symbol table as other layers see it (interp/check/check.h,
** check_sym.c): the names checked so far by kind, a name's kind and family, and an
** expression evaluated with those names as the REPL prints it.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "check_fixtures.h"
#include "ps.h"

TestSuite(check_sym, .init = fe_setup, .fini = fe_teardown);

/* {======================================================================
** Queries (check.h)
** ======================================================================= */

static const char *const QUERY_SRC = "tau = 0.6\n"
                                     "device d : linear { tau = tau }\n"
                                     "model m { dense(2, 1) }\n"
                                     "optimizer o : digital_sgd { lr = 0.1 }\n";

Test(check_sym, names_are_listed_in_order_by_kind)
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

Test(check_sym, name_info_gives_kind_and_family)
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

Test(check_sym, an_expression_evaluates_to_script_text)
{
    program(QUERY_SRC);
    cr_expect_str_eq(eval_text("2 * tau"), "1.2");
    cr_expect_str_eq(eval_text("d.tau"), "0.6");
    cr_expect_str_eq(eval_text("[1, 2 ^ 3]"), "[1, 8]");
    cr_expect_str_eq(eval_text("\"out/a.csv\""), "\"out/a.csv\"");
    cr_expect_str_eq(eval_text("true"), "true");
    cr_expect_str_eq(fe_text(), "");
}

Test(check_sym, a_declaration_evaluates_to_what_it_is)
{
    program(QUERY_SRC);
    cr_expect_str_eq(eval_text("d"), "d: a device (linear)");
    cr_expect_str_eq(eval_text("m"), "m: a model");
    cr_expect_str_eq(eval_text("[d, o]"), "[d, o]", "inside a list a declaration is its name");
}

Test(check_sym, an_expression_with_an_error_has_no_text)
{
    program(QUERY_SRC);
    cr_expect_null(eval_text("1 + tua"));
    assert_output_has("e.aimc:1:5: error: unknown name 'tua'\n");
}

/* }====================================================================== */
