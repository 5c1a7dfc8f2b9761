/*
** test_device.c: device-to-device sampling and single-pulse rules (docs/theory.md §3.2.1-3.2.9).
**
** Deterministic checks compare against the formulas with a tolerance of a few float ulps
** (weights, bounds and steps are stored as float: relative error <= 2^-24 each).
** Statistical checks use 6 standard errors of the estimator, derived in each test.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_tile.h"

#define ULPS(x) (4.0 * FLT_EPSILON * (fabs(x) + 1e-3))

/* One cell of dev drawn from a fixed stream. */
static RtCell one_cell(const IrDevice *ir)
{
    RtRng r;
    RtCell c;
    rt_rng_seed(&r, 9, 0);
    rt_device_sample(&c, 1, 1, ir, &r);
    return c;
}

/* The step of one pulse from w: new w minus w (signed). */
static double step_from(const IrDevice *ir, double w, bool up)
{
    RtDevice dv;
    RtRng r;
    rt_device_init(&dv, ir);
    rt_rng_seed(&r, 1, 0);
    RtCell c = one_cell(ir);
    return (double)rt_device_pulse(&dv, &c, (float)w, up, &r) - (double)(float)w;
}

/* docs/theory.md §3.2.9: bounds +-1, dw_min 0.01, noise and d2d off. */
typedef struct SbCase {
    double w, up, down;
} SbCase;

ParameterizedTestParameters(device, soft_bounds_table)
{
    static SbCase cases[] = {{-0.5, 0.015, 0.005}, {0.0, 0.010, 0.010}, {0.5, 0.005, 0.015}};
    return cr_make_param_array(SbCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(SbCase *c, device, soft_bounds_table)
{
    IrDevice ir = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    cr_assert_float_eq(step_from(&ir, c->w, true), c->up, ULPS(c->w));
    cr_assert_float_eq(-step_from(&ir, c->w, false), c->down, ULPS(c->w));
}

Test(device, soft_bounds_additive_noise_has_the_same_noise_free_step)
{
    IrDevice ir = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    ir.mult_noise = false;
    cr_assert_float_eq(step_from(&ir, 0.5, true), 0.005, ULPS(0.5));
    cr_assert_float_eq(-step_from(&ir, 0.5, false), 0.015, ULPS(0.5));
}

/* constant_step: up s_up, down s_down whatever w; up_down > 0 shrinks down steps only. */
Test(device, constant_step_and_up_down_shrinks_only_the_weaker_direction)
{
    IrDevice ir = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    for (double w = -0.9; w < 0.95; w += 0.3) {
        cr_assert_float_eq(step_from(&ir, w, true), 0.01, ULPS(w));
        cr_assert_float_eq(-step_from(&ir, w, false), 0.01, ULPS(w));
    }
    ir.up_down = 0.2;
    cr_assert_float_eq(step_from(&ir, 0.0, true), 0.01, ULPS(0.01));
    cr_assert_float_eq(-step_from(&ir, 0.0, false), 0.008, ULPS(0.01));
    ir.up_down = -0.2;
    cr_assert_float_eq(step_from(&ir, 0.0, true), 0.008, ULPS(0.01));
    cr_assert_float_eq(-step_from(&ir, 0.0, false), 0.01, ULPS(0.01));
}

/*
** response: q_up(w) = 1 - w and q_down(w) = 1 + w tabulated on 5 nodes over [-0.5, 0.5].
** Linear q is interpolated exactly; outside [lo, hi] w is clamped first.
*/
Test(device, response_steps_follow_the_table)
{
    static const double qu[5] = {1.5, 1.25, 1.0, 0.75, 0.5};
    static const double qd[5] = {0.5, 0.75, 1.0, 1.25, 1.5};
    IrDevice ir = fx_quiet(IR_DEV_RESPONSE, 0.01, 1.0);
    ir.q_up = (IrTable){5, -0.5, 0.5, qu, 0.0};
    ir.q_down = (IrTable){5, -0.5, 0.5, qd, 0.0};
    double ws[] = {-0.4, -0.1, 0.0, 0.3, 0.45};
    for (size_t k = 0; k < 5; k++) {
        double w = (float)ws[k];
        cr_assert_float_eq(step_from(&ir, w, true), 0.01 * (1.0 - w), ULPS(w));
        cr_assert_float_eq(-step_from(&ir, w, false), 0.01 * (1.0 + w), ULPS(w));
    }
    cr_assert_float_eq(step_from(&ir, 0.8, true), 0.01 * 0.5, ULPS(0.8));
    cr_assert_float_eq(-step_from(&ir, -0.8, false), 0.01 * 0.5, ULPS(0.8));
}

Test(device, table_eval_interpolates_between_nodes)
{
    static const double q[3] = {0.0, 2.0, 1.0};
    IrTable t = {3, 0.0, 1.0, q, 0.0};
    cr_assert_float_eq(rt_table_eval(&t, 0.25), 1.0, 1e-12);
    cr_assert_float_eq(rt_table_eval(&t, 0.75), 1.5, 1e-12);
    cr_assert_float_eq(rt_table_eval(&t, 1.0), 1.0, 1e-12);
    cr_assert_float_eq(rt_table_eval(&t, -3.0), 0.0, 1e-12);
}

/*
** c2c noise: n pulses from the same w. soft_bounds at w = 0.5, bmax = 1, s = 0.01, std 0.3:
** the step has mean s(1 - w/b) = 0.005 in both modes; its std is 0.005*0.3 (multiplicative)
** or 0.01*0.3 (additive). Mean se = std/sqrt(n); std of the sample std ~ std/sqrt(2n).
*/
static void check_noise(bool mult, double want_std)
{
    IrDevice ir = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    ir.dw_min_std = 0.3;
    ir.mult_noise = mult;
    RtDevice dv;
    rt_device_init(&dv, &ir);
    RtCell c = one_cell(&ir);
    RtRng r;
    rt_rng_seed(&r, 2, 0);
    enum { n = 20000 };
    double *s = malloc(n * sizeof *s);
    for (int k = 0; k < n; k++)
        s[k] = (double)rt_device_pulse(&dv, &c, 0.5f, true, &r) - 0.5;
    cr_assert_float_eq(fx_mean(s, n), 0.005, 6 * want_std / sqrt(n) + ULPS(0.5));
    cr_assert_float_eq(sqrt(fx_var(s, n)), want_std, 6 * want_std / sqrt(2.0 * n) + ULPS(0.5));
    free(s);
}

Test(device, multiplicative_noise_scales_with_the_step)
{
    check_noise(true, 0.005 * 0.3);
}

Test(device, additive_noise_scales_with_the_step_scale)
{
    check_noise(false, 0.01 * 0.3);
}

/* d2d: n cells; bounds have mean w_max and std w_max*dtod; s_up - s_down = 2 r dw_min. */
Test(device, d2d_draws_have_the_configured_spread)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    ir.w_max_dtod = ir.w_min_dtod = 0.1; /* small: enforce_consistency never triggers */
    ir.dw_min_dtod = 0.1;
    enum { n = 20000 };
    RtCell *c = malloc(n * sizeof *c);
    double *bmax = malloc(n * sizeof *bmax), *gain = malloc(n * sizeof *gain);
    double *diff = malloc(n * sizeof *diff);
    RtRng r;
    rt_rng_seed(&r, 3, 0);
    rt_device_sample(c, 100, n / 100, &ir, &r);
    for (int k = 0; k < n; k++) {
        bmax[k] = c[k].bmax;
        gain[k] = (c[k].s_up + c[k].s_down) / (2 * ir.dw_min);
        diff[k] = (c[k].s_up - c[k].s_down) / ir.dw_min;
    }
    cr_assert_float_eq(fx_mean(bmax, n), 0.6, 6 * 0.06 / sqrt(n));
    cr_assert_float_eq(sqrt(fx_var(bmax, n)), 0.06, 6 * 0.06 / sqrt(2.0 * n));
    cr_assert_float_eq(fx_mean(gain, n), 1.0, 6 * 0.1 / sqrt(n));
    cr_assert_float_eq(sqrt(fx_var(gain, n)), 0.1, 6 * 0.1 / sqrt(2.0 * n));
    cr_assert_float_eq(fx_mean(diff, n), 0.0, 6 * 0.02 / sqrt(n));
    cr_assert_float_eq(sqrt(fx_var(diff, n)), 0.02, 6 * 0.02 / sqrt(2.0 * n));
    free(c), free(bmax), free(gain), free(diff);
}

/* Log-normal gain: log(s/dw_min) ~ N(0, dtod^2) when up_down and its spread are 0. */
Test(device, log_normal_gain)
{
    IrDevice ir = fx_device(IR_DEV_CONSTANT_STEP);
    ir.dw_min_dtod_log_normal = true;
    ir.dw_min_dtod = 0.5;
    ir.up_down_dtod = 0.0;
    enum { n = 10000 };
    RtCell *c = malloc(n * sizeof *c);
    double *lg = malloc(n * sizeof *lg);
    RtRng r;
    rt_rng_seed(&r, 4, 0);
    rt_device_sample(c, n, 1, &ir, &r);
    for (int k = 0; k < n; k++) {
        cr_assert_eq(c[k].s_up, c[k].s_down);
        lg[k] = log(c[k].s_up / ir.dw_min);
    }
    cr_assert_float_eq(fx_mean(lg, n), 0.0, 6 * 0.5 / sqrt(n));
    cr_assert_float_eq(sqrt(fx_var(lg, n)), 0.5, 6 * 0.5 / sqrt(2.0 * n));
    free(c), free(lg);
}

/* With a huge spread, enforce_consistency keeps steps positive and bmin <= 0 <= bmax ... */
Test(device, enforce_consistency_orders_bounds_and_signs)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    ir.w_max_dtod = ir.w_min_dtod = ir.dw_min_dtod = 2.0;
    enum { n = 4000 };
    RtCell *c = malloc(n * sizeof *c);
    RtRng r;
    rt_rng_seed(&r, 5, 0);
    rt_device_sample(c, n, 1, &ir, &r);
    for (int k = 0; k < n; k++) {
        cr_assert_geq(c[k].s_up, 0.0f);
        cr_assert_geq(c[k].s_down, 0.0f);
        cr_assert_leq(c[k].bmin, 0.0f);
        cr_assert_geq(c[k].bmax, 0.0f);
    }
    free(c);
}

/* ... and without it a cell whose bounds crossed has both at their mean. */
Test(device, crossed_bounds_without_consistency_switch_the_cell_off)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    ir.w_max_dtod = ir.w_min_dtod = 2.0;
    ir.enforce_consistency = false;
    enum { n = 4000 };
    RtCell *c = malloc(n * sizeof *c);
    RtRng r;
    rt_rng_seed(&r, 6, 0);
    rt_device_sample(c, n, 1, &ir, &r);
    int off = 0;
    for (int k = 0; k < n; k++) {
        cr_assert_leq(c[k].bmin, c[k].bmax);
        off += c[k].bmin == c[k].bmax;
    }
    cr_assert_gt(off, 0); /* P(crossed) is about 0.36 for these spreads */
    free(c);
}

/* Many up pulses stop exactly at bmax, many down pulses exactly at bmin, noise or not. */
Test(device, pulses_clip_exactly_at_the_bounds)
{
    IrDevice ir = fx_device(IR_DEV_CONSTANT_STEP);
    ir.dw_min = 0.05;
    RtDevice dv;
    rt_device_init(&dv, &ir);
    RtCell c = one_cell(&ir);
    RtRng r;
    rt_rng_seed(&r, 7, 0);
    float w = 0.0f;
    for (int k = 0; k < 200; k++) {
        w = rt_device_pulse(&dv, &c, w, true, &r);
        cr_assert_leq(w, c.bmax);
    }
    cr_assert_eq(w, c.bmax);
    for (int k = 0; k < 400; k++)
        w = rt_device_pulse(&dv, &c, w, false, &r);
    cr_assert_eq(w, c.bmin);
}

/* Soft bounds never cross a bound either; an up pulse at bmax (noise-free) does nothing. */
Test(device, soft_bounds_step_vanishes_at_the_bound)
{
    IrDevice ir = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    cr_assert_float_eq(step_from(&ir, 1.0, true), 0.0, 0.0);
    cr_assert_float_eq(step_from(&ir, -1.0, false), 0.0, 0.0);
}

/*
** Alternating up/down pulses from w = 1 converge to the symmetric point of docs/theory.md §3.2.7,
** w* = (s_up - s_down)/(s_up/bmax - s_down/bmin). The two-pulse cycle brackets w*: the up
** step from its low point equals the down step from its high point, and both are at most
** 2*max(s) (|w|/|b| <= 1), so every weight of the cycle is within 2*max(s) of w*.
*/
static void check_symmetric_point(const IrDevice *ir, size_t n, double hand)
{
    RtRng d2d, r;
    rt_rng_seed(&d2d, 11, 0);
    rt_rng_seed(&r, 12, 0);
    RtTile *t = rt_tile_new(1, n, ir, &d2d, false);
    for (size_t j = 0; j < n; j++) {
        const RtCell *c = &t->cell[j];
        t->w[j] = c->bmax;
        for (int k = 0; k < 5000; k++) {
            rt_tile_pulse(t, 0, j, true, &r);
            rt_tile_pulse(t, 0, j, false, &r);
        }
        double su = c->s_up, sd = c->s_down;
        double wstar = (su - sd) / (su / c->bmax - sd / c->bmin);
        cr_assert_float_eq(t->w[j], wstar, 2 * fmax(su, sd), "cell %zu: w %g, w* %g", j,
                           (double)t->w[j], wstar);
        if (!isnan(hand))
            cr_assert_float_eq(t->w[j], hand, 2 * fmax(su, sd));
    }
    rt_tile_free(t);
}

Test(device, alternating_pulses_converge_to_the_symmetric_point)
{
    IrDevice ir = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    ir.up_down = 0.2; /* s_up 0.01, s_down 0.008: w* = 0.002/(0.01 + 0.008) = 1/9 */
    check_symmetric_point(&ir, 1, 1.0 / 9);
}

Test(device, every_cell_converges_to_its_own_symmetric_point)
{
    IrDevice ir = fx_device(IR_DEV_SOFT_BOUNDS);
    ir.dw_min = 0.005;
    ir.dw_min_std = 0.0;
    ir.up_down = 0.1;
    ir.up_down_dtod = 0.05;
    check_symmetric_point(&ir, 16, NAN);
}

/* The ideal family has no bounds: a pulse moves w by exactly dw_min, even at 1e6. */
Test(device, ideal_pulses_are_exact_and_unbounded)
{
    IrDevice ir = fx_device(IR_DEV_IDEAL);
    ir.dw_min = 0.25;
    cr_assert_float_eq(step_from(&ir, 1e6, true), 0.25, 0.0);
    cr_assert_float_eq(step_from(&ir, -3.0, false), -0.25, 0.0);
    cr_assert_float_eq(rt_device_granularity(&(RtDevice){.dw_min = 0.25}), 0.25, 0.0);
}
