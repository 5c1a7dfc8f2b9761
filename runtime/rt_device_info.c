/*
** rt_device_info.c: what --dump says about a device: its weight granularity and number of
** states (docs/theory.md §3.2.6) and the symmetric point of its mean device (§3.1, 3.2.7):
** a closed form where docs/theory.md gives one, else bisection on the noise-free steps.
*/
#include <math.h>

#include "rt_device.h"

/* The mean device of ir: the same parameters without any device-to-device spread. */
static IrDevice mean_device(const IrDevice *ir)
{
    IrDevice m = *ir;
    m.dw_min_dtod = m.w_max_dtod = m.w_min_dtod = m.up_down_dtod = 0.0;
    m.lifetime_dtod = m.diffusion_dtod = m.reset_dtod = m.corrupt_devices_prob = 0.0;
    m.gamma_up_dtod = m.gamma_down_dtod = m.slope_up_dtod = m.slope_down_dtod = 0.0;
    m.reference_std = m.pow_gamma_dtod = m.pow_up_down_dtod = 0.0;
    m.construction_seed = 0;
    return m;
}

/* The mean cell: every spread is 0, so the draws do not matter. */
static RtCell mean_cell(const IrDevice *m)
{
    RtRng r;
    RtCell c;
    rt_rng_seed(&r, 1, 0);
    rt_device_sample(&c, 1, 1, m, &r);
    return c;
}

/* Up minus down step (noise-free) at stored weight w. */
static double drift(const RtDevice *dv, const RtCell *c, double w)
{
    return rt_device_step(dv, c, w, true) + rt_device_step(dv, c, w, false);
}

/* A point w* that lies outside [lo, hi] means a drift to the nearer bound (-0 prints as 0). */
static void set_point(RtDeviceInfo *o, double w)
{
    o->sym = w + 0.0;
    o->sym_kind = w > o->hi ? RT_SYM_UPPER : w < o->lo ? RT_SYM_LOWER : RT_SYM_POINT;
}

/*
** Steps linear in w: up su + au w, down sd + ad w; equal at w* = (sd - su)/(au - ad).
** Parallel lines: equal everywhere, or one direction always larger.
*/
static void sym_lines(RtDeviceInfo *o, double su, double au, double sd, double ad)
{
    if (au == ad) {
        o->sym_kind = su == sd ? RT_SYM_EVERY : su > sd ? RT_SYM_UPPER : RT_SYM_LOWER;
        return;
    }
    set_point(o, (sd - su) / (au - ad));
}

/* The slope a = -g s/ref of a linear-step direction (0 for a zero reference). */
static double slope(double g, double s, double ref)
{
    return ref != 0.0 ? -g * s / ref : 0.0;
}

/* soft_bounds, linear_step, constant_step and soft_bounds_reference in closed form. */
static void sym_linear_family(RtDeviceInfo *o, const IrDevice *m, const RtCell *c)
{
    double su = c->s_up, sd = c->s_down;
    double ru = m->reverse_up ? m->w_min - m->reverse_offset : m->w_max;
    double rd = m->reverse_down ? m->w_max + m->reverse_offset : m->w_min;
    double gu = m->allow_increasing ? m->gamma_up : fabs(m->gamma_up);
    double gd = m->allow_increasing ? m->gamma_down : fabs(m->gamma_down);
    switch (m->family) {
    case IR_DEV_CONSTANT_STEP:
        o->sym_how = "closed form: none unless s_up = s_down (constant steps)";
        sym_lines(o, su, 0.0, sd, 0.0);
        break;
    case IR_DEV_LINEAR_STEP:
        o->sym_how = "closed form: (s_up - s_down)/(g_up s_up/w_max - g_down s_down/w_min)";
        sym_lines(o, su, slope(gu, su, ru), sd, slope(gd, sd, rd));
        break;
    case IR_DEV_SOFT_BOUNDS:
        o->sym_how = "closed form: (s_up - s_down)/(s_up/w_max - s_down/w_min)";
        sym_lines(o, su, slope(1.0, su, ru), sd, slope(1.0, sd, rd));
        break;
    default: /* soft_bounds_reference: the soft-bounds point of v, minus the reference */
        o->sym_how = "closed form: (s_up - s_down)/(s_up/w_max - s_down/w_min) - reference";
        o->lo += c->ref, o->hi += c->ref; /* in v */
        sym_lines(o, su, slope(1.0, su, m->w_max), sd, slope(1.0, sd, m->w_min));
        o->lo -= c->ref, o->hi -= c->ref;
        o->sym -= c->ref;
        break;
    }
}

/*
** pow_step(_reference) with equal exponents g: s_up ((bmax - w)/R)^g = s_down ((w - bmin)/R)^g
** gives rho = (s_down/s_up)^(1/g), v* = (bmax + rho bmin)/(1 + rho); the stored point is
** v* minus the reference. Unequal exponents: numerically.
*/
static bool sym_pow(RtDeviceInfo *o, const RtCell *c)
{
    double g = c->p_up, su = c->s_up, sd = c->s_down;
    if (c->p_up != c->p_down || !(g > 0.0) || !(su > 0.0) || !(sd > 0.0))
        return false;
    double rho = pow(sd / su, 1.0 / g);
    o->sym_how = "closed form: rho = (s_down/s_up)^(1/g), (w_max + rho w_min)/(1 + rho) - reference";
    set_point(o, ((double)c->bmax + rho * c->bmin) / (1.0 + rho) - c->ref);
    return true;
}

/* The first root of drift(w) = 0 where it changes from > 0 to <= 0, by bisection. */
static double bisect(const RtDevice *dv, const RtCell *c, double a, double b)
{
    for (int k = 0; k < 200 && b - a > 1e-15 * (fabs(a) + fabs(b) + 1e-300); k++) {
        double m = 0.5 * (a + b);
        if (drift(dv, c, m) > 0.0)
            a = m;
        else
            b = m;
    }
    return 0.5 * (a + b);
}

/*
** Numerically: scan [lo, hi] on 4096 cells for the first change of the drift from > 0 to
** <= 0 (a stable symmetric point), then bisect. No such change: equal everywhere (|drift| is
** below 1e-9 dw_min throughout), or the weight drifts to the bound the drift points to.
*/
static void sym_numeric(RtDeviceInfo *o, const RtDevice *dv, const RtCell *c)
{
    enum { N = 4096 };
    double tol = 1e-9 * dv->dw_min, prev = drift(dv, c, o->lo);
    double first = prev;
    bool flat = fabs(prev) <= tol;
    o->sym_numeric = true;
    o->sym_how = "numerical: bisection of up step = down step (noise-free)";
    for (int k = 1; k <= N; k++) {
        double w = o->lo + (o->hi - o->lo) * k / N, g = drift(dv, c, w);
        if (prev > tol && g <= tol) {
            double sp = bisect(dv, c, o->lo + (o->hi - o->lo) * (k - 1) / N, w);
            set_point(o, fabs(sp) < 1e-12 * (o->hi - o->lo) ? 0.0 : sp); /* rounding noise */
            return;
        }
        flat &= fabs(g) <= tol;
        prev = g;
    }
    o->sym_kind = flat ? RT_SYM_EVERY : first > 0.0 ? RT_SYM_UPPER : RT_SYM_LOWER;
}

/* The symmetric point of the mean device, by family. */
static void symmetric_point(RtDeviceInfo *o, const IrDevice *m, const RtDevice *dv,
                            const RtCell *c)
{
    switch (m->family) {
    case IR_DEV_IDEAL: o->sym_kind = RT_SYM_EVERY, o->sym_how = "floating point"; return;
    case IR_DEV_CONSTANT_STEP:
    case IR_DEV_SOFT_BOUNDS:
    case IR_DEV_LINEAR_STEP:
    case IR_DEV_SOFT_BOUNDS_REFERENCE: sym_linear_family(o, m, c); return;
    case IR_DEV_LINEAR:
        o->sym_how = "closed form: c_lin * tau";
        set_point(o, m->c_lin * m->tau);
        return;
    case IR_DEV_POWER:
    case IR_DEV_EXPONENTIAL:
        o->sym_how = "closed form: 0 (q+(0) = q-(0) = 1)";
        set_point(o, 0.0);
        return;
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE:
        if (sym_pow(o, c))
            return;
        break;
    default: break;
    }
    sym_numeric(o, dv, c);
}

void rt_device_info(RtDeviceInfo *out, const IrDevice *ir)
{
    *out = (RtDeviceInfo){0};
    if (ir->family == IR_DEV_IDEAL) {
        out->states = INFINITY;
        out->lo = -INFINITY, out->hi = INFINITY;
        out->sym_kind = RT_SYM_EVERY;
        out->sym_how = "floating point";
        return;
    }
    IrDevice m = mean_device(ir);
    RtDevice dv;
    rt_device_init(&dv, &m);
    RtCell c = mean_cell(&m);
    bool paper = m.family == IR_DEV_LINEAR || m.family == IR_DEV_POWER ||
                 m.family == IR_DEV_EXPONENTIAL;
    double range = paper ? 2.0 * m.tau : m.w_max - m.w_min;
    out->granularity = rt_device_granularity(&dv);
    out->states = range / out->granularity;
    out->lo = (double)c.bmin - c.ref, out->hi = (double)c.bmax - c.ref;
    symmetric_point(out, &m, &dv, &c);
}
