/*
** test_algo.c: every training algorithm (runtime/rt_algo.h, docs/theory.md §5) on a tiny layer
** against steps computed by hand and by a reference written from the pseudo-code of §5.
**
** The layer is D = 2 by X = 3 on an ideal device (dw_min DW = 0.03): gradient updates and
** pulsed transfer writes are the exact W -= lr d x^T (in double, rounded to float once), a
** single pulse moves a weight by exactly +-DW, the granularity (so the threshold) is DW, and
** the transfer reads go through the perfect I/O (y = L e_c exactly). Nothing is random, so
** the reference below (float storage, the same rounding points) must agree to float
** rounding of the visible weights: 1e-6.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo_fixtures.h"
#include "rt_algo.h"

#define D 2
#define X 3
#define N (D * X)
#define DW 0.03
#define TOL 1e-6

/* The layer, its tile and its algorithm. */
typedef struct Fx {
    IrDevice dev, fast;
    IrIO io;
    IrLayer L;
    IrOptimizer o;
    RtTile *w;
    RtRng upd;
    RtAlgo *a;
} Fx;

static const float W0[N] = {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, -0.3f};

/* The optimizer of kind k (lr 0.1, transfer_lr 0.5 unscaled, perfect transfer reads). */
static void fx_init(Fx *f, IrOptKind k)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_quiet(IR_DEV_IDEAL, DW, 1.0);
    f->io = fx_perfect_io();
    f->L = (IrLayer){.kind = IR_LAYER_DENSE, .in = X, .out = D, .on = &f->dev};
    f->o = fx_optimizer(k, 0.1);
    f->o.transfer_lr = 0.5;
    f->o.scale_transfer_lr = false;
    f->o.transfer_io = &f->io;
}

/* Build the tile (weights W0) and the algorithm of f->o. */
static void fx_open(Fx *f)
{
    RtRng d2d, d2d2;
    rt_rng_seed(&d2d, 3, 1);
    rt_rng_seed(&d2d2, 3, 2);
    rt_rng_seed(&f->upd, 3, 3);
    f->w = rt_tile_new(D, X, &f->dev, &d2d, true);
    rt_tile_set_weights(f->w, W0);
    f->a = rt_algo_new(&f->w, &f->L, &f->o, &f->upd, 9, 0, 4, &d2d2);
    cr_assert_not_null(f->a);
}

static void fx_close(Fx *f)
{
    rt_algo_free(f->a);
    rt_tile_free(f->w);
}

/* The sample of step s (1-based): mixed signs, no value near a threshold by construction. */
static void sample(float *x, float *d, size_t s)
{
    x[0] = (float)(0.7 - 0.13 * (double)s);
    x[1] = (float)(-0.4 + 0.05 * (double)s);
    x[2] = (float)(s % 2 ? 0.9 : -0.6);
    d[0] = (float)(0.35 - 0.02 * (double)s);
    d[1] = (float)(-0.25 + 0.07 * (double)s);
}

/*
** {======================================================================
** The reference
** =======================================================================
*/

typedef struct Ref {
    const IrOptimizer *o;
    size_t K, t, sweep, col[RT_ALGO_MAX_ARRAYS], every[RT_ALGO_MAX_ARRAYS];
    float a[RT_ALGO_MAX_ARRAYS][N]; /* a[K-1] is W */
    float h[N], mu[N], mup[N];
    float cin[X], cout[D], cs;
    bool sw[X];
    RtRng chop; /* the same stream as the algorithm's (only with random choppers) */
} Ref;

static void ref_init(Ref *r, const IrOptimizer *o, size_t K)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->K = K;
    memcpy(r->a[K - 1], W0, sizeof W0);
    for (size_t j = 0; j < X; j++)
        r->cin[j] = 1.0f;
    for (size_t i = 0; i < D; i++)
        r->cout[i] = 1.0f;
    r->cs = 1.0f;
    double g = 1.0;
    if (o->kind == IR_OPT_MULTI_TILE)
        g = o->transfer_growth > 0 ? o->transfer_growth : (double)X / o->n_reads_per_transfer;
    for (size_t k = 0; k < K; k++)
        r->every[k] = (size_t)round((double)o->transfer_every * pow(g, (double)k));
    rt_rng_seed(&r->chop, 9, RT_STREAM_ALGO(0, RT_ALGO_CHOP));
}

/* The exact update w -= lr d x^T of an ideal array, rounded once per weight. */
static void exact(float *w, const float *x, const float *d, double lr)
{
    for (size_t i = 0; i < D; i++) {
        double g = lr * (double)d[i];
        for (size_t j = 0; j < X; j++)
            w[i * X + j] = (float)((double)w[i * X + j] - g * (double)x[j]);
    }
}

/* |n| pulses of +-DW on W[e]. */
static void pulses(Ref *r, size_t e, long n)
{
    float *w = &r->a[r->K - 1][e];
    for (long q = 0; q < labs(n); q++)
        *w = (float)((double)*w + (n > 0 ? DW : -DW));
}

/* The gradient step of arr[0] with the choppers of the kind. */
static void ref_grad(Ref *r, const float *x, const float *d)
{
    float xs[X], ds[D];
    bool cols = r->o->kind == IR_OPT_C_TTV2 || r->o->kind == IR_OPT_AGAD;
    for (size_t j = 0; j < X; j++)
        xs[j] = cols ? x[j] * r->cin[j] : x[j];
    for (size_t i = 0; i < D; i++)
        ds[i] = d[i] * (cols ? r->cout[i] : r->cs);
    if (r->o->kind == IR_OPT_MIXED_PRECISION) {
        for (size_t i = 0; i < D; i++)
            for (size_t j = 0; j < X; j++)
                r->h[i * X + j] = (float)((double)r->h[i * X + j] +
                                          r->o->lr * (double)d[i] * (double)x[j]);
        return;
    }
    exact(r->a[0], xs, ds, r->o->lr);
}

/* n = clamp(trunc(h/DW), +-transfer_bl). */
static long count(const Ref *r, double h)
{
    double n = trunc(h / (r->o->thres_scale * DW)), bl = r->o->transfer_bl;
    return (long)fmax(-bl, fmin(bl, n));
}

/* Chain transfer of column c from a[k] into a[k+1]: a[k+1][:, c] += lr_t a[k][:, c]. */
static void ref_chain_col(Ref *r, size_t k, size_t c)
{
    float e[X] = {0}, y[D];
    e[c] = 1.0f;
    for (size_t i = 0; i < D; i++)
        y[i] = -r->a[k][i * X + c];
    exact(r->a[k + 1], e, y, r->o->transfer_lr);
}

/* The buffered families' column c (docs/theory.md §5.4-5.6, in weight units). */
static void ref_buffered_col(Ref *r, size_t c)
{
    const IrOptimizer *o = r->o;
    bool agad = o->kind == IR_OPT_AGAD, chop = o->kind != IR_OPT_TTV2;
    size_t ns = o->in_chop_prob > 0 ? (size_t)fmax(ceil(1.0 / o->in_chop_prob), 2) : 1u << 30;
    double b = fmin(o->tail_weightening / (double)ns, 1.0);
    for (size_t i = 0; i < D; i++) {
        size_t e = i * X + c;
        if (agad && r->sw[c])
            r->mup[e] = r->mu[e];
        double v = r->a[0][e] - (agad ? r->mup[e] : 0.0f);
        double lrt = o->transfer_lr * (o->gamma > 0 ? o->gamma : 1.0); /* gamma_A/gamma_C */
        double h = r->h[e] + lrt * v * (chop ? r->cout[i] * r->cin[c] : 1.0f);
        long n = count(r, h);
        if (n) {
            h = o->forget_buffer ? o->momentum * h : h - (1 - o->momentum) * n * DW;
            if (!agad || r->sweep > ns)
                pulses(r, e, n);
        }
        r->h[e] = (float)h;
        if (agad)
            r->mu[e] = (float)((1 - b) * r->mu[e] + b * r->a[0][e]);
    }
    r->sw[c] = false;
    if (chop && o->in_chop_prob > 0) {
        bool flip = o->in_chop_random ? rt_rng_uniform(&r->chop) < o->in_chop_prob
                                      : r->sweep % ns == ns - 1;
        if (flip)
            r->cin[c] = -r->cin[c], r->sw[c] = true;
    }
    if (c == X - 1) {
        if (chop && o->out_chop_prob > 0)
            for (size_t i = 0; i < D; i++)
                if (rt_rng_uniform(&r->chop) < o->out_chop_prob)
                    r->cout[i] = -r->cout[i];
        r->sweep++;
    }
}

/* The transfer of column c (the step's reads) for the kinds with K = 2 but the chain. */
static void ref_col(Ref *r, size_t c)
{
    const IrOptimizer *o = r->o;
    float e[X] = {0}, y[D];
    switch (o->kind) {
    case IR_OPT_RESIDUAL_V2:
        for (size_t i = 0; i < D; i++) {
            size_t k = i * X + c;
            double h = (1 - o->beta) * r->h[k] + o->beta * r->a[0][k];
            long n = count(r, h);
            pulses(r, k, n);
            r->h[k] = (float)(h - n * DW);
        }
        break;
    case IR_OPT_RIDER:
    case IR_OPT_E_RIDER:
        e[c] = 1.0f;
        for (size_t i = 0; i < D; i++) {
            size_t k = i * X + c;
            double old = r->h[k];
            r->h[k] = (float)((1 - o->eta) * old + o->eta * r->a[0][k]);
            y[i] = (float)(-r->cs * (r->a[0][k] - old));
        }
        exact(r->a[1], e, y, o->transfer_lr);
        break;
    default: ref_buffered_col(r, c); break;
    }
}

/* One step of the reference. */
static void ref_step(Ref *r, const float *x, const float *d)
{
    const IrOptimizer *o = r->o;
    ref_grad(r, x, d);
    r->t++;
    if (o->kind == IR_OPT_MIXED_PRECISION) {
        if (r->t % o->transfer_every == 0)
            for (size_t e = 0; e < N; e++) {
                long n = count(r, r->h[e]);
                r->h[e] = (float)((double)r->h[e] - n * DW);
                pulses(r, e, -n);
            }
        return;
    }
    bool chain = o->kind == IR_OPT_TIKI_TAKA || o->kind == IR_OPT_RESIDUAL ||
                 o->kind == IR_OPT_MULTI_TILE;
    size_t nr = o->n_reads_per_transfer;
    for (size_t k = 0; k + 1 < r->K; k++) {
        if (r->t % r->every[k] || (!chain && k > 0))
            continue;
        for (size_t q = 0; q < nr; q++) {
            size_t c = (r->col[k] + q) % X;
            if (chain)
                ref_chain_col(r, k, c);
            else
                ref_col(r, c);
        }
        r->col[k] = (r->col[k] + nr) % X;
    }
    if (o->kind == IR_OPT_E_RIDER && rt_rng_uniform(&r->chop) < o->in_chop_prob)
        r->cs = -r->cs;
}

/* The visible weights of the reference. */
static void ref_vis(const Ref *r, float *vis)
{
    bool rider = r->o->kind == IR_OPT_RIDER || r->o->kind == IR_OPT_E_RIDER;
    bool cols = r->o->kind == IR_OPT_C_TTV2 || r->o->kind == IR_OPT_AGAD;
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < X; j++) {
            size_t e = i * X + j;
            double s = cols ? r->cout[i] * r->cin[j] : r->cs;
            double v = pow(r->o->gamma, (double)(r->K - 1)) * s *
                       ((double)r->a[0][e] - (rider ? (double)r->h[e] : 0.0));
            for (size_t k = 1; k < r->K; k++)
                v += pow(r->o->gamma, (double)(r->K - 1 - k)) * (double)r->a[k][e];
            vis[e] = (float)v;
        }
}

/* }====================================================================== */

/* Step the algorithm and the reference `steps` times, comparing everything after each. */
static void run_against_reference(Fx *f, size_t K, size_t steps)
{
    fx_open(f);
    Ref r;
    ref_init(&r, &f->o, K);
    cr_assert_eq(f->a->K, K);
    for (size_t s = 1; s <= steps; s++) {
        float x[X], d[D], vis[N];
        sample(x, d, s);
        rt_algo_step(f->a, x, d, 1, NULL);
        ref_step(&r, x, d);
        ref_vis(&r, vis);
        for (size_t e = 0; e < N; e++) {
            for (size_t k = 0; k < K; k++)
                cr_assert_float_eq(f->a->arr[k].t->w[e], r.a[k][e], TOL,
                                   "step %zu, array %zu, weight %zu: %.9g, want %.9g", s, k, e,
                                   (double)f->a->arr[k].t->w[e], (double)r.a[k][e]);
            if (f->a->h)
                cr_assert_float_eq(f->a->h[e], r.h[e], TOL, "step %zu, buffer %zu", s, e);
            cr_assert_float_eq(f->a->vis[e], vis[e], TOL, "step %zu, visible %zu", s, e);
        }
    }
    fx_close(f);
}

/*
** {======================================================================
** By hand
** =======================================================================
*/

/*
** residual, one step: x = (0.5, -1, 0.25), d = (0.4, -0.2), lr 0.1, so
** P = -0.1 d x^T = [[-0.02, 0.04, -0.01], [0.01, -0.02, 0.005]]; column 0 is transferred at
** transfer_lr 0.5: W[:,0] = (0.1 - 0.01, -0.1 + 0.005); visible W + 0.4 P.
*/
Test(algo, residual_first_step_by_hand)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL);
    fx_open(&f);
    const float x[X] = {0.5f, -1.0f, 0.25f}, d[D] = {0.4f, -0.2f};
    rt_algo_step(f.a, x, d, 1, NULL);
    const double P[N] = {-0.02, 0.04, -0.01, 0.01, -0.02, 0.005};
    const double W[N] = {0.09, 0.2, 0.3, -0.095, -0.2, -0.3};
    const double V[N] = {0.082, 0.216, 0.296, -0.091, -0.208, -0.298};
    for (size_t e = 0; e < N; e++) {
        cr_assert_float_eq(f.a->arr[0].t->w[e], P[e], TOL, "P[%zu]", e);
        cr_assert_float_eq(f.a->arr[1].t->w[e], W[e], TOL, "W[%zu]", e);
        cr_assert_float_eq(f.a->vis[e], V[e], TOL, "visible[%zu]", e);
    }
    /* Step 2, same sample: P doubles, column 1 gets 0.5 * 2 P[:,1] = (0.04, -0.02). */
    rt_algo_step(f.a, x, d, 1, NULL);
    cr_assert_float_eq(f.a->arr[1].t->w[1], 0.24, TOL);
    cr_assert_float_eq(f.a->arr[1].t->w[4], -0.22, TOL);
    cr_assert_float_eq(f.a->arr[1].t->w[0], 0.09, TOL, "column 0 is not written again");
    fx_close(&f);
}

/*
** residual_v2, one step, beta 0.5: H = 0.5 P; threshold DW = 0.03. With lr 1 the sample
** above gives P = [[-0.2, 0.4, -0.1], [0.1, -0.2, 0.05]], column 0: H = (-0.1, 0.05) ->
** n = trunc(-3.33) = -3 and trunc(1.67) = 1, clamped to one pulse each: W[0][0] -= DW,
** W[1][0] += DW, H = (-0.1 + DW, 0.05 - DW).
*/
Test(algo, residual_v2_first_step_by_hand)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL_V2);
    f.o.lr = 1.0;
    f.o.beta = 0.5;
    fx_open(&f);
    const float x[X] = {0.5f, -1.0f, 0.25f}, d[D] = {0.4f, -0.2f};
    rt_algo_step(f.a, x, d, 1, NULL);
    cr_assert_float_eq(f.a->arr[1].t->w[0], 0.1 - DW, TOL);
    cr_assert_float_eq(f.a->arr[1].t->w[3], -0.1 + DW, TOL);
    cr_assert_float_eq(f.a->h[0], -0.1 + DW, TOL);
    cr_assert_float_eq(f.a->h[3], 0.05 - DW, TOL);
    cr_assert_eq(f.a->h[1], 0.0f, "column 1 was not read");
    cr_assert_eq(rt_tile_pulses_at(f.a->arr[1].t, 0) + rt_tile_pulses_at(f.a->arr[1].t, 3), 2);
    fx_close(&f);
}

/*
** mixed_precision, one step, lr 1: chi = d x^T = [[0.2, -0.4, 0.1], [-0.1, 0.2, -0.05]];
** n = trunc(chi/DW) = [[6, -13, 3], [-3, 6, -1]] (transfer_bl 31): W -= n DW, chi -= n DW.
*/
Test(algo, mixed_precision_first_step_by_hand)
{
    Fx f;
    fx_init(&f, IR_OPT_MIXED_PRECISION);
    f.o.lr = 1.0;
    fx_open(&f);
    const float x[X] = {0.5f, -1.0f, 0.25f}, d[D] = {0.4f, -0.2f};
    rt_algo_step(f.a, x, d, 1, NULL);
    const double chi[N] = {0.2, -0.4, 0.1, -0.1, 0.2, -0.05};
    const long n[N] = {6, -13, 3, -3, 6, -1};
    for (size_t e = 0; e < N; e++) {
        cr_assert_float_eq(f.a->arr[0].t->w[e], W0[e] - n[e] * DW, TOL, "W[%zu]", e);
        cr_assert_float_eq(f.a->h[e], chi[e] - n[e] * DW, TOL, "chi[%zu]", e);
        cr_assert_eq(rt_tile_pulses_at(f.a->arr[0].t, e), (uint64_t)labs(n[e]));
    }
    cr_assert_eq(f.a->vis, f.a->arr[0].t->w, "the layer computes with W itself");
    fx_close(&f);
}

/*
** rider, one step (gamma 0.1, eta 0.1, the sample above, lr 0.1): P as for residual; column 0
** is read, y = (-0.02, 0.01); Q[:,0] = 0.1 y; W[:,0] += 0.5 (y - 0) = (0.09, -0.095); the
** visible weights are W + 0.1 (P - Q): (0.09 - 0.1 * 0.018, 0.2 + 0.1 * 0.04, ...).
*/
Test(algo, rider_first_step_by_hand)
{
    Fx f;
    fx_init(&f, IR_OPT_RIDER);
    fx_open(&f);
    const float x[X] = {0.5f, -1.0f, 0.25f}, d[D] = {0.4f, -0.2f};
    rt_algo_step(f.a, x, d, 1, NULL);
    const double Q[N] = {-0.002, 0, 0, 0.001, 0, 0};
    const double W[N] = {0.09, 0.2, 0.3, -0.095, -0.2, -0.3};
    const double V[N] = {0.0882, 0.204, 0.299, -0.0941, -0.202, -0.2995};
    for (size_t e = 0; e < N; e++) {
        cr_assert_float_eq(f.a->h[e], Q[e], TOL, "Q[%zu]", e);
        cr_assert_float_eq(f.a->arr[1].t->w[e], W[e], TOL, "W[%zu]", e);
        cr_assert_float_eq(f.a->vis[e], V[e], TOL, "visible[%zu]", e);
    }
    fx_close(&f);
}

/* }====================================================================== */

/*
** {======================================================================
** Several steps against the reference
** =======================================================================
*/

Test(algo, tiki_taka_several_steps)
{
    Fx f;
    fx_init(&f, IR_OPT_TIKI_TAKA);
    run_against_reference(&f, 2, 8);
}

Test(algo, residual_two_reads_every_second_step)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL);
    f.o.transfer_every = 2;
    f.o.n_reads_per_transfer = 2;
    run_against_reference(&f, 2, 9);
}

/* Three tiles, gamma 0.5: tile 0 -> 1 every step, tile 1 -> 2 every 2 steps (growth 2). */
Test(algo, multi_tile_chained_transfers)
{
    Fx f;
    fx_init(&f, IR_OPT_MULTI_TILE);
    f.o.gamma = 0.5;
    f.o.transfer_growth = 2.0;
    run_against_reference(&f, 3, 10);
}

/* Default growth: X / n_reads = 3, so tile 1 -> 2 every 3 steps; four tiles. */
Test(algo, multi_tile_default_growth)
{
    Fx f;
    fx_init(&f, IR_OPT_MULTI_TILE);
    f.o.n_tiles = 4;
    f.o.lr = 0.5;
    run_against_reference(&f, 4, 12);
}

Test(algo, ttv2_forget_buffer)
{
    Fx f;
    fx_init(&f, IR_OPT_TTV2);
    f.o.lr = 0.5;
    f.o.gamma = 0.3;
    run_against_reference(&f, 2, 9);
}

Test(algo, ttv2_momentum_without_forgetting)
{
    Fx f;
    fx_init(&f, IR_OPT_TTV2);
    f.o.lr = 0.5;
    f.o.momentum = 0.5;
    f.o.forget_buffer = false;
    f.o.transfer_bl = 2;
    run_against_reference(&f, 2, 9);
}

/* Regular input choppers: in_chop_prob 0.5 flips each column at the end of odd sweeps. */
Test(algo, c_ttv2_regular_choppers)
{
    Fx f;
    fx_init(&f, IR_OPT_C_TTV2);
    f.o.lr = 0.5;
    f.o.gamma = 0.2;
    f.o.in_chop_prob = 0.5;
    f.o.in_chop_random = false;
    run_against_reference(&f, 2, 12);
}

/* Probability-1 random flips are certain: every read flips its column, every sweep all rows. */
Test(algo, c_ttv2_certain_random_flips)
{
    Fx f;
    fx_init(&f, IR_OPT_C_TTV2);
    f.o.lr = 0.5;
    f.o.gamma = 0.2;
    f.o.in_chop_prob = 1.0;
    f.o.out_chop_prob = 1.0;
    run_against_reference(&f, 2, 12);
}

/* n_s = 2, reference weight b = 1 (the last read); pulses once sweep > 2. */
Test(algo, agad_reference_and_warm_up)
{
    Fx f;
    fx_init(&f, IR_OPT_AGAD);
    f.o.lr = 0.5;
    f.o.in_chop_prob = 0.5;
    run_against_reference(&f, 2, 18);
    Fx g;
    fx_init(&g, IR_OPT_AGAD);
    g.o.lr = 0.5;
    g.o.in_chop_prob = 0.5;
    g.o.tail_weightening = 0.5; /* b = 0.25 */
    run_against_reference(&g, 2, 18);
}

Test(algo, residual_v2_several_steps)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL_V2);
    f.o.lr = 0.5;
    f.o.beta = 0.3;
    f.o.transfer_bl = 2;
    f.o.n_reads_per_transfer = 3;
    run_against_reference(&f, 2, 8);
}

Test(algo, mixed_precision_every_second_step)
{
    Fx f;
    fx_init(&f, IR_OPT_MIXED_PRECISION);
    f.o.lr = 0.5;
    f.o.transfer_every = 2;
    f.o.transfer_bl = 3;
    run_against_reference(&f, 1, 8);
}

Test(algo, rider_tracks_p_with_q)
{
    Fx f;
    fx_init(&f, IR_OPT_RIDER);
    f.o.eta = 0.5;
    run_against_reference(&f, 2, 9);
}

/* in_chop_prob 1: the chopper flips after every step. */
Test(algo, e_rider_chopper_flips)
{
    Fx f;
    fx_init(&f, IR_OPT_E_RIDER);
    f.o.eta = 0.5;
    f.o.in_chop_prob = 1.0;
    run_against_reference(&f, 2, 9);
    Fx g;
    fx_init(&g, IR_OPT_E_RIDER);
    g.o.eta = 0.25;
    g.o.in_chop_prob = 0.5;
    run_against_reference(&g, 2, 9);
}

/* analog_sgd through rt_algo is the tile's own update: W -= lr d x^T on the ideal device. */
Test(algo, analog_sgd_is_the_plain_update)
{
    Fx f;
    fx_init(&f, IR_OPT_ANALOG_SGD);
    fx_open(&f);
    float w[N];
    memcpy(w, W0, sizeof w);
    for (size_t s = 1; s <= 4; s++) {
        float x[X], d[D];
        sample(x, d, s);
        rt_algo_step(f.a, x, d, 1, NULL);
        exact(w, x, d, 0.1);
    }
    for (size_t e = 0; e < N; e++)
        cr_assert_float_eq(f.a->vis[e], w[e], TOL);
    fx_close(&f);
}

/* }====================================================================== */

/*
** {======================================================================
** Learning-rate schedules
** =======================================================================
*/

/*
** The gradient array on a noise-free constant-step device (step DWF, bounds +-1) updated by
** deterministic_implicit pulses: with update management the plan has A B BL = lr/DWF and no
** probability above 1 (BL = ceil(k) <= desired_bl 64), so element (i,j) receives exactly
** rint(lr |d_i x_j| / DWF) pulses of sign -sign(d_i x_j). For SX, SD below and lr 0.01 that is
** [[40, 20, 12], [20, 10, 6]], 108 pulses per step; at lr 0.001 [[4, 2, 1], [2, 1, 1]], 11.
*/
#define DWF 1e-4
static const float SX[X] = {1.0f, -0.5f, 0.3f}, SD[D] = {0.4f, -0.2f};
static const long SC[N] = {40, 20, 12, 20, 10, 6}, SC_TENTH[N] = {4, 2, 1, 2, 1, 1};
static const double SSIGN[N] = {1, -1, 1, -1, 1, -1}; /* sign(d_i x_j) */

/* f as fx_init(k) with lr 0.01, P on the pulsed device above, built; factor f scheduled. */
static void fx_open_scheduled(Fx *f, IrOptKind k, double factor)
{
    fx_init(f, k);
    f->o.lr = 0.01;
    f->o.transfer_lr = 50.0;
    f->o.scale_transfer_lr = true;
    f->o.update.pulse_type = IR_PULSE_DETERMINISTIC_IMPLICIT;
    f->o.update.desired_bl = 64;
    f->fast = fx_quiet(IR_DEV_CONSTANT_STEP, DWF, 1.0);
    f->o.fast = &f->fast;
    fx_open(f);
    rt_algo_set_lr(f->a, factor);
}

/* Pulses fired on P so far. */
static uint64_t p_pulses(const Fx *f)
{
    uint64_t n = 0;
    for (size_t e = 0; e < N; e++)
        n += rt_tile_pulses_at(f->a->arr[0].t, e);
    return n;
}

/*
** residual under a step schedule of factor 0.1 (aihwkit's absolute fast_lr): P keeps the
** pulses of the unscheduled run, 108 per step, while the transfer rate drops from
** transfer_lr lr = 0.5 to 0.05. The transfer of step 1 reads column 0 of P exactly,
** y = (-40, 20) DWF, and writes W[:,0] += lr_t y onto the ideal W.
*/
Test(algo, schedule_keeps_the_residual_rate_and_scales_the_transfer)
{
    Fx f, g;
    fx_open_scheduled(&f, IR_OPT_RESIDUAL, 1.0);
    fx_open_scheduled(&g, IR_OPT_RESIDUAL, 0.1);
    cr_assert_float_eq(f.a->lr_t, 0.5, 1e-15);
    cr_assert_float_eq(g.a->lr_t, 0.05, 1e-15);
    for (size_t s = 1; s <= 3; s++) {
        rt_algo_step(f.a, SX, SD, 1, NULL);
        rt_algo_step(g.a, SX, SD, 1, NULL);
        cr_assert_eq(p_pulses(&f), 108 * s, "step %zu: %llu pulses", s,
                     (unsigned long long)p_pulses(&f));
        cr_assert_eq(p_pulses(&g), 108 * s, "step %zu: %llu pulses", s,
                     (unsigned long long)p_pulses(&g));
        for (size_t e = 0; e < N; e++)
            cr_assert_float_eq(g.a->arr[0].t->w[e], -SSIGN[e] * (double)(SC[e] * (long)s) * DWF,
                               TOL, "step %zu, P[%zu]", s, e);
        if (s == 1) {
            cr_assert_float_eq(f.a->arr[1].t->w[0], 0.1 - 0.5 * 40 * DWF, TOL);
            cr_assert_float_eq(f.a->arr[1].t->w[3], -0.1 + 0.5 * 20 * DWF, TOL);
            cr_assert_float_eq(g.a->arr[1].t->w[0], 0.1 - 0.05 * 40 * DWF, TOL);
            cr_assert_float_eq(g.a->arr[1].t->w[3], -0.1 + 0.05 * 20 * DWF, TOL);
        }
    }
    fx_close(&f);
    fx_close(&g);
}

/*
** residual_v2 under the same schedule: its P rate is the SGD rate (the seed paper's RLv2 code,
** fast_lr 1 with scale_fast_lr), so P gets the pulses of lr 0.001: 11 per step.
*/
Test(algo, schedule_scales_the_residual_v2_rate)
{
    Fx f;
    fx_open_scheduled(&f, IR_OPT_RESIDUAL_V2, 0.1);
    for (size_t s = 1; s <= 3; s++) {
        rt_algo_step(f.a, SX, SD, 1, NULL);
        cr_assert_eq(p_pulses(&f), 11 * s, "step %zu: %llu pulses", s,
                     (unsigned long long)p_pulses(&f));
        for (size_t e = 0; e < N; e++)
            cr_assert_float_eq(f.a->arr[0].t->w[e],
                               -SSIGN[e] * (double)(SC_TENTH[e] * (long)s) * DWF, TOL,
                               "step %zu, P[%zu]", s, e);
    }
    fx_close(&f);
}

/*
** The rule of every kind (docs/algorithms.md §1) at factor 0.25, lr 0.01, transfer_lr 50:
** the gradient rate is lr 0.25 for analog_sgd, mixed_precision and residual_v2 and lr for
** the others; the transfer rate is 50 lr 0.25 (times gamma for the buffered kinds with
** gamma > 0: 0 by default, so 1), or 50 without scale_transfer_lr.
*/
Test(algo, schedule_factor_of_every_kind)
{
    for (int k = IR_OPT_ANALOG_SGD; k < IR_OPT__COUNT; k++) {
        bool follows = k == IR_OPT_ANALOG_SGD || k == IR_OPT_MIXED_PRECISION ||
                       k == IR_OPT_RESIDUAL_V2;
        Fx f;
        fx_open_scheduled(&f, (IrOptKind)k, 0.25);
        cr_assert_float_eq(f.a->lr_g, follows ? 0.0025 : 0.01, 1e-15, "kind %d", k);
        cr_assert_float_eq(f.a->lr_t, 50 * 0.0025, 1e-15, "kind %d", k);
        fx_close(&f);
        fx_init(&f, (IrOptKind)k);
        f.o.lr = 0.01;
        f.o.transfer_lr = 50.0;
        f.o.scale_transfer_lr = false;
        fx_open(&f);
        rt_algo_set_lr(f.a, 0.25);
        cr_assert_float_eq(f.a->lr_t, 50.0, 1e-15, "kind %d", k);
        fx_close(&f);
    }
}

/* }====================================================================== */

/*
** {======================================================================
** Zero-shifting, symmetric points, statistics
** =======================================================================
*/

/*
** A noise-free linear device (tau 1, c_lin 0.3, dw 0.01): the calibration fires N = 400
** alternating pulses per device from 0; each pair moves w by about -2 dw (w - c tau)/tau, so
** w ends within (0.3)(1 - 0.02)^200 + O(dw) = 0.005 + 0.01 of the symmetric point c tau.
** The reference takes the result, so P = A - R starts at exactly 0, and the symmetric
** point of P (in P's coordinates) is w_sp - R, the residual error reported as sp_dist.
*/
Test(algo, zero_shift_calibrates_and_programs_the_reference)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL);
    f.fast = fx_quiet(IR_DEV_LINEAR, 0.01, 1.0);
    f.fast.c_lin = 0.3;
    f.o.fast = &f.fast;
    f.o.zero_shift = true;
    f.o.zero_shift_pulses = 400;
    fx_open(&f);
    double w = 0.0; /* the pulses by hand, rounded to float after each as the tile stores */
    for (size_t q = 0; q < 400; q++)
        w = (float)(q % 2 == 0 ? w + 0.01 * 1.3 * (1 - w) : w - 0.01 * 0.7 * (1 + w));
    cr_assert_float_eq(w, 0.3, 0.015);
    const RtArr *P = &f.a->arr[0];
    cr_assert_not_null(P->ref);
    for (size_t e = 0; e < N; e++) {
        cr_assert_float_eq(P->t->w[e], w, 1e-6, "A[%zu] = %g, by hand %g", e,
                           (double)P->t->w[e], w);
        cr_assert_eq(P->ref->w[e], P->t->w[e]);
        cr_assert_eq(P->lg[e], 0.0f);
        cr_assert_eq(rt_tile_pulses_at(P->t, e), 400);
        cr_assert_float_eq(P->sp[e], 0.3, 1e-9, "the linear family's symmetric point c tau");
    }
    RtArrayStat st[4];
    size_t m = rt_algo_stats(f.a, st, 4);
    cr_assert_eq(m, 3, "W, P and P's reference R");
    cr_assert_str_eq(st[1].name, "P");
    cr_assert_str_eq(st[2].name, "R");
    cr_assert_eq(st[1].cnt.calib_pulses, 400.0 * N, "calibration pulses: the budget per device");
    cr_assert_eq(st[1].pulses, 400.0 * N, "the calibration's cost");
    cr_assert_eq(st[1].mean_abs, 0.0);
    cr_assert_float_eq(st[1].sp_dist, fabs(0.3 - w), 1e-6, "the calibration's residual");
    /* A gradient step pulses A; P = A - R follows it exactly. */
    float x[X], d[D];
    sample(x, d, 1);
    rt_algo_step(f.a, x, d, 1, NULL);
    for (size_t e = 0; e < N; e++)
        cr_assert_eq(P->lg[e], P->t->w[e] - P->ref->w[e]);
    fx_close(&f);
}

/* Without zero-shifting P's symmetric point is c tau itself: sp_dist at the start is 0.3. */
Test(algo, without_zero_shift_p_starts_away_from_its_symmetric_point)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL);
    f.fast = fx_quiet(IR_DEV_LINEAR, 0.01, 1.0);
    f.fast.c_lin = 0.3;
    f.o.fast = &f.fast;
    fx_open(&f);
    RtArrayStat st[4];
    rt_algo_stats(f.a, st, 4);
    cr_assert_float_eq(st[1].sp_dist, 0.3, 1e-9);
    cr_assert_eq(st[1].pulses, 0.0);
    cr_assert_null(f.a->arr[0].ref);
    fx_close(&f);
}

/*
** Symmetric points of single cells: linear c tau; soft_bounds with up_down 0.2 (down steps
** 0.8 dw) at (s_up - s_down)/(s_up/bmax - s_down/bmin) = 0.2/1.8; none for ideal and
** symmetric constant steps. The cells hold their steps and bounds as floats: 1e-6 relative.
*/
Test(algo, cell_symmetric_points)
{
    RtRng r;
    rt_rng_seed(&r, 1, 1);
    IrDevice lin = fx_quiet(IR_DEV_LINEAR, 1e-3, 3.5);
    lin.c_lin = 0.2;
    IrDevice sb = fx_quiet(IR_DEV_SOFT_BOUNDS, 1e-3, 1.0);
    sb.up_down = 0.2;
    IrDevice cs = fx_quiet(IR_DEV_CONSTANT_STEP, 1e-3, 1.0);
    IrDevice id = fx_quiet(IR_DEV_IDEAL, 1e-3, 1.0);
    const IrDevice *devs[4] = {&lin, &sb, &cs, &id};
    double want[4] = {0.7, 0.2 / 1.8, NAN, NAN};
    for (size_t k = 0; k < 4; k++) {
        RtTile *t = rt_tile_new(1, 1, devs[k], &r, false);
        double sp = rt_algo_cell_sp(&t->dev, &t->cell[0]);
        if (isnan(want[k]))
            cr_assert(isnan(sp), "device %zu: %g", k, sp);
        else
            cr_assert_float_eq(sp, want[k], 1e-6 * want[k], "device %zu: %.12g", k, sp);
        rt_tile_free(t);
    }
}

/* Names, NaN patterns and counts of the statistics of each kind. */
Test(algo, statistics_of_each_kind)
{
    struct {
        IrOptKind k;
        const char *names;
    } cases[] = {{IR_OPT_ANALOG_SGD, "W"},    {IR_OPT_MIXED_PRECISION, "W chi"},
                 {IR_OPT_TIKI_TAKA, "W P"},   {IR_OPT_TTV2, "W P H"},
                 {IR_OPT_RIDER, "W P Q"},     {IR_OPT_MULTI_TILE, "W P1 P2"}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        Fx f;
        fx_init(&f, cases[c].k);
        fx_open(&f);
        for (size_t s = 1; s <= 3; s++) {
            float x[X], d[D];
            sample(x, d, s);
            rt_algo_step(f.a, x, d, 1, NULL);
        }
        RtArrayStat st[RT_ALGO_MAX_STATS];
        size_t m = rt_algo_stats(f.a, st, RT_ALGO_MAX_STATS);
        char names[64] = "";
        for (size_t k = 0; k < m; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? " " : "",
                     st[k].name);
        cr_assert_str_eq(names, cases[c].names);
        cr_assert(isnan(st[0].sp_dist), "ideal devices have no symmetric point");
        if (cases[c].k == IR_OPT_ANALOG_SGD)
            cr_assert(isnan(st[0].transfers));
        else
            cr_assert_eq(st[0].transfers, cases[c].k == IR_OPT_MIXED_PRECISION ? 3.0 * D
                                          : cases[c].k == IR_OPT_MULTI_TILE     ? 1.0
                                                                                : 3.0);
        if (m > 1 && cases[c].k != IR_OPT_MIXED_PRECISION)
            cr_assert(isnan(st[m - 1].transfers) || isnan(st[1].transfers));
        double sum = 0;
        for (size_t e = 0; e < N; e++)
            sum += fabs(f.a->arr[f.a->K - 1].t->w[e]);
        cr_assert_float_eq(st[0].mean_abs, sum / N, 1e-9);
        fx_close(&f);
    }
}

/* Noisy devices and the default (noisy) transfer I/O: two runs are bit-identical. */
Test(algo, runs_are_bit_identical)
{
    float out[2][N];
    for (int run = 0; run < 2; run++) {
        Fx f;
        fx_init(&f, IR_OPT_C_TTV2);
        f.dev = fx_device(IR_DEV_SOFT_BOUNDS);
        f.o.transfer_io = NULL;
        f.o.zero_shift = true;
        f.o.zero_shift_pulses = 50;
        fx_open(&f);
        for (size_t s = 1; s <= 20; s++) {
            float x[X], d[D];
            sample(x, d, s);
            rt_algo_step(f.a, x, d, 1, NULL);
            rt_algo_post_update(f.a);
        }
        memcpy(out[run], f.a->vis, sizeof out[run]);
        fx_close(&f);
    }
    cr_assert_eq(memcmp(out[0], out[1], sizeof out[0]), 0);
}

/* A slow device other than the layer's replaces the weight tile, keeping the weights. */
Test(algo, slow_device_replaces_the_weight_tile)
{
    Fx f;
    fx_init(&f, IR_OPT_RESIDUAL);
    IrDevice slow = fx_quiet(IR_DEV_CONSTANT_STEP, 0.01, 1.0);
    f.o.slow = &slow;
    fx_open(&f);
    cr_assert_eq(f.a->arr[1].t, f.w);
    cr_assert_eq(f.w->dev.family, IR_DEV_CONSTANT_STEP);
    for (size_t e = 0; e < N; e++)
        cr_assert_eq(f.w->w[e], W0[e]);
    cr_assert_float_eq(f.a->thr, 0.01, 1e-12, "threshold: the granularity of W");
    fx_close(&f);
}

/* The transfer I/O never manages noise or bounds (aihwkit forces both off). */
Test(algo, transfer_io_has_no_noise_or_bound_management)
{
    Fx f;
    fx_init(&f, IR_OPT_TIKI_TAKA);
    f.o.transfer_io = NULL;
    fx_open(&f);
    cr_assert_eq(f.a->tio_ir.noise_management, IR_NM_NONE);
    cr_assert_eq(f.a->tio_ir.bound_management, IR_BM_NONE);
    cr_assert_eq(f.a->tio_ir.out_noise, rt_io_default()->out_noise);
    fx_close(&f);
}

/* }====================================================================== */

/*
** {======================================================================
** Refreshing only what changed
** =======================================================================
*/

/*
** After every step of the kinds that refresh only the cells they changed, vis equals a full
** refresh bit for bit: a (24,40) layer of a noisy pulsed device (the kernels' trains), a
** random half of the rows without gradient in each step (they do not fire, so the partial
** path leaves them, while their columns may be transferred), every transfer kind's writes. Kinds with choppers, Q or references keep the full refresh.
*/
Test(algo, step_refreshes_exactly_the_cells_it_changed)
{
    enum { DD = 24, XX = 40, NN = DD * XX, BB = 3 };
    const IrOptKind tracked[] = {IR_OPT_TIKI_TAKA, IR_OPT_RESIDUAL, IR_OPT_MULTI_TILE,
                                 IR_OPT_TTV2, IR_OPT_RESIDUAL_V2};
    const IrOptKind whole[] = {IR_OPT_C_TTV2, IR_OPT_AGAD, IR_OPT_RIDER, IR_OPT_E_RIDER};
    for (size_t t = 0; t < sizeof tracked / sizeof *tracked + sizeof whole / sizeof *whole; t++) {
        bool tracks = t < sizeof tracked / sizeof *tracked;
        IrOptKind kind = tracks ? tracked[t] : whole[t - sizeof tracked / sizeof *tracked];
        IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
        IrIO io = fx_perfect_io();
        IrLayer L = {.kind = IR_LAYER_DENSE, .in = XX, .out = DD, .on = &dev};
        IrOptimizer o = fx_optimizer(kind, 0.5);
        o.transfer_io = &io;
        RtRng d2d, d2d2, upd, r;
        rt_rng_seed(&d2d, 5, 1);
        rt_rng_seed(&d2d2, 5, 2);
        rt_rng_seed(&upd, 5, 3);
        rt_rng_seed(&r, 5, 4);
        RtTile *w = rt_tile_new(DD, XX, &dev, &d2d, true);
        RtAlgo *a = rt_algo_new(&w, &L, &o, &upd, 9, 0, BB, &d2d2);
        cr_assert_not_null(a);
        cr_assert_eq(a->row_changed != NULL, tracks, "kind %d: tracking %d", (int)kind,
                     a->row_changed != NULL);
        static float x[BB * XX], d[BB * DD], vis[NN];
        for (size_t s = 0; s < 30; s++) {
            for (size_t k = 0; k < BB * XX; k++)
                x[k] = (float)(2.0 * rt_rng_uniform(&r) - 1.0);
            bool quiet[DD]; /* a random half of the rows: no gradient in this step */
            for (size_t i = 0; i < DD; i++)
                quiet[i] = rt_rng_uniform(&r) < 0.5;
            for (size_t k = 0; k < BB * DD; k++)
                d[k] = quiet[k % DD] ? 0.0f : (float)(2.0 * rt_rng_uniform(&r) - 1.0);
            rt_algo_step(a, x, d, BB, NULL);
            memcpy(vis, a->vis, sizeof vis);
            rt_algo_refresh(a, NULL);
            cr_assert(memcmp(vis, a->vis, sizeof vis) == 0,
                      "kind %d, step %zu: vis differs from a full refresh", (int)kind, s);
        }
        rt_algo_free(a);
        rt_tile_free(w);
    }
}

/* }====================================================================== */
