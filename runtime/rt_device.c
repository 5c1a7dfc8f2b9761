/*
** rt_device.c: device-to-device sampling (aihwkit populate, docs/theory.md §3.2.1, 3.2.3) and the
** per-pulse rules (docs/theory.md §2.8, 3.1, 3.2.2). The derived quantities of --dump live in
** rt_device_info.c.
*/
#include <math.h>

#include "rt_device.h"

/*
** ====================================================================================
** Shared constants
** ====================================================================================
*/

/* exp_step: the down step of the mean device at w = 0, or dw_min if that is 0 (3.2.6). */
static double exp_granularity(const IrDevice *ir)
{
    double down_bias = -fmax(ir->up_down, 0.0);
    double y = fmax(1.0 - ir->A_down * exp(-ir->gamma_down * ir->b), 0.0);
    double g = (1.0 + down_bias) * ir->dw_min * y;
    return g > 0.0 ? g : ir->dw_min;
}

/* The granularity of docs/theory.md §3.2.6 from the mean parameters. */
static double granularity_of(const IrDevice *ir)
{
    switch (ir->family) {
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: return ir->dw_min * pow(0.5, ir->pow_gamma);
    case IR_DEV_EXP_STEP: return exp_granularity(ir);
    case IR_DEV_PIECEWISE_STEP: {
        double v = ir->npiecewise_up ? ir->piecewise_up[ir->npiecewise_up / 2] : 1.0;
        return v > 0.0 ? ir->dw_min * v : ir->dw_min;
    }
    default: return ir->dw_min;
    }
}

void rt_device_init(RtDevice *dv, const IrDevice *ir)
{
    *dv = (RtDevice){0};
    dv->family = ir->family;
    dv->dw_min = ir->dw_min;
    dv->gran = granularity_of(ir);
    dv->dw_std = ir->dw_min_std;
    dv->sigma_c = ir->sigma_c;
    dv->mult_noise = ir->mult_noise;
    dv->wn = ir->write_noise_std > 0.0 ? ir->write_noise_std * ir->dw_min : 0.0;
    dv->wn_on_set = ir->apply_write_noise_on_set;
    dv->c_lin = ir->c_lin;
    dv->gamma_res = ir->gamma_res;
    dv->exp_norm = expm1(ir->gamma_res);
    dv->A_up = ir->A_up, dv->A_down = ir->A_down;
    dv->g_up = ir->gamma_up, dv->g_down = ir->gamma_down;
    dv->a = ir->a, dv->b = ir->b;
    if (ir->family == IR_DEV_EXP_STEP && ir->dw_min_std > 0.0 &&
        (ir->dw_min_std_add != 0.0 || ir->dw_min_std_slope != 0.0)) {
        dv->std_add = ir->dw_min_std_add; /* complex noise (aihwkit hasComplexNoise) */
        dv->std_slope = ir->dw_min_std_slope;
    }
    dv->pw_up = ir->piecewise_up, dv->pw_down = ir->piecewise_down;
    dv->npw = ir->npiecewise_up < ir->npiecewise_down ? ir->npiecewise_up : ir->npiecewise_down;
    dv->q_up = &ir->q_up;
    dv->q_down = &ir->q_down;
    dv->decays = ir->lifetime > 0.0;
    dv->diffuses = ir->diffusion > 0.0;
    dv->reset_std = ir->reset_std;
}

bool rt_device_is_pulsed(const RtDevice *dv)
{
    return dv->family != IR_DEV_IDEAL;
}

double rt_device_granularity(const RtDevice *dv)
{
    switch (dv->family) {
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE:
    case IR_DEV_EXP_STEP:
    case IR_DEV_PIECEWISE_STEP: return dv->gran;
    default: return dv->dw_min;
    }
}

/*
** ====================================================================================
** Device-to-device sampling
** ====================================================================================
*/

/* The seed paper's families: bounds +-tau, no up_down. */
static bool is_paper(IrDevFamily f)
{
    return f == IR_DEV_LINEAR || f == IR_DEV_POWER || f == IR_DEV_EXPONENTIAL;
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
** Pass 1, one cell (PulsedRPUDevice::populate): bounds with relative spread, gain normal or
** log-normal, up/down asymmetry with aihwkit's code semantics (up_down > 0 shrinks only the
** down step, < 0 only the up step) plus an additive spread in units of dw_min. The seed
** paper's families have bounds +-tau and no up_down.
*/
static RtCell sample_cell(const IrDevice *ir, RtRng *r)
{
    double x1 = rt_rng_normal(r), x2 = rt_rng_normal(r);
    double x3 = rt_rng_normal(r), x4 = rt_rng_normal(r);
    bool paper = is_paper(ir->family);
    double w_max = paper ? ir->tau : ir->w_max, w_min = paper ? -ir->tau : ir->w_min;
    double up_down = paper ? 0.0 : ir->up_down;
    double bmax = w_max * (1.0 + ir->w_max_dtod * x1);
    double bmin = w_min * (1.0 + ir->w_min_dtod * x2);
    double gain = ir->dw_min_dtod_log_normal ? exp(ir->dw_min_dtod * x3)
                                             : 1.0 + ir->dw_min_dtod * x3;
    double spread = ir->up_down_dtod * x4;
    double up_bias = fmin(up_down, 0.0);
    double down_bias = -fmax(up_down, 0.0);
    double su = (up_bias + gain + spread) * ir->dw_min;
    double sd = (down_bias + gain - spread) * ir->dw_min;
    make_consistent(&bmin, &bmax, &su, &sd, ir->enforce_consistency);
    return (RtCell){.bmin = (float)bmin, .bmax = (float)bmax, .s_up = (float)su,
                    .s_down = (float)sd};
}

/*
** Pass 2, one cell: a stuck ("corrupt") device gets equal bounds at a uniform value within
** +-corrupt_devices_range and zero steps; then the diffusion rate |diffusion(1 + dtod xi)|,
** the reset bias reset + reset_dtod xi (additive) and the decay scale 1 - 1/t with
** t = lifetime(1 + dtod xi) (0 if t <= 1; 1, no decay, if lifetime is 0).
*/
static void sample_slow(RtCell *c, const IrDevice *ir, RtRng *r)
{
    double u1 = rt_rng_uniform(r), u2 = rt_rng_uniform(r);
    double xd = rt_rng_normal(r), xr = rt_rng_normal(r), xl = rt_rng_normal(r);
    if (ir->corrupt_devices_prob > u1) {
        double range = fabs(ir->corrupt_devices_range);
        double lo = fmax(fmin(c->bmax, c->bmin), -range);
        double hi = fmin(fmax(c->bmax, c->bmin), range);
        c->bmin = c->bmax = (float)(lo + (hi - lo) * u2);
        c->s_up = c->s_down = 0.0f;
    }
    c->diffusion = (float)fabs(ir->diffusion * (1.0 + ir->diffusion_dtod * xd));
    c->reset = (float)(ir->reset + ir->reset_dtod * xr);
    double t = ir->lifetime * (1.0 + ir->lifetime_dtod * xl);
    c->decay = ir->lifetime > 0.0 ? (t > 1.0 ? (float)(1.0 - 1.0 / t) : 0.0f) : 1.0f;
}

/*
** linear_step slopes (LinearStepRPUDevice::populate): g = gamma + gamma_dtod xi (|g| unless
** allow_increasing), reference bounds mean or per device (reverse modes: the opposite bound
** shifted by reverse_offset), a = -g s/ref (0 if ref is 0).
*/
static void sample_linear_step(RtCell *c, const IrDevice *ir, RtRng *r)
{
    double gu = ir->gamma_up + ir->gamma_up_dtod * rt_rng_normal(r);
    double gd = ir->gamma_down + ir->gamma_down_dtod * rt_rng_normal(r);
    if (!ir->allow_increasing)
        gu = fabs(gu), gd = fabs(gd);
    bool mean = ir->mean_bound_reference;
    double bmax = mean ? ir->w_max : c->bmax, bmin = mean ? ir->w_min : c->bmin;
    double ru = ir->reverse_up ? bmin - ir->reverse_offset : bmax;
    double rd = ir->reverse_down ? bmax + ir->reverse_offset : bmin;
    c->p_up = ru != 0.0 ? (float)(-gu * c->s_up / ru) : 0.0f;
    c->p_down = rd != 0.0 ? (float)(-gd * c->s_down / rd) : 0.0f;
}

/* soft_bounds: the bound each direction saturates towards (reverse modes shift it). */
static void set_soft_bounds(RtCell *c, const IrDevice *ir)
{
    c->p_up = ir->reverse_up ? (float)(c->bmin - ir->reverse_offset) : c->bmax;
    c->p_down = ir->reverse_down ? (float)(c->bmax + ir->reverse_offset) : c->bmin;
}

/*
** soft_bounds_reference (SoftBoundsReferenceRPUDevice::populate): slope spread as bounds
** b/|1 + dtod xi| (only when bmax > 0 > bmin), reference mean + std xi, optionally plus the
** cell's symmetric point (s_up - s_down)/(s_up/bmax - s_down/bmin), added to the reset too.
*/
static void sample_sb_reference(RtCell *c, const IrDevice *ir, RtRng *r)
{
    double xd = rt_rng_normal(r), xu = rt_rng_normal(r), xr = rt_rng_normal(r);
    double bmax = c->bmax, bmin = c->bmin, su = c->s_up, sd = c->s_down;
    if (bmax > 0.0 && bmin < 0.0) {
        double fd = fabs(1.0 + ir->slope_down_dtod * xd), fu = fabs(1.0 + ir->slope_up_dtod * xu);
        bmin = fd > 0.0 ? bmin / fd : bmin;
        bmax = fu > 0.0 ? bmax / fu : bmax;
        c->bmin = (float)bmin, c->bmax = (float)bmax;
    }
    double ref = ir->reference_mean + ir->reference_std * xr;
    double den = su / bmax - sd / bmin;
    if (ir->subtract_symmetry_point && bmax > 0.0 && bmin < 0.0 && den != 0.0) {
        double sp = (su - sd) / den;
        ref += sp;
        c->reset = (float)(c->reset + sp);
    }
    c->ref = (float)ref;
}

/* aihwkit's symmetric-point estimate of a pow_step cell: n noise-free up/down pairs from 0. */
static double pow_sp_estimate(const RtCell *c, int n_steps)
{
    double bu = c->bmax, bd = c->bmin, su = c->s_up, sd = c->s_down, r = bu - bd;
    double smin = fmin(fabs(sd), fabs(su));
    int n = n_steps;
    if (n <= 0)
        n = smin > 0.0 ? (int)fmin(round(10.0 * r / smin), 10000.0) : 10000;
    double sp = 0.0;
    for (int k = 0; k < n; k++)
        sp += -sd * pow((sp - bd) / r, c->p_down) + su * pow((bu - sp) / r, c->p_up);
    return sp;
}

/*
** pow_step exponents (PowStepRPUDevice::populate): gain = 1 + pow_gamma_dtod xi, spread
** pow_up_down_dtod xi, g_up = (min(pow_up_down, 0) + gain + spread) pow_gamma,
** g_dn = (-max(pow_up_down, 0) + gain - spread) pow_gamma, |g| with enforce_consistency.
** pow_step_reference adds a reference draw and, with subtract_symmetry_point, the estimate.
*/
static void sample_pow_step(RtCell *c, const IrDevice *ir, bool reference, RtRng *r)
{
    double gain = 1.0 + ir->pow_gamma_dtod * rt_rng_normal(r);
    double spread = ir->pow_up_down_dtod * rt_rng_normal(r);
    double gu = (fmin(ir->pow_up_down, 0.0) + gain + spread) * ir->pow_gamma;
    double gd = (-fmax(ir->pow_up_down, 0.0) + gain - spread) * ir->pow_gamma;
    if (ir->enforce_consistency)
        gu = fabs(gu), gd = fabs(gd);
    c->p_up = (float)gu, c->p_down = (float)gd;
    if (!reference)
        return;
    double ref = ir->reference_mean + ir->reference_std * rt_rng_normal(r);
    if (ir->subtract_symmetry_point && c->bmax > 0.0f && c->bmin < 0.0f) {
        double sp = pow_sp_estimate(c, ir->n_estimation_steps);
        ref += sp;
        c->reset = (float)(c->reset + sp);
    }
    c->ref = (float)ref;
}

/* Pass 3, one cell: the family's own parameters. */
static void sample_family(RtCell *c, const IrDevice *ir, RtRng *r)
{
    switch (ir->family) {
    case IR_DEV_LINEAR_STEP: sample_linear_step(c, ir, r); break;
    case IR_DEV_SOFT_BOUNDS: set_soft_bounds(c, ir); break;
    case IR_DEV_SOFT_BOUNDS_REFERENCE: sample_sb_reference(c, ir, r); break;
    case IR_DEV_POW_STEP: sample_pow_step(c, ir, false, r); break;
    case IR_DEV_POW_STEP_REFERENCE: sample_pow_step(c, ir, true, r); break;
    default: break;
    }
}

/* Ideal cells: no bounds, exact steps, decay 1 - 1/lifetime if lifetime > 1 (no draws). */
static void sample_ideal(RtCell *cell, size_t n, const IrDevice *ir)
{
    float decay = ir->lifetime > 1.0 ? (float)(1.0 - 1.0 / ir->lifetime) : 1.0f;
    RtCell c = {.bmin = -INFINITY, .bmax = INFINITY, .s_up = (float)ir->dw_min,
                .s_down = (float)ir->dw_min, .decay = decay, .diffusion = (float)ir->diffusion};
    for (size_t k = 0; k < n; k++)
        cell[k] = c;
}

void rt_device_sample(RtCell *cell, size_t D, size_t X, const IrDevice *ir, RtRng *r)
{
    if (ir->family == IR_DEV_IDEAL) {
        sample_ideal(cell, D * X, ir);
        return;
    }
    RtRng own;
    if (ir->construction_seed != 0) {
        rt_rng_seed(&own, ir->construction_seed, RT_STREAM_D2D(0));
        r = &own;
    }
    for (size_t j = 0; j < X; j++)
        for (size_t i = 0; i < D; i++)
            cell[i * X + j] = sample_cell(ir, r);
    for (size_t j = 0; j < X; j++)
        for (size_t i = 0; i < D; i++)
            sample_slow(&cell[i * X + j], ir, r);
    for (size_t k = 0; k < D * X; k++)
        sample_family(&cell[k], ir, r);
}

/*
** ====================================================================================
** Per-pulse rules
** ====================================================================================
*/

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

/*
** Where the c2c normals of one pulse come from: the generator r, or the given values xi in
** order (the fast kernels' reference twin hands in the normals it consumed). A NULL Noise
** is noise-free.
*/
typedef struct Noise {
    RtRng *r;
    const float *xi;
    int k;
} Noise;

/* The next normal of the pulse. */
static double next_normal(Noise *ns)
{
    return ns->r ? rt_rng_normal(ns->r) : (double)ns->xi[ns->k++];
}

/* 1 + std*xi, drawing xi only when std > 0 and a source is given (NULL: noise-free). */
static double mult_factor(double std, Noise *ns)
{
    return std > 0.0 && ns ? 1.0 + std * next_normal(ns) : 1.0;
}

/* std*xi, drawing xi only when std > 0 and a source is given. */
static double add_noise(double std, Noise *ns)
{
    return std > 0.0 && ns ? std * next_normal(ns) : 0.0;
}

/* 1 - w/b, the soft-bounds saturation towards b; a zero b gives no slope (aihwkit). */
static double saturation(double w, double b)
{
    return b != 0.0 ? 1.0 - w / b : 1.0;
}

/* soft_bounds: s(1 - w/b)(1 + std xi), or s(1 - w/b) + s std xi (additive). */
static double soft_bounds_step(const RtDevice *dv, double s, double b, double w, Noise *r)
{
    double sat = saturation(w, b);
    if (dv->mult_noise)
        return s * sat * mult_factor(dv->dw_std, r);
    return s * sat + s * add_noise(dv->dw_std, r);
}

/* linear_step: (s + a w)(1 + std xi), or a w + s(1 + std xi) (additive). */
static double linear_step_step(const RtDevice *dv, double s, double a, double w, Noise *r)
{
    if (dv->mult_noise)
        return (s + a * w) * mult_factor(dv->dw_std, r);
    return a * w + s * mult_factor(dv->dw_std, r);
}

/* soft_bounds_reference on v: a side whose bound has the wrong sign has no slope. */
static double sb_reference_step(const RtDevice *dv, const RtCell *c, double v, bool up,
                                Noise *r)
{
    double s = up ? c->s_up : c->s_down;
    double sat = up ? (c->bmax > 0.0f ? 1.0 - v / c->bmax : 1.0)
                    : (c->bmin < 0.0f ? 1.0 - v / c->bmin : 1.0);
    if (dv->mult_noise)
        return s * sat * mult_factor(dv->dw_std, r);
    return s * (sat + add_noise(dv->dw_std, r));
}

/* exp_step's y factor of one direction at w (docs/theory.md §3.2.3). */
static double exp_y(const RtDevice *dv, const RtCell *c, double w, bool up)
{
    double z = 2.0 * w / ((double)c->bmax - (double)c->bmin) * dv->a + dv->b;
    return up ? fmax(1.0 - dv->A_up * exp(dv->g_up * z), 0.0)
              : fmax(1.0 - dv->A_down * exp(-dv->g_down * z), 0.0);
}

/* exp_step: the signed change, with multiplicative or "complex" noise. */
static double exp_step_delta(const RtDevice *dv, const RtCell *c, double w, bool up, Noise *r)
{
    double y = exp_y(dv, c, w, up);
    double dw = up ? y * c->s_up : -y * c->s_down;
    if (dv->std_add == 0.0 && dv->std_slope == 0.0)
        return dw * mult_factor(dv->dw_std, r);
    double std = dv->dw_std * (fabs(dw) + dv->std_add + dv->std_slope * fabs(w));
    return dw + (r ? std * next_normal(r) : 0.0);
}

/* pow_step: s_up ((bmax - w)/R)^g_up up, s_down ((w - bmin)/R)^g_dn down, times (1 + std xi). */
static double pow_step_step(const RtDevice *dv, const RtCell *c, double w, bool up, Noise *r)
{
    double range = (double)c->bmax - (double)c->bmin;
    double q = up ? pow(((double)c->bmax - w) / range, c->p_up)
                  : pow((w - (double)c->bmin) / range, c->p_down);
    return (up ? c->s_up : c->s_down) * q * mult_factor(dv->dw_std, r);
}

/* piecewise_step: linear interpolation of the nodes (PiecewiseStepRPUDevice::update_once). */
static double piecewise_factor(const RtDevice *dv, const RtCell *c, double w, bool up)
{
    const double *v = up ? dv->pw_up : dv->pw_down;
    if (dv->npw == 0 || !v)
        return 1.0;
    size_t n = dv->npw - 1;
    if (n == 0 || !(c->bmax > c->bmin))
        return v[0];
    double ws = fmax((w - c->bmin) / ((double)c->bmax - (double)c->bmin) * (double)n, 0.0);
    size_t k = (size_t)floor(fmin(ws, (double)(n - 1)));
    double t = fmin(ws - (double)k, 1.0);
    return (1.0 - t) * v[k] + t * v[k + 1];
}

/* The seed paper's q of one direction at w for the cell's bounds (docs/theory.md §3.1). */
static double paper_q(const RtDevice *dv, const RtCell *c, double w, bool up)
{
    double sat = fmax(saturation(w, up ? c->bmax : c->bmin), 0.0);
    switch (dv->family) {
    case IR_DEV_LINEAR: return (up ? 1.0 + dv->c_lin : 1.0 - dv->c_lin) * sat;
    case IR_DEV_POWER: return pow(sat, dv->gamma_res);
    default: return expm1(dv->gamma_res * sat) / dv->exp_norm;
    }
}

/* Response and seed-paper families: s(q(w)(1 + std xi) + sigma_c xi') (eq. 26). */
static double q_step(const RtDevice *dv, double s, double q, Noise *r)
{
    double qw = q * mult_factor(dv->dw_std, r);
    return s * (qw + add_noise(dv->sigma_c, r));
}

/* The magnitude of one pulse in its direction (before clipping); v is the device state. */
static double magnitude(const RtDevice *dv, const RtCell *c, double v, bool up, Noise *r)
{
    double s = up ? c->s_up : c->s_down;
    switch (dv->family) {
    case IR_DEV_IDEAL: return dv->dw_min;
    case IR_DEV_CONSTANT_STEP: return s * mult_factor(dv->dw_std, r);
    case IR_DEV_SOFT_BOUNDS: return soft_bounds_step(dv, s, up ? c->p_up : c->p_down, v, r);
    case IR_DEV_LINEAR_STEP: return linear_step_step(dv, s, up ? c->p_up : c->p_down, v, r);
    case IR_DEV_SOFT_BOUNDS_REFERENCE: return sb_reference_step(dv, c, v, up, r);
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: return pow_step_step(dv, c, v, up, r);
    case IR_DEV_PIECEWISE_STEP:
        return s * piecewise_factor(dv, c, v, up) * mult_factor(dv->dw_std, r);
    case IR_DEV_RESPONSE: return q_step(dv, s, rt_table_eval(up ? dv->q_up : dv->q_down, v), r);
    case IR_DEV_LINEAR:
    case IR_DEV_POWER:
    case IR_DEV_EXPONENTIAL: return q_step(dv, s, paper_q(dv, c, v, up), r);
    case IR_DEV_EXP_STEP:
    case IR_DEV__COUNT: break;
    }
    return 0.0;
}

/* Whether the pulse is a no-op: exp_step and pow_step* without a bounds range. */
static bool inert(const RtDevice *dv, const RtCell *c)
{
    switch (dv->family) {
    case IR_DEV_EXP_STEP: return !(c->bmax > c->bmin);
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: return c->bmax == c->bmin;
    default: return false;
    }
}

/* Families whose stored weight is read against a reference (v = w + ref). */
static bool has_reference(IrDevFamily f)
{
    return f == IR_DEV_SOFT_BOUNDS_REFERENCE || f == IR_DEV_POW_STEP_REFERENCE;
}

/* The signed change of one pulse from device state v (r NULL: noise-free). */
static double delta(const RtDevice *dv, const RtCell *c, double v, bool up, Noise *r)
{
    if (dv->family == IR_DEV_EXP_STEP)
        return exp_step_delta(dv, c, v, up, r);
    double m = magnitude(dv, c, v, up, r);
    return up ? m : -m;
}

/*
** One pulse with normals from ns (NULL: noise-free). The new weight is computed in double
** and clipped in double, so a clipped w is exactly a bound. Reference families pulse
** v = w + ref, clip v and return v - ref.
*/
static float pulse(const RtDevice *dv, const RtCell *c, float w, bool up, Noise *ns)
{
    if (inert(dv, c))
        return w;
    double ref = has_reference(dv->family) ? c->ref : 0.0;
    double v = (double)w + ref;
    v += delta(dv, c, v, up, ns);
    if (v > c->bmax)
        v = c->bmax;
    if (v < c->bmin)
        v = c->bmin;
    return (float)(v - ref);
}

float rt_device_pulse(const RtDevice *dv, const RtCell *c, float w, bool up, RtRng *r)
{
    Noise ns = {r, NULL, 0};
    return pulse(dv, c, w, up, r ? &ns : NULL);
}

float rt_device_pulse_xi(const RtDevice *dv, const RtCell *c, float w, bool up, const float *xi)
{
    Noise ns = {NULL, xi, 0};
    return pulse(dv, c, w, up, xi ? &ns : NULL);
}

int rt_device_normals(const RtDevice *dv)
{
    bool paper = dv->family == IR_DEV_RESPONSE || dv->family == IR_DEV_LINEAR ||
                 dv->family == IR_DEV_POWER || dv->family == IR_DEV_EXPONENTIAL;
    if (dv->family == IR_DEV_IDEAL)
        return 0;
    return (dv->dw_std > 0.0) + (paper && dv->sigma_c > 0.0);
}

double rt_device_step(const RtDevice *dv, const RtCell *c, double w, bool up)
{
    if (inert(dv, c))
        return 0.0;
    double ref = has_reference(dv->family) ? c->ref : 0.0;
    return delta(dv, c, w + ref, up, NULL);
}
