/*
** test_device_noise.c: the random parts of the device models: device-to-device parameter
** statistics (docs/theory.md §3.2.1, 3.2.3), cycle-to-cycle noise (3.2.2, eq. 26), write noise
** (3.2.4), decay, diffusion and reset (3.2.5, 6.11), stuck devices and construction_seed.
**
** Statistical checks use 6 standard errors of the estimator: se(mean) = std/sqrt(n),
** se(std) ~ std/sqrt(2n) for normal samples. Deterministic checks allow a few float ulps.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_net.h"
#include "rt_tile.h"
#include "rt_train.h"

#define ULPS(x) (8.0 * FLT_EPSILON * (fabs(x) + 1e-3))

enum { ROWS = 200, COLS = 100, N = ROWS * COLS };

/* mean and std of v[0..n) are want_mean, want_std within 6 standard errors. */
static void check_stats(const double *v, size_t n, double want_mean, double want_std,
                        const char *what)
{
    double m = fx_mean(v, n), s = sqrt(fx_var(v, n));
    cr_assert_float_eq(m, want_mean, 6 * want_std / sqrt((double)n) + 1e-12,
                       "%s: mean %.6g, want %.6g", what, m, want_mean);
    cr_assert_float_eq(s, want_std, 6 * want_std / sqrt(2.0 * n) + 1e-12,
                       "%s: std %.6g, want %.6g", what, s, want_std);
}

/* The cells of a ROWS x COLS tile of d, drawn from stream `seed`. */
static RtCell *cells(const IrDevice *d, uint64_t seed)
{
    RtCell *c = malloc(N * sizeof *c);
    RtRng r;
    rt_rng_seed(&r, seed, 0);
    rt_device_sample(c, ROWS, COLS, d, &r);
    return c;
}

/*
** ====================================================================================
** Device-to-device parameters
** ====================================================================================
*/

/* linear_step: a_up = -g_up s/w_max with g_up ~ N(0.3, 0.05^2): g = -a_up w_max/s. */
Test(device_noise, linear_step_gammas)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.gamma_up = 0.3, d.gamma_down = 0.4, d.gamma_up_dtod = 0.05, d.gamma_down_dtod = 0.02;
    RtCell *c = cells(&d, 1);
    double *gu = malloc(N * sizeof *gu), *gd = malloc(N * sizeof *gd);
    for (size_t k = 0; k < N; k++) {
        gu[k] = -c[k].p_up * 1.0 / c[k].s_up;
        gd[k] = -c[k].p_down * -1.0 / c[k].s_down;
    }
    check_stats(gu, N, 0.3, 0.05, "g_up");
    check_stats(gd, N, 0.4, 0.02, "g_down");
    free(c), free(gu), free(gd);
}

/*
** pow_step: g_up = (gain + r) gamma, g_dn = (gain - r) gamma, gain ~ N(1, 0.1^2),
** r ~ N(0, 0.05^2): (g_up + g_dn)/2 ~ N(gamma, (0.1 gamma)^2), g_up - g_dn ~ N(0, (0.1 gamma)^2).
*/
Test(device_noise, pow_step_exponents)
{
    IrDevice d = fx_quiet(IR_DEV_POW_STEP, 0.01, 1.0);
    d.pow_gamma = 2.0, d.pow_gamma_dtod = 0.1, d.pow_up_down_dtod = 0.05;
    RtCell *c = cells(&d, 2);
    double *sum = malloc(N * sizeof *sum), *diff = malloc(N * sizeof *diff);
    for (size_t k = 0; k < N; k++) {
        sum[k] = 0.5 * (c[k].p_up + c[k].p_down);
        diff[k] = c[k].p_up - c[k].p_down;
    }
    check_stats(sum, N, 2.0, 0.2, "(g_up + g_dn)/2");
    check_stats(diff, N, 0.0, 0.2, "g_up - g_dn");
    free(c), free(sum), free(diff);
}

/*
** soft_bounds_reference: reference ~ N(0.1, 0.05^2); the slope spread divides the bounds by
** |1 + 0.1 xi|, so 1/bmax = |1 + 0.1 xi|/w_max has mean 1/w_max and std 0.1/w_max.
*/
Test(device_noise, reference_and_slope_spread)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS_REFERENCE, 0.01, 0.8);
    d.reference_mean = 0.1, d.reference_std = 0.05, d.slope_up_dtod = 0.1;
    RtCell *c = cells(&d, 3);
    double *ref = malloc(N * sizeof *ref), *inv = malloc(N * sizeof *inv);
    for (size_t k = 0; k < N; k++) {
        ref[k] = c[k].ref;
        inv[k] = 1.0 / c[k].bmax;
        cr_assert_eq(c[k].bmin, -0.8f); /* slope_down_dtod 0: unchanged */
    }
    check_stats(ref, N, 0.1, 0.05, "reference");
    check_stats(inv, N, 1.0 / 0.8, 0.1 / 0.8, "1/bmax");
    free(c), free(ref), free(inv);
}

/*
** Decay, diffusion and reset draws: t = 1/(1 - decay) ~ N(100, 20^2), rate ~ N(0.1, 0.02^2)
** (|.| never matters at 5 std), reset bias ~ N(0.2, 0.05^2) (additive).
*/
Test(device_noise, lifetime_diffusion_reset)
{
    IrDevice d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    d.lifetime = 100, d.lifetime_dtod = 0.2, d.diffusion = 0.1, d.diffusion_dtod = 0.2;
    d.reset = 0.2, d.reset_dtod = 0.05;
    RtCell *c = cells(&d, 4);
    double *t = malloc(N * sizeof *t), *rate = malloc(N * sizeof *rate);
    double *reset = malloc(N * sizeof *reset);
    for (size_t k = 0; k < N; k++) {
        t[k] = 1.0 / (1.0 - (double)c[k].decay);
        rate[k] = c[k].diffusion;
        reset[k] = c[k].reset;
    }
    /* decay is stored as a float near 0.99: t carries a relative error up to 1e-5 */
    check_stats(t, N, 100.0, 20.0, "lifetime");
    check_stats(rate, N, 0.1, 0.02, "diffusion rate");
    check_stats(reset, N, 0.2, 0.05, "reset bias");
    free(c), free(t), free(rate), free(reset);
}

/* Without spreads: decay 1 - 1/lifetime everywhere; lifetime <= 1 decays to the reset bias. */
Test(device_noise, decay_scale_without_spread)
{
    IrDevice d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    d.lifetime = 10;
    RtCell *c = cells(&d, 5);
    for (size_t k = 0; k < N; k++)
        cr_assert_eq(c[k].decay, 0.9f);
    free(c);
    d.lifetime = 0.5;
    c = cells(&d, 5);
    cr_assert_eq(c[0].decay, 0.0f);
    free(c);
    d.lifetime = 0.0;
    c = cells(&d, 5);
    cr_assert_eq(c[0].decay, 1.0f);
    free(c);
}

/*
** Stuck devices: a fraction p ~ Binomial(N, 0.1)/N (6 se = 6 sqrt(p(1-p)/N)) with equal
** bounds uniform in [-0.1, 0.1] (the range is inside the bounds +-0.6): mean 0, std
** 0.2/sqrt(12), and zero steps; they never move.
*/
Test(device_noise, corrupt_devices)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 0.6);
    d.corrupt_devices_prob = 0.1;
    RtCell *c = cells(&d, 6);
    double *v = malloc(N * sizeof *v);
    size_t m = 0;
    for (size_t k = 0; k < N; k++)
        if (c[k].bmin == c[k].bmax) {
            cr_assert_eq(c[k].s_up, 0.0f);
            cr_assert_eq(c[k].s_down, 0.0f);
            cr_assert_leq(fabs(c[k].bmax), 0.1f);
            v[m++] = c[k].bmax;
        }
    cr_assert_float_eq((double)m / N, 0.1, 6 * sqrt(0.1 * 0.9 / N));
    double su = 0.2 / sqrt(12.0);
    cr_assert_float_eq(fx_mean(v, m), 0.0, 6 * su / sqrt((double)m));
    cr_assert_float_eq(sqrt(fx_var(v, m)), su, 6 * 0.2 * 0.15 / sqrt((double)m)); /* se(std)
        of a uniform: sd(U^2)/(2 su sqrt(m)), sd(U^2) = 0.0089 for U(-0.1, 0.1) -> 0.15*0.2 */
    RtDevice dv;
    rt_device_init(&dv, &d);
    RtRng r;
    rt_rng_seed(&r, 7, 0);
    for (size_t k = 0; k < N; k++)
        if (c[k].bmin == c[k].bmax)
            cr_assert_eq(rt_device_pulse(&dv, &c[k], c[k].bmax, true, &r), c[k].bmax);
    free(c), free(v);
}

/* construction_seed: the same cells whatever the run's stream; 0 follows the run's stream. */
Test(device_noise, construction_seed)
{
    IrDevice d = fx_device(IR_DEV_LINEAR_STEP);
    d.construction_seed = 42;
    RtCell *a = cells(&d, 8), *b = cells(&d, 9);
    cr_assert_eq(memcmp(a, b, N * sizeof *a), 0);
    free(a), free(b);
    d.construction_seed = 0;
    a = cells(&d, 8), b = cells(&d, 9);
    cr_assert_neq(memcmp(a, b, N * sizeof *a), 0);
    free(a), free(b);
}

/*
** ====================================================================================
** Cycle-to-cycle noise: n pulses from the same w (far from the bounds)
** ====================================================================================
*/

/* mean and std of the step of one pulse from w on a variation-free cell of d. */
static void check_c2c(const IrDevice *d, double w, bool up, double mean, double std,
                      const char *what)
{
    enum { n = 20000 };
    RtDevice dv;
    RtRng r;
    RtCell c;
    rt_device_init(&dv, d);
    rt_rng_seed(&r, 11, 0);
    rt_device_sample(&c, 1, 1, d, &r);
    double *s = malloc(n * sizeof *s);
    float wf = (float)w;
    for (int k = 0; k < n; k++)
        s[k] = (double)rt_device_pulse(&dv, &c, wf, up, &r) - (double)wf;
    double m = fx_mean(s, n), sd = sqrt(fx_var(s, n));
    cr_assert_float_eq(m, mean, 6 * std / sqrt(n) + ULPS(w), "%s: mean %.6g want %.6g", what, m,
                       mean);
    cr_assert_float_eq(sd, std, 6 * std / sqrt(2.0 * n) + ULPS(w), "%s: std %.6g want %.6g",
                       what, sd, std);
    free(s);
}

Test(device_noise, aihwkit_families)
{
    /* linear_step at w = 0.4: step 0.01(1 - 0.5*0.4) = 0.008; mult: std 0.008*0.3;
       additive: a w + s(1 + 0.3 xi): std 0.01*0.3 */
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.gamma_up = 0.5, d.dw_min_std = 0.3;
    check_c2c(&d, 0.4, true, 0.008, 0.008 * 0.3, "linear_step mult");
    d.mult_noise = false;
    check_c2c(&d, 0.4, true, 0.008, 0.01 * 0.3, "linear_step add");
    /* soft_bounds_reference (additive default) at v = 0.4: 0.01(1 - 0.4 + 0.3 xi) */
    d = fx_quiet(IR_DEV_SOFT_BOUNDS_REFERENCE, 0.01, 1.0);
    d.dw_min_std = 0.3;
    check_c2c(&d, 0.4, true, 0.006, 0.003, "soft_bounds_reference");
    /* pow_step gamma 2 at w = -0.5: 0.005625 (1 + 0.2 xi) */
    d = fx_quiet(IR_DEV_POW_STEP, 0.01, 1.0);
    d.pow_gamma = 2.0, d.dw_min_std = 0.2;
    check_c2c(&d, -0.5, true, 0.005625, 0.005625 * 0.2, "pow_step");
    /* piecewise constant 0.8: 0.008 (1 + 0.3 xi), down */
    static const double node[] = {0.8};
    d = fx_quiet(IR_DEV_PIECEWISE_STEP, 0.01, 1.0);
    d.piecewise_up = d.piecewise_down = node, d.dw_min_std = 0.3;
    check_c2c(&d, 0.0, false, -0.008, 0.008 * 0.3, "piecewise_step");
}

/*
** exp_step: multiplicative y s (1 + sigma xi); complex noise (add or slope set):
** dw + sigma (|dw| + add + slope |w|) xi.
*/
Test(device_noise, exp_step_plain_and_complex)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    d.dw_min_std = 0.3;
    double z = 2 * d.a * 0.2 / 2.0 + d.b, y = 1 - d.A_up * exp(d.gamma_up * z);
    check_c2c(&d, 0.2, true, 0.01 * y, 0.01 * y * 0.3, "exp_step");
    d.dw_min_std_add = 0.002, d.dw_min_std_slope = 0.01;
    double std = 0.3 * (0.01 * y + 0.002 + 0.01 * 0.2);
    check_c2c(&d, 0.2, true, 0.01 * y, std, "exp_step complex");
}

/* Seed paper eq. 26: w +- dw_min (q(w) + sigma_c xi): std dw_min sigma_c, mean dw_min q(w). */
Test(device_noise, seed_paper_additive_sigma_c)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR, 0.01, 1.0);
    d.c_lin = 0.2, d.sigma_c = 0.5;
    check_c2c(&d, 0.25, true, 0.01 * 1.2 * 0.75, 0.005, "linear up");
    check_c2c(&d, 0.25, false, -0.01 * 0.8 * 1.25, 0.005, "linear down");
    d = fx_quiet(IR_DEV_POWER, 0.01, 1.0);
    d.gamma_res = 0.5, d.sigma_c = 1.0;
    check_c2c(&d, 0.36, true, 0.01 * 0.8, 0.01, "power up");
    /* with a multiplicative part too: var = s^2 (q^2 sigma^2 + sigma_c^2) */
    d.dw_min_std = 0.3;
    check_c2c(&d, 0.36, true, 0.008, 0.01 * sqrt(0.8 * 0.8 * 0.09 + 1.0), "power both");
    d = fx_quiet(IR_DEV_EXPONENTIAL, 0.01, 1.0);
    d.gamma_res = 2.0, d.sigma_c = 0.2;
    double q = expm1(2.0 * 0.5) / expm1(2.0);
    check_c2c(&d, -0.5, false, -0.01 * q, 0.002, "exponential down");
}

/*
** ====================================================================================
** Write noise (docs/theory.md §3.2.4)
** ====================================================================================
*/

/* visible - persistent over the tile: mean 0, std write_noise_std * dw_min. */
static void check_write_noise(const RtTile *t, double std, const char *what)
{
    double *e = malloc(N * sizeof *e);
    for (size_t k = 0; k < N; k++)
        e[k] = (double)t->w[k] - (double)t->wp[k];
    check_stats(e, N, 0.0, std, what);
    free(e);
}

Test(device_noise, persistent_and_apparent_weights)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    d.write_noise_std = 2.0; /* std 0.02 in weight units */
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(ROWS, COLS, &d, &d2d, false);
    cr_assert_not_null(t->wp);
    float *w0 = malloc(N * sizeof *w0);
    for (size_t k = 0; k < N; k++)
        w0[k] = 0.3f;
    rt_tile_set_weights(t, w0);
    for (size_t k = 0; k < N; k++)
        cr_assert_eq(t->wp[k], 0.3f);
    check_write_noise(t, 0.02, "after set");
    /* one up pulse each: the persistent weight follows the noise-free rule exactly */
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < COLS; j++)
            rt_tile_pulse(t, i, j, true, &r);
    float want = (float)((double)0.3f + (double)0.01f * (1.0 - (double)0.3f / 1.0));
    for (size_t k = 0; k < N; k++)
        cr_assert_float_eq(t->wp[k], want, 1e-7);
    check_write_noise(t, 0.02, "after a pulse");
    free(w0);
    rt_tile_free(t);
}

/* apply_write_noise_on_set = false: visible equals persistent until the first pulse. */
Test(device_noise, not_on_set)
{
    IrDevice d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    d.write_noise_std = 2.0, d.apply_write_noise_on_set = false;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(2, 3, &d, &d2d, false);
    float w[6] = {0.1f, -0.2f, 0.3f, 0.0f, 0.5f, -0.6f};
    rt_tile_set_weights(t, w);
    cr_assert_eq(memcmp(t->w, w, sizeof w), 0);
    cr_assert_eq(memcmp(t->wp, w, sizeof w), 0);
    rt_tile_pulse(t, 0, 1, false, &r);
    cr_assert_neq(t->w[1], t->wp[1]);
    cr_assert_eq(t->w[0], t->wp[0]); /* untouched weights keep their apparent value */
    rt_tile_free(t);
}

/* Decay and diffusion act on the persistent weights and redraw every visible one. */
Test(device_noise, redrawn_after_decay)
{
    IrDevice d = fx_quiet(IR_DEV_LINEAR_STEP, 0.01, 1.0);
    d.write_noise_std = 1.0, d.lifetime = 10;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 3, 0);
    RtTile *t = rt_tile_new(ROWS, COLS, &d, &d2d, false);
    float *w0 = malloc(N * sizeof *w0);
    for (size_t k = 0; k < N; k++)
        w0[k] = 0.5f;
    rt_tile_set_weights(t, w0);
    rt_tile_post_update(t, &r);
    for (size_t k = 0; k < N; k++)
        cr_assert_float_eq(t->wp[k], 0.45, ULPS(0.45));
    check_write_noise(t, 0.01, "after decay");
    free(w0);
    rt_tile_free(t);
}

/*
** ====================================================================================
** Decay, diffusion, reset (docs/theory.md §3.2.5, 6.11)
** ====================================================================================
*/

/* decay: w <- (w - r)(1 - 1/lifetime) + r, then clipped; r may be negative. */
Test(device_noise, decay_towards_the_reset_bias)
{
    double rs[] = {0.0, 0.2, -0.3};
    for (size_t q = 0; q < 3; q++) {
        IrDevice d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
        d.lifetime = 10, d.reset = rs[q];
        RtRng d2d, r;
        rt_rng_seed(&d2d, 1, 0);
        rt_rng_seed(&r, 2, 0);
        RtTile *t = rt_tile_new(1, 4, &d, &d2d, false);
        float w[4] = {0.8f, -0.8f, 0.1f, 0.0f};
        rt_tile_set_weights(t, w);
        for (int step = 1; step <= 5; step++) {
            rt_tile_post_update(t, &r);
            for (size_t k = 0; k < 4; k++) {
                double want = (w[k] - rs[q]) * pow(0.9, step) + rs[q];
                cr_assert_float_eq(t->w[k], want, 1e-6, "r %g, step %d: %g, want %g", rs[q],
                                   step, (double)t->w[k], want);
            }
        }
        rt_tile_free(t);
    }
}

/* The ideal family decays w *= 1 - 1/lifetime without bounds, and diffuses too. */
Test(device_noise, ideal_decay)
{
    IrDevice d = fx_device(IR_DEV_IDEAL);
    d.lifetime = 4;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(1, 2, &d, &d2d, false);
    float w[2] = {100.0f, -3.0f};
    rt_tile_set_weights(t, w);
    rt_tile_post_update(t, &r);
    cr_assert_float_eq(t->w[0], 75.0, ULPS(75.0));
    cr_assert_float_eq(t->w[1], -2.25, ULPS(2.25));
    rt_tile_free(t);
}

/* docs/theory.md §6.7: diffusion 0.1 on a 100 x 122 tile: the change has std in [0.9, 1.1] 0.1. */
Test(device_noise, diffusion_statistics)
{
    enum { D = 100, X = 122 };
    int fams[] = {IR_DEV_CONSTANT_STEP, IR_DEV_IDEAL};
    for (size_t q = 0; q < 2; q++) {
        IrDevice d = fx_quiet((IrDevFamily)fams[q], 0.01, 10.0); /* far bounds: no clipping */
        d.diffusion = 0.1;
        RtRng d2d, r;
        rt_rng_seed(&d2d, 1, 0);
        rt_rng_seed(&r, 2, 0);
        RtTile *t = rt_tile_new(D, X, &d, &d2d, false);
        rt_tile_post_update(t, &r);
        double *v = malloc(D * X * sizeof *v);
        for (size_t k = 0; k < D * X; k++)
            v[k] = t->w[k]; /* from 0 */
        double s = sqrt(fx_var(v, D * X));
        cr_assert(s >= 0.09 && s <= 0.11, "family %d: std %g", fams[q], s);
        cr_assert_float_eq(fx_mean(v, D * X), 0.0, 6 * 0.1 / sqrt(D * X));
        free(v);
        rt_tile_free(t);
    }
}

/* Diffusion never leaves the bounds. */
Test(device_noise, diffusion_clips)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 0.1);
    d.diffusion = 1.0;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(10, 10, &d, &d2d, false);
    rt_tile_post_update(t, &r);
    for (size_t k = 0; k < 100; k++)
        cr_assert(t->w[k] == 0.1f || t->w[k] == -0.1f || fabsf(t->w[k]) < 0.1f);
    rt_tile_free(t);
}

/* reset: w = reset + reset_std xi on the chosen columns only; the others keep their values. */
Test(device_noise, reset_columns)
{
    IrDevice d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    d.reset = 0.2, d.reset_std = 0.05;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(ROWS, COLS, &d, &d2d, false);
    for (size_t k = 0; k < N; k++)
        t->w[k] = -0.5f;
    rt_tile_reset_columns(t, 10, COLS - 20, &r);
    double *v = malloc(N * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < COLS; j++) {
            float w = t->w[i * COLS + j];
            if (j < 10 || j >= COLS - 10)
                cr_assert_eq(w, -0.5f);
            else
                v[m++] = w;
        }
    check_stats(v, m, 0.2, 0.05, "reset");
    free(v);
    rt_tile_free(t);
}

/*
** The training loop applies decay once per optimizer step after the update (aihwkit's
** post_update_step runs even with lr 0): after 7 steps at lr 0 every analog weight is
** w0 (1 - 1/lifetime)^7 (docs/theory.md §6.7).
*/
Test(device_noise, training_decays_once_per_step)
{
    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, 0.001, 1.0);
    dev.lifetime = 10;
    IrData data = {.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 20, .cols = 5,
                   .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.1};
    IrLayer layer = {.kind = IR_LAYER_DENSE, .in = 5, .out = 1, .on = &dev};
    IrModel model = {.name = "lin", .nlayers = 1, .layers = &layer};
    IrOptimizer opt = {.name = "asgd", .kind = IR_OPT_ANALOG_SGD, .lr = 0.0,
                       .update = fx_update()};
    const IrOptimizer *opts[1] = {&opt};
    IrTrain tr = {.name = "t", .model = &model, .data = &data, .loss = IR_LOSS_HALF_MSE,
                  .steps = 7, .batch = 2, .log_every = 7, .nopt = 1, .opt = opts, .seed = 3};
    char err[256];
    RtData *dt = rt_data_new(&data, 3, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    RtNet *before = rt_net_new(&model, true, false, 3, 2, err, sizeof err), *after = NULL;
    RtLog log = {0};
    cr_assert_eq(rt_train_run(&log, &after, &tr, &opt, dt, err, sizeof err), 0, "%s", err);
    for (size_t k = 0; k < 5; k++) {
        double want = before->layer[0].w[k] * pow(0.9, 7);
        cr_assert_float_eq(after->layer[0].w[k], want, 1e-6, "%g vs %g",
                           (double)after->layer[0].w[k], want);
    }
    rt_log_free(&log);
    rt_net_free(before);
    rt_net_free(after);
    rt_data_free(dt);
}
