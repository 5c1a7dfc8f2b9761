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

/* {======================================================================
** More text after a checked script (chk_source_more, the REPL), and taking it back
** ======================================================================= */

Test(check_sym, more_text_adds_names_and_a_rollback_takes_them_back)
{
    program("a = 1\ndevice d : linear { tau = 0.5 }\n");
    ChkMark m = chk_mark(fe.c);
    static const char bad[] = "b = a + 1\nc = a + nope\n";
    cr_assert_eq(chk_source_more(fe.c, "<more>", bad, sizeof bad - 1, 7), 1);
    cr_expect(strstr(fe_text(), "<more>:8:9: error: unknown name 'nope'"), "%s", fe_text());
    chk_rollback(fe.c, &m);
    cr_expect(!chk_name_info(fe.c, "b", NULL, NULL), "b was taken back with its chunk");
    cr_expect_eq(diag_count(fe.d), 0, "and so were the errors");
    static const char good[] = "b = a + 1\ndevice e : d { tau = b / 4 }\n";
    cr_assert_eq(chk_source_more(fe.c, "<more>", good, sizeof good - 1, 9), 0, "%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    cr_assert_not_null(p);
    cr_expect_eq(p->ndevices, 2);
    cr_expect_str_eq(const_text(p, "b"), "2");
    cr_expect(!chk_has_experiment(fe.c));
}

/* Thousands of names, added one at a time: each is found by name, none is lost in a rehash. */
Test(check_sym, many_names_are_all_found)
{
    program("x0 = 0\n");
    enum { N = 3000 };
    char *text = arena_alloc(fe.ar, N * 32);
    for (int k = 1; k < N; k++) {
        int len = snprintf(text, 32, "x%d = x%d + 1\n", k, k - 1);
        char *line = arena_strndup(fe.ar, text, (size_t)len);
        cr_assert_eq(chk_source_more(fe.c, "<more>", line, (size_t)len, (uint32_t)k + 1), 0,
                     "%s", fe_text());
    }
    for (int k = 0; k < N; k++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", k);
        cr_assert(chk_name_info(fe.c, name, NULL, NULL), "%s is lost", name);
    }
    const IrProgram *p = chk_program(fe.c);
    cr_assert_not_null(p);
    cr_expect_str_eq(const_text(p, "x2999"), "2999");
}
