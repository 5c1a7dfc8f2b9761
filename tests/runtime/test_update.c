/*
** test_update.c: the pulsed update of a tile (docs/theory.md §2.3-2.4).
**
** The device is a noise-free constant_step with dw = 2^-10, no d2d and bounds +-100, so one
** pulse moves a weight by exactly -s*dw and nothing clips: Delta W of a sample is dw times
** the signed coincidence count. Each sample starts from W = 0.
** Statistics over N samples: n_ij ~ Binomial(BL, p) with p = p_d[i]*p_x[j], so the mean
** count has standard error sqrt(BL p (1-p)/N); tolerances are 6 standard errors.
**
** x, d, dw and the learning rates of the exact-count tests are dyadic, so that
** k = lr max|x| max|d| / dw is computed exactly: with the decimal example of
** docs/theory.md §2.3 (dw 1e-3, d 0.2 as a float) k comes out as 2.00000003 and
** ceil(k) = 3 pulse slots.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixtures.h"
#include "rt_tile.h"
#include "rt_vec.h"

#define D 3
#define X 4
#define DW 0x1p-10 /* 0.0009765625 */

static const float XV[X] = {1.0f, 0.5f, -0.25f, 0.0f};
static const float DV[D] = {0.125f, -0.25f, 0.0625f};

/* Counts of one run: per-sample signed Delta W / dw and pulse counts, for N samples. */
typedef struct Runs {
    size_t n;
    double *dw;  /* (n, D*X) signed Delta W in units of dw */
    double *cnt; /* (n, D*X) pulses received */
} Runs;

static RtTile *quiet_tile(RtRng *r)
{
    IrDevice ir = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 100.0);
    return rt_tile_new(D, X, &ir, r, true);
}

/* N samples of (x, d) at lr with update u, each from W = 0. */
static Runs run_samples(size_t n, const float *x, const float *d, double lr, const IrUpdate *u)
{
    Runs rs = {n, calloc(n * D * X, sizeof(double)), calloc(n * D * X, sizeof(double))};
    RtRng r;
    rt_rng_seed(&r, 5, 5);
    RtTile *t = quiet_tile(&r);
    for (size_t s = 0; s < n; s++) {
        uint64_t before[D * X];
        memcpy(before, rt_tile_pulses(t), sizeof before);
        memset(t->w, 0, D * X * sizeof(float));
        rt_tile_update(t, x, d, lr, u, &r);
        for (size_t k = 0; k < D * X; k++) {
            rs.dw[s * D * X + k] = t->w[k] / DW;
            rs.cnt[s * D * X + k] = (double)(rt_tile_pulses_at(t, k) - before[k]);
        }
    }
    rt_tile_free(t);
    return rs;
}

static void free_runs(Runs *rs)
{
    free(rs->dw);
    free(rs->cnt);
}

/* Column k of a (n, D*X) table. */
static double *column(const double *tab, size_t n, size_t k)
{
    double *c = malloc(n * sizeof *c);
    for (size_t s = 0; s < n; s++)
        c[s] = tab[s * D * X + k];
    return c;
}

/*
** The worked examples of docs/theory.md §2.3 in dyadic form: lr = 2^-7 gives k = 2 exactly, so
** BL = 2, A = 4, B = 1 (p_d[1] = p_x[0] = 1); lr = 1 gives k = 256 > 31, so BL = 31, the d
** side is clipped (A = 1024/31) and the x side keeps p_x[0] = 1.
*/
Test(update, plan_of_the_worked_examples)
{
    IrUpdate u = fx_update();
    RtPulsePlan p;
    cr_assert(rt_pulse_plan(&p, XV, X, DV, D, 0x1p-7, DW, &u));
    cr_assert_eq(p.bl, 2);
    cr_assert_float_eq(p.a, 4.0, 1e-12);
    cr_assert_float_eq(p.b, 1.0, 1e-12);
    cr_assert(rt_pulse_plan(&p, XV, X, DV, D, 1.0, DW, &u));
    cr_assert_eq(p.bl, 31);
    cr_assert_float_eq(p.a, 1024.0 / 31, 1e-9);
    cr_assert_float_eq(p.b, 1.0, 1e-12);
}

/* docs/theory.md §2.3's decimal example at lr = 1 (no ceil near an integer): A = 32.26, B = 1.0. */
Test(update, plan_of_the_decimal_example)
{
    static const float d[D] = {0.1f, -0.2f, 0.05f};
    IrUpdate u = fx_update();
    RtPulsePlan p;
    cr_assert(rt_pulse_plan(&p, XV, X, d, D, 1.0, 1e-3, &u));
    cr_assert_eq(p.bl, 31);
    cr_assert_float_eq(p.a, 32.26, 0.005);
    cr_assert_float_eq(p.b, 1.0, 1e-6);
}

/* Without UM/UBLM: BL = desired_bl and a = b = sqrt(lr/(dw*BL)); with them, BL = ceil(k). */
Test(update, plan_without_management_and_bl_ceiling)
{
    IrUpdate u = {31, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    RtPulsePlan p;
    cr_assert(rt_pulse_plan(&p, XV, X, DV, D, 0.5, DW, &u));
    cr_assert_eq(p.bl, 31);
    cr_assert_float_eq(p.a, sqrt(0.5 / (DW * 31)), 1e-9);
    cr_assert_float_eq(p.b, p.a, 0.0);
    u = fx_update();
    cr_assert(rt_pulse_plan(&p, XV, X, DV, D, 0.0201, DW, &u)); /* k = 5.15 */
    cr_assert_eq(p.bl, 6);
    cr_assert_float_eq(p.a * p.b, 0.0201 / (DW * 6), 1e-9); /* keeps E[dW] = -lr d x^T */
    float zero[X] = {0};
    cr_assert_not(rt_pulse_plan(&p, zero, X, DV, D, 0.01, DW, &u));
    cr_assert_not(rt_pulse_plan(&p, XV, X, DV, D, 0.0, DW, &u));
}

/*
** A batch's plans (rt_pulse_plans: the samples in vector lanes) are bit for bit those of each
** sample alone: 37 samples (full vectors and a remainder) of every case, k from 1e-3 to past
** BL, x or d all zero, a NaN, an infinity; with UM, UBLM alone, and neither.
*/
Test(update, plans_of_a_batch_are_those_of_each_sample)
{
    enum { NB = 37, PX = 5, PD = 4 };
    float x[NB * PX], d[NB * PD];
    for (int k = 0; k < NB * PX; k++)
        x[k] = (float)(sin(1.3 * k) * pow(10.0, k % 7 - 3));
    for (int k = 0; k < NB * PD; k++)
        d[k] = (float)(cos(0.7 * k) * pow(10.0, k % 5 - 2));
    for (int k = 0; k < PX; k++)
        x[3 * PX + k] = 0.0f;  /* sample 3: x all zero */
    for (int k = 0; k < PD; k++)
        d[8 * PD + k] = 0.0f;  /* sample 8: d all zero */
    d[11 * PD + 2] = NAN;      /* sample 11 */
    x[20 * PX + 1] = INFINITY; /* sample 20 */
    IrUpdate ways[3] = {fx_update(), fx_update(), fx_update()};
    ways[1].update_management = false; /* UBLM alone */
    ways[2].update_management = ways[2].update_bl_management = false;
    for (int w = 0; w < 3; w++)
        for (int e = -3; e <= 2; e++) {
            double lr = pow(10.0, e) * (e % 2 ? -1.0 : 1.0);
            RtPulsePlan batch[NB];
            bool on[NB];
            rt_pulse_plans(batch, on, x, NULL, PX, d, PD, NB, lr, DW, &ways[w]);
            for (int b = 0; b < NB; b++) {
                RtPulsePlan one;
                bool alone = rt_pulse_plan(&one, x + b * PX, PX, d + b * PD, PD, lr, DW, &ways[w]);
                cr_assert_eq(on[b], alone, "way %d, lr %g, sample %d", w, lr, b);
                if (alone)
                    cr_assert(batch[b].bl == one.bl && memcmp(&batch[b].a, &one.a, 8) == 0 &&
                                  memcmp(&batch[b].b, &one.b, 8) == 0,
                              "way %d, lr %g, sample %d: BL %d a %.17g b %.17g alone BL %d a "
                              "%.17g b %.17g", w, lr, b, batch[b].bl, batch[b].a, batch[b].b,
                              one.bl, one.a, one.b);
            }
        }
}

/*
** An update given each sample's rt_absmax of x (rt_tile_update_batch_max: a layer's forward
** took them) is bit for bit the update that takes them itself, over more samples than a
** group of plans; the maxima are what the plans use (doubled ones give other weights).
*/
Test(update, given_row_maxima_give_the_same_update)
{
    enum { NB = 70, PX = 6, PD = 5 };
    float x[NB * PX], d[NB * PD], xmax[NB], twice[NB];
    for (int k = 0; k < NB * PX; k++)
        x[k] = (float)(sin(1.3 * k) * 0.8);
    for (int k = 0; k < NB * PD; k++)
        d[k] = (float)(cos(0.7 * k) * 0.05);
    for (int b = 0; b < NB; b++)
        xmax[b] = rt_absmax(x + b * PX, PX), twice[b] = 2.0f * xmax[b];
    IrUpdate u = fx_update();
    IrDevice ir = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 100.0);
    float *w[3];
    const float *given[3] = {NULL, xmax, twice};
    for (int k = 0; k < 3; k++) {
        RtRng r;
        rt_rng_seed(&r, 5, 7);
        RtTile *t = rt_tile_new(PD, PX, &ir, &r, true);
        rt_tile_update_batch_max(t, x, given[k], d, NB, 0.05, &u, &r, NULL);
        w[k] = malloc(PD * PX * sizeof *w[k]);
        memcpy(w[k], t->w, PD * PX * sizeof *w[k]);
        rt_tile_free(t);
    }
    cr_assert(memcmp(w[0], w[1], PD * PX * sizeof *w[0]) == 0, "given maxima: other weights");
    cr_assert(memcmp(w[0], w[2], PD * PX * sizeof *w[0]) != 0, "doubled maxima: the same");
    free(w[0]), free(w[1]), free(w[2]);
}

/* lr 2^-7: p_d[1] = p_x[0] = 1 and BL = 2, so (1,0) gets exactly 2 up pulses every time. */
Test(update, k_2_gives_exactly_two_pulses_at_the_largest_element)
{
    IrUpdate u = fx_update();
    Runs rs = run_samples(300, XV, DV, 0x1p-7, &u);
    for (size_t s = 0; s < rs.n; s++) {
        cr_assert_eq(rs.cnt[s * D * X + 1 * X + 0], 2.0);
        cr_assert_eq(rs.dw[s * D * X + 1 * X + 0], 2.0); /* d < 0, x > 0: up */
    }
    free_runs(&rs);
}

/* lr 1: k = 256 > 31, d is clipped: column 0 gets exactly 31 pulses in every row. */
Test(update, lr_1_clips_d_so_column_0_gets_31_pulses_in_every_row)
{
    IrUpdate u = fx_update();
    Runs rs = run_samples(200, XV, DV, 1.0, &u);
    for (size_t s = 0; s < rs.n; s++)
        for (size_t i = 0; i < D; i++)
            cr_assert_eq(rs.cnt[s * D * X + i * X + 0], 31.0, "sample %zu row %zu", s, i);
    /* column 1: p_x = 0.5, every p_d >= 1: Binomial(31, 0.5), mean 15.5 */
    double *c = column(rs.cnt, rs.n, 1 * X + 1);
    cr_assert_float_eq(fx_mean(c, rs.n), 15.5, 6 * sqrt(31 * 0.25 / rs.n));
    free(c);
    free_runs(&rs);
}

Test(update, zero_x_or_zero_d_fire_nothing)
{
    float zx[X] = {0}, zd[D] = {0};
    IrUpdate with = fx_update(), without = {31, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    const IrUpdate *us[2] = {&with, &without};
    for (int k = 0; k < 2; k++) {
        Runs a = run_samples(50, zx, DV, 0.1, us[k]), b = run_samples(50, XV, zd, 0.1, us[k]);
        for (size_t q = 0; q < 50 * D * X; q++)
            cr_assert(a.cnt[q] == 0 && b.cnt[q] == 0 && a.dw[q] == 0 && b.dw[q] == 0);
        free_runs(&a);
        free_runs(&b);
    }
}

/*
** E[Delta W] = -lr d x^T, i.e. E[signed count] = -lr d_i x_j / dw, within 6 standard errors
** of the mean of N binomial counts, with p = p_d[i] p_x[j] from the (separately checked) plan.
*/
static void check_mean_update(double lr, const IrUpdate *u, size_t n)
{
    RtPulsePlan p;
    cr_assert(rt_pulse_plan(&p, XV, X, DV, D, lr, DW, u));
    Runs rs = run_samples(n, XV, DV, lr, u);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < X; j++) {
            double q = fmin(p.a * fabs(DV[i]), 1.0) * fmin(p.b * fabs(XV[j]), 1.0);
            double *c = column(rs.dw, n, i * X + j);
            double want = -lr * DV[i] * XV[j] / DW;
            double se = sqrt(p.bl * q * (1 - q) / n);
            cr_assert_float_eq(fx_mean(c, n), want, 6 * se + 1e-9, "(%zu,%zu)", i, j);
            free(c);
        }
    free_runs(&rs);
}

Test(update, mean_update_is_minus_lr_d_xT_with_management)
{
    IrUpdate u = fx_update();
    check_mean_update(0.01, &u, 20000);
    check_mean_update(0.05, &u, 5000);
}

Test(update, mean_update_is_minus_lr_d_xT_with_fixed_bl)
{
    IrUpdate u = {31, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    check_mean_update(0.01, &u, 20000);
}

/*
** Fixed BL 31 without management, lr 0.5 on x, d scaled so every p is in (0,1):
** the count has mean BL p and variance BL p(1-p). The sample variance s^2 of N draws has
** variance (mu4 - sigma^4 (N-3)/(N-1))/N, with mu4 = BL p q (1 + 3(BL-2) p q) for a binomial.
*/
Test(update, pulse_counts_are_binomial)
{
    static const float x[X] = {0.2f, 0.1f, -0.05f, 0.0f}, d[D] = {0.1f, -0.2f, 0.05f};
    IrUpdate u = {31, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    const size_t n = 20000;
    double s = sqrt(0.5 / (DW * 31));
    Runs rs = run_samples(n, x, d, 0.5, &u);
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < X; j++) {
            double p = s * fabs(d[i]) * s * fabs(x[j]), q = 1 - p, var = 31 * p * q;
            double mu4 = 31 * p * q * (1 + 3 * (31 - 2) * p * q);
            double *c = column(rs.cnt, n, i * X + j);
            cr_assert_float_eq(fx_mean(c, n), 31 * p, 6 * sqrt(var / n) + 1e-12);
            double se_var = sqrt((mu4 - var * var * (n - 3.0) / (n - 1.0)) / n);
            cr_assert_float_eq(fx_var(c, n), var, 6 * se_var + 1e-12, "(%zu,%zu)", i, j);
            free(c);
        }
    free_runs(&rs);
}

/*
** Trains are shared along rows and columns, so counts in one row are correlated:
** Cov(n_ij, n_ik) = BL p_d (1 - p_d) p_xj p_xk per docs/theory.md §2.4 (independent per-weight
** binomials would give 0). Standard error of a sample covariance, normal theory:
** sqrt((var_j var_k + cov^2)/N).
*/
Test(update, counts_in_a_row_share_the_row_train)
{
    static const float x[X] = {0.2f, 0.1f, -0.05f, 0.0f}, d[D] = {0.1f, -0.2f, 0.05f};
    IrUpdate u = {31, false, false, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    const size_t n = 20000;
    double s = sqrt(0.5 / (DW * 31));
    Runs rs = run_samples(n, x, d, 0.5, &u);
    size_t i = 1;
    double pd = s * 0.2, p0 = s * 0.2, p1 = s * 0.1;
    double *a = column(rs.cnt, n, i * X + 0), *b = column(rs.cnt, n, i * X + 1);
    double ma = fx_mean(a, n), mb = fx_mean(b, n), cov = 0.0;
    for (size_t k = 0; k < n; k++)
        cov += (a[k] - ma) * (b[k] - mb);
    cov /= (double)(n - 1);
    double want = 31 * pd * (1 - pd) * p0 * p1;
    double va = 31 * pd * p0 * (1 - pd * p0), vb = 31 * pd * p1 * (1 - pd * p1);
    cr_assert_float_eq(cov, want, 6 * sqrt((va * vb + want * want) / n));
    cr_assert_gt(want, 6 * sqrt((va * vb + want * want) / n), "the test can tell 0 apart");
    free(a), free(b);
    free_runs(&rs);
}

/* sign(lr) enters the direction: a negative lr gives the opposite Delta W. */
Test(update, negative_lr_flips_the_direction)
{
    IrUpdate u = fx_update();
    Runs pos = run_samples(10, XV, DV, 0x1p-7, &u), neg = run_samples(10, XV, DV, -0x1p-7, &u);
    for (size_t s = 0; s < 10; s++) {
        cr_assert_eq(pos.dw[s * D * X + 1 * X + 0], 2.0);
        cr_assert_eq(neg.dw[s * D * X + 1 * X + 0], -2.0);
    }
    free_runs(&pos);
    free_runs(&neg);
}

/*
** A batch is applied sample by sample with the full lr: B copies of a p = 1 sample
** (x = [1], d = [1], lr = dw*BL with UM: k = BL) move the weight down by B*BL*dw.
*/
Test(update, batch_samples_are_sequential_and_not_averaged)
{
    IrDevice ir = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 100.0);
    RtRng r;
    rt_rng_seed(&r, 8, 0);
    RtTile *t = rt_tile_new(1, 1, &ir, &r, true);
    float x[3] = {1, 1, 1}, d[3] = {1, 1, 1};
    IrUpdate u = fx_update();
    rt_tile_update_batch(t, x, d, 3, 31 * DW, &u, &r);
    cr_assert_eq(rt_tile_pulses_at(t, 0), 93);
    cr_assert_float_eq(t->w[0], -93 * DW, 1e-6);
    rt_tile_free(t);
}

/*
** The kernels count pulses in 16 bits and add them into the 64-bit counters before they could
** overflow: p = 1 samples (31 pulses each) on a 2 x 1 tile, 3000 in one batch and then 50 batches
** of 100 (beyond 65535 either way) count every pulse.
*/
Test(update, pulse_counts_pass_16_bits)
{
    IrDevice ir = fx_quiet(IR_DEV_CONSTANT_STEP, DW, 1e6);
    RtRng r;
    rt_rng_seed(&r, 8, 0);
    RtTile *t = rt_tile_new(2, 1, &ir, &r, true);
    enum { B = 3000 };
    static float x[B], d[2 * B];
    for (size_t k = 0; k < B; k++)
        x[k] = 1, d[2 * k] = 1, d[2 * k + 1] = 1;
    IrUpdate u = fx_update();
    rt_tile_update_batch(t, x, d, B, 31 * DW, &u, &r);
    cr_assert_eq(rt_tile_pulses_at(t, 0), 31 * B);
    for (int rep = 0; rep < 50; rep++)
        rt_tile_update_batch(t, x, d, 100, 31 * DW, &u, &r);
    const uint64_t *n = rt_tile_pulses(t);
    cr_assert_eq(n[0], 31 * (B + 5000));
    cr_assert_eq(n[1], 31 * (B + 5000));
    cr_assert_eq(rt_tile_pulses_at(t, 1), 31 * (B + 5000), "nothing staged after the flush");
    rt_tile_free(t);
}

/* Same tile, same stream: the same weights bit for bit. */
Test(update, update_is_deterministic)
{
    IrUpdate u = fx_update();
    Runs a = run_samples(100, XV, DV, 0.05, &u), b = run_samples(100, XV, DV, 0.05, &u);
    cr_assert_eq(memcmp(a.dw, b.dw, 100 * D * X * sizeof(double)), 0);
    free_runs(&a);
    free_runs(&b);
}
