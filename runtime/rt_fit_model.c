/*
** rt_fit_model.c: what the fits share: the mean device of a family, its predicted readings
** (rt_fit_predict), and the observed steps of the data (initial guesses and tabulations).
*/
#include <math.h>
#include <string.h>

#include "rt_device.h"
#include "rt_fit.h"
#include "rt_fit_impl.h"
#include "rt_rng.h"

IrDevice fit_base_device(IrDevFamily f)
{
    IrDevice d;
    memset(&d, 0, sizeof d);
    d.name = "fit";
    d.family = f;
    d.dw_min = 0.01;
    d.w_max = 1.0, d.w_min = -1.0;
    d.enforce_consistency = true;
    d.mult_noise = true;
    d.mean_bound_reference = true;
    d.allow_increasing = true; /* a fitted linear_step slope may have either sign */
    d.reverse_offset = 0.01;
    d.n_estimation_steps = -1;
    d.A_up = 0.00081, d.A_down = 0.36833, d.a = 0.244, d.b = 0.2425; /* aihwkit exp_step */
    d.gamma_up = 12.44625, d.gamma_down = 12.78785;
    d.pow_gamma = 1.0;
    d.tau = 1.0, d.gamma_res = 1.0;
    return d;
}

void fit_device_state(RtDevice *dv, RtCell *c, const IrDevice *dev)
{
    RtRng r;
    rt_rng_seed(&r, 1, RT_STREAM_D2D(0)); /* every spread is 0: the draws do not matter */
    rt_device_init(dv, dev);
    rt_device_sample(c, 1, 1, dev, &r);
}

void fit_segment(const RtDevice *dv, const RtCell *c, const RtFitData *d, size_t s, double w0,
                 double *pred, size_t *hi, size_t *lo)
{
    const RtFitSeg *g = &d->seg[s];
    double w = fmin(fmax(w0, (double)c->bmin), (double)c->bmax);
    for (size_t i = g->first; i < g->first + g->n; i++) {
        bool up = d->dir[i] > 0;
        for (unsigned k = 0; k < d->npulse[i]; k++) {
            double v = w + rt_device_step(dv, c, w, up); /* noise-free, then clipped */
            if (v > (double)c->bmax)
                v = c->bmax, (*hi)++;
            if (v < (double)c->bmin)
                v = c->bmin, (*lo)++;
            w = v;
        }
        pred[i] = w;
    }
}

void fit_simulate(double *pred, const IrDevice *dev, const RtFitData *d, const double *w0,
                  size_t *clip_hi, size_t *clip_lo)
{
    RtDevice dv;
    RtCell c;
    fit_device_state(&dv, &c, dev);
    size_t hi = 0, lo = 0;
    for (size_t s = 0; s < d->nseg; s++)
        fit_segment(&dv, &c, d, s, w0 ? w0[s] : d->seg[s].w0, pred, &hi, &lo);
    if (clip_hi)
        *clip_hi = hi;
    if (clip_lo)
        *clip_lo = lo;
}

void rt_fit_predict(double *pred, const IrDevice *dev, const RtFitData *data,
                    size_t *clip_hi, size_t *clip_lo)
{
    fit_simulate(pred, dev, data, NULL, clip_hi, clip_lo);
}

/* The weight before reading i of segment g: the anchor or the previous reading. */
static double before(const RtFitData *d, const RtFitSeg *g, size_t i)
{
    return i == g->first ? g->w0 : d->w[i - 1];
}

void fit_steps(const RtFitData *d, FitStepFn fn, void *ctx)
{
    for (size_t s = 0; s < d->nseg; s++) {
        const RtFitSeg *g = &d->seg[s];
        for (size_t i = g->first; i < g->first + g->n; i++) {
            double w0 = before(d, g, i);
            fn(ctx, d->dir[i] > 0, w0, (d->w[i] - w0) / (double)d->npulse[i]);
        }
    }
}

void fit_extremes(const RtFitData *d, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t s = 0; s < d->nseg; s++)
        *lo = fmin(*lo, d->seg[s].w0), *hi = fmax(*hi, d->seg[s].w0);
    for (size_t i = 0; i < d->n; i++)
        *lo = fmin(*lo, d->w[i]), *hi = fmax(*hi, d->w[i]);
}

/*
** {======================================================================
** Initial guesses: least-squares lines of the step magnitude against the weight
** =======================================================================
*/

typedef struct LineAcc {
    double lo, hi, margin;
    double n[2], sx[2], sy[2], sxx[2], sxy[2]; /* [0] down, [1] up */
    double all_n[2], all_sy[2];
} LineAcc;

/* Steps that start or end at the observed extremes may have been clipped: lines skip them. */
static void line_step(void *ctx, bool up, double w0, double dw)
{
    LineAcc *a = ctx;
    double m = up ? dw : -dw;
    a->all_n[up]++, a->all_sy[up] += m;
    double w1 = w0 + dw;
    if (fmin(w0, w1) <= a->lo + a->margin || fmax(w0, w1) >= a->hi - a->margin)
        return;
    a->n[up]++, a->sx[up] += w0, a->sy[up] += m, a->sxx[up] += w0 * w0, a->sxy[up] += w0 * m;
}

/* Intercept and slope of one direction's line (slope 0 when not determined). */
static void line_of(const LineAcc *a, int k, double *icpt, double *slope)
{
    double n = a->n[k], den = n * a->sxx[k] - a->sx[k] * a->sx[k];
    if (n < 3 || !(fabs(den) > 1e-300)) {
        *slope = 0.0;
        *icpt = a->all_n[k] > 0 ? a->all_sy[k] / a->all_n[k] : 0.0;
        return;
    }
    *slope = (n * a->sxy[k] - a->sx[k] * a->sy[k]) / den;
    *icpt = (a->sy[k] - *slope * a->sx[k]) / n;
}

void fit_guess(FitGuess *g, const RtFitData *d)
{
    LineAcc a;
    memset(&a, 0, sizeof a);
    fit_extremes(d, &a.lo, &a.hi);
    a.margin = 1e-6 * (a.hi - a.lo);
    fit_steps(d, line_step, &a);
    g->lo = a.lo, g->hi = a.hi;
    line_of(&a, 1, &g->up_a, &g->up_b);
    line_of(&a, 0, &g->dn_a, &g->dn_b);
    double floor_step = 1e-4 * (a.hi - a.lo);
    g->up_mean = fmax(a.all_n[1] > 0 ? a.all_sy[1] / a.all_n[1] : 0.0, floor_step);
    g->dn_mean = fmax(a.all_n[0] > 0 ? a.all_sy[0] / a.all_n[0] : 0.0, floor_step);
    g->up_a = g->up_a > floor_step ? g->up_a : g->up_mean;
    g->dn_a = g->dn_a > floor_step ? g->dn_a : g->dn_mean;
    g->n_up = (size_t)a.all_n[1], g->n_dn = (size_t)a.all_n[0];
}

/* }====================================================================== */
