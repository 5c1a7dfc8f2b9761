/*
** rt_fit.c: parametric families fitted by Levenberg-Marquardt (GSL gsl_multifit_nlinear).
**
** Each family is a row of `families`: its internal parameters (how each is transformed so
** the search space is unconstrained), how they set the device's fields, an initial guess
** from the data, and the device parameters reported. The search runs on the free internal
** parameters; standard errors of the reported ones come from the covariance by the delta
** method (numerical derivatives of the reported values in the internal parameters).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "rt_fit.h"
#include "rt_fit_impl.h"

#define MAX_ITER 500
#define H_DF 1e-5      /* central-difference step of the Jacobian, in internal units */
#define H_DELTA 1e-6   /* step of the delta method's derivatives */
#define BAD_RESIDUAL 1e3 /* a non-finite prediction: far from any reading */

/* How an internal parameter t maps to its value p (t = 0 is the initial guess p0). */
typedef enum Tr {
    TR_POS, /* p = p0 exp(t): steps, exponents, radii stay positive */
    TR_LIN, /* p = p0 + s t, s = |p0| (1 when p0 is 0) */
    TR_UNIT /* p = tanh(atanh(p0) + t): stays in (-1, 1) */
} Tr;

typedef struct Fam {
    IrDevFamily family;
    int np;
    Tr tr[RT_FIT_MAX_PARAMS];
    int ibmax, ibmin; /* internal indices of the bounds, -1: none */
    bool clip_only;   /* the bounds only clip: fitted only when the model reaches them */
    void (*apply)(IrDevice *d, const double *p);
    void (*guess)(double *p, const FitGuess *g);
    int nrep;
    const char *rep[RT_FIT_MAX_PARAMS]; /* the reported device parameters, in order */
} Fam;

/*
** {======================================================================
** Families
** =======================================================================
*/

/* dw_min and up_down (aihwkit semantics: > 0 shrinks the down step) from the two steps. */
static void split(double su, double sd, double *dw, double *ud)
{
    if (su >= sd)
        *dw = su, *ud = 1.0 - sd / su;
    else
        *dw = sd, *ud = su / sd - 1.0;
}

/* p: s_up, s_down, w_max, w_min */
static void apply_steps(IrDevice *d, const double *p)
{
    split(p[0], p[1], &d->dw_min, &d->up_down);
    d->w_max = p[2], d->w_min = p[3];
}

/* p: s_up, s_down, gamma_up, gamma_down, w_max, w_min */
static void apply_linear_step(IrDevice *d, const double *p)
{
    split(p[0], p[1], &d->dw_min, &d->up_down);
    d->gamma_up = p[2], d->gamma_down = p[3];
    d->w_max = p[4], d->w_min = p[5];
}

/* p: s_up, s_down, A_up, A_down, gamma_up, gamma_down, w_max, w_min */
static void apply_exp_step(IrDevice *d, const double *p)
{
    split(p[0], p[1], &d->dw_min, &d->up_down);
    d->A_up = p[2], d->A_down = p[3];
    d->gamma_up = p[4], d->gamma_down = p[5];
    d->w_max = p[6], d->w_min = p[7];
}

/* p: s_up, s_down, g_up, g_down, w_max, w_min (pow_gamma, pow_up_down split like steps) */
static void apply_pow_step(IrDevice *d, const double *p)
{
    split(p[0], p[1], &d->dw_min, &d->up_down);
    split(p[2], p[3], &d->pow_gamma, &d->pow_up_down);
    d->w_max = p[4], d->w_min = p[5];
}

/* p: dw_min, c_lin, tau */
static void apply_linear(IrDevice *d, const double *p)
{
    d->dw_min = p[0], d->c_lin = p[1], d->tau = p[2];
}

/* p: dw_min, gamma_res, tau */
static void apply_gamma_res(IrDevice *d, const double *p)
{
    d->dw_min = p[0], d->gamma_res = p[1], d->tau = p[2];
}

/*
** A bound from the zero crossing of the line a + b w when that lies beyond the extreme
** observed weight `ext`, else `fallback`.
*/
static double zero_or(double a, double b, double ext, double fallback, bool upper)
{
    double z = b != 0.0 ? -a / b : NAN;
    return isfinite(z) && (upper ? z > ext : z < ext) ? z : fallback;
}

static void guess_constant(double *p, const FitGuess *g)
{
    p[0] = g->up_mean, p[1] = g->dn_mean, p[2] = g->hi, p[3] = g->lo;
}

/* Soft bounds: up = s_up (1 - w/w_max) and down = s_down (1 - w/w_min): lines. */
static void guess_soft_bounds(double *p, const FitGuess *g)
{
    double r = g->hi - g->lo;
    p[2] = zero_or(g->up_a, g->up_b, g->hi, g->hi + 0.05 * r, true);
    p[3] = zero_or(g->dn_a, g->dn_b, g->lo, g->lo - 0.05 * r, false);
    p[0] = g->up_a, p[1] = g->dn_a;
}

/* linear_step: up = s_up + a_up w, a_up = -gamma_up s_up / w_max; down likewise. */
static void guess_linear_step(double *p, const FitGuess *g)
{
    p[0] = g->up_a, p[1] = g->dn_a, p[4] = g->hi, p[5] = g->lo;
    p[2] = -g->up_b * p[4] / p[0];
    p[3] = p[5] != 0.0 ? -g->dn_b * p[5] / p[1] : 0.0;
}

/* exp_step: aihwkit's shape; the steps scaled so the mean step matches. */
static void guess_exp_step(double *p, const FitGuess *g)
{
    p[0] = g->up_mean / 0.8, p[1] = g->dn_mean / 0.8;
    p[2] = 0.00081, p[3] = 0.36833, p[4] = 12.44625, p[5] = 12.78785;
    p[6] = g->hi, p[7] = g->lo;
}

/* pow_step with gamma 1: up = s_up (w_max - w)/R, down = s_down (w - w_min)/R. */
static void guess_pow_step(double *p, const FitGuess *g)
{
    double r = g->hi - g->lo;
    double bmax = zero_or(g->up_a, g->up_b, g->hi, g->hi + 0.05 * r, true);
    double bmin = zero_or(g->dn_a, g->dn_b, g->lo, g->lo - 0.05 * r, false);
    double range = bmax - bmin;
    p[0] = g->up_a * range / bmax, p[1] = g->dn_a * range / -bmin;
    p[2] = p[3] = 1.0, p[4] = bmax, p[5] = bmin;
}

/* The seed paper's radius: the zero crossings of both lines, at least the data's extent. */
static double guess_tau(const FitGuess *g)
{
    double ext = fmax(fabs(g->lo), fabs(g->hi)), r = g->hi - g->lo;
    double up = zero_or(g->up_a, g->up_b, ext, ext + 0.05 * r, true);
    double dn = -zero_or(g->dn_a, g->dn_b, -ext, -ext - 0.05 * r, false);
    return 0.5 * (up + dn);
}

static void guess_linear(double *p, const FitGuess *g)
{
    p[0] = 0.5 * (g->up_a + g->dn_a);
    p[1] = fmax(fmin((g->up_a - g->dn_a) / (g->up_a + g->dn_a), 0.9), -0.9);
    p[2] = guess_tau(g);
}

static void guess_gamma_res(double *p, const FitGuess *g)
{
    p[0] = 0.5 * (g->up_a + g->dn_a), p[1] = 1.0, p[2] = guess_tau(g);
}

#define STEPS TR_POS, TR_POS
#define BOUNDS TR_LIN, TR_LIN
static const Fam families[] = {
    {IR_DEV_CONSTANT_STEP, 4, {STEPS, BOUNDS}, 2, 3, true, apply_steps, guess_constant, 4,
     {"dw_min", "up_down", "w_max", "w_min"}},
    {IR_DEV_SOFT_BOUNDS, 4, {STEPS, BOUNDS}, 2, 3, false, apply_steps, guess_soft_bounds, 4,
     {"dw_min", "up_down", "w_max", "w_min"}},
    {IR_DEV_LINEAR_STEP, 6, {STEPS, TR_LIN, TR_LIN, BOUNDS}, 4, 5, true, apply_linear_step,
     guess_linear_step, 6, {"dw_min", "up_down", "gamma_up", "gamma_down", "w_max", "w_min"}},
    {IR_DEV_EXP_STEP, 8, {STEPS, TR_POS, TR_POS, TR_LIN, TR_LIN, BOUNDS}, 6, 7, true,
     apply_exp_step, guess_exp_step, 8,
     {"dw_min", "up_down", "A_up", "A_down", "gamma_up", "gamma_down", "w_max", "w_min"}},
    {IR_DEV_POW_STEP, 6, {STEPS, TR_POS, TR_POS, BOUNDS}, 4, 5, false, apply_pow_step,
     guess_pow_step, 6, {"dw_min", "up_down", "pow_gamma", "pow_up_down", "w_max", "w_min"}},
    {IR_DEV_LINEAR, 3, {TR_POS, TR_UNIT, TR_POS}, -1, -1, false, apply_linear, guess_linear, 3,
     {"dw_min", "c_lin", "tau"}},
    {IR_DEV_POWER, 3, {TR_POS, TR_POS, TR_POS}, -1, -1, false, apply_gamma_res,
     guess_gamma_res, 3, {"dw_min", "gamma_res", "tau"}},
    {IR_DEV_EXPONENTIAL, 3, {TR_POS, TR_POS, TR_POS}, -1, -1, false, apply_gamma_res,
     guess_gamma_res, 3, {"dw_min", "gamma_res", "tau"}},
};
#undef STEPS
#undef BOUNDS

static const Fam *family_of(IrDevFamily f)
{
    for (size_t k = 0; k < sizeof families / sizeof *families; k++)
        if (families[k].family == f)
            return &families[k];
    return NULL;
}

bool rt_fit_supports(IrDevFamily f)
{
    return family_of(f) || f == IR_DEV_RESPONSE || f == IR_DEV_PIECEWISE_STEP;
}

/* A reported device field by name (the names of Fam.rep). */
static double field(const IrDevice *d, const char *name)
{
    static const struct {
        const char *name;
        size_t at;
    } f[] = {
        {"dw_min", offsetof(IrDevice, dw_min)},       {"up_down", offsetof(IrDevice, up_down)},
        {"w_max", offsetof(IrDevice, w_max)},         {"w_min", offsetof(IrDevice, w_min)},
        {"gamma_up", offsetof(IrDevice, gamma_up)},   {"gamma_down", offsetof(IrDevice, gamma_down)},
        {"A_up", offsetof(IrDevice, A_up)},           {"A_down", offsetof(IrDevice, A_down)},
        {"pow_gamma", offsetof(IrDevice, pow_gamma)}, {"pow_up_down", offsetof(IrDevice, pow_up_down)},
        {"c_lin", offsetof(IrDevice, c_lin)},         {"gamma_res", offsetof(IrDevice, gamma_res)},
        {"tau", offsetof(IrDevice, tau)},
    };
    for (size_t k = 0; k < sizeof f / sizeof *f; k++)
        if (strcmp(f[k].name, name) == 0)
            return *(const double *)((const char *)d + f[k].at);
    return NAN;
}

/* }====================================================================== */

/*
** {======================================================================
** The least-squares problem
**
** Unknowns: the free internal parameters of the family, then (up to MAX_ANCHORS segments)
** the true weight at each segment's start. A reading is noisy, so a segment simulated from
** its observed anchor would carry that reading's error through all its predictions, and
** the residuals would be correlated (the standard errors then far too small). With the
** anchors as unknowns, each anchor reading is one more residual (anchor - reading), and
** the residuals are independent when the readings' errors are.
** =======================================================================
*/

#define MAX_ANCHORS 256 /* more segments: anchors stay at their readings */

typedef struct Problem {
    const Fam *fam;
    const RtFitData *data;
    double p0[RT_FIT_MAX_PARAMS]; /* the initial guess (t = 0) */
    double t[RT_FIT_MAX_PARAMS];  /* internal parameters; the fixed ones keep theirs */
    bool fixed[RT_FIT_MAX_PARAMS];
    int free_at[RT_FIT_MAX_PARAMS], nfree;
    double *w0;                   /* (nseg) the anchors */
    size_t nanchor;               /* anchors that are unknowns: nseg, or 0 */
    double *pred, *pred2;         /* (n) scratch */
} Problem;

static double value_of(Tr tr, double p0, double t)
{
    switch (tr) {
    case TR_POS: return p0 * exp(t);
    case TR_UNIT: return tanh(atanh(p0) + t);
    default: return p0 + (p0 != 0.0 ? fabs(p0) : 1.0) * t;
    }
}

/* The device of internal parameters t. */
static IrDevice device_at(const Problem *pb, const double *t)
{
    double p[RT_FIT_MAX_PARAMS];
    for (int j = 0; j < pb->fam->np; j++)
        p[j] = value_of(pb->fam->tr[j], pb->p0[j], t[j]);
    IrDevice d = fit_base_device(pb->fam->family);
    pb->fam->apply(&d, p);
    return d;
}

/* Unknowns x into the full internal vector t and the anchors pb->w0. */
static void unpack(Problem *pb, const gsl_vector *x, double *t)
{
    memcpy(t, pb->t, sizeof pb->t);
    for (int k = 0; k < pb->nfree; k++)
        t[pb->free_at[k]] = gsl_vector_get(x, (size_t)k);
    for (size_t s = 0; s < pb->nanchor; s++)
        pb->w0[s] = gsl_vector_get(x, (size_t)pb->nfree + s);
}

/* Residual i of the readings, then of the anchors, from predictions pred. */
static void put_residuals(const Problem *pb, const double *pred, gsl_vector *f)
{
    const RtFitData *d = pb->data;
    for (size_t i = 0; i < d->n; i++) {
        double r = pred[i] - d->w[i];
        gsl_vector_set(f, i, isfinite(r) ? r : BAD_RESIDUAL);
    }
    for (size_t s = 0; s < pb->nanchor; s++)
        gsl_vector_set(f, d->n + s, pb->w0[s] - d->seg[s].w0);
}

static int residuals(const gsl_vector *x, void *params, gsl_vector *f)
{
    Problem *pb = params;
    double t[RT_FIT_MAX_PARAMS];
    unpack(pb, x, t);
    IrDevice d = device_at(pb, t);
    fit_simulate(pb->pred, &d, pb->data, pb->w0, NULL, NULL);
    put_residuals(pb, pb->pred, f);
    return GSL_SUCCESS;
}

/* Column k of J for family parameter k: central differences of the whole simulation. */
static void family_column(Problem *pb, const double *t0, int k, gsl_matrix *J)
{
    double t[RT_FIT_MAX_PARAMS];
    memcpy(t, t0, sizeof t);
    t[pb->free_at[k]] += H_DF;
    IrDevice hi = device_at(pb, t);
    t[pb->free_at[k]] -= 2.0 * H_DF;
    IrDevice lo = device_at(pb, t);
    fit_simulate(pb->pred, &hi, pb->data, pb->w0, NULL, NULL);
    fit_simulate(pb->pred2, &lo, pb->data, pb->w0, NULL, NULL);
    for (size_t i = 0; i < pb->data->n; i++) {
        double g = (pb->pred[i] - pb->pred2[i]) / (2.0 * H_DF);
        gsl_matrix_set(J, i, (size_t)k, isfinite(g) ? g : 0.0);
    }
    for (size_t s = 0; s < pb->nanchor; s++)
        gsl_matrix_set(J, pb->data->n + s, (size_t)k, 0.0);
}

/* Column of anchor s: only segment s moves (and its anchor residual, by 1). */
static void anchor_column(Problem *pb, const RtDevice *dv, const RtCell *c, size_t s,
                          gsl_matrix *J)
{
    const RtFitSeg *g = &pb->data->seg[s];
    size_t col = (size_t)pb->nfree + s, hi = 0, lo = 0;
    for (size_t i = 0; i < J->size1; i++)
        gsl_matrix_set(J, i, col, 0.0);
    fit_segment(dv, c, pb->data, s, pb->w0[s] + H_DF, pb->pred, &hi, &lo);
    fit_segment(dv, c, pb->data, s, pb->w0[s] - H_DF, pb->pred2, &hi, &lo);
    for (size_t i = g->first; i < g->first + g->n; i++)
        gsl_matrix_set(J, i, col, (pb->pred[i] - pb->pred2[i]) / (2.0 * H_DF));
    gsl_matrix_set(J, pb->data->n + s, col, 1.0);
}

/*
** The Jacobian by central differences with an absolute step H_DF in every unknown (GSL's
** own steps are relative to |x|, which vanish near x = 0, where the internal parameters
** start).
*/
static int jacobian(const gsl_vector *x, void *params, gsl_matrix *J)
{
    Problem *pb = params;
    double t[RT_FIT_MAX_PARAMS];
    unpack(pb, x, t);
    for (int k = 0; k < pb->nfree; k++)
        family_column(pb, t, k, J);
    IrDevice d = device_at(pb, t);
    RtDevice dv;
    RtCell c;
    fit_device_state(&dv, &c, &d);
    for (size_t s = 0; s < pb->nanchor; s++)
        anchor_column(pb, &dv, &c, s, J);
    return GSL_SUCCESS;
}

/*
** Levenberg-Marquardt from pb->t and pb->w0; the solution goes back there, the unscaled
** covariance (J^T J)^-1 of the family's free parameters (nfree x nfree, the marginal block)
** to cov and the sum of squares to *chi2. Returns the iterations, or -1 if GSL could not
** start.
*/
static int solve(Problem *pb, const gsl_multifit_nlinear_trs *trs, double *cov, double *chi2)
{
    size_t n = pb->data->n + pb->nanchor, p = (size_t)pb->nfree + pb->nanchor;
    gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = jacobian, .fvv = NULL, .n = n,
                                    .p = p, .params = pb};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = trs;
    par.scale = gsl_multifit_nlinear_scale_levenberg; /* the unknowns are all O(1) */
    par.solver = gsl_multifit_nlinear_solver_qr;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
    gsl_vector *x = gsl_vector_alloc(p);
    gsl_matrix *c = gsl_matrix_alloc(p, p);
    if (!w || !x || !c) {
        gsl_multifit_nlinear_free(w), gsl_vector_free(x), gsl_matrix_free(c);
        return -1;
    }
    for (int k = 0; k < pb->nfree; k++)
        gsl_vector_set(x, (size_t)k, pb->t[pb->free_at[k]]);
    for (size_t s = 0; s < pb->nanchor; s++)
        gsl_vector_set(x, (size_t)pb->nfree + s, pb->w0[s]);
    int info = 0;
    gsl_multifit_nlinear_init(x, &fdf, w);
    gsl_multifit_nlinear_driver(MAX_ITER, 1e-10, 1e-14, 0.0, NULL, NULL, &info, w);
    /* GSL_ENOPROG / GSL_EMAXITER: the best point found stands; the caller judges it */
    double t[RT_FIT_MAX_PARAMS];
    unpack(pb, gsl_multifit_nlinear_position(w), t);
    memcpy(pb->t, t, sizeof t);
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), chi2);
    gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 1e-12, c);
    size_t q = (size_t)pb->nfree;
    for (size_t i = 0; i < q * q; i++)
        cov[i] = gsl_matrix_get(c, i / q, i % q);
    int iters = (int)gsl_multifit_nlinear_niter(w);
    gsl_multifit_nlinear_free(w), gsl_vector_free(x), gsl_matrix_free(c);
    return iters;
}

/* }====================================================================== */

/*
** {======================================================================
** Results
** =======================================================================
*/

/* Reported value r of the device at internal parameters t. */
static double reported(const Problem *pb, const double *t, int r)
{
    IrDevice d = device_at(pb, t);
    return field(&d, pb->fam->rep[r]);
}

/*
** Standard error of reported parameter r: the delta method, g^T C g s2 with g the
** derivative of the value in the free parameters. A free parameter that GSL found
** undetermined (a zero row of C) with g != 0 makes it INFINITY.
*/
static double std_error(const Problem *pb, int r, const double *cov, double s2)
{
    int p = pb->nfree;
    double g[RT_FIT_MAX_PARAMS], t[RT_FIT_MAX_PARAMS], var = 0.0;
    for (int k = 0; k < p; k++) {
        memcpy(t, pb->t, sizeof t);
        t[pb->free_at[k]] += H_DELTA;
        double hi = reported(pb, t, r);
        t[pb->free_at[k]] -= 2.0 * H_DELTA;
        g[k] = (hi - reported(pb, t, r)) / (2.0 * H_DELTA);
        if (fabs(g[k]) > 1e-12 && cov[k * p + k] <= 0.0)
            return INFINITY;
    }
    for (int i = 0; i < p; i++)
        for (int j = 0; j < p; j++)
            var += g[i] * cov[i * p + j] * g[j];
    return sqrt(fmax(var, 0.0) * s2);
}

/* Whether reported parameter r is a bound fixed at the extreme observed weight. */
static bool fixed_bound(const Problem *pb, int r)
{
    const char *name = pb->fam->rep[r];
    return (pb->fam->ibmax >= 0 && pb->fixed[pb->fam->ibmax] && strcmp(name, "w_max") == 0) ||
           (pb->fam->ibmin >= 0 && pb->fixed[pb->fam->ibmin] && strcmp(name, "w_min") == 0);
}

/* The residual RMS over the readings (not the anchors) at the solution. */
static double readings_rms(Problem *pb)
{
    IrDevice d = device_at(pb, pb->t);
    fit_simulate(pb->pred, &d, pb->data, pb->w0, NULL, NULL);
    double ss = 0.0;
    for (size_t i = 0; i < pb->data->n; i++)
        ss += (pb->pred[i] - pb->data->w[i]) * (pb->pred[i] - pb->data->w[i]);
    return sqrt(ss / (double)pb->data->n);
}

static void fill_result(RtFitResult *out, Problem *pb, const double *cov, double chi2)
{
    size_t n = pb->data->n;
    double s2 = n > (size_t)pb->nfree ? chi2 / (double)(n - (size_t)pb->nfree) : 0.0;
    out->dev = device_at(pb, pb->t);
    out->npar = (size_t)pb->fam->nrep;
    for (int r = 0; r < pb->fam->nrep; r++) {
        RtFitParam *q = &out->par[r];
        q->name = pb->fam->rep[r];
        q->value = reported(pb, pb->t, r);
        q->how = fixed_bound(pb, r) ? RT_FIT_EXTREME : RT_FIT_FREE;
        q->se = q->how == RT_FIT_FREE ? std_error(pb, r, cov, s2) : 0.0;
    }
    if (pb->fam->family == IR_DEV_EXP_STEP) { /* a and b stay at aihwkit's defaults */
        out->par[out->npar++] = (RtFitParam){"a", out->dev.a, 0.0, RT_FIT_DEFAULT};
        out->par[out->npar++] = (RtFitParam){"b", out->dev.b, 0.0, RT_FIT_DEFAULT};
    }
    out->rms = readings_rms(pb);
    out->nobs = n;
}

/* Fix internal parameter j at the value v (its transform inverted: TR_LIN only). */
static void fix_at(Problem *pb, int j, double v)
{
    double s = pb->p0[j] != 0.0 ? fabs(pb->p0[j]) : 1.0;
    pb->t[j] = (v - pb->p0[j]) / s;
    pb->fixed[j] = true;
}

static void set_free(Problem *pb)
{
    pb->nfree = 0;
    for (int j = 0; j < pb->fam->np; j++)
        if (!pb->fixed[j])
            pb->free_at[pb->nfree++] = j;
}

/*
** A clip-only family: fix each bound the fitted model never reaches at the extreme observed
** weight. Returns whether anything was fixed (the fit then runs again).
*/
static bool fix_unreached(Problem *pb, double lo, double hi)
{
    if (!pb->fam->clip_only)
        return false;
    IrDevice d = device_at(pb, pb->t);
    size_t chi = 0, clo = 0;
    fit_simulate(pb->pred, &d, pb->data, pb->w0, &chi, &clo);
    bool fixed = false;
    if (chi == 0 && !pb->fixed[pb->fam->ibmax])
        fix_at(pb, pb->fam->ibmax, hi), fixed = true;
    if (clo == 0 && !pb->fixed[pb->fam->ibmin])
        fix_at(pb, pb->fam->ibmin, lo), fixed = true;
    set_free(pb);
    return fixed;
}

/* }====================================================================== */

/* Readings in each direction; err set when one is missing. */
static int check_data(const RtFitData *d, size_t np, char *err, size_t errlen)
{
    size_t up = 0, dn = 0;
    for (size_t i = 0; i < d->n; i++)
        d->dir[i] > 0 ? up++ : dn++;
    if (up == 0 || dn == 0) {
        snprintf(err, errlen, "the data have no %s pulses: both directions are needed to fit "
                              "a device", up == 0 ? "up (potentiation)" : "down (depression)");
        return 1;
    }
    if (d->n <= np) {
        snprintf(err, errlen, "%zu readings are too few to fit %zu parameters", d->n, np);
        return 1;
    }
    return 0;
}

/*
** LM again from where it stopped, until a run no longer lowers the cost by a relative
** SETTLED (at most MAX_RESTARTS runs), alternating plain LM and LM with geodesic
** acceleration: plain LM can stall in a narrow valley of correlated parameters (exp_step's
** A and gamma), the accelerated one near the kinks of clipping at hard bounds. Every run
** starts where the last one ended and only accepts steps that lower the cost.
*/
#define SETTLED 1e-6
#define MAX_RESTARTS 8
static int solve_until_settled(Problem *pb, double *cov, double *chi2)
{
    int total = 0;
    double last = INFINITY;
    for (int k = 0; k < MAX_RESTARTS; k++) {
        int it = solve(pb, k % 2 ? gsl_multifit_nlinear_trs_lmaccel : gsl_multifit_nlinear_trs_lm,
                       cov, chi2);
        if (it < 0)
            return -1;
        total += it;
        if (k > 0 && !(*chi2 < last * (1.0 - SETTLED)))
            break;
        last = *chi2;
    }
    return total;
}

/* The parametric fit: guess, LM, then once more if bounds were fixed. */
static int fit_parametric(RtFitResult *out, const Fam *fam, const RtFitData *data, char *err,
                          size_t errlen)
{
    Problem pb = {.fam = fam, .data = data};
    FitGuess g;
    fit_guess(&g, data);
    fam->guess(pb.p0, &g);
    set_free(&pb);
    pb.nanchor = data->nseg <= MAX_ANCHORS ? data->nseg : 0;
    pb.pred = malloc(data->n * sizeof *pb.pred);
    pb.pred2 = malloc(data->n * sizeof *pb.pred2);
    pb.w0 = malloc((data->nseg ? data->nseg : 1) * sizeof *pb.w0);
    double cov[RT_FIT_MAX_PARAMS * RT_FIT_MAX_PARAMS], chi2 = 0.0;
    int it = -1, total = 0;
    if (pb.pred && pb.pred2 && pb.w0) {
        for (size_t s = 0; s < data->nseg; s++)
            pb.w0[s] = data->seg[s].w0;
        it = total = solve_until_settled(&pb, cov, &chi2);
        if (it >= 0 && fix_unreached(&pb, g.lo, g.hi)) {
            it = solve_until_settled(&pb, cov, &chi2);
            total += it;
        }
    }
    if (it >= 0 && isfinite(chi2)) {
        fill_result(out, &pb, cov, chi2);
        out->lo = g.lo, out->hi = g.hi;
        out->iterations = (size_t)total;
    } else {
        snprintf(err, errlen, it < 0 ? "out of memory" : "the fit found no finite solution");
    }
    free(pb.pred), free(pb.pred2), free(pb.w0);
    return it >= 0 && isfinite(chi2) ? 0 : 1;
}

int rt_fit_device(RtFitResult *out, IrDevFamily f, const RtFitData *data, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    gsl_set_error_handler_off(); /* GSL reports through return codes, never aborts */
    const Fam *fam = family_of(f);
    if (!fam && f != IR_DEV_RESPONSE && f != IR_DEV_PIECEWISE_STEP) {
        snprintf(err, errlen, "this family cannot be fitted");
        return 1;
    }
    if (check_data(data, fam ? (size_t)fam->np : 2, err, errlen))
        return 1;
    return fam ? fit_parametric(out, fam, data, err, errlen)
               : fit_table(out, f, data, err, errlen);
}
