/*
** test_fit_cmd.c: the `fit` command (interp/fit/fit_cmd.h): the declaration it writes,
** checked and measured again against the trace it was fitted to, and its errors.
*/
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "fit_cmd.h"
#include "fit_fixtures.h"
#include "rt_measure.h"

/* The declaration of fit, checked, reproduces the trace pulse by pulse within TRACE_TOL. */
Test(fit_cmd, declaration_reproduces_the_trace)
{
    Buf decl = {0}, report = {0};
    cr_assert_eq(fit_command("fitted", "linear_step", TRACE_DIR "linearstep_1.csv", "test", 1, 1,
                             &decl, &report), 0);
    cr_assert(strstr(report.s, "residual: RMS") != NULL, "%s", report.s);
    Arena *ar = arena_new();
    FILE *devnull = fopen("/dev/null", "w");
    Diag *d = diag_new(devnull);
    Checker *ck = chk_new(ar, d, "stdlib");
    Buf src = {0};
    buf_printf(&src, "%s", decl.s);
    cr_assert_eq(chk_source(ck, "fitted.aimc", src.s, src.n), 0, "%s", decl.s);
    const IrProgram *p = chk_program(ck);
    cr_assert_not_null(p);
    cr_assert_eq(p->ndevices, 1);
    long prog[] = {200, -400, 200};
    IrMeasure m = {.name = "m", .device = p->devices[0], .nprog = 3, .pulses = prog, .seed = 1};
    RtTrace tr = {0};
    char err[128];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0);
    FILE *f = fopen(TRACE_DIR "linearstep_1.csv", "r");
    char line[512];
    size_t k = 0;
    while (fgets(line, sizeof line, f)) {
        size_t idx;
        char dirw[8];
        double v;
        if (line[0] == '#' || sscanf(line, "%zu,%7[a-z],%lf", &idx, dirw, &v) != 3)
            continue;
        k++;
        cr_assert_leq(fabs((double)tr.w[k] - v), TRACE_TOL, "pulse %zu", k);
    }
    fclose(f);
    cr_assert_eq(k, 800);
    rt_trace_free(&tr);
    buf_free(&src), buf_free(&decl), buf_free(&report);
    diag_free(d);
    fclose(devnull);
    arena_free(ar);
}

/* The tabulated families write declarations that check (q >= 0 on [w_min, w_max]). */
Test(fit_cmd, tabulated_declarations_check)
{
    const char *fams[] = {"response", "piecewise"};
    for (int i = 0; i < 2; i++) {
        Buf decl = {0}, report = {0};
        cr_assert_eq(fit_command("t", fams[i], TRACE_DIR "softbounds_1.csv", "test", 1, 1, &decl,
                                 &report), 0);
        Arena *ar = arena_new();
        FILE *sink = tmpfile();
        Diag *d = diag_new(sink);
        Checker *ck = chk_new(ar, d, "stdlib");
        cr_assert_eq(chk_source(ck, "t.aimc", decl.s, decl.n), 0, "%s", decl.s);
        buf_free(&decl), buf_free(&report);
        diag_free(d);
        fclose(sink);
        arena_free(ar);
    }
}

Test(fit_cmd, unknown_family_suggests_one)
{
    cr_redirect_stderr();
    Buf decl = {0}, report = {0};
    cr_assert_eq(fit_command("d", "sof_bounds", TRACE_DIR "softbounds_1.csv", "repl", 3, 5,
                             &decl, &report), 1);
    cr_assert_eq(fit_command("d", "ideal", TRACE_DIR "softbounds_1.csv", "repl", 4, 5, &decl,
                             &report), 1);
    fflush(stderr);
    cr_assert_stderr_eq_str(
        "repl:3:5: error: unknown device family 'sof_bounds'\n"
        "  expected: one of constant_step, soft_bounds, response, linear_step, exp_step, pow_step, "
        "piecewise_step, linear, power, exponential\n"
        "  hint: did you mean 'soft_bounds'?\n"
        "repl:4:5: error: family 'ideal' cannot be fitted to measured data\n"
        "  expected: one of constant_step, soft_bounds, response, linear_step, exp_step, pow_step, "
        "piecewise_step, linear, power, exponential\n");
}
