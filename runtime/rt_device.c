/*
** rt_device.c: device-to-device sampling and the per-pulse rules (DOMAIN.md 3.2.1-3.2.2).
*/
#include <math.h>

#include "rt_device.h"

void rt_device_init(RtDevice *dv, const IrDevice *ir)
{
    dv->family = ir->family;
    dv->dw_min = ir->dw_min;
    dv->dw_std = ir->dw_min_std;
    dv->sigma_c = ir->sigma_c;
    dv->mult_noise = ir->mult_noise;
    dv->q_up = &ir->q_up;
    dv->q_down = &ir->q_down;
}

bool rt_device_is_pulsed(const RtDevice *dv)
{
    return dv->family != IR_DEV_IDEAL;
}

double rt_device_granularity(const RtDevice *dv)
{
    return dv->dw_min;
}

/*
** enforce_consistency: steps positive, bounds ordered, bmax >= 0 >= bmin. Otherwise a cell
** whose bounds crossed is switched off: both bounds at their mean.
*/
static void make_consistent(double *bmin, double *bmax, double *su, double *sd, bool enforce)
{
    if (enforce) {
        *su = fabs(*su);
        *sd = fabs(*sd);
        if (*bmin > *bmax) {
            double t = *bmin;
            *bmin = *bmax;
            *bmax = t;
        }
        *bmax = fabs(*bmax);
        *bmin = -fabs(*bmin);
    } else if (*bmin > *bmax) {
        *bmax = *bmin = 0.5 * (*bmax + *bmin);
    }
}

/*
** One cell (PulsedRPUDevice::populate): bounds with relative spread, gain normal or
** log-normal, up/down asymmetry with aihwkit's code semantics (up_down > 0 shrinks only the
** down step, < 0 only the up step) plus an additive spread in units of dw_min.
*/
static RtCell sample_cell(const IrDevice *ir, RtRng *r)
{
    double x1 = rt_rng_normal(r), x2 = rt_rng_normal(r);
    double x3 = rt_rng_normal(r), x4 = rt_rng_normal(r);
    double bmax = ir->w_max * (1.0 + ir->w_max_dtod * x1);
    double bmin = ir->w_min * (1.0 + ir->w_min_dtod * x2);
    double gain = ir->dw_min_dtod_log_normal ? exp(ir->dw_min_dtod * x3)
                                             : 1.0 + ir->dw_min_dtod * x3;
    double spread = ir->up_down_dtod * x4;
    double up_bias = fmin(ir->up_down, 0.0);
    double down_bias = -fmax(ir->up_down, 0.0);
    double su = (up_bias + gain + spread) * ir->dw_min;
    double sd = (down_bias + gain - spread) * ir->dw_min;
    make_consistent(&bmin, &bmax, &su, &sd, ir->enforce_consistency);
    return (RtCell){(float)bmin, (float)bmax, (float)su, (float)sd};
}

void rt_device_sample(RtCell *cell, size_t D, size_t X, const IrDevice *ir, RtRng *r)
{
    if (ir->family == IR_DEV_IDEAL) {
        RtCell c = {-INFINITY, INFINITY, (float)ir->dw_min, (float)ir->dw_min};
        for (size_t k = 0; k < D * X; k++)
            cell[k] = c;
        return;
    }
    for (size_t j = 0; j < X; j++)
        for (size_t i = 0; i < D; i++)
            cell[i * X + j] = sample_cell(ir, r);
}

double rt_table_eval(const IrTable *t, double w)
{
    if (t->n == 0)
        return 0.0;
    if (t->n == 1 || !(t->hi > t->lo))
        return t->q[0];
    double v = fmin(fmax(w, t->lo), t->hi);
    double pos = (v - t->lo) / (t->hi - t->lo) * (double)(t->n - 1);
    size_t k = (size_t)pos;
    if (k > t->n - 2)
        k = t->n - 2;
    double f = pos - (double)k;
    return (1.0 - f) * t->q[k] + f * t->q[k + 1];
}

float rt_device_clip(const RtCell *c, float w)
{
    if (w > c->bmax)
        return c->bmax;
    if (w < c->bmin)
        return c->bmin;
    return w;
}

/* 1 + std*xi, drawing xi only when std > 0. */
static double mult_factor(double std, RtRng *r)
{
    return std > 0.0 ? 1.0 + std * rt_rng_normal(r) : 1.0;
}

/* std*xi, drawing xi only when std > 0. */
static double add_noise(double std, RtRng *r)
{
    return std > 0.0 ? std * rt_rng_normal(r) : 0.0;
}

/*
** Soft bounds magnitude (positive = in the pulse's direction). The saturation factor is
** 1 - w/b towards the bound b being approached; a zero bound gives no slope (aihwkit: a zero
** reference gives a zero slope).
*/
static double soft_bounds_step(const RtDevice *dv, double s, double b, double w, RtRng *r)
{
    double sat = b != 0.0 ? 1.0 - w / b : 1.0;
    if (dv->mult_noise)
        return s * sat * mult_factor(dv->dw_std, r);
    return s * sat + s * add_noise(dv->dw_std, r);
}

/* Response family: s*(q(w)*(1 + std*xi) + sigma_c*xi'). */
static double response_step(const RtDevice *dv, double s, const IrTable *q, double w, RtRng *r)
{
    double qw = rt_table_eval(q, w) * mult_factor(dv->dw_std, r);
    return s * (qw + add_noise(dv->sigma_c, r));
}

/* The signed-by-direction magnitude of one pulse from w (before clipping). */
static double pulse_magnitude(const RtDevice *dv, const RtCell *c, double w, bool up, RtRng *r)
{
    double s = up ? c->s_up : c->s_down;
    switch (dv->family) {
    case IR_DEV_IDEAL:
        return dv->dw_min;
    case IR_DEV_CONSTANT_STEP:
        return s * mult_factor(dv->dw_std, r);
    case IR_DEV_SOFT_BOUNDS:
        return soft_bounds_step(dv, s, up ? c->bmax : c->bmin, w, r);
    case IR_DEV_RESPONSE:
        return response_step(dv, s, up ? dv->q_up : dv->q_down, w, r);
    case IR_DEV__COUNT:
        break;
    }
    return 0.0;
}

/* The new weight is computed in double and clipped in double, so a clipped w is exactly a bound. */
float rt_device_pulse(const RtDevice *dv, const RtCell *c, float w, bool up, RtRng *r)
{
    double v = w;
    double m = pulse_magnitude(dv, c, v, up, r);
    v = up ? v + m : v - m;
    if (v > c->bmax)
        v = c->bmax;
    if (v < c->bmin)
        v = c->bmin;
    return (float)v;
}
