/*
** test_repl.c: the REPL's parts without a terminal: telling commands, statements and
** expressions apart; the session (checking, errors at input lines, expressions, :save);
** completion by context; joining a fitted declaration onto one line; scratch devices against
** the runtime's measure. The terminal itself is tested by tests/scripts/repl_pty.sh.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "repl_args.h"
#include "repl_complete.h"
#include "repl_device.h"
#include "repl_line.h"
#include "repl_session.h"
#include "rt_measure.h"

/* A session whose errors go to a memory stream. */
typedef struct Fix {
    ReplSession *s;
    FILE *err;
    char *text;
    size_t len;
} Fix;

static Fix fx;

static void setup(void)
{
    fx.err = open_memstream(&fx.text, &fx.len);
    fx.s = repl_session_new("/nonexistent-stdlib", fx.err);
    cr_assert(fx.s);
}

static void teardown(void)
{
    repl_session_free(fx.s);
    fclose(fx.err);
    free(fx.text);
}

/* What the session reported so far. */
static const char *errors(void)
{
    fflush(fx.err);
    return fx.text ? fx.text : "";
}

TestSuite(repl, .init = setup, .fini = teardown);

/*
** {======================================================================
** Commands, statements, expressions
** =======================================================================
*/

typedef struct Kind {
    char text[64];
    int command, statement; /* what the REPL takes it for (an expression: neither) */
} Kind;

static Kind kinds[] = {
    {"pulse rram +100", 1, 0},         {"  show rram", 1, 0},
    {":save x.aimc", 1, 0},            {"help", 1, 0},
    {"set rram w = 0.3", 1, 0},        {"sp = 3", 0, 1},
    {"show.x", 0, 0},                  {"device d : ideal {}", 0, 1},
    {"x = 1", 0, 1},                   {"use \"devices\"", 0, 1},
    {"rram.dw_min = 2", 0, 1},         {"rram.dw_min * 2", 0, 0},
    {"1 + 2", 0, 0},                   {"[1, 2]", 0, 0},
    {"pulses", 0, 0},                  {"runner", 0, 0},
};

ParameterizedTestParameters(repl, classify)
{
    return cr_make_param_array(Kind, kinds, sizeof kinds / sizeof *kinds);
}

ParameterizedTest(Kind *k, repl, classify)
{
    cr_expect_eq(repl_is_command(k->text), k->command, "'%s': command", k->text);
    if (!k->command)
        cr_expect_eq(repl_is_statement(k->text), k->statement, "'%s': statement", k->text);
}

/* }====================================================================== */

Test(repl, declarations_accumulate_and_errors_name_the_input_line)
{
    cr_assert_eq(repl_session_declare(fx.s, "device d : soft_bounds { dw_min = 0.01 }", 1), 0);
    cr_assert_eq(repl_session_declare(fx.s, "device e : d {\n  w_mx = 1\n}\n", 4), 1);
    cr_expect(strstr(errors(), "<stdin>:5:3: error: unknown parameter 'w_mx'"), "%s", errors());
    cr_expect(strstr(errors(), "did you mean 'w_max'?"), "%s", errors());
    const IrProgram *p = repl_session_program(fx.s);
    cr_assert_eq(p->ndevices, 1, "the rejected chunk left nothing behind");
    cr_assert_eq(repl_session_declare(fx.s, "device e : d { w_max = 1 }", 7), 0);
    cr_expect_eq(repl_session_program(fx.s)->ndevices, 2);
}

/* Declaring a name again replaces the declaration; the ones that use it must still check. */
Test(repl, a_redefinition_replaces_the_declaration)
{
    cr_assert_eq(repl_session_declare(fx.s, "device d : soft_bounds { dw_min = 0.01 }", 1), 0);
    cr_assert_eq(repl_session_declare(fx.s, "device e : d { w_max = 1 }", 2), 0);
    cr_assert_null(repl_session_replaced(fx.s));
    cr_assert_eq(repl_session_declare(fx.s, "device d : soft_bounds { dw_min = 0.03 }", 5), 0,
                 "%s", errors());
    cr_assert_str_eq(repl_session_replaced(fx.s), "d");
    const IrProgram *p = repl_session_program(fx.s);
    cr_assert_eq(p->ndevices, 2, "one d, one e");
    for (size_t i = 0; i < p->ndevices; i++)
        cr_expect_float_eq(p->devices[i]->dw_min, 0.03, 1e-12, "%s inherits the new d",
                           p->devices[i]->name);
    /* e sets w_max, which an ideal device does not have: rejected, nothing changes */
    cr_assert_eq(repl_session_declare(fx.s, "device d : ideal {}", 8), 1);
    cr_expect(strstr(errors(), "<stdin>:2:16: error: device family ideal has no parameter"),
              "%s", errors());
    cr_expect(strstr(errors(), "note: this redefines 'd' (line 1)"), "%s", errors());
    cr_assert_null(repl_session_replaced(fx.s));
    cr_expect_float_eq(repl_session_program(fx.s)->devices[0]->dw_min, 0.03, 1e-12);
}

/* Evaluate text at line, the printed value (or "" on error) into out. */
static int eval(const char *text, uint32_t line, char *out, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = repl_session_eval(fx.s, text, line, f);
    fclose(f);
    snprintf(out, n, "%s", buf ? buf : "");
    free(buf);
    return rc;
}

Test(repl, expressions_are_evaluated_with_the_session_names)
{
    char v[256];
    cr_assert_eq(repl_session_declare(fx.s, "tau = 0.6\ndevice d : linear { tau = tau }", 1), 0);
    cr_assert_eq(eval("2 * tau + d.c_lin", 3, v, sizeof v), 0);
    cr_expect_str_eq(v, "1.2\n");
    cr_assert_eq(eval("[1, 2 ^ 3]", 4, v, sizeof v), 0);
    cr_expect_str_eq(v, "[1, 8]\n");
    cr_assert_eq(eval("d", 5, v, sizeof v), 0);
    cr_expect_str_eq(v, "d: a device (linear)\n");
}

Test(repl, the_last_value_is_underscore)
{
    char v[256];
    cr_expect_neq(eval("_ + 1", 1, v, sizeof v), 0, "no value yet");
    cr_assert_eq(eval("2 * 21", 2, v, sizeof v), 0);
    cr_assert_eq(eval("_ + 1", 3, v, sizeof v), 0);
    cr_expect_str_eq(v, "43\n");
    cr_assert_eq(eval("[_, 2 * _]", 4, v, sizeof v), 0);
    cr_expect_str_eq(v, "[43, 86]\n");
    cr_assert_eq(repl_session_declare(fx.s, "device d : linear {}", 5), 0);
    cr_assert_eq(eval("d", 6, v, sizeof v), 0);
    cr_assert_eq(eval("_", 7, v, sizeof v), 0);
    cr_expect_str_eq(v, "[43, 86]\n", "a device is no value for _");
    cr_assert_eq(repl_session_declare(fx.s, "_ = 5", 8), 0);
    cr_assert_eq(eval("_", 9, v, sizeof v), 0);
    cr_expect_str_eq(v, "5\n", "a declared _ wins");
}

Test(repl, an_expression_error_points_where_it_was_typed)
{
    char v[256];
    cr_assert_eq(eval("1 + tua", 1, v, sizeof v), 1);
    cr_expect(strstr(errors(), "<stdin>:1:5: error: unknown name 'tua'"), "%s", errors());
    cr_assert_eq(eval("(2 *", 6, v, sizeof v), 1);
    cr_expect(strstr(errors(), "<stdin>:6:"), "%s", errors());
    cr_expect(strstr(errors(), "unexpected end of input"), "%s", errors());
    cr_expect_str_eq(v, "");
}

/* An expression at the prompt is parsed as a script's expressions are, limits included: too
** deep a nesting is the script's clean error (it used to be evaluated). */
Test(repl, an_expression_nested_too_deep_is_the_scripts_error)
{
    char text[256] = "", v[256];
    for (int k = 0; k < 70; k++)
        strcat(text, "(");
    strcat(text, "1");
    for (int k = 0; k < 70; k++)
        strcat(text, ")");
    cr_assert_eq(eval(text, 2, v, sizeof v), 1);
    cr_expect_str_eq(v, "");
    char expected[512];
    snprintf(expected, sizeof expected, "<stdin>:2:1: error: nesting too deep\n"
                                        "    2 | %s\n"
                                        "      | ^\n"
                                        "  expected: at most 64 levels of brackets\n", text);
    cr_expect_str_eq(errors(), expected);
}

Test(repl, save_writes_a_script_that_checks)
{
    char dir[] = "/tmp/aimci_repl_XXXXXX", path[256], lib[256], err[512];
    cr_assert(mkdtemp(dir));
    snprintf(lib, sizeof lib, "%s/lib.aimc", dir);
    FILE *f = fopen(lib, "w");
    fputs("device base : soft_bounds { dw_min = 0.02 }\n", f);
    fclose(f);
    char use[300];
    snprintf(use, sizeof use, "use \"%s\"", lib);
    cr_assert_eq(repl_session_declare(fx.s, use, 1), 0, "%s", errors());
    cr_assert_eq(repl_session_declare(fx.s, "device d : base { up_down = 0.1 }", 2), 0);
    snprintf(path, sizeof path, "%s/sub/session.aimc", dir);
    cr_assert_eq(repl_session_save(fx.s, path, err, sizeof err), 0, "%s", err);
    Arena *ar = arena_new();
    Diag *d = diag_new(fx.err);
    Checker *c = chk_new(ar, d, "/nonexistent-stdlib");
    cr_expect_eq(chk_file(c, path), 0, "%s", errors());
    const IrProgram *p = chk_program(c);
    cr_assert(p);
    cr_expect_eq(p->ndevices, 2);
    diag_free(d);
    arena_free(ar);
    char *text = NULL;
    size_t len = 0;
    f = fopen(path, "r");
    cr_assert(f);
    cr_expect(getdelim(&text, &len, '\0', f) > 0);
    fclose(f);
    cr_expect(strstr(text, "use \"../lib.aimc\""), "the use path is relative: %s", text);
    free(text);
    unlink(path);
    unlink(lib);
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

/*
** {======================================================================
** Completion
** =======================================================================
*/

/* The completions of the end of line, joined by spaces. */
static void complete(const char *pending, const char *line, char *out, size_t n)
{
    const char *c[256];
    size_t start, k = repl_complete_words(fx.s, pending, line, strlen(line), &start, c, 256);
    out[0] = '\0';
    for (size_t i = 0; i < k; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " " : "", c[i]);
}

Test(repl, completion_follows_the_context)
{
    char v[4096];
    cr_assert_eq(repl_session_declare(fx.s, "device rram : soft_bounds {}\ndevice pcm : ideal {}\n"
                                            "measure m { device = rram, pulses = [+1] }", 1), 0);
    complete(NULL, "pul", v, sizeof v);
    cr_expect_str_eq(v, "pulse");
    complete(NULL, "dev", v, sizeof v);
    cr_expect_str_eq(v, "device");
    complete(NULL, "pulse r", v, sizeof v);
    cr_expect_str_eq(v, "rram", "device names after a device command");
    complete(NULL, "compare rram ", v, sizeof v);
    cr_expect_str_eq(v, "pcm rram");
    complete(NULL, "run ", v, sizeof v);
    cr_expect_str_eq(v, "m");
    complete(NULL, "device x : soft_b", v, sizeof v);
    cr_expect_str_eq(v, "soft_bounds soft_bounds_reference");
    complete(NULL, "device x : r", v, sizeof v);
    cr_expect_str_eq(v, "response rram", "families and devices to inherit from");
    complete(NULL, "device x : soft_bounds { w_m", v, sizeof v);
    cr_expect_str_eq(v, "w_max w_max_dtod w_min w_min_dtod");
    complete("device x : rram {\n", "  gamma_u", v, sizeof v);
    cr_expect_str_eq(v, "", "soft_bounds (inherited) has no gamma_up");
    complete("device x : linear_step {\n", "  gamma_u", v, sizeof v);
    cr_expect_str_eq(v, "gamma_up gamma_up_dtod");
    complete(NULL, "rram.dw_min_s", v, sizeof v);
    cr_expect_str_eq(v, "dw_min_std");
    complete(NULL, "m.pul", v, sizeof v);
    cr_expect_str_eq(v, "pulses");
    complete(NULL, "x = 2 * rr", v, sizeof v);
    cr_expect_str_eq(v, "rram");
    complete(NULL, "help sof", v, sizeof v);
    cr_expect_str_eq(v, "soft_bounds soft_bounds_reference", "help topics include families");
    complete(NULL, ":sa", v, sizeof v);
    cr_expect_str_eq(v, ":save");
}

/*
** A completion list is whole and ends on a line of its own, so that the prompt redrawn after
** it (libedit clears the cursor's line first) goes below its last row, not over it.
*/
Test(repl, a_completion_list_ends_on_its_own_line)
{
    const char *names[11] = {"capacitor", "ecram",    "ecram_mo",       "gokmen_vlasov",
                             "idealized", "pcm",      "reram_array_om", "reram_es",
                             "reram_sb",  "rram",     "reram_array_hfo2"};
    for (size_t columns = 20; columns <= 200; columns += 30) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        repl_list_candidates(f, names, 11, columns);
        fclose(f);
        cr_assert(len > 0);
        cr_expect_eq(text[0], '\n', "the list starts below the line being edited");
        cr_expect_eq(text[len - 1], '\n', "the last row is ended (%zu columns)", columns);
        cr_expect_null(strstr(text, " \n"), "no trailing blanks");
        for (size_t i = 0; i < 11; i++) {
            char word[40];
            snprintf(word, sizeof word, "%s", names[i]);
            bool found = false;
            for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
                found |= (p == text || p[-1] == ' ' || p[-1] == '\n') &&
                         (p[strlen(word)] == ' ' || p[strlen(word)] == '\n');
            cr_expect(found, "'%s' missing from the list (%zu columns)", word, columns);
        }
        size_t rows = 0;
        for (size_t i = 1; i < len; i++)
            rows += text[i] == '\n';
        for (const char *line = text + 1; *line; line = strchr(line, '\n') + 1)
            cr_expect_leq((size_t)(strchr(line, '\n') - line), columns, "a row wider than %zu",
                          columns);
        cr_expect_geq(rows, 1);
    }
}

/* }====================================================================== */

Test(repl, a_fitted_declaration_goes_on_one_line)
{
    Buf b = {0};
    repl_one_line(&b, "device fit : soft_bounds {   # fitted\n"
                      "    dw_min = 0.01   # +- 0.001\n"
                      "    piecewise_up = [1, 2,\n       3]\n"
                      "    w_max = 0.5\n}\n");
    cr_expect_str_eq(b.s, "device fit : soft_bounds { dw_min = 0.01, piecewise_up = [1, 2, 3], "
                          "w_max = 0.5 }");
    buf_free(&b);
}

/*
** {======================================================================
** Scratch devices
** =======================================================================
*/

/* The IR of device `name` of the session. */
static const IrDevice *device(const char *name)
{
    const IrProgram *p = repl_session_program(fx.s);
    for (size_t i = 0; i < p->ndevices; i++)
        if (strcmp(p->devices[i]->name, name) == 0)
            return p->devices[i];
    return NULL;
}

Test(repl, scratch_pulses_are_a_measures_pulses)
{
    cr_assert_eq(repl_session_declare(fx.s, "seed = 5\ndevice d : linear_step { up_down = 0.1 }\n"
                                            "measure m { device = d, pulses = [+30, -50] }", 1),
                 0);
    const IrProgram *p = repl_session_program(fx.s);
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, p->runs[0].u.measure, true, err, sizeof err), 0);
    ReplDevs ds = {0};
    ReplDev *d = repl_dev_get(&ds, device("d"), p->seed);
    cr_assert(d);
    double w[80];
    cr_expect_eq(repl_dev_w(d), tr.w[0]);
    cr_assert_eq(repl_dev_pulse(d, 30, w), 30);
    cr_assert_eq(repl_dev_pulse(d, -50, w + 30), 50);
    for (size_t k = 0; k < 80; k++)
        cr_expect_eq((float)w[k], tr.w[k + 1], "pulse %zu: %g, measure %g", k + 1, w[k],
                     (double)tr.w[k + 1]);
    cr_expect(d->spread != NULL, "the default device has device-to-device spread");
    /* A new declaration rebinds the copy; its state stays. */
    double before = repl_dev_w(d);
    cr_assert_eq(repl_session_declare(fx.s, "x = 1", 4), 0);
    repl_devs_rebind(&ds, repl_session_program(fx.s));
    cr_assert_eq(ds.n, 1);
    cr_expect_eq(repl_dev_w(ds.v[0]), before);
    repl_devs_free(&ds);
    rt_trace_free(&tr);
}

Test(repl, alternating_pulses_settle_at_the_symmetric_point)
{
    cr_assert_eq(repl_session_declare(fx.s, "device d : soft_bounds { dw_min = 0.004, "
                                            "up_down = -0.25, dw_min_dtod = 0, w_max_dtod = 0, "
                                            "w_min_dtod = 0, up_down_dtod = 0, dw_min_std = 0 }",
                                      1),
                 0);
    ReplDevs ds = {0};
    ReplDev *d = repl_dev_get(&ds, device("d"), 0);
    cr_assert(d);
    cr_expect(d->spread == NULL, "no spread: nothing to show");
    double sp = repl_dev_cell_sp(d), mean, sd;
    repl_dev_set(d, 0.5);
    cr_expect_eq(repl_dev_alternate(d, 20000, &mean, &sd, NULL), 20000);
    /* Soft bounds, s_up = (1 + up_down) dw_min: w* = (s_up - s_down)/(s_up/w_max - s_down/w_min). */
    double su = 0.75 * 0.004, sdn = 0.004, want = (su - sdn) / (su / 0.6 + sdn / 0.6);
    /* The cell keeps its steps as floats: agreement to float precision of the range. */
    cr_expect(fabs(sp - want) < 1.2 * 1e-6, "cross-point %.9g, closed form %.9g", sp, want);
    /* The weight alternates between two values one step (<= 2 dw_min q) apart around w*. */
    cr_expect(fabs(mean - want) <= 0.004, "settled at %g, w* %g", mean, want);
    cr_expect(sd <= 0.004, "std %g", sd);
    repl_devs_free(&ds);
}

/* }====================================================================== */
