/*
** test_io.c: the forward/backward I/O model (runtime/rt_io.h), stage by stage and whole.
**
** Exact expectations come from the formulas of docs/theory.md §4.2 on values that are exact in
** binary. Statistical checks use N samples of a Gaussian of std s: the sample mean is
** within 5 s / sqrt(N) of 0 and the unbiased sample variance within 5 s^2 sqrt(2/(N-1)) of
** s^2 (five standard errors; the seeds are fixed, so a run is deterministic anyway).
** Kernel comparisons use the bound of test_matmul.c: a float dot product of length K is
** within gamma_K * sum|a_k b_k| of the exact value.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_io.h"
#include "rt_matmul.h"
#include "rt_net.h"
#include "rt_vec.h"

#define SEED 7
#define STREAM 0x30000u

/* The defaults with every non-ideality off: no quantisation, no noise, NM and BM none. */
static IrIO clean_io(void)
{
    IrIO io = *rt_io_default();
    io.inp_res = io.out_res = 0.0;
    io.out_noise = 0.0;
    io.noise_management = IR_NM_NONE;
    io.bound_management = IR_BM_NONE;
    return io;
}

static double gamma_k(size_t k)
{
    double u = FLT_EPSILON / 2;
    return (double)k * u / (1.0 - (double)k * u);
}

static float *normals(size_t n, double sd, RtRng *r)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t k = 0; k < n; k++)
        v[k] = (float)(sd * rt_rng_normal(r));
    return v;
}

/* Mean 0 and variance var of v[0..n) within five standard errors. */
static void assert_gaussian(const double *v, size_t n, double var, const char *what)
{
    double m = fx_mean(v, n), s2 = fx_var(v, n);
    cr_assert_lt(fabs(m), 5.0 * sqrt(var / (double)n), "%s: mean %g", what, m);
    cr_assert_lt(fabs(s2 - var), 5.0 * var * sqrt(2.0 / (double)(n - 1)),
                 "%s: variance %g, expected %g", what, s2, var);
}

/*
** {======================================================================
** Stages
** =======================================================================
*/

Test(io, effective_resolutions_follow_aihwkit)
{
    cr_assert_float_eq(rt_io_step(1.0 / 126, 1.0), 1.0 / 63, 1e-16);
    cr_assert_float_eq(rt_io_step(1.0 / 510, 12.0), 24.0 / 510, 1e-15);
    cr_assert_float_eq(rt_io_step(126, 1.0), 1.0 / 63, 1e-16, "res > 1 is a number of steps");
    cr_assert_float_eq(rt_io_step(1.0 / 510, 20.0), 40.0 / 510, 1e-15);
    cr_assert_eq(rt_io_step(0.0, 1.0), 0.0);
    cr_assert_eq(rt_io_step(-1.0, 1.0), 0.0);
    RtIO *io = rt_io_new(NULL, NULL, 2, 3, 4, SEED, STREAM);
    cr_assert_float_eq(io->fwd_inp_step, 1.0 / 63, 1e-16);
    cr_assert_float_eq(io->fwd_out_step, 24.0 / 510, 1e-15);
    cr_assert_float_eq(io->bwd_out_step, 24.0 / 510, 1e-15);
    rt_io_free(io);
}

/* Default DAC on a fine ramp over [-1.2, 1.2]: 127 levels k/63, |v| <= 1, nearest level. */
Test(io, dac_has_127_levels_of_one_63rd)
{
    const IrIO *io = rt_io_default();
    enum { N = 24001 };
    float *x = malloc(N * sizeof *x), *v = malloc(N * sizeof *v);
    for (size_t k = 0; k < N; k++)
        x[k] = (float)(-1.2 + 2.4 * (double)k / (N - 1));
    rt_io_dac(v, x, N, 1.0, io, rt_io_step(io->inp_res, io->inp_bound), NULL);
    bool seen[127] = {false};
    for (size_t k = 0; k < N; k++) {
        double lvl = (double)v[k] * 63.0;
        cr_assert_float_eq(lvl, rint(lvl), 1e-4, "v = %g is no multiple of 1/63", v[k]);
        cr_assert_leq(fabs(v[k]), 1.0f);
        double want = fmin(fmax((double)x[k], -1.0), 1.0);
        cr_assert_leq(fabs(v[k] - want), 0.5 / 63 + 1e-6, "x %g -> %g", x[k], v[k]);
        seen[(int)rint(lvl) + 63] = true;
    }
    for (int k = 0; k < 127; k++)
        cr_assert(seen[k], "level %d/63 never produced", k - 63);
    free(x), free(v);
}

/*
** inp_res 0.3 over [-1, 1]: step 0.6. Quantising first and clipping after gives 1.0 for
** 0.95 (quant 1.2, clip 1.0); clipping first would give 1.2. Ties go to even: with step 1
** (inp_res 0.5), 0.5 -> 0 and 1.5 -> 2 -> clipped to 1.
*/
Test(io, dac_quantises_then_clips)
{
    IrIO io = clean_io();
    io.inp_res = 0.3;
    float x[6] = {0.95f, 0.7f, -2.0f, 0.29f, 0.31f, -0.95f}, v[6];
    rt_io_dac(v, x, 6, 1.0, &io, rt_io_step(io.inp_res, 1.0), NULL);
    float want[6] = {1.0f, 0.6f, -1.0f, 0.0f, 0.6f, -1.0f};
    for (int k = 0; k < 6; k++)
        cr_assert_float_eq(v[k], want[k], 1e-7, "x %g -> %g, expected %g", x[k], v[k], want[k]);
    io.inp_res = 0.5;
    float t[3] = {0.5f, -0.5f, 1.5f}, tv[3];
    rt_io_dac(tv, t, 3, 1.0, &io, rt_io_step(io.inp_res, 1.0), NULL);
    cr_assert_eq(tv[0], 0.0f);
    cr_assert_eq(tv[1], 0.0f);
    cr_assert_eq(tv[2], 1.0f);
}

/* The scale multiplies before the DAC; noise after the clip; asymmetry last, on v < 0. */
Test(io, dac_scale_noise_and_asymmetry)
{
    IrIO io = clean_io();
    io.inp_asymmetry = 0.5;
    float x[3] = {1.0f, -1.0f, -8.0f}, v[3];
    rt_io_dac(v, x, 3, 0.25, &io, 0.0, NULL);
    cr_assert_eq(v[0], 0.25f);
    cr_assert_eq(v[1], -0.125f);
    cr_assert_eq(v[2], -0.5f, "clipped to -1, then halved");
    io.inp_asymmetry = 0.0;
    io.inp_noise = 0.1;
    enum { N = 20000 };
    float *z = calloc(N, sizeof *z), *vn = malloc(N * sizeof *vn);
    RtRng r;
    rt_rng_seed(&r, SEED, 1);
    rt_io_dac(vn, z, N, 1.0, &io, rt_io_step(1.0 / 126, 1.0), &r);
    double *d = malloc(N * sizeof *d);
    for (size_t k = 0; k < N; k++)
        d[k] = vn[k];
    assert_gaussian(d, N, 0.01, "input noise");
    free(z), free(vn), free(d);
}

/* Default ADC: levels of 24/510, clip at +-12, the bound test and its negative switch. */
Test(io, adc_levels_clipping_and_bound_test)
{
    IrIO io = *rt_io_default();
    double step = rt_io_step(io.out_res, io.out_bound);
    float sig[3] = {0, 0, 0};
    float y[3] = {5.0f, -11.99f, 3.3f};
    cr_assert(rt_io_adc(y, 3, sig, &io, step, NULL));
    for (int k = 0; k < 3; k++) {
        double lvl = y[k] / step;
        cr_assert_float_eq(lvl, rint(lvl), 1e-4, "%g is no multiple of 24/510", y[k]);
    }
    cr_assert_float_eq(y[0], 106 * 24.0 / 510, 1e-6, "5 / (24/510) = 106.25 -> 106");
    cr_assert_float_eq(y[1], -12.0, 1e-6, "-11.99 rounds to the level -255 = -12: no clip");
    float hi[1] = {12.5f}, lo[1] = {-12.5f};
    cr_assert_not(rt_io_adc(hi, 1, sig, &io, step, NULL));
    cr_assert_eq(hi[0], 12.0f);
    cr_assert_not(rt_io_adc(lo, 1, sig, &io, step, NULL));
    cr_assert_eq(lo[0], -12.0f);
    io.bm_test_negative_bound = false;
    lo[0] = -12.5f;
    cr_assert(rt_io_adc(lo, 1, sig, &io, step, NULL), "negative clipping does not count");
    cr_assert_eq(lo[0], -12.0f);
    io = clean_io();
    io.out_asymmetry = 0.25;
    float a[2] = {-2.0f, 2.0f};
    rt_io_adc(a, 2, sig, &io, 0.0, NULL);
    cr_assert_eq(a[0], -1.5f);
    cr_assert_eq(a[1], 2.0f);
}

/* Stochastic rounding of 0.3 with step 1: 0 or 1, mean 0.3 (Bernoulli std sqrt(0.21)). */
Test(io, stochastic_rounding_is_unbiased)
{
    RtRng r;
    rt_rng_seed(&r, SEED, 2);
    enum { N = 20000 };
    double sum = 0.0;
    for (size_t k = 0; k < N; k++) {
        double q = rt_io_quant(0.3, 1.0, true, &r);
        cr_assert(q == 0.0 || q == 1.0);
        sum += q;
    }
    cr_assert_lt(fabs(sum / N - 0.3), 5.0 * sqrt(0.21 / N));
    cr_assert_eq(rt_io_quant(0.3, 0.0, true, &r), 0.3, "step 0: no quantisation");
}

Test(io, noise_management_scales)
{
    IrIO io = clean_io();
    float x[3] = {0.5f, -3.0f, 2.0f};
    double avg = -1.0;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 1.0, "none");
    io.noise_management = IR_NM_ABS_MAX;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 3.0);
    io.nm_thres = 2.5;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 2.5, "capped at nm_thres");
    io.noise_management = IR_NM_MAX;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 2.0, "min(max x, 2.5)");
    io.nm_thres = 1.0;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 1.0);
    io.nm_thres = 0.0;
    float neg[2] = {-1.0f, -2.0f};
    cr_assert_eq(rt_io_nm_scale(&io, neg, 2, &avg), -1.0, "max is signed");
    io.noise_management = IR_NM_CONSTANT;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 1.0, "nm_thres 0: 1");
    io.nm_thres = 0.7;
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 0.7);
    io.noise_management = IR_NM_AVERAGE_ABS_MAX;
    io.nm_decay = 0.1;
    cr_assert_eq(avg, -1.0, "only average_abs_max touches the running value");
    cr_assert_eq(rt_io_nm_scale(&io, x, 3, &avg), 3.0, "first call: max|x|");
    double a2 = rt_io_nm_scale(&io, neg, 2, &avg); /* the macros evaluate twice */
    cr_assert_float_eq(a2, 0.9 * 3.0 + 0.1 * 2.0, 1e-15);
    cr_assert_eq(avg, a2);
}

/* W = 0, v = (0.3, -0.4, 0): additive_constant gives N(0, (w_noise * 0.5)^2) per output. */
Test(io, additive_constant_weight_noise)
{
    IrIO io = clean_io();
    io.w_noise = 0.1;
    io.w_noise_type = IR_W_NOISE_ADDITIVE_CONSTANT;
    enum { D = 50, X = 3, REP = 400 };
    float w[D * X] = {0}, v[X] = {0.3f, -0.4f, 0.0f}, y[D];
    double *s = malloc(D * REP * sizeof *s);
    RtRng r;
    rt_rng_seed(&r, SEED, 3);
    double nv = (double)v[0] * v[0] + (double)v[1] * v[1];
    for (size_t k = 0; k < REP; k++) {
        memset(y, 0, sizeof y);
        rt_io_w_noise(y, v, w, D, X, false, &io, &r);
        for (size_t i = 0; i < D; i++)
            s[k * D + i] = y[i];
    }
    assert_gaussian(s, D * REP, 0.01 * nv, "additive_constant");
    io.w_noise_type = IR_W_NOISE_NONE;
    RtRng before = r;
    rt_io_w_noise(y, v, w, D, X, false, &io, &r);
    cr_assert_eq(memcmp(&before, &r, sizeof r), 0, "type none draws nothing");
    free(s);
}

/*
** pcm_read, backward (transposed): W (3,50), W_ij = c_i (1 + j%2), v = d = (0.3, -0.4, 0.2):
** output j gets var 0.01 * (1 + j%2) * sum_i |c_i| d_i^2. Even and odd columns are checked
** apart, so reading W along the wrong direction would fail.
*/
Test(io, pcm_read_weight_noise_reads_the_right_direction)
{
    IrIO io = clean_io();
    io.w_noise = 0.1;
    io.w_noise_type = IR_W_NOISE_PCM_READ;
    enum { D = 3, X = 50, REP = 400 };
    float w[D * X], d[D] = {0.3f, -0.4f, 0.2f}, y[X];
    double c[D] = {0.5, -2.0, 1.0}, base = 0.0;
    for (size_t i = 0; i < D; i++) {
        base += fabs(c[i]) * (double)d[i] * d[i];
        for (size_t j = 0; j < X; j++)
            w[i * X + j] = (float)(c[i] * (1 + j % 2));
    }
    double *even = malloc(X / 2 * REP * sizeof *even), *odd = malloc(X / 2 * REP * sizeof *odd);
    RtRng r;
    rt_rng_seed(&r, SEED, 4);
    for (size_t k = 0; k < REP; k++) {
        memset(y, 0, sizeof y);
        rt_io_w_noise(y, d, w, D, X, true, &io, &r);
        for (size_t j = 0; j < X; j++)
            (j % 2 ? odd : even)[k * (X / 2) + j / 2] = y[j];
    }
    assert_gaussian(even, X / 2 * REP, 0.01 * base, "pcm_read, even columns");
    assert_gaussian(odd, X / 2 * REP, 0.02 * base, "pcm_read, odd columns");
    free(even), free(odd);
}

/* }====================================================================== */

/*
** {======================================================================
** Whole passes
** =======================================================================
*/

/*
** D = 1, X = 1, w = 50, x = 1: NM abs_max gives a = 1, no quantisation, out_bound 12.
** Iterative BM: r = 1, 2, 4 clip (50, 25, 12.5 > 12), r = 8 passes: y = 6.25 * 8 = 50.
*/
static float one_forward(const IrIO *io, float w, float x)
{
    RtIO *s = rt_io_new(io, io, 1, 1, 1, SEED, STREAM);
    float y;
    rt_io_forward(&y, s, &w, &x, NULL, 1, NULL);
    rt_io_free(s);
    return y;
}

Test(io, bound_management_doubles_until_no_output_clips)
{
    IrIO io = clean_io();
    io.noise_management = IR_NM_ABS_MAX;
    io.bound_management = IR_BM_ITERATIVE;
    cr_assert_eq(one_forward(&io, 50.0f, 1.0f), 50.0f);
    cr_assert_eq(one_forward(&io, -50.0f, 1.0f), -50.0f, "the negative bound counts");
    io.bm_test_negative_bound = false;
    cr_assert_eq(one_forward(&io, -50.0f, 1.0f), -12.0f, "... unless switched off");
    io.bm_test_negative_bound = true;
    io.bound_management = IR_BM_NONE;
    cr_assert_eq(one_forward(&io, 50.0f, 1.0f), 12.0f, "no BM: clipped");
}

/*
** The limits. max_bm_factor 2: r = 1, 2 continue (not > 2), r = 4 clips and stops:
** y = 12 * 4 = 48. max_bm_res 0.25 with the default DAC step 1/63 (limit 15.75): w = 1000,
** r = 16 gives v = quant(1/16) = 4/63, 1000 * 4/63 > 12 clips, 16 > 15.75 stops: y = 192.
*/
Test(io, bound_management_stops_at_its_limits)
{
    IrIO io = clean_io();
    io.noise_management = IR_NM_ABS_MAX;
    io.bound_management = IR_BM_ITERATIVE;
    io.max_bm_factor = 2;
    cr_assert_eq(one_forward(&io, 50.0f, 1.0f), 48.0f);
    io.max_bm_factor = 1000;
    io.inp_res = 1.0 / 126;
    cr_assert_eq(one_forward(&io, 1000.0f, 1.0f), 192.0f);
}

/*
** A batch is a set of independent samples: each row gets its own NM scale and BM loop.
** Without noise nothing is drawn, so each row of a batch must equal the same row alone.
*/
Test(io, every_row_of_a_batch_is_its_own_sample)
{
    IrIO io = *rt_io_default();
    io.out_noise = 0.0;
    enum { B = 4, D = 3, X = 5 };
    RtRng r;
    rt_rng_seed(&r, SEED, 5);
    float *w = normals(D * X, 1.0, &r), *x = normals(B * X, 1.0, &r);
    for (size_t j = 0; j < X; j++) {
        x[1 * X + j] *= 100.0f; /* another NM scale */
        x[2 * X + j] = 4.0f;    /* a = 4, v = 1/r */
        w[0 * X + j] = 10.0f;   /* output 0 of row 2: 50 v, clips until r = 8 */
    }
    float y[B * D], y1[D];
    RtIO *all = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, all, w, x, NULL, B, NULL);
    for (size_t b = 0; b < B; b++) {
        RtIO *one = rt_io_new(&io, &io, D, X, 1, SEED, STREAM);
        rt_io_forward(y1, one, w, x + b * X, NULL, 1, NULL);
        for (size_t i = 0; i < D; i++)
            cr_assert_eq(y[b * D + i], y1[i], "row %zu output %zu", b, i);
        rt_io_free(one);
    }
    /* r = 8: v = quant(1/8) = 8/63, z = 50 * 8/63 = 6.349 -> ADC level 135; y = a r z. */
    double step = 24.0 / 510, want = rint(50.0 * 8.0 / 63.0 / step) * step * 4.0 * 8.0;
    cr_assert_float_eq(y[2 * D + 0], want, 4 * FLT_EPSILON * want);
    rt_io_free(all);
    free(w), free(x);
}

/* Output noise through NM: W = 0, max|x| = 3, so y = 3 * out_noise * xi (scaled back). */
Test(io, output_noise_is_gaussian_and_scaled_back)
{
    IrIO io = clean_io();
    io.out_noise = 0.06;
    io.noise_management = IR_NM_ABS_MAX;
    io.bound_management = IR_BM_ITERATIVE;
    enum { B = 400, D = 50, X = 4 };
    float w[D * X] = {0}, x[B * X], y[B * D];
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < X; j++)
            x[b * X + j] = j == 1 ? -3.0f : 0.5f;
    RtIO *s = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, s, w, x, NULL, B, NULL);
    double *v = malloc(B * D * sizeof *v);
    for (size_t k = 0; k < B * D; k++)
        v[k] = y[k];
    assert_gaussian(v, B * D, 9.0 * 0.06 * 0.06, "forward output noise");
    rt_io_free(s);
    free(v);
}

/*
** out_noise_std: sigma_i = |out_noise (1 + out_noise_std xi_i)| drawn once from the stream
** (forward D values, then backward X values), then each output's noise has that std.
*/
Test(io, per_output_noise_std_is_fixed_at_construction)
{
    IrIO io = clean_io(), bio = clean_io();
    io.out_noise = 0.06;
    io.out_noise_std = 0.5;
    bio.out_noise = 0.1;
    bio.out_noise_std = 0.2;
    enum { B = 2000, D = 4, X = 3 };
    RtIO *s = rt_io_new(&io, &bio, D, X, B, SEED, STREAM);
    RtRng r;
    rt_rng_seed(&r, SEED, STREAM);
    for (size_t k = 0; k < D + X; k++) {
        double n = k < D ? 0.06 : 0.1, sd = k < D ? 0.5 : 0.2;
        double want = fabs(n * (1.0 + sd * rt_rng_normal(&r))); /* float: 1e-8 */
        float got = k < D ? s->sig_fwd[k] : s->sig_bwd[k - D];
        cr_assert_float_eq(got, want, 1e-8, "sigma %zu", k);
    }
    float w[D * X] = {0}, *x = calloc(B * X, sizeof *x), *y = malloc(B * D * sizeof *y);
    double *v = malloc(B * sizeof *v);
    rt_io_forward(y, s, w, x, NULL, B, NULL);
    for (size_t i = 0; i < D; i++) {
        for (size_t b = 0; b < B; b++)
            v[b] = y[b * D + i];
        double sg = s->sig_fwd[i];
        assert_gaussian(v, B, sg * sg, "one output");
    }
    rt_io_free(s);
    free(x), free(y), free(v);
}

/*
** Backward: bound management is off whatever the io says, so w = 50, d = 1 clips to 12
** (the forward of the same io doubles to 50); the result is added to dx.
*/
Test(io, backward_never_uses_bound_management)
{
    IrIO io = clean_io();
    io.noise_management = IR_NM_ABS_MAX;
    io.bound_management = IR_BM_ITERATIVE;
    RtIO *s = rt_io_new(&io, &io, 1, 1, 1, SEED, STREAM);
    float w = 50.0f, d = 1.0f, dx = 1.0f, y;
    rt_io_backward(&dx, s, &w, &d, 1, NULL);
    cr_assert_eq(dx, 13.0f, "1 + clip(50, 12)");
    rt_io_forward(&y, s, &w, &d, NULL, 1, NULL);
    cr_assert_eq(y, 50.0f);
    rt_io_free(s);
}

/*
** Backward with the default DAC and abs_max: components below max|d|/126 are zeroed.
** W = I (3x3), no output quantisation or noise, a = max|d| = 4: dx = quant(d / 4, 1/63) * 4.
*/
Test(io, backward_dac_zeroes_small_gradients)
{
    IrIO io = *rt_io_default();
    io.out_noise = 0.0;
    io.out_res = 0.0;
    RtIO *s = rt_io_new(&io, &io, 3, 3, 1, SEED, STREAM);
    float w[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, d[3] = {4.0f, 0.02f, -0.04f}, dx[3] = {0};
    rt_io_backward(dx, s, w, d, 1, NULL);
    cr_assert_eq(dx[0], 4.0f);
    cr_assert_eq(dx[1], 0.0f, "0.02 / 4 * 63 = 0.315 rounds to 0");
    cr_assert_float_eq(dx[2], -4.0 / 63, 1e-6, "-0.04 / 4 * 63 = -0.63 rounds to -1");
    rt_io_free(s);
}

/* With NM on, a zero input gives the bias exactly and draws nothing. */
Test(io, zero_input_short_cut)
{
    IrIO io = *rt_io_default();
    RtIO *s = rt_io_new(&io, &io, 2, 3, 1, SEED, STREAM);
    float w[6] = {1, 2, 3, 4, 5, 6}, x[3] = {0, 0, 0}, b[2] = {0.5f, -1.0f}, y[2];
    RtRng before = s->rng;
    rt_io_forward(y, s, w, x, b, 1, NULL);
    cr_assert_eq(y[0], 0.5f);
    cr_assert_eq(y[1], -1.0f);
    float d[2] = {0, 0}, dx[3] = {1, 1, 1};
    rt_io_backward(dx, s, w, d, 1, NULL);
    cr_assert(dx[0] == 1.0f && dx[1] == 1.0f && dx[2] == 1.0f);
    cr_assert_eq(memcmp(&before, &s->rng, sizeof before), 0);
    rt_io_free(s);
}

/* average_abs_max: one running value per direction, updated sample by sample. */
Test(io, average_abs_max_keeps_state_per_direction)
{
    IrIO io = clean_io();
    io.noise_management = IR_NM_AVERAGE_ABS_MAX;
    io.nm_decay = 0.25;
    RtIO *s = rt_io_new(&io, &io, 1, 2, 2, SEED, STREAM);
    float w[2] = {1, 1}, x[4] = {2, -1, 0.5f, -4}, y[2];
    rt_io_forward(y, s, w, x, NULL, 2, NULL);
    cr_assert_float_eq(s->avg_fwd, 0.75 * 2.0 + 0.25 * 4.0, 1e-15);
    cr_assert_eq(s->avg_bwd, -1.0, "the backward has not run");
    cr_assert_float_eq(y[0], 1.0, 1e-6, "(2 - 1) exactly: a = 2, no quantisation");
    rt_io_free(s);
}

/* Perfect I/O: exactly the digital product (the same BLIS call) and out_scale. */
Test(io, perfect_is_the_exact_product)
{
    IrIO io = {.name = "p", .family = IR_IO_PERFECT, .out_scale = 1.0};
    enum { B = 6, D = 4, X = 9 };
    RtRng r;
    rt_rng_seed(&r, SEED, 6);
    float *w = normals(D * X, 1.0, &r), *x = normals(B * X, 1.0, &r), *b = normals(D, 1.0, &r);
    float y[B * D], want[B * D];
    RtIO *s = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, s, w, x, b, B, NULL);
    rt_matmul_forward(want, x, w, b, B, X, D, NULL);
    cr_assert_eq(memcmp(y, want, sizeof y), 0);
    rt_io_free(s);
    io.out_scale = 2.0;
    s = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    RtRng before = s->rng;
    rt_io_forward_ref(y, s, w, x, b, B);
    float dx[B * X] = {0}, dx_ref[B * X] = {0}, *d = normals(B * D, 1.0, &r);
    rt_io_backward(dx, s, w, d, B, NULL);
    rt_matmul_backward_ref(dx_ref, NULL, NULL, d, NULL, w, B, X, D);
    for (size_t k = 0; k < B * D; k++) {
        double mag = fabs(b[k % D]);
        for (size_t j = 0; j < X; j++)
            mag += 2.0 * fabs((double)x[(k / D) * X + j] * w[(k % D) * X + j]);
        cr_assert_float_eq(y[k], 2.0 * (want[k] - b[k % D]) + b[k % D], 4 * gamma_k(X + 2) * mag);
    }
    for (size_t k = 0; k < B * X; k++) {
        double mag = 0.0;
        for (size_t i = 0; i < D; i++)
            mag += 2.0 * fabs((double)d[(k / X) * D + i] * w[i * X + k % X]);
        cr_assert_float_eq(dx[k], 2.0 * dx_ref[k], 4 * gamma_k(D + 2) * mag);
    }
    cr_assert_eq(memcmp(&before, &s->rng, sizeof before), 0, "perfect draws nothing");
    rt_io_free(s);
    free(w), free(x), free(b), free(d);
}

/*
** BLIS against the naive twin, with noise on (the draws must line up) and no quantisation
** (which would turn a rounding difference into a whole step): the DAC outputs are the same
** floats, so the products differ by at most 2 gamma_X sum_j |w_ij v_j| with |v_j| <= |x_j|/a,
** times a on the way back; the same noise and a few float roundings of |y| follow.
*/
Test(io, blis_matches_the_naive_twin)
{
    IrIO io = clean_io();
    io.noise_management = IR_NM_ABS_MAX;
    io.bound_management = IR_BM_ITERATIVE;
    io.out_noise = 0.06;
    io.w_noise = 0.02;
    io.w_noise_type = IR_W_NOISE_ADDITIVE_CONSTANT;
    io.out_bound = 1e6;
    enum { B = 20, D = 13, X = 37 };
    RtRng r;
    rt_rng_seed(&r, SEED, 7);
    float *w = normals(D * X, 0.3, &r), *x = normals(B * X, 1.0, &r), *d = normals(B * D, 1.0, &r);
    float y[B * D], y2[B * D], dx[B * X] = {0}, dx2[B * X] = {0};
    RtIO *a = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    RtIO *b = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, a, w, x, NULL, B, NULL);
    rt_io_forward_ref(y2, b, w, x, NULL, B);
    rt_io_backward(dx, a, w, d, B, NULL);
    rt_io_backward_ref(dx2, b, w, d, B);
    cr_assert_eq(memcmp(&a->rng, &b->rng, sizeof a->rng), 0, "same draws, same order");
    for (size_t k = 0; k < B * D; k++) {
        double mag = 0.0;
        for (size_t j = 0; j < X; j++)
            mag += fabs((double)w[(k % D) * X + j] * x[(k / D) * X + j]);
        cr_assert_float_eq(y[k], y2[k], 2 * gamma_k(X + 2) * mag + 8 * FLT_EPSILON * fabs(y2[k]));
    }
    for (size_t k = 0; k < B * X; k++) {
        double mag = 0.0;
        for (size_t i = 0; i < D; i++)
            mag += fabs((double)w[i * X + k % X] * d[(k / X) * D + i]);
        cr_assert_float_eq(dx[k], dx2[k],
                           2 * gamma_k(D + 2) * mag + 8 * FLT_EPSILON * fabs(dx2[k]));
    }
    rt_io_free(a), rt_io_free(b);
    free(w), free(x), free(d);
}

/*
** One-hot rows (a transfer's column reads) skip the product but give its exact bits: with a
** clean I/O the forward is the product itself, here compared with rt_gemm over the same rows
** (a -0 weight in a hot column and an all-zero row included: outputs +0, as from the product).
** A row with two nonzeros takes the product as before.
*/
Test(io, one_hot_reads_give_the_product_bits)
{
    enum { B = 4, D = 300, X = 200 };
    IrIO io = clean_io();
    RtRng r;
    rt_rng_seed(&r, SEED, 9);
    float *w = normals(D * X, 0.3, &r);
    w[5 * X + 17] = -0.0f;
    float x[B * X] = {0}, y[B * D], want[B * D];
    x[0 * X + 17] = 0.75f;
    x[1 * X + 199] = -0.5f; /* row 2 stays all zero */
    x[3 * X + 3] = 0.25f;
    RtIO *s = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, s, w, x, NULL, B, NULL);
    rt_gemm(want, D, x, X, false, w, X, true, B, D, X, 1.0f, 0.0f, NULL);
    cr_assert_eq(memcmp(y, want, sizeof y), 0, "one-hot rows: the product's bits");
    cr_assert(!signbit(y[0 * D + 5]) && !signbit(y[2 * D + 7]), "zeros are +0");
    x[3 * X + 4] = 0.5f; /* two nonzeros: the product itself */
    rt_io_forward(y, s, w, x, NULL, B, NULL);
    rt_gemm(want, D, x, X, false, w, X, true, B, D, X, 1.0f, 0.0f, NULL);
    cr_assert_eq(memcmp(y, want, sizeof y), 0, "a denser row: the product");
    rt_io_free(s);
    free(w);
}

/*
** rt_io_backward_set writes what rt_io_backward adds to a dx of zeros, bit for bit, whatever
** dx held before (NaN here), with the same draws: keyed rows, stochastic rounding (the serial
** loop), the perfect family, a row that NM skips (all of d zero), chunks of max_rows.
*/
Test(io, backward_set_is_the_sum_on_zeros)
{
    enum { B = 9, D = 7, X = 33 };
    IrIO cfg[3] = {*rt_io_default(), *rt_io_default(), *rt_io_default()};
    cfg[1].out_sto_round = true;
    cfg[2].family = IR_IO_PERFECT;
    RtRng r;
    rt_rng_seed(&r, SEED, 10);
    float *w = normals(D * X, 0.3, &r), *d = normals(B * D, 0.1, &r);
    memset(d + 2 * D, 0, D * sizeof *d);
    for (int c = 0; c < 3; c++) {
        float added[B * X] = {0}, set[B * X];
        for (size_t k = 0; k < B * X; k++)
            set[k] = NAN;
        RtIO *a = rt_io_new(&cfg[c], &cfg[c], D, X, 4, SEED, STREAM);
        RtIO *b = rt_io_new(&cfg[c], &cfg[c], D, X, 4, SEED, STREAM);
        rt_io_backward(added, a, w, d, B, NULL);
        rt_io_backward_set(set, b, w, d, B, NULL);
        cr_assert_eq(memcmp(added, set, sizeof set), 0, "I/O %d: the sum on zeros", c);
        cr_assert_eq(memcmp(&a->rng, &b->rng, sizeof a->rng), 0, "I/O %d: the same draws", c);
        rt_io_free(a), rt_io_free(b);
    }
    free(w), free(d);
}

/* Same seed and stream: bit-identical passes; another stream: other noise. */
Test(io, runs_are_deterministic)
{
    enum { B = 8, D = 6, X = 10 };
    RtRng r;
    rt_rng_seed(&r, SEED, 8);
    float *w = normals(D * X, 0.5, &r), *x = normals(B * X, 1.0, &r), *d = normals(B * D, 0.1, &r);
    float y[3][B * D], dx[3][B * X];
    memset(dx, 0, sizeof dx);
    for (int k = 0; k < 3; k++) {
        RtIO *s = rt_io_new(NULL, NULL, D, X, B, SEED, k < 2 ? STREAM : STREAM + 1);
        for (int rep = 0; rep < 3; rep++) {
            rt_io_forward(y[k], s, w, x, NULL, B, NULL);
            rt_io_backward(dx[k], s, w, d, B, NULL);
        }
        rt_io_free(s);
    }
    cr_assert_eq(memcmp(y[0], y[1], sizeof y[0]), 0);
    cr_assert_eq(memcmp(dx[0], dx[1], sizeof dx[0]), 0);
    cr_assert_neq(memcmp(y[0], y[2], sizeof y[0]), 0);
    free(w), free(x), free(d);
}

/* Batches larger than max_rows go through in chunks. */
Test(io, batches_beyond_max_rows_are_chunked)
{
    IrIO io = *rt_io_default();
    io.out_noise = 0.0;
    enum { B = 7, D = 2, X = 3 };
    RtRng r;
    rt_rng_seed(&r, SEED, 9);
    float *w = normals(D * X, 1.0, &r), *x = normals(B * X, 1.0, &r);
    float y[B * D], y1[B * D];
    RtIO *small = rt_io_new(&io, &io, D, X, 2, SEED, STREAM);
    RtIO *big = rt_io_new(&io, &io, D, X, B, SEED, STREAM);
    rt_io_forward(y, small, w, x, NULL, B, NULL);
    rt_io_forward(y1, big, w, x, NULL, B, NULL);
    cr_assert_eq(memcmp(y, y1, sizeof y), 0);
    rt_io_free(small), rt_io_free(big);
    free(w), free(x);
}

/* }====================================================================== */

/*
** {======================================================================
** In a net
** =======================================================================
*/

/*
** Analog layers without forward/backward use the Table-4 default, each layer on its own
** stream RT_STREAM_IO(l); digital layers and nets built for digital_sgd have no I/O. The
** full-data loss stays the exact product of the weights and draws nothing.
*/
Test(io, analog_layers_default_to_table_4_and_the_loss_stays_exact)
{
    IrDevice dev = fx_device(IR_DEV_IDEAL);
    IrIO mine = *rt_io_default();
    mine.out_noise = 0.1;
    IrLayer L[3] = {{.kind = IR_LAYER_DENSE, .in = 4, .out = 3, .on = &dev},
                    {.kind = IR_LAYER_DENSE, .in = 3, .out = 2, .on = &dev, .forward = &mine},
                    {.kind = IR_LAYER_DENSE, .in = 2, .out = 1, .bias = true}};
    IrModel m = {.name = "three", .nlayers = 3, .layers = L};
    char err[256];
    RtNet *n = rt_net_new(&m, true, false, 11, 8, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    cr_assert_eq(n->layer[0].io->fwd, rt_io_default());
    cr_assert_eq(n->layer[0].io->bwd, rt_io_default());
    cr_assert_eq(n->layer[1].io->fwd, &mine);
    cr_assert_eq(n->layer[1].io->bwd, rt_io_default());
    cr_assert_null(n->layer[2].io);
    for (size_t l = 0; l < 2; l++) {
        RtIO *ref = rt_io_new(NULL, NULL, L[l].out, L[l].in, 8, 11, RT_STREAM_IO(l));
        cr_assert_eq(memcmp(&ref->rng, &n->layer[l].io->rng, sizeof ref->rng), 0);
        rt_io_free(ref);
    }
    RtNet *dn = rt_net_new(&m, false, false, 11, 8, err, sizeof err);
    for (size_t l = 0; l < 3; l++)
        cr_assert_null(dn->layer[l].io);
    RtRng r;
    rt_rng_seed(&r, SEED, 10);
    float *x = normals(8 * 4, 1.0, &r), *t = normals(8, 1.0, &r), h1[8 * 3], h2[8 * 2], y[8];
    rt_matmul_forward(h1, x, n->layer[0].w, NULL, 8, 4, 3, NULL);
    rt_matmul_forward(h2, h1, n->layer[1].w, NULL, 8, 3, 2, NULL);
    rt_matmul_forward(y, h2, n->layer[2].w, n->layer[2].b, 8, 2, 1, NULL);
    double want = 0.0;
    for (size_t k = 0; k < 8; k++)
        want += 0.5 * ((double)y[k] - t[k]) * ((double)y[k] - t[k]) / 8.0;
    RtRng before = n->layer[0].io->rng;
    cr_assert_float_eq(rt_net_loss(n, x, t, 8), want, 1e-12 * want);
    cr_assert_eq(memcmp(&before, &n->layer[0].io->rng, sizeof before), 0, "the loss draws nothing");
    const float *yn = rt_net_forward(n, x, 8);
    cr_assert_neq(memcmp(yn, y, sizeof y), 0, "the training forward is the noisy one");
    rt_net_free(n), rt_net_free(dn);
    free(x), free(t);
}

/* }====================================================================== */

/*
** rt_io_forward_max: each row's rt_absmax, bit for bit, where the noise management takes it
** (abs_max, average_abs_max), across chunks of max_rows rows, with the outputs of
** rt_io_forward; none with other noise management (xmax untouched).
*/
Test(io, forward_max_keeps_each_rows_absmax)
{
    enum { B = 10, D = 3, X = 7, CHUNK = 4 };
    const IrNoiseManagement nms[] = {IR_NM_ABS_MAX, IR_NM_AVERAGE_ABS_MAX, IR_NM_NONE,
                                     IR_NM_MAX};
    RtRng r;
    rt_rng_seed(&r, SEED, 6);
    float *w = normals(D * X, 1.0, &r), *x = normals(B * X, 1.0, &r);
    x[3 * X + 2] = NAN; /* rt_absmax skips it; the row's other inputs set its maximum */
    for (size_t t = 0; t < sizeof nms / sizeof *nms; t++) {
        IrIO io = *rt_io_default();
        io.noise_management = nms[t];
        RtIO *a = rt_io_new(&io, &io, D, X, CHUNK, SEED, STREAM);
        RtIO *b = rt_io_new(&io, &io, D, X, CHUNK, SEED, STREAM);
        float y[B * D], y0[B * D], xmax[B];
        for (size_t k = 0; k < B; k++)
            xmax[k] = -1.0f;
        bool takes = rt_io_forward_max(y, xmax, a, w, x, NULL, B, NULL);
        rt_io_forward(y0, b, w, x, NULL, B, NULL);
        cr_assert(memcmp(y, y0, sizeof y) == 0, "nm %d: the outputs of rt_io_forward", nms[t]);
        cr_assert(takes == (t < 2), "nm %d: takes the maxima: %d", nms[t], takes);
        for (size_t k = 0; k < B; k++) {
            float want = takes ? rt_absmax(x + k * X, X) : -1.0f;
            cr_assert(memcmp(&xmax[k], &want, sizeof want) == 0, "nm %d row %zu: %g, want %g",
                      nms[t], k, xmax[k], want);
        }
        rt_io_free(a), rt_io_free(b);
    }
    free(w), free(x);
}
