/*
** test_measured.c: measured data (interp/fit/measured.h): files read and fitted.
**
** - aihwkit's traces (tests/data/aihwkit-traces, float32, noise-free) are reproduced by the
**   fit to within 1e-5 (residual RMS), the agreement test_device_traces.c asks of every
**   pulse, and give back the parameters in their headers within what that agreement
**   determines: 1e-5 relative (absolute for parameters that are 0), or, for a parameter the
**   weights are less sensitive to, its standard error scaled from the fit's residual to
**   1e-5 (standard errors are proportional to the residual scale).
** - Measured-data shapes (metadata, branch columns, resistance, cycles) and their errors.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_fixtures.h"
#include "measured.h"
#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_rng.h"
#include "text.h"

/* A Diag writing into a memory stream, and its text. */
static char *diag_text;
static size_t diag_len;
static FILE *diag_out;
static Diag *diag;
static void open_diag(void)
{
    diag_out = open_memstream(&diag_text, &diag_len);
    diag = diag_new(diag_out);
}
static const char *diag_str(void)
{
    fflush(diag_out);
    return diag_text ? diag_text : "";
}

/*
** {======================================================================
** aihwkit's traces
** =======================================================================
*/

typedef struct TraceFit {
    char file[32];
    int family;
    char names[6][16];
    double want[6];
} TraceFit;

ParameterizedTestParameters(measured, aihwkit_traces)
{
    static TraceFit cases[] = {
        {"constantstep_1.csv", IR_DEV_CONSTANT_STEP, {"dw_min", "up_down", "w_max", "w_min"},
         {0.01, 0, 1, -1}},
        {"softbounds_1.csv", IR_DEV_SOFT_BOUNDS, {"dw_min", "up_down", "w_max", "w_min"},
         {0.01, 0, 1, -1}},
        {"linearstep_1.csv", IR_DEV_LINEAR_STEP, {"dw_min", "gamma_up", "gamma_down", "w_max",
         "w_min", "up_down"}, {0.01, 0.5, 0.5, 1, -1, 0}},
        {"expstep_1.csv", IR_DEV_EXP_STEP, {"A_up", "A_down", "gamma_up", "gamma_down", "dw_min",
         "w_max"}, {0.00081, 0.36833, 12.4462, 12.7879, 0.01, 1}},
        {"powstep_1.csv", IR_DEV_POW_STEP, {"dw_min", "pow_gamma", "pow_up_down", "up_down",
         "w_max", "w_min"}, {0.01, 1, 0, 0, 1, -1}},
    };
    return cr_make_param_array(TraceFit, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(TraceFit *c, measured, aihwkit_traces, .init = open_diag)
{
    char path[128];
    snprintf(path, sizeof path, TRACE_DIR "%s", c->file);
    Measured m;
    cr_assert_eq(measured_read(&m, path, diag, (SrcLoc){0}), 0, "%s", diag_str());
    cr_assert_eq(m.quantity, MS_WEIGHT);
    cr_assert_eq(m.data.n, 799, "800 rows, the first the anchor");
    static RtFitResult r;
    char err[256];
    cr_assert_eq(rt_fit_device(&r, (IrDevFamily)c->family, &m.data, err, sizeof err), 0, "%s",
                 err);
    cr_assert_leq(r.rms, TRACE_TOL);
    for (int k = 0; k < 6 && c->names[k][0]; k++) {
        /* the headers print 6 significant digits: exp_step's gammas are 12.44625, 12.78785 */
        const RtFitParam *p = param(&r, c->names[k]);
        double tol = c->want[k] != 0.0 ? TRACE_TOL * fabs(c->want[k]) : TRACE_TOL;
        tol = fmax(tol, p->se * TRACE_TOL / r.rms);
        cr_assert_leq(fabs(p->value - c->want[k]), tol, "%s %s: %.9g, want %.9g", c->file,
                      p->name, p->value, c->want[k]);
    }
    measured_free(&m);
}

/* }====================================================================== */

/*
** {======================================================================
** Measured files
** =======================================================================
*/

static char dir[64];
static void temp_dir(void)
{
    open_diag();
    strcpy(dir, "/tmp/aimci-fit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_temp_dir(void)
{
    fx_rm_tree(dir);
}

/* A test's scratch directory, made before it and removed after it. */
#define SCRATCH .init = temp_dir, .fini = remove_temp_dir

static const char *write_file(const char *name, const char *text)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/*
** A soft_bounds device (dw 0.01, bounds 1, noise-free) measured as conductance:
** G = 20 + 10 (w + 1) uS. Two cycles in branch columns with metadata before the header;
** each branch from the opposite extreme. The mapping onto [-1, 1] is affine, and soft
** bounds stay soft bounds under it, so the fit is exact: rms ~ float rounding.
*/
static void branch_csv(Buf *b)
{
    buf_printf(b, "Device: RRAM test structure 7\nDate: 2024-05-01\nVset = 1.2 V; Vreset = -1.1 V\n"
                  "\n# pulse number, conductance per branch\n"
                  "Pulse #;G_pot (uS);G_dep (uS)\n");
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    RtDevice dv;
    RtRng r;
    RtCell cell;
    rt_rng_seed(&r, 1, 0);
    rt_device_init(&dv, &d);
    rt_device_sample(&cell, 1, 1, &d, &r);
    for (int cycle = 0; cycle < 2; cycle++) {
        float up = -0.9f, down = 0.9f;
        for (int p = 0; p <= 150; p++) {
            buf_printf(b, "%d;%.9g;%.9g\n", p, 20.0 + 10.0 * (up + 1.0), 20.0 + 10.0 * (down + 1.0));
            up = rt_device_pulse(&dv, &cell, up, true, NULL);
            down = rt_device_pulse(&dv, &cell, down, false, NULL);
        }
    }
}

Test(measured, branch_columns_metadata_units_and_cycles, SCRATCH)
{
    Buf b = {0};
    branch_csv(&b);
    const char *path = write_file("branches.csv", b.s);
    buf_free(&b);
    Measured m;
    cr_assert_eq(measured_read(&m, path, diag, (SrcLoc){0}), 0, "%s", diag_str());
    cr_assert(m.branches);
    cr_assert_eq(m.quantity, MS_CONDUCTANCE);
    cr_assert_str_eq(m.unit, "uS");
    cr_assert_eq(m.cycles, 2);
    cr_assert_eq(m.data.nseg, 4, "a segment per branch and cycle");
    cr_assert_eq(m.data.n, 4 * 150);
    static RtFitResult r;
    char err[256];
    cr_assert_eq(rt_fit_device(&r, IR_DEV_SOFT_BOUNDS, &m.data, err, sizeof err), 0, "%s", err);
    cr_assert_leq(r.rms, TRACE_TOL);
    /* weights w' = (G - g_lo)/(g_hi - g_lo)*2 - 1 = a w + c: the bounds map like weights */
    double a = 20.0 / (m.g_hi - m.g_lo), c = -1.0 + 2.0 * (30.0 - m.g_lo) / (m.g_hi - m.g_lo);
    cr_assert_float_eq(param(&r, "w_max")->value, a + c, 1e-4);
    cr_assert_float_eq(param(&r, "w_min")->value, -a + c, 1e-4);
    measured_free(&m);
}

Test(measured, resistance_direction_words_and_pulse_gaps, SCRATCH)
{
    /* R in kOhm, readings every 2nd pulse, set/reset words, a cycle column, a time column */
    Buf b = {0};
    buf_printf(&b, "cycle,time (s),pulse,polarity,R [kOhm]\n1,0,0,read,50\n");
    double g = 1.0 / 50.0;
    for (int p = 2; p <= 40; p += 2) {
        g += 2 * 0.0005;
        buf_printf(&b, "1,%d,%d,set,%.9g\n", p, p, 1.0 / g);
    }
    for (int p = 42; p <= 80; p += 2) {
        g -= 2 * 0.0005;
        buf_printf(&b, "1,%d,%d,reset,%.9g\n", p, p, 1.0 / g);
    }
    const char *path = write_file("res.csv", b.s);
    buf_free(&b);
    Measured m;
    cr_assert_eq(measured_read(&m, path, diag, (SrcLoc){0}), 0, "%s", diag_str());
    cr_assert_eq(m.quantity, MS_RESISTANCE);
    cr_assert_eq(m.data.n, 40);
    cr_assert_eq(m.data.npulse[0], 2, "pulse numbers 0, 2: two pulses");
    cr_assert_float_eq(m.g_lo, 1.0 / 50.0, 1e-9);
    cr_assert_float_eq(m.g_hi, 1.0 / 50.0 + 0.02, 1e-9);
    static RtFitResult r;
    char err[256];
    cr_assert_eq(rt_fit_device(&r, IR_DEV_CONSTANT_STEP, &m.data, err, sizeof err), 0, "%s", err);
    /* 20 readings of 2 pulses span the range [-1, 1]: a step of 2/40 */
    cr_assert_float_eq(param(&r, "dw_min")->value, 0.05, 1e-6);
    measured_free(&m);
}

typedef struct BadCsv {
    char text[160];
    char want[96];
} BadCsv;

ParameterizedTestParameters(measured, errors_name_the_place)
{
    static BadCsv cases[] = {
        {"a,b\n1,2\n", "bad.csv: error: no header line with a value column"},
        {"pulse,direction,G (uS)\n1,up,1\n2,sideways,2\n", "bad.csv:3:3: error: unknown direction 'sideways'"},
        {"pulse,direction,G (uS)\n1,up,1\n2,up\n", "bad.csv:3:1: error: 2 fields, but the header has 3"},
        {"pulse,G (uS)\n1,2\n", "bad.csv:1:1: error: no direction column"},
        {"pulse,direction,R (Ohm)\n1,up,-5\n", "bad.csv:2:6: error: a resistance of -5 cannot be measured"},
        {"pulse,direction,w\n1,up,x1\n", "bad.csv:2:6: error: not a number: 'x1'"},
        {"pulse,direction,w\n1,up,0.5\n2,up,0.5\n", "error: the weight never changes"},
    };
    return cr_make_param_array(BadCsv, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(BadCsv *c, measured, errors_name_the_place, SCRATCH)
{
    const char *path = write_file("bad.csv", c->text);
    Measured m;
    cr_assert_eq(measured_read(&m, path, diag, (SrcLoc){0}), 1);
    cr_assert(strstr(diag_str(), c->want) != NULL, "want '%s' in:\n%s", c->want, diag_str());
    measured_free(&m);
}

/* }====================================================================== */
