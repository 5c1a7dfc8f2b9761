/*
** test_fit.c: the fitting engine (runtime/rt_fit.h) on traces made in memory, and the CBLAS
** it runs on.
**
** - Noisy synthetic traces of aimci's own devices (a noise-free `measure` plus independent
**   read noise of std sigma): every fitted parameter lies within 5 of its standard errors
**   of the truth, and the residual RMS estimates sigma: |rms/sigma - 1| <= 5/sqrt(2n)
**   (the relative std of a sample std of n normals is 1/sqrt(2n)).
** - The tabulated families, fitted to a noise-free trace, follow its true steps.
*/
#define _GNU_SOURCE /* dladdr */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dlfcn.h>
#include <gsl/gsl_blas.h>
#include <math.h>
#include <string.h>

#include "fit_fixtures.h"
#include "rt_fit.h"
#include "rt_fixtures.h"
#include "rt_measure.h"
#include "rt_rng.h"

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
