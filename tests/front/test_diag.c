/*
** test_diag.c: how an error is shown (interp/front/diag.c): the header, the source line, the
** caret under the culprit (past tabs and UTF-8), the expected line, and the hint for a
** misspelt name.
*/
#include <criterion/criterion.h>

#include "check_fixtures.h"

TestSuite(diag, .init = fe_setup, .fini = fe_teardown);

Test(diag, an_error_is_shown_with_its_line_and_a_caret_under_the_culprit)
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

Test(diag, the_caret_follows_tabs)
{
    fe_check("device d : soft_bounds {\n\t\tdw_mn = 1\n}\n");
    assert_output_has("    2 | \t\tdw_mn = 1\n      | \t\t^~~~~\n");
}

/* Columns count bytes; the caret line skips UTF-8 continuation bytes so it lines up. */
Test(diag, the_caret_skips_utf8_continuation_bytes)
{
    fe_check("x = [\"\xc3\xa9\", 1 / 0]\n");
    assert_output_has("t.aimc:1:16: error: division by zero\n");
    assert_output_has("      |               ^\n");
}

/* A transposition ("lni" for "lin", "setps" for "steps") counts as two edits: no hint. */
Test(diag, a_transposed_name_gets_a_hint)
{
    fe_check("model lin { dense(1, 1) }\nx = lni\ntrain t { setps = 3 }\n");
    assert_output_has("  hint: did you mean 'lin'?\n");
    assert_output_has("  hint: did you mean 'steps'?\n");
}
