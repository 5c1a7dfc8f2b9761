/*
** test_fit.c: fitting devices to measured data (runtime/rt_fit.h, interp/fit/measured.h,
** interp/fit/fit_cmd.h).
**
** - aihwkit's traces (tests/data/aihwkit-traces, float32, noise-free) are reproduced by the
**   fit to within 1e-5 (residual RMS), the agreement test_device_traces.c asks of every
**   pulse, and give back the parameters in their headers within what that agreement
**   determines: 1e-5 relative (absolute for parameters that are 0), or, for a parameter the
**   weights are less sensitive to, its standard error scaled from the fit's residual to
**   1e-5 (standard errors are proportional to the residual scale).
** - Noisy synthetic traces of aimci's own devices (a noise-free `measure` plus independent
**   read noise of std sigma): every fitted parameter lies within 5 of its standard errors
**   of the truth, and the residual RMS estimates sigma: |rms/sigma - 1| <= 5/sqrt(2n)
**   (the relative std of a sample std of n normals is 1/sqrt(2n)).
** - Measured-data shapes (metadata, branch columns, resistance, cycles), their errors, and
**   the declaration `fit` writes, checked and measured again.
*/
#define _GNU_SOURCE /* dladdr */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <dlfcn.h>
#include <gsl/gsl_blas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "fit_cmd.h"
#include "measured.h"
#include "rt_device.h"
#include "rt_fit.h"
#include "rt_fixtures.h"
#include "rt_measure.h"
#include "rt_rng.h"

#define TRACE_DIR "tests/data/aihwkit-traces/"
#define TRACE_TOL 1e-5
#define Z_TOL 5.0

/* GSL's CBLAS calls bind to BLIS (Makefile: -lgsl before -lblis), and compute right. */
Test(fit, gsl_blas_runs_on_blis)
{
    void *sym = dlsym(RTLD_DEFAULT, "cblas_dgemm");
    Dl_info info;
    cr_assert_not_null(sym);
    cr_assert(dladdr(sym, &info) && info.dli_fname);
    cr_assert(strstr(info.dli_fname, "blis") != NULL, "cblas_dgemm from %s", info.dli_fname);
    double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2);
    gsl_matrix_view C = gsl_matrix_view_array(c, 2, 2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &B.matrix, 0.0, &C.matrix);
    cr_assert(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
}

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

static const RtFitParam *param(const RtFitResult *r, const char *name)
{
    for (size_t k = 0; k < r->npar; k++)
        if (strcmp(r->par[k].name, name) == 0)
            return &r->par[k];
    cr_assert_fail("no parameter %s", name);
    return NULL;
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

ParameterizedTestParameters(fit, aihwkit_traces)
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

ParameterizedTest(TraceFit *c, fit, aihwkit_traces, .init = open_diag)
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
** Noisy synthetic traces of aimci's devices
** =======================================================================
*/

#define SYN_SIGMA 0.005
#define SYN_MAX 4000

typedef struct Synthetic {
    double w[SYN_MAX];
    signed char dir[SYN_MAX];
    unsigned np[SYN_MAX];
    RtFitSeg seg[64];
    RtFitData data;
} Synthetic;

/*
** Two cycles of +150, -300, +150 pulses from 0 on dev (noise-free measure), each reading
** plus sigma*xi; a segment per run of one direction, anchored at the reading before it.
*/
static void synthesize(Synthetic *s, const IrDevice *dev, double sigma, uint64_t seed)
{
    long prog[] = {150, -300, 150, 150, -300, 150};
    IrMeasure m = {.name = "m", .device = dev, .nprog = 6, .pulses = prog, .seed = 1};
    RtTrace tr = {0};
    char err[128];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0, "%s", err);
    RtRng r;
    rt_rng_seed(&r, seed, 0);
    double prev = tr.w[0] + sigma * rt_rng_normal(&r);
    size_t n = 0, nseg = 0;
    for (size_t i = 1; i < tr.n; i++) {
        double v = tr.w[i] + sigma * rt_rng_normal(&r);
        if (i == 1 || tr.dir[i] != tr.dir[i - 1])
            s->seg[nseg++] = (RtFitSeg){n, 0, prev};
        s->w[n] = v, s->dir[n] = tr.dir[i], s->np[n] = 1;
        s->seg[nseg - 1].n++;
        n++, prev = v;
    }
    rt_trace_free(&tr);
    s->data = (RtFitData){n, s->dir, s->np, s->w, nseg, s->seg};
}

typedef struct SynCase {
    int family;
    char names[4][16];
    double truth[4];
} SynCase;

/* The device of a case: dw_min 0.01, bounds (or tau) 1, the case's parameters. */
static IrDevice syn_device(const SynCase *c)
{
    IrDevice d = fx_quiet((IrDevFamily)c->family, 0.01, 1.0);
    d.dw_min_dtod = d.pow_gamma_dtod = 0.0;
    for (int k = 0; k < 4 && c->names[k][0]; k++) {
        const char *n = c->names[k];
        double v = c->truth[k];
        if (!strcmp(n, "up_down")) d.up_down = v;
        else if (!strcmp(n, "gamma_up")) d.gamma_up = v;
        else if (!strcmp(n, "gamma_down")) d.gamma_down = v;
        else if (!strcmp(n, "pow_gamma")) d.pow_gamma = v;
        else if (!strcmp(n, "pow_up_down")) d.pow_up_down = v;
        else if (!strcmp(n, "c_lin")) d.c_lin = v;
        else if (!strcmp(n, "gamma_res")) d.gamma_res = v;
        else if (!strcmp(n, "tau")) d.tau = v;
        else if (!strcmp(n, "A_down")) d.A_down = v;
        else if (!strcmp(n, "dw_min")) d.dw_min = v;
    }
    return d;
}

ParameterizedTestParameters(fit, noisy_synthetic)
{
    static SynCase cases[] = {
        {IR_DEV_CONSTANT_STEP, {"dw_min", "up_down"}, {0.01, 0.2}},
        {IR_DEV_SOFT_BOUNDS, {"dw_min", "up_down"}, {0.01, 0.2}},
        {IR_DEV_LINEAR_STEP, {"dw_min", "gamma_up", "gamma_down"}, {0.01, 0.5, 0.3}},
        {IR_DEV_EXP_STEP, {"dw_min", "A_down"}, {0.01, 0.36833}},
        {IR_DEV_POW_STEP, {"dw_min", "pow_gamma", "pow_up_down"}, {0.01, 1.5, 0.2}},
        {IR_DEV_LINEAR, {"dw_min", "c_lin", "tau"}, {0.01, 0.2, 0.8}},
        {IR_DEV_POWER, {"dw_min", "gamma_res", "tau"}, {0.01, 2.0, 0.8}},
        {IR_DEV_EXPONENTIAL, {"dw_min", "gamma_res", "tau"}, {0.01, 2.0, 0.8}},
    };
    return cr_make_param_array(SynCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(SynCase *c, fit, noisy_synthetic)
{
    static Synthetic s;
    static RtFitResult r;
    IrDevice dev = syn_device(c);
    synthesize(&s, &dev, SYN_SIGMA, 7);
    char err[256];
    cr_assert_eq(rt_fit_device(&r, (IrDevFamily)c->family, &s.data, err, sizeof err), 0, "%s",
                 err);
    double chi_tol = 5.0 / sqrt(2.0 * (double)s.data.n);
    cr_assert_leq(fabs(r.rms / SYN_SIGMA - 1.0), chi_tol, "rms %g, sigma %g", r.rms, SYN_SIGMA);
    for (int k = 0; k < 4 && c->names[k][0]; k++) {
        const RtFitParam *p = param(&r, c->names[k]);
        cr_assert(p->how == RT_FIT_FREE && isfinite(p->se) && p->se > 0.0, "%s", p->name);
        cr_assert_leq(fabs(p->value - c->truth[k]), Z_TOL * p->se, "%s: %.6g +- %.2g, truth %g",
                      p->name, p->value, p->se, c->truth[k]);
    }
}

/* Noise-free: the tabulated families follow the true steps of soft_bounds at their nodes. */
Test(fit, tabulated_families_follow_the_true_steps)
{
    static Synthetic s;
    static RtFitResult r;
    SynCase c = {IR_DEV_SOFT_BOUNDS, {"up_down"}, {0.2}};
    IrDevice dev = syn_device(&c);
    synthesize(&s, &dev, 0.0, 1);
    for (int f = 0; f < 2; f++) {
        char err[256];
        IrDevFamily fam = f ? IR_DEV_PIECEWISE_STEP : IR_DEV_RESPONSE;
        cr_assert_eq(rt_fit_device(&r, fam, &s.data, err, sizeof err), 0, "%s", err);
        double dw = param(&r, "dw_min")->value;
        /* interior nodes: the mean step there is the step at the node, to within the change
           of the step across one node spacing h (steps are linear in w: slope dw_min) */
        double h = (r.hi - r.lo) / (double)(r.nnodes - 1);
        for (size_t k = 1; k + 1 < r.nnodes; k++) {
            double w = r.lo + h * (double)k;
            double up = 0.01 * (1.0 - w / 1.0), down = 0.01 * 0.8 * (1.0 + w / 1.0);
            cr_assert_leq(fabs(r.node_up[k] * dw - up), 0.01 * h, "node %zu up", k);
            cr_assert_leq(fabs(r.node_down[k] * dw - down), 0.01 * h, "node %zu down", k);
        }
    }
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

Test(fit, branch_columns_metadata_units_and_cycles, .init = temp_dir)
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

Test(fit, resistance_direction_words_and_pulse_gaps, .init = temp_dir)
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

ParameterizedTestParameters(fit, errors_name_the_place)
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

ParameterizedTest(BadCsv *c, fit, errors_name_the_place, .init = temp_dir)
{
    const char *path = write_file("bad.csv", c->text);
    Measured m;
    cr_assert_eq(measured_read(&m, path, diag, (SrcLoc){0}), 1);
    cr_assert(strstr(diag_str(), c->want) != NULL, "want '%s' in:\n%s", c->want, diag_str());
    measured_free(&m);
}

/* }====================================================================== */

/*
** {======================================================================
** The fit command
** =======================================================================
*/

/* The declaration of fit, checked, reproduces the trace pulse by pulse within TRACE_TOL. */
Test(fit, declaration_reproduces_the_trace)
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
Test(fit, tabulated_declarations_check)
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

Test(fit, unknown_family_suggests_one)
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

/* }====================================================================== */
