/*
** test_device_steps.c: single-pulse steps of every device family against the formulas of
** docs/theory.md §3.1 and 3.2.2-3.2.3 (noise and variation off), clipping, and symmetric points
** (docs/theory.md §3.1, 3.2.7): the closed form, rt_device_info, and alternating pulses.
**
** Expected values are computed here from the formulas, in double. The implementation keeps
** steps and bounds in float and rounds each new weight to float, so steps are compared with
** a tolerance of a few float ulps of w (ULPS).
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_tile.h"

#define ULPS(x) (8.0 * FLT_EPSILON * (fabs(x) + 1e-3))

/* The signed step of one noise-free pulse from w (new w minus w) on a variation-free cell. */
static double step_from(const IrDevice *ir, double w, bool up)
{
    RtDevice dv;
    RtRng r;
    RtCell c;
    rt_device_init(&dv, ir);
    rt_rng_seed(&r, 9, 0);
    rt_device_sample(&c, 1, 1, ir, &r);
    float wf = (float)w;
    return (double)rt_device_pulse(&dv, &c, wf, up, &r) - (double)wf;
}

/* Test-side formula of a family: the magnitude of the up or down step at w. */
typedef double (*StepFn)(const IrDevice *d, double w, bool up);

/* Compare both steps with the formula at the weights ws (each rounded to float first). */
static void check_steps(const IrDevice *d, StepFn f, const double *ws, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double w = (float)ws[k];
        double up = step_from(d, w, true), down = -step_from(d, w, false);
        cr_assert_float_eq(up, f(d, w, true), ULPS(w), "up at w %g: %.9g, formula %.9g", w, up,
                           f(d, w, true));
        cr_assert_float_eq(down, f(d, w, false), ULPS(w), "down at w %g: %.9g, formula %.9g", w,
                           down, f(d, w, false));
    }
}

static const double WS[] = {-0.9, -0.5, -0.1, 0.0, 0.3, 0.8};
#define NWS (sizeof WS / sizeof WS[0])

/* s_up, s_down of the mean device: up_down > 0 shrinks only the down step (aihwkit code). */
static double scale(const IrDevice *d, bool up)
{
    return d->dw_min * (up ? 1.0 + fmin(d->up_down, 0.0) : 1.0 - fmax(d->up_down, 0.0));
}

/*
** ====================================================================================
** aihwkit families
** ====================================================================================
*/

/* LinearStep (mean_bound_reference): s_up (1 - g_up w/w_max), s_down (1 - g_dn w/w_min). */
static double linear_step_f(const IrDevice *d, double w, bool up)
{
    double ru = d->reverse_up ? d->w_min - d->reverse_offset : d->w_max;
    double rd = d->reverse_down ? d->w_max + d->reverse_offset : d->w_min;
    return up ? scale(d, true) * (1.0 - d->gamma_up * w / ru)
              : scale(d, false) * (1.0 - d->gamma_down * w / rd);
}

/* docs/theory.md §3.2.9: gamma_up 0.5, gamma_down 0.25, bounds +-1, dw_min 0.01, w = 0.5. */
Test(device_steps, linear_step_table_and_formula)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.gamma_up = 0.5, d.gamma_down = 0.25;
    cr_assert_float_eq(step_from(&d, 0.5, true), 0.0075, ULPS(0.5));
    cr_assert_float_eq(-step_from(&d, 0.5, false), 0.01125, ULPS(0.5));
    check_steps(&d, linear_step_f, WS, NWS);
    static const double inside[] = {-0.45, -0.1, 0.0, 0.3, 0.75};
    d.up_down = 0.3, d.w_max = 0.8, d.w_min = -0.5;
    check_steps(&d, linear_step_f, inside, 5);
    d.mult_noise = false; /* additive noise: the same noise-free step */
    check_steps(&d, linear_step_f, inside, 5);
}

/* Reverse modes: the step grows towards the bound (reference w_min - offset, w_max + offset). */
Test(device_steps, linear_step_reverse_modes)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.gamma_up = 0.5, d.gamma_down = 0.5, d.reverse_up = d.reverse_down = true;
    check_steps(&d, linear_step_f, WS, NWS);
    cr_assert_gt(step_from(&d, 0.5, true), step_from(&d, -0.5, true)); /* grows with w */
}

/* Negative gammas are made positive unless allow_increasing. */
Test(device_steps, linear_step_negative_gamma)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.gamma_up = -0.5;
    cr_assert_float_eq(step_from(&d, 0.5, true), 0.01 * (1 - 0.5 * 0.5), ULPS(0.5));
    d.allow_increasing = true;
    cr_assert_float_eq(step_from(&d, 0.5, true), 0.01 * (1 + 0.5 * 0.5), ULPS(0.5));
}

/* SoftBounds reverse_up: s_up (1 - w/(w_min - offset)). */
Test(device_steps, soft_bounds_reverse_up)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    d.reverse_up = true;
    d.gamma_up = 1.0, d.gamma_down = 1.0; /* soft bounds = linear step with gamma 1 */
    check_steps(&d, linear_step_f, WS, NWS);
}

/* ExpStep: z = 2 a w/(w_max - w_min) + b, y_up = max(1 - A_up e^(g_up z), 0), ... */
static double exp_step_f(const IrDevice *d, double w, bool up)
{
    double z = 2.0 * d->a * w / (d->w_max - d->w_min) + d->b;
    return up ? scale(d, true) * fmax(1.0 - d->A_up * exp(d->gamma_up * z), 0.0)
              : scale(d, false) * fmax(1.0 - d->A_down * exp(-d->gamma_down * z), 0.0);
}

/* The ReRamES preset device (docs/theory.md §3.3), variation and noise off. */
static IrDevice reram_es(void)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.00135, 1.0);
    d.up_down = 0.259359;
    d.a = -0.5, d.b = -0.5, d.gamma_up = d.gamma_down = 5.0;
    d.A_up = -1.18445, d.A_down = -0.081404;
    return d;
}

Test(device_steps, exp_step_defaults_and_preset)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    check_steps(&d, exp_step_f, WS, NWS);
    d = reram_es();
    check_steps(&d, exp_step_f, WS, NWS);
    /* docs/theory.md §3.2.9, printed to 4 significant digits */
    cr_assert_float_eq(step_from(&d, 0.0, true), 0.001481, 5e-7);
    cr_assert_float_eq(-step_from(&d, 0.0, false), 0.001991, 5e-7);
    cr_assert_float_eq(step_from(&d, 0.5, true), 0.001388, 5e-7);
    cr_assert_float_eq(-step_from(&d, 0.5, false), 0.004461, 5e-7);
}

/* A cell without a bounds range (bmax == bmin) ignores exp_step pulses entirely. */
Test(device_steps, exp_step_without_range_does_nothing)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    d.corrupt_devices_prob = 1.0; /* stuck: bmin == bmax */
    RtDevice dv;
    RtRng r;
    RtCell c;
    rt_device_init(&dv, &d);
    rt_rng_seed(&r, 3, 0);
    rt_device_sample(&c, 1, 1, &d, &r);
    cr_assert_eq(c.bmin, c.bmax);
    cr_assert_eq(rt_device_pulse(&dv, &c, 0.25f, true, &r), 0.25f);
}

/* PowStep: s_up ((w_max - w)/R)^g_up, s_down ((w - w_min)/R)^g_dn, R = w_max - w_min. */
static double pow_step_f(const IrDevice *d, double w, bool up)
{
    double R = d->w_max - d->w_min, pud = d->pow_up_down;
    double gu = (fmin(pud, 0.0) + 1.0) * d->pow_gamma, gd = (1.0 - fmax(pud, 0.0)) * d->pow_gamma;
    return up ? scale(d, true) * pow((d->w_max - w) / R, gu)
              : scale(d, false) * pow((w - d->w_min) / R, gd);
}

Test(device_steps, pow_step_table_and_formula)
{
    IrDevice d = fx_quiet(IR_DEV_POW_STEP, 0.01, 1.0);
    d.pow_gamma = 2.0;
    cr_assert_float_eq(step_from(&d, -0.5, true), 0.005625, ULPS(0.5)); /* docs/theory.md §3.2.9 */
    cr_assert_float_eq(-step_from(&d, -0.5, false), 0.000625, ULPS(0.5));
    check_steps(&d, pow_step_f, WS, NWS);
    static const double inside[] = {-0.9, -0.5, -0.1, 0.0, 0.3, 0.65};
    d.pow_up_down = 0.3, d.up_down = -0.2, d.w_max = 0.7;
    check_steps(&d, pow_step_f, inside, 6);
}

/* PiecewiseStep: linear interpolation of nodes equally spaced from w_min to w_max. */
static double piecewise_f(const IrDevice *d, double w, bool up)
{
    const double *v = up ? d->piecewise_up : d->piecewise_down;
    size_t n = d->npiecewise_up - 1;
    double pos = (w - d->w_min) / (d->w_max - d->w_min) * (double)n;
    size_t k = pos >= (double)n ? n - 1 : (size_t)pos;
    double t = pos - (double)k;
    return scale(d, up) * ((1 - t) * v[k] + t * v[k + 1]);
}

Test(device_steps, piecewise_step_interpolates_the_nodes)
{
    static const double up[] = {1.5, 1.0, 0.5, 0.25}, down[] = {0.2, 0.6, 1.0, 1.8};
    IrDevice d = fx_quiet(IR_DEV_PIECEWISE_STEP, 0.01, 1.0);
    d.piecewise_up = up, d.piecewise_down = down;
    d.npiecewise_up = d.npiecewise_down = 4;
    check_steps(&d, piecewise_f, WS, NWS);
    cr_assert_float_eq(step_from(&d, -1.0, true), 0.015, ULPS(1.0)); /* first node at w_min */
    cr_assert_float_eq(-step_from(&d, 1.0, false), 0.018, ULPS(1.0)); /* last node at w_max */
    static const double one[] = {0.7};                              /* one node: constant */
    d.piecewise_up = d.piecewise_down = one;
    d.npiecewise_up = d.npiecewise_down = 1;
    cr_assert_float_eq(step_from(&d, 0.4, true), 0.007, ULPS(0.4));
}

/* SoftBoundsReference: on v = w + ref, s (1 - v/b); the stored weight is v - ref. */
static double sb_reference_f(const IrDevice *d, double w, bool up)
{
    double v = w + d->reference_mean;
    return up ? scale(d, true) * (1.0 - v / d->w_max) : scale(d, false) * (1.0 - v / d->w_min);
}

Test(device_steps, soft_bounds_reference_acts_on_the_shifted_weight)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS_REFERENCE, 0.01, 1.0);
    d.reference_mean = 0.2;
    static const double ws[] = {-0.9, -0.3, 0.0, 0.4, 0.7};
    check_steps(&d, sb_reference_f, ws, 5);
    d.mult_noise = true;
    check_steps(&d, sb_reference_f, ws, 5);
    /*
    ** v is clipped: noisy up pulses (additive, std 0.5 steps: some overshoot) never pass
    ** v = w_max and hit it exactly, i.e. a stored weight of w_max - ref.
    */
    d.mult_noise = false, d.dw_min_std = 0.5;
    RtRng r;
    rt_rng_seed(&r, 1, 0);
    RtTile *t = rt_tile_new(1, 1, &d, &r, false);
    float top = (float)(1.0 - (double)t->cell[0].ref), hi = -1.0f;
    for (int k = 0; k < 3000; k++) {
        float w = rt_tile_pulse(t, 0, 0, true, &r);
        cr_assert_leq(w, top);
        hi = w > hi ? w : hi;
    }
    cr_assert_eq(hi, top);
    rt_tile_free(t);
}

/* PowStepReference: the pow_step rule on v = w + ref. */
Test(device_steps, pow_step_reference_acts_on_the_shifted_weight)
{
    IrDevice d = fx_quiet(IR_DEV_POW_STEP_REFERENCE, 0.01, 1.0);
    d.reference_mean = -0.25, d.pow_gamma = 1.5;
    for (size_t k = 1; k + 1 < NWS; k++) {
        double w = (float)WS[k];
        IrDevice shifted = d;
        cr_assert_float_eq(step_from(&d, w, true), pow_step_f(&shifted, w - 0.25, true),
                           ULPS(w));
        cr_assert_float_eq(-step_from(&d, w, false), pow_step_f(&shifted, w - 0.25, false),
                           ULPS(w));
    }
}

/*
** ====================================================================================
** The seed paper's families (docs/theory.md §3.1; steps dw_min q(w), eq. 26 without noise)
** ====================================================================================
*/

static double linear_f(const IrDevice *d, double w, bool up)
{
    double t = d->tau, c = d->c_lin;
    return d->dw_min * (up ? (1 + c) * (1 - w / t) : (1 - c) * (1 + w / t));
}

static double power_f(const IrDevice *d, double w, bool up)
{
    return d->dw_min * pow(up ? 1 - w / d->tau : 1 + w / d->tau, d->gamma_res);
}

static double exponential_f(const IrDevice *d, double w, bool up)
{
    double g = d->gamma_res, x = up ? 1 - w / d->tau : 1 + w / d->tau;
    return d->dw_min * (exp(g * x) - 1) / (exp(g) - 1);
}

Test(device_steps, seed_paper_linear)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR, 0.01, 1.0);
    d.c_lin = 0.1;
    check_steps(&d, linear_f, WS, NWS);
    d.tau = 3.5, d.c_lin = -0.4;
    check_steps(&d, linear_f, WS, NWS);
}

Test(device_steps, seed_paper_power)
{
    IrDevice d = fx_quiet(IR_DEV_POWER, 0.01, 1.0);
    d.gamma_res = 0.5;
    check_steps(&d, power_f, WS, NWS);
    d.gamma_res = 3.0, d.tau = 0.1;
    static const double ws[] = {-0.09, -0.02, 0.0, 0.05};
    check_steps(&d, power_f, ws, 4);
    /* q+(0) = 1, q+(tau) = 0, q+(-tau) = 2^gamma (docs/theory.md §3.1) */
    cr_assert_float_eq(step_from(&d, 0.0, true), 0.01, ULPS(0.0));
    cr_assert_float_eq(step_from(&d, 0.1, true), 0.0, ULPS(0.1));
    cr_assert_float_eq(step_from(&d, -0.1, true), 0.01 * 8.0, ULPS(0.1) * 8);
}

Test(device_steps, seed_paper_exponential)
{
    IrDevice d = fx_quiet(IR_DEV_EXPONENTIAL, 0.01, 1.0);
    d.gamma_res = 4.0;
    check_steps(&d, exponential_f, WS, NWS);
    /* q+(0) = 1, q-(-tau) = 0, q+(-tau) = e^gamma + 1 */
    cr_assert_float_eq(step_from(&d, 0.0, true), 0.01, ULPS(0.0));
    cr_assert_float_eq(-step_from(&d, -1.0, false), 0.0, ULPS(1.0));
    cr_assert_float_eq(step_from(&d, -1.0, true), 0.01 * (exp(4.0) + 1), 1e-5);
}

/*
** ====================================================================================
** Clipping
** ====================================================================================
*/

/*
** With c2c noise on, 3000 up then 6000 down pulses never leave [bmin, bmax]; a family whose
** step does not vanish at the bound ends exactly on it.
*/
static void check_clipping(IrDevice d, bool reaches)
{
    RtRng d2d, r;
    rt_rng_seed(&d2d, 4, 0);
    rt_rng_seed(&r, 5, 0);
    RtTile *t = rt_tile_new(1, 1, &d, &d2d, false);
    const RtCell *c = &t->cell[0];
    for (int k = 0; k < 3000; k++) {
        float w = rt_tile_pulse(t, 0, 0, true, &r);
        cr_assert(w <= c->bmax && w >= c->bmin, "family %d: %g outside", d.family, (double)w);
    }
    if (reaches)
        cr_assert_eq(t->w[0], c->bmax, "family %d: %.9g, bmax %.9g", d.family, (double)t->w[0],
                     (double)c->bmax);
    for (int k = 0; k < 6000; k++) {
        float w = rt_tile_pulse(t, 0, 0, false, &r);
        cr_assert(w <= c->bmax && w >= c->bmin, "family %d: %g outside", d.family, (double)w);
    }
    if (reaches)
        cr_assert_eq(t->w[0], c->bmin, "family %d: %.9g, bmin %.9g", d.family, (double)t->w[0],
                     (double)c->bmin);
    rt_tile_free(t);
}

Test(device_steps, every_family_clips_to_its_bounds)
{
    static const double nodes[] = {1.0, 0.5, 0.8};
    int fams[] = {IR_DEV_CONSTANT_STEP, IR_DEV_SOFT_BOUNDS, IR_DEV_LINEAR_STEP, IR_DEV_EXP_STEP,
                  IR_DEV_POW_STEP, IR_DEV_PIECEWISE_STEP, IR_DEV_LINEAR, IR_DEV_POWER,
                  IR_DEV_EXPONENTIAL};
    for (size_t k = 0; k < sizeof fams / sizeof fams[0]; k++) {
        IrDevice d = fx_device((IrDevFamily)fams[k]);
        d.dw_min = 0.01;
        d.dw_min_std = 0.3;
        d.sigma_c = 0.5;
        d.gamma_up = d.family == IR_DEV_LINEAR_STEP ? 0.5 : d.gamma_up;
        d.gamma_down = d.family == IR_DEV_LINEAR_STEP ? 0.5 : d.gamma_down;
        d.piecewise_up = d.piecewise_down = nodes;
        d.npiecewise_up = d.npiecewise_down = 3;
        bool reaches = d.family == IR_DEV_CONSTANT_STEP || d.family == IR_DEV_LINEAR_STEP ||
                       d.family == IR_DEV_PIECEWISE_STEP; /* exp_step's steps vanish early */
        check_clipping(d, reaches);
    }
}

/*
** ====================================================================================
** Symmetric points
** ====================================================================================
*/

/* The first w in [lo, hi] where f's up step stops exceeding its down step (bisection). */
static double formula_sp(const IrDevice *d, StepFn f, double lo, double hi)
{
    for (int k = 0; k < 200; k++) {
        double m = 0.5 * (lo + hi);
        if (f(d, m, true) > f(d, m, false))
            lo = m;
        else
            hi = m;
    }
    return 0.5 * (lo + hi);
}

/*
** rt_device_info reports want (to 1e-6: float cells), and alternating noise-free up/down
** pulses from the upper bound settle within 2 steps of it. Derivation: the 2-cycle
** w_lo -> w_hi = w_lo + up(w_lo) -> w_lo brackets w* (up falls and down rises with w), so
** |w - w*| <= up(w_lo), which is at most twice the step at w* for steps that change by less
** than half over one step (true for every device here: steps are < 1% of the range).
** 40000 pairs suffice for the slowest approach here (exp_step: the drift up - down changes
** by about 0.3 s per unit of w near w*, a relaxation time of about 1/(0.3 s) = 330 pairs).
*/
static void check_sp(const IrDevice *d, StepFn f, double want)
{
    RtDeviceInfo in;
    rt_device_info(&in, d);
    cr_assert_eq(in.sym_kind, RT_SYM_POINT, "family %d: kind %d", d->family, in.sym_kind);
    cr_assert_float_eq(in.sym, want, 1e-6, "family %d: info %.9g, formula %.9g", d->family,
                       in.sym, want);
    double tol = 2.0 * fmax(f(d, want, true), f(d, want, false));
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(1, 1, d, &d2d, false);
    t->w[0] = t->cell[0].bmax - t->cell[0].ref;
    for (int k = 0; k < 40000; k++) {
        rt_tile_pulse(t, 0, 0, true, &r);
        rt_tile_pulse(t, 0, 0, false, &r);
    }
    cr_assert_float_eq(t->w[0], want, tol, "family %d: settled at %.9g, w* %.9g, tol %.3g",
                       d->family, (double)t->w[0], want, tol);
    rt_tile_free(t);
}

Test(device_steps, soft_bounds_and_linear_step_closed_form)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.002, 1.0);
    d.up_down = 0.2; /* w* = 0.2/(1 + 0.8) = 1/9 */
    d.gamma_up = d.gamma_down = 1.0;
    check_sp(&d, linear_step_f, 1.0 / 9);
    d = fx_quiet(IR_DEV_LINEAR_STEP, 0.002, 0.6);
    d.gamma_up = 0.5, d.gamma_down = 0.25, d.up_down = 0.1;
    double su = 1.0, sd = 0.9; /* (s_up - s_down)/(g_up s_up/w_max - g_dn s_down/w_min) */
    check_sp(&d, linear_step_f, (su - sd) / (0.5 * su / 0.6 - 0.25 * sd / -0.6));
}

Test(device_steps, pow_step_closed_form_and_numerical)
{
    IrDevice d = fx_quiet(IR_DEV_POW_STEP, 0.002, 1.0);
    d.pow_gamma = 2.0, d.up_down = 0.3;
    double rho = sqrt(0.7); /* (s_down/s_up)^(1/g); w* = (w_max + rho w_min)/(1 + rho) */
    check_sp(&d, pow_step_f, (1.0 - rho) / (1.0 + rho));
    d.up_down = 0.0, d.pow_up_down = 0.3, d.pow_gamma = 1.0; /* unequal exponents */
    check_sp(&d, pow_step_f, formula_sp(&d, pow_step_f, -1.0, 1.0));
}

Test(device_steps, exp_step_numerical_and_reram_es)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    d.up_down = 0.1;
    check_sp(&d, exp_step_f, formula_sp(&d, exp_step_f, -1.0, 1.0));
    d = reram_es();
    double sp = formula_sp(&d, exp_step_f, -1.0, 1.0);
    cr_assert_float_eq(sp, -0.217, 5e-4); /* docs/theory.md §3.2.7: w* ~ -0.217 */
    check_sp(&d, exp_step_f, sp);
}

Test(device_steps, piecewise_step_numerical)
{
    /* on [0, 1] up = 1.2 - 0.9t, down = 0.8 + 0.7t: equal at t = 0.25, w* = 0.25 */
    static const double up[] = {1.5, 1.2, 0.3}, down[] = {0.5, 0.8, 1.5};
    IrDevice d = fx_quiet(IR_DEV_PIECEWISE_STEP, 0.002, 1.0);
    d.piecewise_up = up, d.piecewise_down = down;
    d.npiecewise_up = d.npiecewise_down = 3;
    check_sp(&d, piecewise_f, 0.25);
}

Test(device_steps, seed_paper_families)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR, 0.002, 0.5);
    d.c_lin = 0.2;
    check_sp(&d, linear_f, 0.2 * 0.5); /* c_lin tau */
    d = fx_quiet(IR_DEV_POWER, 0.002, 1.0);
    d.gamma_res = 2.0;
    check_sp(&d, power_f, 0.0);
    d = fx_quiet(IR_DEV_EXPONENTIAL, 0.002, 1.0);
    d.gamma_res = 3.0;
    check_sp(&d, exponential_f, 0.0);
}

/* The reference shifts the stored symmetric point; subtract_symmetry_point moves it to 0. */
Test(device_steps, reference_devices)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS_REFERENCE, 0.002, 1.0);
    d.up_down = 0.2, d.reference_mean = 0.1;
    check_sp(&d, sb_reference_f, 1.0 / 9 - 0.1);
    d.reference_mean = 0.0;
    d.subtract_symmetry_point = true;
    RtDeviceInfo in;
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.sym, 0.0, 1e-6);
    /* pow_step_reference: aihwkit's estimate (n up/down pairs) lands within a step of v* */
    d = fx_quiet(IR_DEV_POW_STEP_REFERENCE, 0.002, 1.0);
    d.up_down = 0.3, d.subtract_symmetry_point = true;
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.sym, 0.0, 0.002, "%g", in.sym);
}

/* Without a symmetric point the weight drifts to a bound: constant_step with up_down > 0. */
Test(device_steps, constant_step_drifts_to_a_bound)
{
    IrDevice d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    RtDeviceInfo in;
    rt_device_info(&in, &d);
    cr_assert_eq(in.sym_kind, RT_SYM_EVERY);
    d.up_down = 0.2;
    rt_device_info(&in, &d);
    cr_assert_eq(in.sym_kind, RT_SYM_UPPER);
    d.up_down = -0.2;
    rt_device_info(&in, &d);
    cr_assert_eq(in.sym_kind, RT_SYM_LOWER);
}

/* Granularity and states (docs/theory.md §3.2.6): the examples given there. */
Test(device_steps, granularity_and_states)
{
    RtDeviceInfo in;
    IrDevice d = reram_es();
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.granularity, 0.001991, 5e-7);
    cr_assert_float_eq(in.states, 2.0 / in.granularity, 1e-9);
    d = fx_quiet(IR_DEV_POW_STEP, 0.01, 1.0);
    d.pow_gamma = 2.0;
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.granularity, 0.0025, 1e-12);
    d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0); /* PCM preset: 0.03235, about 62 states */
    d.w_max = 2, d.w_min = 0, d.a = -1, d.b = 0, d.gamma_up = d.gamma_down = 2.5;
    d.A_up = -27.235, d.A_down = -2.235;
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.granularity, 0.03235, 1e-12);
    cr_assert_float_eq(in.states, 2.0 / 0.03235, 1e-9);
    static const double nodes[] = {2.0, 0.5, 3.0};
    d = fx_quiet(IR_DEV_PIECEWISE_STEP, 0.01, 1.0);
    d.piecewise_up = d.piecewise_down = nodes;
    d.npiecewise_up = d.npiecewise_down = 3;
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.granularity, 0.005, 1e-12); /* dw_min * piecewise_up[n/2] */
    d = fx_quiet(IR_DEV_LINEAR, 0.001, 0.6);
    rt_device_info(&in, &d);
    cr_assert_float_eq(in.states, 1200.0, 1e-9); /* 2 tau/dw_min */
}
