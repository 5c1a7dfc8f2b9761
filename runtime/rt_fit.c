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
    {IR_DEV_EXP_STEP, 8, {STEPS, TR_LIN, TR_LIN, TR_LIN, TR_LIN, BOUNDS}, 6, 7, true,
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
** =======================================================================
*/

typedef struct Problem {
    const Fam *fam;
    const RtFitData *data;
    double p0[RT_FIT_MAX_PARAMS]; /* the initial guess (t = 0) */
    double t[RT_FIT_MAX_PARAMS];  /* internal parameters; the fixed ones keep theirs */
    bool fixed[RT_FIT_MAX_PARAMS];
    int free_at[RT_FIT_MAX_PARAMS], nfree;
    double *pred;
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

/* The full internal vector: the fixed entries, then x's values for the free ones. */
static void full_t(const Problem *pb, const gsl_vector *x, double *t)
{
    memcpy(t, pb->t, sizeof pb->t);
    for (int k = 0; k < pb->nfree; k++)
        t[pb->free_at[k]] = gsl_vector_get(x, (size_t)k);
}

/* The residuals at internal parameters t into f (pb->pred is scratch). */
static void residuals_at(const Problem *pb, const double *t, gsl_vector *f)
{
    IrDevice d = device_at(pb, t);
    rt_fit_predict(pb->pred, &d, pb->data, NULL, NULL);
    for (size_t i = 0; i < pb->data->n; i++) {
        double r = pb->pred[i] - pb->data->w[i];
        gsl_vector_set(f, i, isfinite(r) ? r : BAD_RESIDUAL);
    }
}

static int residuals(const gsl_vector *x, void *params, gsl_vector *f)
{
    const Problem *pb = params;
    double t[RT_FIT_MAX_PARAMS];
    full_t(pb, x, t);
    residuals_at(pb, t, f);
    return GSL_SUCCESS;
}

/*
** The Jacobian by central differences with an absolute step H_DF in every internal
** parameter (GSL's own steps are relative to |x|, which vanish near x = 0, where the
** internal parameters start).
*/
static int jacobian(const gsl_vector *x, void *params, gsl_matrix *J)
{
    Problem *pb = params;
    double t[RT_FIT_MAX_PARAMS];
    gsl_vector *hi = gsl_vector_alloc(pb->data->n), *lo = gsl_vector_alloc(pb->data->n);
    if (!hi || !lo) {
        gsl_vector_free(hi), gsl_vector_free(lo);
        return GSL_ENOMEM;
    }
    for (int k = 0; k < pb->nfree; k++) {
        full_t(pb, x, t);
        t[pb->free_at[k]] += H_DF;
        residuals_at(pb, t, hi);
        t[pb->free_at[k]] -= 2.0 * H_DF;
        residuals_at(pb, t, lo);
        for (size_t i = 0; i < pb->data->n; i++)
            gsl_matrix_set(J, i, (size_t)k,
                           (gsl_vector_get(hi, i) - gsl_vector_get(lo, i)) / (2.0 * H_DF));
    }
    gsl_vector_free(hi), gsl_vector_free(lo);
    return GSL_SUCCESS;
}

/*
** Levenberg-Marquardt on the free parameters from pb->t; the solution goes back to pb->t,
** the covariance (unscaled, (J^T J)^-1, nfree x nfree) to cov and the sum of squares to
** *chi2. Returns the iterations, or -1 if GSL could not start.
*/
static int solve(Problem *pb, double *cov, double *chi2)
{
    size_t n = pb->data->n, p = (size_t)pb->nfree;
    gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = jacobian, .fvv = NULL, .n = n, .p = p,
                                    .params = pb};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    par.trs = gsl_multifit_nlinear_trs_lm;
    par.scale = gsl_multifit_nlinear_scale_levenberg; /* internal units are all O(1) */
    par.solver = gsl_multifit_nlinear_solver_qr;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
    gsl_vector *x = gsl_vector_alloc(p);
    gsl_matrix *c = gsl_matrix_alloc(p, p);
    if (!w || !x || !c) {
        gsl_multifit_nlinear_free(w), gsl_vector_free(x), gsl_matrix_free(c);
        return -1;
    }
    for (size_t k = 0; k < p; k++)
        gsl_vector_set(x, k, pb->t[pb->free_at[k]]);
    int info = 0;
    gsl_multifit_nlinear_init(x, &fdf, w);
    gsl_multifit_nlinear_driver(MAX_ITER, 1e-10, 1e-14, 0.0, NULL, NULL, &info, w);
    /* GSL_ENOPROG / GSL_EMAXITER: the best point found stands; the caller judges it */
    double t[RT_FIT_MAX_PARAMS];
    full_t(pb, gsl_multifit_nlinear_position(w), t);
    memcpy(pb->t, t, sizeof t);
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), chi2);
    gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 1e-12, c);
    for (size_t i = 0; i < p * p; i++)
        cov[i] = c->data[(i / p) * c->tda + i % p];
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

/* Which reported parameter a fixed internal bound is (w_max, w_min), or -1. */
static int fixed_bound_rep(const Problem *pb, int r)
{
    const char *name = pb->fam->rep[r];
    if (pb->fam->ibmax >= 0 && pb->fixed[pb->fam->ibmax] && strcmp(name, "w_max") == 0)
        return 1;
    if (pb->fam->ibmin >= 0 && pb->fixed[pb->fam->ibmin] && strcmp(name, "w_min") == 0)
        return 1;
    return -1;
}

static void fill_result(RtFitResult *out, const Problem *pb, const double *cov, double chi2)
{
    size_t n = pb->data->n;
    double s2 = n > (size_t)pb->nfree ? chi2 / (double)(n - (size_t)pb->nfree) : 0.0;
    out->dev = device_at(pb, pb->t);
    out->npar = (size_t)pb->fam->nrep;
    for (int r = 0; r < pb->fam->nrep; r++) {
        RtFitParam *q = &out->par[r];
        q->name = pb->fam->rep[r];
        q->value = reported(pb, pb->t, r);
        q->how = fixed_bound_rep(pb, r) > 0 ? RT_FIT_EXTREME : RT_FIT_FREE;
        q->se = q->how == RT_FIT_FREE ? std_error(pb, r, cov, s2) : 0.0;
    }
    if (pb->fam->family == IR_DEV_EXP_STEP) { /* a and b stay at aihwkit's defaults */
        out->par[out->npar++] = (RtFitParam){"a", out->dev.a, 0.0, RT_FIT_DEFAULT};
        out->par[out->npar++] = (RtFitParam){"b", out->dev.b, 0.0, RT_FIT_DEFAULT};
    }
    out->rms = sqrt(chi2 / (double)n);
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
    rt_fit_predict(pb->pred, &d, pb->data, &chi, &clo);
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

/* The parametric fit: guess, LM, then once more if bounds were fixed. */
static int fit_parametric(RtFitResult *out, const Fam *fam, const RtFitData *data, char *err,
                          size_t errlen)
{
    Problem pb = {.fam = fam, .data = data};
    FitGuess g;
    fit_guess(&g, data);
    fam->guess(pb.p0, &g);
    set_free(&pb);
    pb.pred = malloc(data->n * sizeof *pb.pred);
    double cov[RT_FIT_MAX_PARAMS * RT_FIT_MAX_PARAMS], chi2 = 0.0;
    if (!pb.pred) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    int it = solve(&pb, cov, &chi2), total = it;
    if (it >= 0 && fix_unreached(&pb, g.lo, g.hi)) {
        it = solve(&pb, cov, &chi2);
        total += it;
    }
    free(pb.pred);
    if (it < 0 || !isfinite(chi2)) {
        snprintf(err, errlen, it < 0 ? "out of memory" : "the fit found no finite solution");
        return 1;
    }
    fill_result(out, &pb, cov, chi2);
    out->lo = g.lo, out->hi = g.hi;
    out->iterations = (size_t)total;
    return 0;
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
