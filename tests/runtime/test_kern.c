/*
** test_kern.c: the fast update kernels (runtime/rt_kern.h) against their double twin, their
** two builds against each other, their normals, and aihwkit's traces through them; the
** thread pool.
**
** Tolerances. A pulse of the vector rules differs from rt_device_pulse (double, libm) by the
** float roundings of the state (a few ulp of |w| <= 1) and by the relative error of the
** step (pow/exp polynomials, about 3e-7); over n pulses on one weight the difference stays
** within n * (8 FLT_EPSILON + 1e-6 * max step), a step being at most 30 times the step scale
** (rule factor times noise factor). Statistical checks use 6 standard errors.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_kern_impl.h"
#include "rt_pool.h"
#include "rt_tile.h"

/* The update every comparison uses: BL up to 31, UM and UBLM, stochastic trains. */
static IrUpdate upd(int bl)
{
    IrUpdate u = fx_update();
    u.desired_bl = bl;
    return u;
}

/* x (B,X), d (B,D) uniform in [-1, 1] from stream s. */
static void inputs(float *x, float *d, size_t B, size_t D, size_t X, uint64_t s)
{
    RtRng r;
    rt_rng_seed(&r, 99, s);
    for (size_t k = 0; k < B * X; k++)
        x[k] = (float)(2.0 * rt_rng_uniform(&r) - 1.0);
    for (size_t k = 0; k < B * D; k++)
        d[k] = (float)(2.0 * rt_rng_uniform(&r) - 1.0);
}

/* A D x X tile of dev with counters, weights uniform in [-0.3, 0.3] (clipped to the cells). */
static RtTile *tile(const IrDevice *dev, size_t D, size_t X)
{
    RtRng r;
    rt_rng_seed(&r, 7, 7);
    RtTile *t = rt_tile_new(D, X, dev, &r, true);
    float *w = malloc(D * X * sizeof *w);
    for (size_t k = 0; k < D * X; k++)
        w[k] = (float)(0.6 * rt_rng_uniform(&r) - 0.3);
    rt_tile_set_weights(t, w);
    free(w);
    return t;
}

/* The devices of the comparisons: one per vector rule and noise form, plus a generic one. */
typedef struct KCase {
    char name[32];
    int family;   /* IrDevFamily */
    int variant;  /* 0 default, 1 additive noise, 2 complex noise / write noise / c_lin,
                     3 exponent 1/2 and no device-to-device variation */
} KCase;

static IrDevice kdevice(const KCase *c)
{
    static const double node[3] = {1.2, 1.0, 0.7};
    IrDevice d = fx_device((IrDevFamily)c->family);
    switch (c->family) {
    case IR_DEV_SOFT_BOUNDS:
    case IR_DEV_LINEAR_STEP:
        d.mult_noise = c->variant != 1;
        if (c->variant == 2)
            d.write_noise_std = 2.0;
        d.gamma_up = d.gamma_down = 0.3;
        break;
    case IR_DEV_SOFT_BOUNDS_REFERENCE:
        d.mult_noise = c->variant == 2;
        d.reference_std = 0.05;
        break;
    case IR_DEV_EXP_STEP:
        if (c->variant == 2)
            d.dw_min_std_add = 0.002, d.dw_min_std_slope = 0.01;
        break;
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: d.pow_gamma = c->variant >= 1 ? 0.5 : 2.0; break;
    case IR_DEV_LINEAR:
    case IR_DEV_POWER:
    case IR_DEV_EXPONENTIAL:
        d.dw_min_std = 0.3, d.sigma_c = c->variant == 1 ? 0.0 : 0.4;
        d.c_lin = c->variant == 2 ? 0.2 : 0.0;
        d.gamma_res = c->variant == 3 ? 0.5 : 1.5;
        break;
    case IR_DEV_PIECEWISE_STEP:
        d.piecewise_up = d.piecewise_down = node;
        d.npiecewise_up = d.npiecewise_down = 3;
        break;
    default: break;
    }
    if (c->variant == 3) /* no device-to-device variation: the kernels' one-value planes */
        d.dw_min_dtod = d.w_max_dtod = d.w_min_dtod = d.up_down_dtod = d.pow_gamma_dtod =
            d.pow_up_down_dtod = d.gamma_up_dtod = d.gamma_down_dtod = 0.0;
    return d;
}

static KCase kcases[] = {
    {"constant_step", IR_DEV_CONSTANT_STEP, 0},
    {"soft_bounds", IR_DEV_SOFT_BOUNDS, 0},
    {"soft_bounds additive", IR_DEV_SOFT_BOUNDS, 1},
    {"soft_bounds write noise", IR_DEV_SOFT_BOUNDS, 2},
    {"linear_step", IR_DEV_LINEAR_STEP, 0},
    {"linear_step additive", IR_DEV_LINEAR_STEP, 1},
    {"soft_bounds_reference", IR_DEV_SOFT_BOUNDS_REFERENCE, 0},
    {"soft_bounds_reference mult", IR_DEV_SOFT_BOUNDS_REFERENCE, 2},
    {"exp_step", IR_DEV_EXP_STEP, 0},
    {"exp_step complex", IR_DEV_EXP_STEP, 2},
    {"pow_step gamma 2", IR_DEV_POW_STEP, 0},
    {"pow_step gamma 0.5", IR_DEV_POW_STEP, 1},
    {"pow_step gamma 0.5, no d2d", IR_DEV_POW_STEP, 3},
    {"pow_step_reference", IR_DEV_POW_STEP_REFERENCE, 0},
    {"linear", IR_DEV_LINEAR, 2},
    {"power", IR_DEV_POWER, 0},
    {"power without sigma_c", IR_DEV_POWER, 1},
    {"power gamma 0.5, no d2d", IR_DEV_POWER, 3},
    {"exponential", IR_DEV_EXPONENTIAL, 0},
    {"piecewise_step", IR_DEV_PIECEWISE_STEP, 0},
};

ParameterizedTestParameters(kern, fast_matches_the_double_twin)
{
    return cr_make_param_array(KCase, kcases, sizeof kcases / sizeof kcases[0]);
}

/*
** Tile a (the kernels) against tile b (the double twin) after the same updates: the same
** pulse counts and weights within the tolerance of the header. Returns the pulses fired.
*/
static uint64_t assert_matches_twin(const RtTile *a, const RtTile *b, size_t n, const char *name)
{
    double smax = 0.0;
    for (size_t k = 0; k < n; k++)
        smax = fmax(smax, 30.0 * fmax(a->cell[k].s_up, a->cell[k].s_down));
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(rt_tile_pulses_at(a, k), rt_tile_pulses_at(b, k), "%s: cell %zu", name, k);
        double tol = (double)rt_tile_pulses_at(a, k) * (8.0 * FLT_EPSILON + 1e-6 * smax) + 1e-12;
        cr_assert_float_eq(a->w[k], b->w[k], tol, "%s: cell %zu after %llu pulses", name, k,
                           (unsigned long long)rt_tile_pulses_at(a, k));
        total += rt_tile_pulses_at(a, k);
    }
    return total;
}

/*
** The same batch through the kernels and through the double twin: the same pulse counts,
** the same random streams, weights within the tolerance of the header. 13 columns (a short
** last chunk), 5 rows, 6 samples; lr 0.05 and dw_min 1e-3 give up to 31 pulses per sample.
** Then batches whose errors are small but for one row (as real gradients are): most rows
** fire at one slot (the kernels' packed path) or none.
*/
ParameterizedTest(KCase *c, kern, fast_matches_the_double_twin)
{
    enum { D = 5, X = 13, B = 6 };
    IrDevice dev = kdevice(c);
    IrUpdate u = upd(31);
    RtTile *a = tile(&dev, D, X), *b = tile(&dev, D, X);
    float x[B * X], d[B * D];
    inputs(x, d, B, D, X, 1);
    RtRng ra, rb;
    rt_rng_seed(&ra, 3, 3);
    rt_rng_seed(&rb, 3, 3);
    for (int rep = 0; rep < 3; rep++) {
        rt_tile_update_batch(a, x, d, B, rep == 1 ? -0.05 : 0.05, &u, &ra);
        rt_tile_update_batch_ref(b, x, d, B, rep == 1 ? -0.05 : 0.05, &u, &rb);
    }
    for (size_t k = 0; k < B * D; k++)
        d[k] *= k % D == 0 ? 1.0f : 0.1f;
    for (int rep = 0; rep < 8; rep++) {
        rt_tile_update_batch(a, x, d, B, 0.05, &u, &ra);
        rt_tile_update_batch_ref(b, x, d, B, 0.05, &u, &rb);
    }
    uint64_t total = assert_matches_twin(a, b, D * X, c->name);
    cr_assert_gt(total, 100u, "%s: the test fires pulses", c->name);
    cr_assert_eq(rt_rng_next(&ra), rt_rng_next(&rb), "one key per sample in both");
    rt_tile_free(a), rt_tile_free(b);
}

/*
** A sparse update of a wide tile: rows visit only the chunks their trains reach (the chunk
** bitmaps, two words per slot for 600 columns), and skipping the others changes nothing: the
** same pulse counts as the double twin, which scans every chunk, and weights within its
** tolerance. Small lr (BL 1-2) and inputs zero in every other block of 8 columns, the last
** block of firing columns beyond column 512.
*/
Test(kern, sparse_rows_visit_only_the_chunks_they_reach)
{
    enum { D = 9, X = 600, B = 4 };
    KCase kc = {"soft_bounds", IR_DEV_SOFT_BOUNDS, 0};
    IrDevice dev = kdevice(&kc);
    IrUpdate u = upd(31);
    RtTile *a = tile(&dev, D, X), *b = tile(&dev, D, X);
    static float x[B * X];
    float d[B * D];
    inputs(x, d, B, D, X, 5);
    for (size_t k = 0; k < B * X; k++)
        if ((k % X) / 8 % 2 == 1)
            x[k] = 0.0f;
    RtRng ra, rb;
    rt_rng_seed(&ra, 6, 6);
    rt_rng_seed(&rb, 6, 6);
    rt_tile_update_batch(a, x, d, B, 0.002, &u, &ra);
    rt_tile_update_batch_ref(b, x, d, B, 0.002, &u, &rb);
    uint64_t total = assert_matches_twin(a, b, D * X, kc.name), beyond = 0;
    for (size_t k = 0; k < D * X; k++)
        beyond += k % X >= 512 ? rt_tile_pulses_at(a, k) : 0;
    cr_assert_gt(total, 50u, "the test fires pulses");
    cr_assert_gt(beyond, 0u, "pulses beyond column 512 (the second bitmap word)");
    rt_tile_free(a), rt_tile_free(b);
}

/*
** Samples whose plan gives BL 1 (a small lr: the largest expected coincidence count below
** one) list the columns that fire at their one slot once, and every firing row of the sample
** pulses that list in groups of 8 (RtUpd.cols): the same pulse counts as the double twin,
** which scans each row's columns, and weights within its tolerance. Every device rule; 300
** columns and 24 rows, so lists run past several groups with a partial last one, and most
** samples have several firing rows.
*/
ParameterizedTestParameters(kern, one_slot_samples_pulse_their_column_list)
{
    return cr_make_param_array(KCase, kcases, sizeof kcases / sizeof kcases[0]);
}

ParameterizedTest(KCase *c, kern, one_slot_samples_pulse_their_column_list)
{
    enum { D = 24, X = 300, B = 6 };
    IrDevice dev = kdevice(c);
    IrUpdate u = upd(31);
    RtTile *a = tile(&dev, D, X), *b = tile(&dev, D, X);
    static float x[B * X];
    float d[B * D];
    inputs(x, d, B, D, X, 11);
    double lr = 0.4 * rt_device_granularity(&a->dev); /* k = lr max|x| max|d| / dw < 1 */
    for (size_t s = 0; s < B; s++) {
        RtPulsePlan p;
        double dw = rt_device_granularity(&a->dev);
        cr_assert(rt_pulse_plan(&p, x + s * X, X, d + s * D, D, lr, dw, &u));
        cr_assert_eq(p.bl, 1, "%s: sample %zu has BL 1", c->name, s);
    }
    RtRng ra, rb;
    rt_rng_seed(&ra, 12, 12);
    rt_rng_seed(&rb, 12, 12);
    rt_tile_update_batch(a, x, d, B, lr, &u, &ra);
    rt_tile_update_batch_ref(b, x, d, B, lr, &u, &rb);
    uint64_t total = assert_matches_twin(a, b, D * X, c->name);
    size_t rows = 0;
    for (size_t i = 0; i < D; i++) {
        uint64_t in_row = 0;
        for (size_t j = 0; j < X; j++)
            in_row += rt_tile_pulses_at(a, i * X + j);
        rows += in_row > 0;
    }
    cr_assert_gt(total, (uint64_t)(20 * B), "%s: lists longer than a group", c->name);
    cr_assert_gt(rows, (size_t)B, "%s: several firing rows per sample", c->name);
    rt_tile_free(a), rt_tile_free(b);
}

/*
** A batch of one sample whose only nonzero input is column j (a transfer's write, x = e_j)
** goes rows side by side (RtUpd.one_hot): the same bits as the row path, which the same
** sample takes when a second input is nonzero but far too small to fire (its slots'
** threshold is below one word in 2^31; the plan follows the largest input, and the streams
** draw the same words whatever the inputs). Also on 2 threads (rows split among them:
** D X above the sharing size). Every device rule (those the side-by-side rows do not take,
** a reference or the double rule, compare their row path with itself); 301 rows, so the last
** group of 8 is partial; lr for about 20 pulses a cell, both signs of x_j, d and lr.
*/
ParameterizedTestParameters(kern, one_hot_samples_match_the_row_path)
{
    return cr_make_param_array(KCase, kcases, sizeof kcases / sizeof kcases[0]);
}

ParameterizedTest(KCase *c, kern, one_hot_samples_match_the_row_path)
{
    enum { D = 301, X = 230, REPS = 12 };
    IrDevice dev = kdevice(c);
    IrUpdate u = upd(31);
    RtTile *t[3] = {tile(&dev, D, X), tile(&dev, D, X), tile(&dev, D, X)};
    RtPool *pool = rt_pool_new(2);
    RtRng r[3];
    for (int k = 0; k < 3; k++)
        rt_rng_seed(&r[k], 21, 21);
    static float x[X], xr[X], d[D];
    double lr = 20.0 * rt_device_granularity(&t[0]->dev);
    uint64_t most = 0;
    for (int rep = 0; rep < REPS; rep++) {
        size_t j = (size_t)rep * 37 % X;
        inputs(x, d, 1, D, X, 30 + (uint64_t)rep);
        memset(x, 0, sizeof x);
        x[j] = rep % 3 == 0 ? -0.7f : 1.0f;
        memcpy(xr, x, sizeof x);
        xr[(j + 1) % X] = 1e-30f;
        double lr_rep = rep % 4 == 1 ? -lr : lr;
        rt_tile_update_batch(t[0], x, d, 1, lr_rep, &u, &r[0]);
        rt_tile_update_batch(t[1], xr, d, 1, lr_rep, &u, &r[1]);
        rt_tile_update_batch_pool(t[2], x, d, 1, lr_rep, &u, &r[2], pool);
    }
    for (size_t k = 0; k < (size_t)D * X; k++)
        most = rt_tile_pulses_at(t[0], k) > most ? rt_tile_pulses_at(t[0], k) : most;
    for (int k = 1; k < 3; k++) {
        const char *what = k == 1 ? "the row path" : "2 threads";
        cr_assert_eq(memcmp(t[0]->w, t[k]->w, D * X * sizeof(float)), 0, "%s: %s", c->name, what);
        if (t[0]->wp)
            cr_assert_eq(memcmp(t[0]->wp, t[k]->wp, D * X * sizeof(float)), 0, "%s", c->name);
        cr_assert_eq(memcmp(rt_tile_pulses(t[0]), rt_tile_pulses(t[k]), D * X * sizeof(uint64_t)),
                     0, "%s: %s", c->name, what);
    }
    cr_assert_geq(most, 10u, "%s: cells get many pulses (chains of %llu)", c->name,
                  (unsigned long long)most);
    rt_pool_free(pool);
    for (int k = 0; k < 3; k++)
        rt_tile_free(t[k]);
}

/*
** The builds of the kernels this CPU runs, the baseline first, each with the AIMCI_KERNEL
** value that forces it (NULL: none, the widest build is the default); their number.
*/
static int kern_builds(const RtKern *ks[3], const char *env[3])
{
    __builtin_cpu_init();
    int n = 0;
    ks[n] = &rt_kern_base, env[n++] = "baseline";
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") ||
        !__builtin_cpu_supports("popcnt"))
        return n;
    ks[n] = &rt_kern_avx2, env[n++] = "avx2";
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        ks[n] = &rt_kern_avx512, env[n++] = NULL;
    return n;
}

/*
** The column trains of every build against their definition, slot by slot from the stream
** (key, RT_KERN_COL_STREAM): column j fires at slot k iff lane j % 8 of the stream's step
** (word >> 1) is at most rt_kern_threshold(b |x_j|); the list of a BL 1 sample holds the
** columns firing at slot 0 in order, with x_j's sign bit. Inputs at the edges of the
** threshold: 0, -0, subnormal, p at and beyond 1, NaN, infinities; a chunk of zeros (which
** the kernels skip, the stream going on); 45 columns and fewer (a short last chunk; with
** AVX-512 a BL 1 sample goes 16 columns at a time, then its last 1 to 15 in one masked pass:
** each part meets the edge cases).
*/
Test(kern, column_trains_follow_their_thresholds)
{
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    enum { XM = 45 }; /* the second chunk all zeros: skipped, the stream going on */
    const float x[XM] = {0.0f,  -0.0f, 1e-40f, 0.3f,   -0.3f, 1.0f,     -1.0f, 0.5f,
                         0.0f,  -0.0f, 0.0f,   0.0f,   -0.0f, 0.0f,     0.0f,  0.0f,
                         -0.5f, 2.0f,  -1e-9f, NAN,    INFINITY, -INFINITY, 0.25f, 0.75f,
                         -0.9f, 0.1f,  -0.1f,  0.6f,   1e-3f, -0.7f,    0.0f,  0.2f,
                         NAN,   -0.0f, 1e-40f, INFINITY, -INFINITY, 2.0f, -1e-9f, 0.4f,
                         -0.8f, 0.9f,  0.05f,  -0.35f, 0.65f};
    const double bs[] = {0.7, 1.0, 3.0, 1e10};
    /* with AVX-512 a BL 1 sample's last 13, 8, 1 or 9 columns go in one masked pass */
    static const size_t widths[] = {45, 40, 33, 25, 9};
    for (size_t xw = 0; xw < sizeof widths / sizeof *widths; xw++)
        for (int k = 0; k < nk; k++)
            for (size_t bi = 0; bi < sizeof bs / sizeof *bs; bi++)
                for (int bl = 1; bl <= 40; bl += 39) {
                    size_t X = widths[xw];
                    uint32_t lo[XM], hi[XM];
                    int32_t list[XM + 8];
                    size_t n = ks[k]->col_trains(lo, hi, x, X, bs[bi], bl, 77 + bi,
                                                 bl == 1 ? list : NULL);
                    RtRng8 g;
                    rt_rng8_seed(&g, 77 + bi, RT_KERN_COL_STREAM);
                    uint32_t want_lo[XM] = {0}, want_hi[XM] = {0};
                    for (size_t j0 = 0; j0 < X; j0 += 8)
                        for (int s = 0; s < bl; s++) {
                            uint32_t w[8];
                            rt_kern_base.words(&g, w, 8);
                            for (size_t j = j0; j < X && j < j0 + 8; j++) {
                                int32_t thr = rt_kern_threshold(bs[bi] * fabs((double)x[j]));
                                if ((int32_t)(w[j - j0] >> 1) > thr)
                                    continue;
                                if (s < 32)
                                    want_lo[j] |= 1u << s;
                                else
                                    want_hi[j] |= 1u << (s - 32);
                            }
                        }
                    cr_assert_eq(memcmp(lo, want_lo, X * sizeof *lo), 0,
                                 "%s, b %g, bl %d, %zu columns", ks[k]->name, bs[bi], bl, X);
                    if (bl > 32)
                        cr_assert_eq(memcmp(hi, want_hi, X * sizeof *hi), 0, "%s, b %g",
                                     ks[k]->name, bs[bi]);
                    if (bl != 1)
                        continue;
                    size_t m = 0;
                    for (size_t j = 0; j < X; j++)
                        if (want_lo[j] & 1) {
                            cr_assert_lt(m, n, "%s: column %zu listed", ks[k]->name, j);
                            int32_t e = (int32_t)j | (signbit(x[j]) ? INT32_MIN : 0);
                            cr_assert_eq(list[m], e, "%s: entry %zu", ks[k]->name, m);
                            m++;
                        }
                    cr_assert_eq(n, m, "%s, b %g: the list's length", ks[k]->name, bs[bi]);
                }
}

/*
** Every build of the kernels the CPU runs (baseline, AVX2, AVX-512) gives bit-identical
** weights, counters and visible weights (AIMCI_KERNEL forces a build; the tests run in their
** own processes). BL 50 exercises the trains above 31 slots, a small lr the column lists of
** samples with BL 1. Skipped without AVX2.
*/
Test(kern, builds_are_bit_identical)
{
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    if (nk < 2)
        cr_skip_test("no AVX2 on this CPU");
    static const int fam[] = {IR_DEV_SOFT_BOUNDS, IR_DEV_POW_STEP, IR_DEV_EXP_STEP,
                              IR_DEV_CONSTANT_STEP, IR_DEV_POWER, IR_DEV_PIECEWISE_STEP};
    enum { D = 7, X = 45, B = 5 };
    for (size_t f = 0; f < sizeof fam / sizeof *fam; f++)
        for (int bl = 31; bl <= 50; bl += 19) {
            KCase kc = {"", fam[f], 2};
            IrDevice dev = kdevice(&kc);
            IrUpdate u = upd(bl);
            RtTile *t[3];
            float x[B * X], d[B * D];
            inputs(x, d, B, D, X, 2);
            for (int k = 0; k < nk; k++) {
                if (env[k])
                    setenv("AIMCI_KERNEL", env[k], 1);
                else
                    unsetenv("AIMCI_KERNEL");
                rt_kern_choose();
                cr_assert_str_eq(rt_kern()->name, ks[k]->name);
                t[k] = tile(&dev, D, X);
                RtRng r;
                rt_rng_seed(&r, 4, 4);
                rt_tile_update_batch(t[k], x, d, B, 0.08, &u, &r);
                rt_tile_update_batch(t[k], x, d, B, -0.03, &u, &r);
                double one_slot = 0.4 * rt_device_granularity(&t[k]->dev); /* BL 1: lists */
                rt_tile_update_batch(t[k], x, d, B, one_slot, &u, &r);
            }
            for (int k = 1; k < nk; k++) {
                cr_assert_eq(memcmp(t[0]->w, t[k]->w, D * X * sizeof(float)), 0,
                             "family %d, %s", fam[f], ks[k]->name);
                cr_assert_eq(memcmp(rt_tile_pulses(t[0]), rt_tile_pulses(t[k]),
                                    D * X * sizeof(uint64_t)), 0, "%s", ks[k]->name);
                if (t[0]->wp)
                    cr_assert_eq(memcmp(t[0]->wp, t[k]->wp, D * X * sizeof(float)), 0, "%s",
                                 ks[k]->name);
            }
            for (int k = 0; k < nk; k++)
                rt_tile_free(t[k]);
        }
    for (int k = 1; k < nk; k++) {
        RtRng8 g1, g2;
        rt_rng8_seed(&g1, 5, 6);
        g2 = g1;
        float n1[64], n2[64];
        rt_kern_base.normals(&g1, n1, 64);
        ks[k]->normals(&g2, n2, 64);
        cr_assert_eq(memcmp(n1, n2, sizeof n1), 0, "%s", ks[k]->name);
    }
}

/*
** RtKern.row_normals of every build gives each row the first 16 normals of its stream
** (key, 0), as normals does from rt_rng8_seed: 1 to 11 rows (AVX-512 makes them four, then
** two at a time, the last alone), keys from a generator and the extremes; and stream_words
** the first words of a stream, as words does, one stream or 11 at once.
*/
Test(kern, fresh_streams_start_as_seeded_ones)
{
    enum { M = 11 };
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    uint64_t key[M] = {0, UINT64_MAX};
    RtRng r;
    rt_rng_seed(&r, 8, 9);
    for (size_t i = 2; i < M; i++)
        key[i] = rt_rng_next(&r);
    float want[M * 16], got[M * 16];
    for (size_t i = 0; i < M; i++) {
        RtRng8 g;
        rt_rng8_seed(&g, key[i], 0);
        rt_kern_base.normals(&g, want + 16 * i, 16);
    }
    for (int k = 0; k < nk; k++) {
        for (size_t m = 1; m <= M; m++) {
            memset(got, 0, sizeof got);
            ks[k]->row_normals(key, m, got);
            cr_assert_eq(memcmp(got, want, m * 16 * sizeof *got), 0, "%s, %zu rows",
                         ks[k]->name, m);
        }
        for (size_t i = 0; i < M; i++) {
            RtRng8 g;
            rt_rng8_seed(&g, key[i], RT_KERN_ROW_STREAM + i);
            uint32_t w1[24], w2[24];
            rt_kern_base.words(&g, w1, 24);
            uint32_t *out[1] = {w2};
            ks[k]->stream_words(&key[i], out, 1, RT_KERN_ROW_STREAM + i, 24);
            cr_assert_eq(memcmp(w1, w2, sizeof w1), 0, "%s words", ks[k]->name);
        }
        uint32_t many[M][16], *outs[M]; /* M streams at once (pairs, then the last alone) */
        for (size_t i = 0; i < M; i++)
            outs[i] = many[i];
        ks[k]->stream_words(key, outs, M, RT_KERN_ROW_STREAM, 16);
        for (size_t i = 0; i < M; i++) {
            RtRng8 g;
            rt_rng8_seed(&g, key[i], RT_KERN_ROW_STREAM);
            uint32_t w1[16];
            rt_kern_base.words(&g, w1, 16);
            cr_assert_eq(memcmp(w1, many[i], sizeof w1), 0, "%s words of stream %zu of %d",
                         ks[k]->name, i, M);
        }
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/*
** The normals of the kernels: mean 0, variance 1, skewness 0, kurtosis 3 within 6 standard
** errors of N = 2^21 draws; the Kolmogorov-Smirnov distance to Phi below 1.95/sqrt(N) (the
** 0.1% critical value); the tails beyond 3 and 4.5 with their binomial frequencies; nothing
** beyond 6.6 (the construction's bound).
*/
Test(kern, normals_are_standard_normal)
{
    enum { N = 1 << 21 };
    float *z = malloc(N * sizeof *z);
    RtRng8 g;
    rt_rng8_seed(&g, 12, 34);
    rt_kern()->normals(&g, z, N);
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    size_t t3 = 0, t45 = 0;
    for (size_t k = 0; k < N; k++) {
        double v = z[k];
        s1 += v, s2 += v * v, s3 += v * v * v, s4 += v * v * v * v;
        t3 += fabs(v) > 3.0;
        t45 += fabs(v) > 4.5;
        cr_assert_lt(fabs(v), 6.6);
    }
    double n = N, m = s1 / n, var = s2 / n - m * m;
    cr_assert_lt(fabs(m), 6.0 / sqrt(n), "mean %g", m);
    cr_assert_lt(fabs(var - 1.0), 6.0 * sqrt(2.0 / n), "variance %g", var);
    cr_assert_lt(fabs(s3 / n), 6.0 * sqrt(15.0 / n), "third moment %g", s3 / n);
    cr_assert_lt(fabs(s4 / n - 3.0), 6.0 * sqrt(96.0 / n), "fourth moment %g", s4 / n);
    double p3 = erfc(3.0 / sqrt(2.0)), p45 = erfc(4.5 / sqrt(2.0));
    cr_assert_lt(fabs(t3 - n * p3), 6.0 * sqrt(n * p3), "|xi| > 3: %zu", t3);
    cr_assert_lt(fabs(t45 - n * p45), 6.0 * sqrt(n * p45) + 2.0, "|xi| > 4.5: %zu", t45);
    qsort(z, N, sizeof *z, cmp_float); /* Kolmogorov-Smirnov against Phi */
    double ks = 0.0;
    for (size_t k = 0; k < N; k++) {
        double phi = 0.5 * erfc(-(double)z[k] / sqrt(2.0));
        ks = fmax(ks, fmax(fabs(phi - (double)k / n), fabs(phi - (double)(k + 1) / n)));
    }
    cr_assert_lt(ks, 1.95 / sqrt(n), "KS distance %g", ks);
    free(z);
}

/*
** aihwkit's single-pulse traces (tests/runtime/test_device_traces.c) through the kernels: a 1x1 tile,
** fixed BL 1 without management and lr = the granularity, so that x = -1 (up) or +1 (down)
** with d = 1 fires exactly one pulse per sample. Every weight within 1e-5 of aihwkit's.
*/
typedef struct TraceCase {
    char file[32];
    int family;
} TraceCase;

static size_t read_trace(const char *file, double *w, int *dir, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "tests/data/aihwkit-traces/%s", file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (run the tests from the repository root)", path);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t idx;
        char d[8];
        double v;
        if (line[0] == '#' || sscanf(line, "%zu,%7[a-z],%lf", &idx, d, &v) != 3)
            continue;
        cr_assert_lt(n, cap);
        w[n] = v;
        dir[n] = strcmp(d, "up") == 0 ? 1 : -1;
        n++;
    }
    fclose(f);
    return n;
}

ParameterizedTestParameters(kern, traces_through_the_kernel)
{
    static TraceCase cases[] = {
        {"constantstep_1.csv", IR_DEV_CONSTANT_STEP}, {"softbounds_1.csv", IR_DEV_SOFT_BOUNDS},
        {"linearstep_1.csv", IR_DEV_LINEAR_STEP},     {"expstep_1.csv", IR_DEV_EXP_STEP},
        {"powstep_1.csv", IR_DEV_POW_STEP},
    };
    return cr_make_param_array(TraceCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(TraceCase *c, kern, traces_through_the_kernel)
{
    enum { CAP = 1000 };
    static double want[CAP];
    static int dir[CAP];
    size_t n = read_trace(c->file, want, dir, CAP);
    cr_assert_eq(n, 800);
    IrDevice dev = fx_quiet((IrDevFamily)c->family, 0.01, 1.0);
    if (c->family == IR_DEV_LINEAR_STEP)
        dev.gamma_up = dev.gamma_down = 0.5;
    RtRng r;
    rt_rng_seed(&r, 1, 1);
    RtTile *t = rt_tile_new(1, 1, &dev, &r, false);
    cr_assert_eq(t->planes->fam, c->family == IR_DEV_EXP_STEP  ? RT_KF_EXP
                                 : c->family == IR_DEV_POW_STEP ? RT_KF_POW
                                                                : RT_KF_LINEAR);
    IrUpdate u = {1, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    double lr = rt_device_granularity(&t->dev), worst = 0.0;
    for (size_t k = 0; k < n; k++) {
        float x = dir[k] > 0 ? -1.0f : 1.0f, d = 1.0f;
        rt_tile_update(t, &x, &d, lr, &u, &r);
        double e = fabs((double)t->w[0] - want[k]);
        worst = fmax(worst, e);
        cr_assert_leq(e, 1e-5, "%s pulse %zu: kernel %.9g, aihwkit %.9g", c->file, k + 1,
                      (double)t->w[0], want[k]);
    }
    fprintf(stderr, "kernel trace %s: max |aimci - aihwkit| = %.3g\n", c->file, worst);
    rt_tile_free(t);
}

/*
** Cycle-to-cycle noise through the kernels: one pulse on each of 4096 identical cells (no
** variation), 6 times from w0: the steps have the mean and std of the rule (docs/theory.md §3.2.2),
** within 6 standard errors (se(std) ~ std/sqrt(2n) for near-normal steps).
*/
static void check_kernel_c2c(const IrDevice *dev, double w0, bool up, double mean, double sd,
                             const char *what)
{
    enum { X = 4096, REP = 6, N = X * REP };
    RtRng r;
    rt_rng_seed(&r, 21, 21);
    RtTile *t = rt_tile_new(1, X, dev, &r, false);
    IrUpdate u = {1, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    float *x = malloc(X * sizeof *x), *w = malloc(X * sizeof *w), d = 1.0f;
    double *s = malloc(N * sizeof *s);
    for (size_t j = 0; j < X; j++)
        x[j] = up ? -1.0f : 1.0f, w[j] = (float)w0;
    for (int rep = 0; rep < REP; rep++) {
        rt_tile_set_weights(t, w);
        rt_tile_update(t, x, &d, rt_device_granularity(&t->dev), &u, &r);
        for (size_t j = 0; j < X; j++)
            s[rep * X + j] = (double)t->w[j] - (double)(float)w0;
    }
    double m = fx_mean(s, N), v = sqrt(fx_var(s, N));
    cr_assert_float_eq(m, mean, 6 * sd / sqrt(N) + 1e-7, "%s: mean %.6g want %.6g", what, m,
                       mean);
    cr_assert_float_eq(v, sd, 6 * sd / sqrt(2.0 * N) + 1e-7, "%s: std %.6g want %.6g", what, v,
                       sd);
    rt_tile_free(t);
    free(x), free(w), free(s);
}

Test(kern, c2c_noise_statistics)
{
    IrDevice d = fx_quiet(IR_DEV_SOFT_BOUNDS, 0.01, 1.0);
    d.dw_min_std = 0.3;
    check_kernel_c2c(&d, 0.4, true, 0.006, 0.006 * 0.3, "soft_bounds mult");
    d.mult_noise = false;
    check_kernel_c2c(&d, 0.4, true, 0.006, 0.01 * 0.3, "soft_bounds additive");
    d = fx_quiet(IR_DEV_POW_STEP, 0.01, 1.0);
    d.pow_gamma = 2.0, d.dw_min_std = 0.2;
    check_kernel_c2c(&d, -0.5, true, 0.005625, 0.005625 * 0.2, "pow_step");
    d = fx_quiet(IR_DEV_EXP_STEP, 0.01, 1.0);
    d.dw_min_std = 0.3;
    double z = 2 * d.a * 0.2 / 2.0 + d.b, y = 1 - d.A_up * exp(d.gamma_up * z);
    check_kernel_c2c(&d, 0.2, true, 0.01 * y, 0.01 * y * 0.3, "exp_step");
    d.dw_min_std_add = 0.002, d.dw_min_std_slope = 0.01;
    check_kernel_c2c(&d, 0.2, true, 0.01 * y, 0.3 * (0.01 * y + 0.002 + 0.01 * 0.2),
                     "exp_step complex");
    d = fx_quiet(IR_DEV_POWER, 0.01, 1.0);
    d.gamma_res = 0.5, d.sigma_c = 1.0, d.dw_min_std = 0.3;
    check_kernel_c2c(&d, 0.36, true, 0.008, 0.01 * sqrt(0.8 * 0.8 * 0.09 + 1.0), "power both");
    d = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    d.dw_min_std = 0.3;
    check_kernel_c2c(&d, 0.0, false, -0.01, 0.003, "constant_step down");
}

/*
** ====================================================================================
** Thread pool
** ====================================================================================
*/

typedef struct Hits {
    atomic_int hit[1000];
} Hits;

static void mark(void *ctx, size_t i0, size_t i1)
{
    Hits *h = ctx;
    for (size_t i = i0; i < i1; i++)
        atomic_fetch_add(&h->hit[i], 1);
}

/* Every item exactly once, for several pool sizes, grains and repeated jobs. */
Test(kern, runs_every_item_exactly_once)
{
    for (size_t th = 1; th <= 4; th++) {
        RtPool *p = rt_pool_new(th);
        cr_assert_not_null(p);
        cr_assert_eq(rt_pool_threads(p), th);
        for (size_t grain = 1; grain <= 64; grain *= 4)
            for (int rep = 0; rep < 5; rep++) {
                static Hits h;
                for (size_t i = 0; i < 1000; i++)
                    atomic_store(&h.hit[i], 0);
                rt_pool_run(p, mark, &h, 1000 - (size_t)rep, grain);
                for (size_t i = 0; i < 1000; i++)
                    cr_assert_eq(atomic_load(&h.hit[i]), i < 1000 - (size_t)rep ? 1 : 0);
            }
        rt_pool_free(p);
    }
    rt_pool_free(NULL);
}

/*
** A tile update on 1, 2 or 3 threads: the same weights, counters and stream, bit for bit
** (D X B above the size from which rt_tile.c shares an update among threads).
*/
Test(kern, threads_do_not_change_an_update)
{
    enum { D = 112, X = 40, B = 16 };
    KCase kc = {"", IR_DEV_SOFT_BOUNDS, 2};
    IrDevice dev = kdevice(&kc);
    IrUpdate u = upd(31);
    float x[B * X], d[B * D];
    inputs(x, d, B, D, X, 3);
    RtTile *t[3];
    RtRng r[3];
    for (size_t th = 1; th <= 3; th++) {
        RtPool *p = rt_pool_new(th);
        t[th - 1] = tile(&dev, D, X);
        rt_rng_seed(&r[th - 1], 8, 8);
        for (int rep = 0; rep < 3; rep++)
            rt_tile_update_batch_pool(t[th - 1], x, d, B, 0.02, &u, &r[th - 1], p);
        rt_pool_free(p);
    }
    for (int k = 1; k < 3; k++) {
        cr_assert_eq(memcmp(t[0]->w, t[k]->w, D * X * sizeof(float)), 0, "%d threads", k + 1);
        cr_assert_eq(memcmp(t[0]->wp, t[k]->wp, D * X * sizeof(float)), 0);
        cr_assert_eq(memcmp(rt_tile_pulses(t[0]), rt_tile_pulses(t[k]), D * X * sizeof(uint64_t)), 0);
        cr_assert_eq(memcmp(&r[0], &r[k], sizeof r[0]), 0, "the same draws of the stream");
    }
    for (int k = 0; k < 3; k++)
        rt_tile_free(t[k]);
}

/*
** ====================================================================================
** I/O stages
** ====================================================================================
*/

/* rint in double, ties to even, as the stages quantise. */
static double rint_even(double v)
{
    return nearbyint(v);
}

/*
** RtKern.dac and .adc against a direct double implementation of rt_io.h's stages (exactly:
** the same operations), on every build the CPU runs, with noise, asymmetry, clipping and an
** odd length.
*/
Test(kern, io_stages_match_the_formulas)
{
    enum { N = 1003 };
    float x[N], xi[N], sig[N], v[N], y[N], y0[N];
    RtRng r;
    rt_rng_seed(&r, 17, 17);
    for (size_t k = 0; k < N; k++) {
        x[k] = (float)(3.0 * rt_rng_uniform(&r) - 1.5);
        xi[k] = (float)rt_rng_normal(&r);
        sig[k] = k % 5 ? 0.06f : 0.0f;
        y0[k] = (float)(30.0 * rt_rng_uniform(&r) - 15.0);
    }
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    double step = 1.0 / 63, ostep = 24.0 / 510;
    for (int k = 0; k < nk; k++) {
        ks[k]->dac(v, x, N, 0.8, step, 1.0, 0.05, xi, 0.75, RT_NO_FLOAT_STEP);
        for (size_t j = 0; j < N; j++) {
            double val = rint_even((double)x[j] * 0.8 / step) * step;
            val = fmin(fmax(val, -1.0), 1.0) + 0.05 * (double)xi[j];
            val = val < 0.0 ? val * 0.75 : val;
            cr_assert_eq(v[j], (float)val, "%s dac %zu", ks[k]->name, j);
        }
        memcpy(y, y0, sizeof y);
        bool ok = ks[k]->adc(y, N, sig, xi, 0.9, ostep, 12.0, true, RT_NO_FLOAT_STEP);
        bool want = true;
        for (size_t i = 0; i < N; i++) {
            double val = y0[i] < 0.0f ? (double)y0[i] * 0.9 : (double)y0[i];
            val = rint_even((val + (double)sig[i] * (double)xi[i]) / ostep) * ostep;
            want &= !(val > 12.0 || val < -12.0);
            cr_assert_eq(y[i], (float)fmin(fmax(val, -12.0), 12.0), "%s adc %zu", ks[k]->name, i);
        }
        cr_assert_eq(ok, want);
        cr_assert_not(want, "the data clip somewhere");
    }
}

/*
** The float finish of the stages (RtFloatStep) gives the double finish's values bit for bit
** and the same bound test, on every build: the DAC without noise or asymmetry and the ADC
** with and without noise, over data that clip, sit near half-integers of the step, are
** +-0, or quantise to -0; at the default I/O's steps and others that rt_kern_float_step
** takes. It takes no step whose bound is not a float, and none where a product differs.
*/
Test(kern, io_stages_finish_in_float_as_in_double)
{
    enum { N = 1000 };
    static const double steps[][2] = {
        {1.0 / 63, 1.0}, {24.0 / 510, 12.0}, {0.1, 1.0}, {2.0 / 255, 1.0}, {0.3, 5.0},
    };
    float x[N], xi[N], sig[N], v0[N], v1[N], y0[N], y1[N], yin[N];
    RtRng r;
    rt_rng_seed(&r, 21, 4);
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    int taken = 0;
    for (size_t t = 0; t < sizeof steps / sizeof *steps; t++) {
        double step = steps[t][0], bound = steps[t][1];
        RtFloatStep fs = rt_kern_float_step(step, bound), none = RT_NO_FLOAT_STEP;
        taken += fs.hi != 0.0f;
        for (size_t k = 0; k < N; k++) {
            double u = rt_rng_uniform(&r);
            x[k] = k % 7 == 0   ? (float)((double)(k % 40) - 20.0 + 0.5) * (float)step
                   : k % 11 == 0 ? (k % 2 ? -0.0f : 0.0f)
                   : k % 13 == 0 ? (float)(-0.3 * step)
                                 : (float)(3.0 * u - 1.5);
            xi[k] = (float)rt_rng_normal(&r);
            sig[k] = k % 5 ? 0.06f : 0.0f;
            yin[k] = x[k] * (float)(1.2 * bound);
        }
        for (int k = 0; k < nk; k++) {
            ks[k]->dac(v0, x, N, 1.1, step, bound, 0.0, NULL, 1.0, none);
            ks[k]->dac(v1, x, N, 1.1, step, bound, 0.0, NULL, 1.0, fs);
            cr_assert_eq(memcmp(v0, v1, sizeof v0), 0, "%s dac, step %g", ks[k]->name, step);
            for (int noisy = 0; noisy < 2; noisy++) {
                memcpy(y0, yin, sizeof y0), memcpy(y1, yin, sizeof y1);
                bool ok0 = ks[k]->adc(y0, N, sig, noisy ? xi : NULL, 1.0, step, bound, true, none);
                bool ok1 = ks[k]->adc(y1, N, sig, noisy ? xi : NULL, 1.0, step, bound, true, fs);
                cr_assert_eq(memcmp(y0, y1, sizeof y0), 0, "%s adc, step %g", ks[k]->name, step);
                cr_assert_eq(ok0, ok1, "%s adc's bound test, step %g", ks[k]->name, step);
            }
        }
    }
    cr_assert_geq(taken, 2, "the default I/O's steps at least");
    cr_assert_eq(rt_kern_float_step(1.0 / 63, 0.1).hi, 0.0f, "0.1 is not a float");
    cr_assert_eq(rt_kern_float_step(0.0, 1.0).hi, 0.0f);
}

/*
** The stages round ties to even, as rt_io.h's quotient does: the DAC of x = k + 1/2 at
** scale = step and the ADC of y = -(k + 1/2) at asymmetry = step put val = (k + 1/2) step
** rounded, whose quotient by step is a tie or one ulp off it (where a kernel that
** multiplied by 1 / step instead of dividing could round the other way).
*/
Test(kern, io_stages_round_ties_as_the_division_does)
{
    enum { N = 1001 };
    static const double steps[] = {1.0 / 63, 24.0 / 510, 0.1, 1.0 / 255, 2.0 / 127, 0.3};
    float x[N], v[N], y[N];
    for (size_t k = 0; k < N; k++)
        x[k] = (float)k - 500.0f + 0.5f;
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        double step = steps[s];
        for (int k = 0; k < nk; k++) {
            ks[k]->dac(v, x, N, step, step, 1e9, 0.0, NULL, 1.0, RT_NO_FLOAT_STEP);
            for (size_t i = 0; i < N; i++)
                y[i] = -fabsf(x[i]);
            ks[k]->adc(y, N, NULL, NULL, step, step, 1e9, true, RT_NO_FLOAT_STEP);
            for (size_t j = 0; j < N; j++) {
                double val = (double)x[j] * step;
                cr_assert_eq(v[j], (float)(rint_even(val / step) * step), "%s dac step %g x %g",
                             ks[k]->name, step, x[j]);
                val = -(double)fabsf(x[j]) * step;
                cr_assert_eq(y[j], (float)(rint_even(val / step) * step), "%s adc step %g y %g",
                             ks[k]->name, step, -fabsf(x[j]));
            }
        }
    }
}

/*
** The stages multiply by 1 / step where that gives the quotient's integer, and divide where a
** half-integer lies within rounding of it: with the DAC's scale (the ADC's asymmetry) chosen
** so that x * scale lies a few ulps either side of (k + 1/2) step, for many k and steps, each
** row of 8 quantises as the division does (among them quotients whose product by the
** reciprocal rounds to the other side of the half).
*/
Test(kern, io_stages_quantise_near_halves_as_the_division_does)
{
    enum { L = 8, CASES = 2048 };
    static const double steps[] = {1.0 / 63, 24.0 / 510, 0.1, 1.0 / 255, 2.0 / 127, 0.3,
                                   1.0 / 3, 3e-5};
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        double step = steps[s];
        for (size_t c = 0; c < CASES; c++) {
            float x[L], v[L], y[L];
            for (size_t j = 0; j < L; j++)
                x[j] = 0.75f + 0.03125f * (float)j; /* exact: x * scale differs per lane */
            double m = ((double)(c / 16) - 63.5) * step / (double)x[c % L];
            for (int u = (int)(c % 16 / 2) - 4; u != 0; u += u > 0 ? -1 : 1)
                m = nextafter(m, u > 0 ? INFINITY : -INFINITY);
            for (int k = 0; k < nk; k++) {
                ks[k]->dac(v, x, L, m, step, 1e9, 0.0, NULL, 1.0, RT_NO_FLOAT_STEP);
                for (size_t j = 0; j < L; j++)
                    y[j] = -x[j]; /* negative: the asymmetry |m| applies */
                ks[k]->adc(y, L, NULL, NULL, fabs(m), step, 1e9, true, RT_NO_FLOAT_STEP);
                for (size_t j = 0; j < L; j++) {
                    double val = (double)x[j] * m;
                    cr_assert_eq(v[j], (float)(rint_even(val / step) * step),
                                 "%s dac step %g x %a scale %a", ks[k]->name, step, x[j], m);
                    val = -(double)x[j] * fabs(m);
                    cr_assert_eq(y[j], (float)(rint_even(val / step) * step),
                                 "%s adc step %g y %a asym %a", ks[k]->name, step, -x[j], m);
                }
            }
        }
    }
}

/*
** The float prefilter (2 DW lanes at a time) keeps the integer of the double quotient: rows
** of 32 whose quotients lie a relative 2^-12 to 2^-26 either side of half-integers up to 976
** (the float quotient's own error is up to 2^-22 relative: a narrower margin than 2^-11
** rounds some of them the other way), through the DAC's scale and through the ADC's noise
** sum, without asymmetry (the prefilter's case), against the double formulas.
*/
Test(kern, io_prefilter_keeps_the_double_integer)
{
    enum { L = 32, CASES = 2048 };
    static const double steps[] = {1.0 / 63, 24.0 / 510, 0.1, 1.0 / 255, 2.0 / 127, 1.0 / 3};
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    float x[L], v[L], y0[L], y[L], sig[L], xi[L];
    for (size_t j = 0; j < L; j++)
        x[j] = 0.75f + 0.03125f * (float)j, sig[j] = 0.06f;
    for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
        double step = steps[s];
        for (size_t c = 0; c < CASES; c++) {
            int e = (int)(c % 16) - 8; /* 0: the half itself */
            double rel = e ? ldexp(e > 0 ? 1.0 : -1.0, -12 - 2 * (abs(e) - 1)) : 0.0;
            double h = ((double)(c / 16 % 64) - 31.5) * (c < CASES / 2 ? 1.0 : 31.0); /* to 976 */
            double half = h * step * (1.0 + rel);
            double m = half / (double)x[c % L];
            for (size_t j = 0; j < L; j++) { /* lane c % L near the half, the others near too */
                y0[j] = (float)(half * (1.0 + 0x1p-9 * (double)j));
                xi[j] = (float)((half - (double)y0[j]) / 0.06);
            }
            for (int k = 0; k < nk; k++) {
                ks[k]->dac(v, x, L, m, step, 1e9, 0.0, NULL, 1.0, RT_NO_FLOAT_STEP);
                memcpy(y, y0, sizeof y);
                ks[k]->adc(y, L, sig, xi, 1.0, step, 1e9, true, RT_NO_FLOAT_STEP);
                for (size_t j = 0; j < L; j++) {
                    double val = (double)x[j] * m;
                    cr_assert_eq(v[j], (float)(rint_even(val / step) * step),
                                 "%s dac step %g x %a scale %a", ks[k]->name, step, x[j], m);
                    val = (double)y0[j] + (double)sig[j] * (double)xi[j];
                    cr_assert_eq(y[j], (float)(rint_even(val / step) * step),
                                 "%s adc step %g y %a xi %a", ks[k]->name, step, y0[j], xi[j]);
                }
            }
        }
    }
}

/* C(n, k) p^k (1 - p)^(n - k) in double through lgamma (the test's independent formula). */
static double binom_pmf(int n, int k, double p)
{
    double lc = lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
    return exp(lc + k * log(p) + (n - k) * log1p(-p));
}

/*
** A train's number of fired slots is Binomial(BL, p), as for BL Bernoulli slots: over 2^18
** uniform words each count's tally is within 6 standard deviations of N P(K = k), plus 4 for
** the rare counts, where the normal approximation fails (P(5 or more | mean 0.1) = 8e-8).
*/
Test(kern, train_count_is_binomial)
{
    static const double ps[] = {0.002, 0.05, 0.4, 0.97};
    static const int bls[] = {1, 7, 31, 64};
    enum { N = 1 << 18 };
    for (size_t a = 0; a < 4; a++)
        for (size_t c = 0; c < 4; c++) {
            static unsigned hist[65];
            memset(hist, 0, sizeof hist);
            RtRng r;
            rt_rng_seed(&r, 41, a * 4 + c);
            for (int s = 0; s < N; s++)
                hist[rt_kern_train_count((uint32_t)(rt_rng_next(&r) >> 32), ps[a], bls[c])]++;
            for (int k = 0; k <= bls[c]; k++) {
                double q = binom_pmf(bls[c], k, ps[a]);
                cr_assert_leq(fabs(hist[k] - N * q), 6 * sqrt(N * q * (1 - q)) + 4,
                              "p %g BL %d: K = %d %u times, want %g", ps[a], bls[c], k,
                              hist[k], N * q);
            }
        }
    cr_assert_eq(rt_kern_train_count(UINT32_MAX, 0.0, 31), 0, "p = 0 never fires");
    cr_assert_eq(rt_kern_train_count(0, 1.0, 31), 31, "p = 1 fires every slot");
}

/*
** Every build's RtKern.train_counts gives each row rt_kern_train_count's K (its vector sums
** are the scalar one's operations lane by lane) and says whether one is above 0: rows of
** 1..37 (partial groups of 8), every BL, errors from 0 to far past p = 1 (a row that fires
** every slot), NaN, and groups where most rows fire (a transfer's write) or none does.
*/
Test(kern, train_counts_match_the_scalar_count)
{
    const RtKern *ks[3];
    const char *env[3];
    int nk = kern_builds(ks, env);
    enum { DMAX = 37 };
    uint32_t ru[DMAX + 8];
    float d[DMAX + 8];
    RtRng r;
    rt_rng_seed(&r, 43, 43);
    for (int rep = 0; rep < 3000; rep++) {
        size_t D = (size_t)rep % DMAX + 1;
        int bl = rep % 64 + 1;
        double pa = rep % 5 == 0 ? 0.01 : 0.2 + 2.0 * rt_rng_uniform(&r);
        for (size_t i = 0; i < D; i++) {
            ru[i] = (uint32_t)(rt_rng_next(&r) >> 32);
            d[i] = (float)(rt_rng_uniform(&r) * (rep % 7 == 0 ? 4.0 : 0.8) - 0.4);
        }
        if (rep % 11 == 0)
            d[rep % D] = NAN;
        for (int k = 0; k < nk; k++) {
            uint8_t kc[DMAX + 8];
            bool any = ks[k]->train_counts(kc, ru, d, D, pa, bl), want = false;
            for (size_t i = 0; i < D; i++) {
                int K = rt_kern_train_count(ru[i], pa * fabs((double)d[i]), bl);
                cr_assert_eq(kc[i], K, "%s: row %zu of %zu, BL %d, p %g", ks[k]->name, i, D,
                             bl, pa * fabs((double)d[i]));
                want |= K > 0;
            }
            cr_assert_eq(any, want, "%s: whether a row fires", ks[k]->name);
        }
    }
}

/*
** The fired slots are a uniform subset of their number: exactly k slots, each slot taken
** with frequency k/BL (6 standard errors over 2^16 trains), the same in every build.
*/
Test(kern, row_slots_are_uniform_subsets)
{
    enum { N = 1 << 16, BL = 31 };
    static const int ks[] = {1, 3, 9, 31};
    const RtKern *kb[3];
    const char *env[3];
    int nk = kern_builds(kb, env);
    for (size_t a = 0; a < 4; a++) {
        unsigned hits[BL] = {0};
        RtRng8 g[3];
        rt_rng8_seed(&g[0], 77, a);
        g[1] = g[2] = g[0];
        for (int s = 0; s < N; s++) {
            uint64_t t = rt_kern_base.row_slots(&g[0], ks[a], BL);
            for (int k = 1; k < nk; k++)
                cr_assert_eq(t, kb[k]->row_slots(&g[k], ks[a], BL), "%s agrees", kb[k]->name);
            cr_assert_eq(__builtin_popcountll(t), ks[a]);
            cr_assert_eq(t >> BL, 0u, "no slot beyond BL");
            for (int j = 0; j < BL; j++)
                hits[j] += t >> j & 1;
        }
        double q = ks[a] / (double)BL, se = sqrt(q * (1 - q) / N);
        for (int j = 0; j < BL; j++)
            cr_assert_leq(fabs(hits[j] / (double)N - q), 6 * se + 1e-12, "k %d slot %d: %g",
                          ks[a], j, hits[j] / (double)N);
    }
}
