/*
** test_device_update.c: the deterministic_implicit pulse type (docs/theory.md §2.5), and the
** settling statistics of measure programs.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_measure.h"
#include "rt_tile.h"

/*
** deterministic_implicit without update management: BL = desired_bl, A = B =
** sqrt(lr/(dw BL)); q = clamp(disc(scale |v|, res), 0, 1) with disc(p, res) = rint(p/res) res;
** c_ij = rint(BL q_d[i] q_x[j]) pulses, down when sign(d_i x_j) > 0 (W -= lr d x^T).
*/
static int implicit_count(double lr, double dw, int bl, double x, double d, double xres,
                          double dres)
{
    double ab = sqrt(lr / (dw * bl));
    double qx = fabs(x) * ab, qd = fabs(d) * ab;
    if (xres > 0)
        qx = rint(qx / xres) * xres;
    if (dres > 0)
        qd = rint(qd / dres) * dres;
    qx = fmin(fmax(qx, 0.0), 1.0), qd = fmin(fmax(qd, 0.0), 1.0);
    return (int)rint(bl * qd * qx);
}

static void check_implicit(double xres, double dres, double xscale)
{
    enum { D = 2, X = 4 };
    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 10.0);
    IrUpdate u = {10, false, false, 1.0, IR_PULSE_DETERMINISTIC_IMPLICIT, xres, dres};
    float x[X] = {0.31f, -0.22f, 0.06f, 0.0f}, d[D] = {0.27f, -0.13f};
    for (size_t j = 0; j < X; j++)
        x[j] *= (float)xscale;
    RtRng d2d, r;
    rt_rng_seed(&d2d, 1, 0);
    rt_rng_seed(&r, 2, 0);
    RtTile *t = rt_tile_new(D, X, &dev, &d2d, true);
    rt_tile_update(t, x, d, 1.0, &u, &r);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < X; j++) {
            int n = implicit_count(1.0, 0.01, 10, x[j], d[i], xres, dres);
            double s = (d[i] > 0) == (x[j] > 0) ? -1.0 : 1.0; /* W -= lr d x^T */
            size_t k = i * X + j;
            cr_assert_eq(rt_tile_pulses_at(t, k), (uint64_t)n, "(%zu,%zu): %llu pulses, want %d", i, j,
                         (unsigned long long)rt_tile_pulses_at(t, k), n);
            cr_assert_float_eq(t->w[k], s * n * 0.01, 1e-6);
        }
    rt_tile_free(t);
}

Test(device_update, counts_follow_the_formula)
{
    check_implicit(0.0, 0.0, 1.0); /* counts 8, 6, 2, 0 / 4, 3, 1, 0 */
}

Test(device_update, quantised_probabilities)
{
    check_implicit(0.25, 0.0, 1.0);
    check_implicit(0.1, 0.2, 1.0);
}

Test(device_update, probabilities_are_clamped_to_one)
{
    check_implicit(0.0, 0.0, 5.0); /* B|x| > 1 for the first columns: q_x = 1 */
}

/* Noise-free, the pulse type is deterministic: the same update twice gives the same weights. */
Test(device_update, no_randomness_without_noise)
{
    IrDevice dev = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.001, 1.0);
    IrUpdate u = fx_update();
    u.pulse_type = IR_PULSE_DETERMINISTIC_IMPLICIT;
    float x[3] = {0.5f, -1.0f, 0.25f}, d[2] = {0.3f, -0.1f};
    RtRng d2d, r1, r2;
    rt_rng_seed(&d2d, 1, 0);
    RtTile *a = rt_tile_new(2, 3, &dev, &d2d, false);
    rt_rng_seed(&d2d, 1, 0);
    RtTile *b = rt_tile_new(2, 3, &dev, &d2d, false);
    rt_rng_seed(&r1, 5, 0);
    rt_rng_seed(&r2, 6, 0);
    rt_tile_update(a, x, d, 0.01, &u, &r1);
    rt_tile_update(b, x, d, 0.01, &u, &r2);
    cr_assert_eq(memcmp(a->w, b->w, 6 * sizeof(float)), 0);
    cr_assert_lt(a->w[0], 0.0f); /* d x^T > 0 there: the weight went down */
    rt_tile_free(a);
    rt_tile_free(b);
}

/*
** ====================================================================================
** measure: where the weight settles
** ====================================================================================
*/

static IrMeasure program(const IrDevice *dev, const long *prog, size_t n)
{
    IrMeasure m = {.name = "m", .device = dev, .pulses = prog, .nprog = n, .start = 0.0,
                   .seed = 1};
    return m;
}

/*
** Alternating +1/-1 pulses on soft_bounds (up_down 0.2, w* = 1/9) from 0: the last 10% of
** the weights lie within 2 steps of w*; the streamed statistics equal those of the recorded
** trace, and nothing is recorded when not asked.
*/
Test(device_update, alternating_pulses_settle_at_the_symmetric_point)
{
    IrDevice dev = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.002, 1.0);
    dev.up_down = 0.2;
    enum { PAIRS = 5000 };
    long *prog = malloc(2 * PAIRS * sizeof *prog);
    for (size_t k = 0; k < 2 * PAIRS; k++)
        prog[k] = k % 2 ? -1 : 1;
    IrMeasure m = program(&dev, prog, 2 * PAIRS);
    RtTrace tr = {0}, bare = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, true, err, sizeof err), 0);
    cr_assert_eq(tr.ntail, 2 * PAIRS / 10);
    double s = 0, s2 = 0;
    for (size_t k = tr.n - tr.ntail; k < tr.n; k++)
        s += tr.w[k], s2 += (double)tr.w[k] * tr.w[k];
    double mean = s / tr.ntail, std = sqrt(fmax(s2 / tr.ntail - mean * mean, 0.0));
    cr_assert_float_eq(tr.tail_mean, mean, 1e-9);
    cr_assert_float_eq(tr.tail_std, std, 1e-7);
    cr_assert_float_eq(tr.tail_mean, 1.0 / 9, 2 * 0.002);
    cr_assert_leq(tr.tail_std, 0.002);
    cr_assert_eq(rt_measure_run(&bare, &m, false, err, sizeof err), 0);
    cr_assert_null(bare.w);
    cr_assert_null(bare.dir);
    cr_assert_eq(bare.tail_mean, tr.tail_mean);
    cr_assert_eq(bare.final, tr.w[tr.n - 1]);
    cr_assert_eq(bare.lo, tr.lo);
    rt_trace_free(&tr);
    free(prog);
}

/* A single pulse: the window is that pulse (ceil(1/10) = 1), std 0. */
Test(device_update, one_pulse)
{
    IrDevice dev = fx_quiet(IR_DEV_CONSTANT_STEP, 0.1, 1.0);
    long prog[] = {1};
    IrMeasure m = program(&dev, prog, 1);
    RtTrace tr = {0};
    char err[256];
    cr_assert_eq(rt_measure_run(&tr, &m, false, err, sizeof err), 0);
    cr_assert_eq(tr.ntail, 1);
    cr_assert_float_eq(tr.tail_mean, 0.1, 1e-7);
    cr_assert_eq(tr.tail_std, 0.0);
}
