/*
** rt_tile.c: tile storage, forward/backward through BLIS, the pulsed update, write noise and
** the non-update weight operations (decay, diffusion, reset, clip).
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_matmul.h"
#include "rt_mem.h"
#include "rt_tile.h"
#include "rt_vec.h"

#define ALIGN 64

/* n rounded up to a multiple of ALIGN. */
static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/*
** Layout of the one allocation: the RtTile header, the cells, the weights, the persistent
** weights (write noise only), the counters (if any), then the deterministic_implicit
** scratch; every part starts on a 64-byte boundary. The kernels' planes (pulsed families)
** and the batch scratch are allocations of their own.
*/
RtTile *rt_tile_new(size_t D, size_t X, const IrDevice *ir, RtRng *d2d, bool count_pulses)
{
    if (X != 0 && D > SIZE_MAX / 64 / X)
        return NULL;
    size_t n = D * X;
    RtDevice dev;
    rt_device_init(&dev, ir);
    bool persist = dev.wn > 0.0 && rt_device_is_pulsed(&dev);
    size_t o_cell = round_up(sizeof(RtTile));
    size_t o_w = o_cell + round_up(n * sizeof(RtCell));
    size_t o_wp = o_w + round_up(n * sizeof(float));
    size_t o_cnt = o_wp + (persist ? round_up(n * sizeof(float)) : 0);
    size_t o_c16 = o_cnt + (count_pulses ? round_up(n * sizeof(uint64_t)) : 0);
    size_t o_xq = o_c16 + (count_pulses ? round_up(n * sizeof(uint16_t)) : 0);
    size_t o_dq = o_xq + round_up(X * sizeof(float));
    size_t total = o_dq + round_up(D * sizeof(float));
    unsigned char *mem = aligned_alloc(ALIGN, total);
    if (!mem)
        return NULL;
    memset(mem, 0, total);
    RtTile *t = (RtTile *)mem;
    t->D = D;
    t->X = X;
    t->dev = dev;
    t->cell = (RtCell *)(mem + o_cell);
    t->w = (float *)(mem + o_w);
    t->wp = persist ? (float *)(mem + o_wp) : NULL;
    t->npulse = count_pulses ? (uint64_t *)(mem + o_cnt) : NULL;
    t->cnt = count_pulses ? (uint16_t *)(mem + o_c16) : NULL;
    t->xq = (float *)(mem + o_xq);
    t->dq = (float *)(mem + o_dq);
    rt_device_sample(t->cell, D, X, ir, d2d);
    rt_rng_seed(&t->wrng, rt_rng_next(d2d), 0);
    if (rt_device_is_pulsed(&t->dev) && !(t->planes = rt_planes_new(&t->dev, t->cell, n))) {
        free(t);
        return NULL;
    }
    return t;
}

void rt_tile_free(RtTile *t)
{
    if (!t)
        return;
    rt_planes_free(t->planes);
    free(t->batch);
    free(t);
}

/* Add the staged counters into npulse (the kernels count in 16 bits: less memory touched). */
static void flush_counts(RtTile *t)
{
    if (!t->cnt || t->cnt_max == 0)
        return;
    for (size_t k = 0; k < t->D * t->X; k++)
        t->npulse[k] += t->cnt[k];
    memset(t->cnt, 0, t->D * t->X * sizeof *t->cnt);
    t->cnt_max = 0;
}

const uint64_t *rt_tile_pulses(RtTile *t)
{
    flush_counts(t);
    return t->npulse;
}

float *rt_tile_persistent(RtTile *t)
{
    return t->wp ? t->wp : t->w;
}

/* A fresh visible weight around the persistent one p (write noise). */
static float apparent(const RtTile *t, float p, RtRng *r)
{
    return (float)((double)p + t->dev.wn * rt_rng_normal(r));
}

/* Redraw every visible weight around its persistent one (nothing without write noise). */
static void redraw_all(RtTile *t, RtRng *r)
{
    if (!t->wp)
        return;
    for (size_t k = 0; k < t->D * t->X; k++)
        t->w[k] = apparent(t, t->wp[k], r);
}

void rt_tile_set_weights(RtTile *t, const float *w)
{
    float *wt = rt_tile_persistent(t);
    for (size_t k = 0; k < t->D * t->X; k++)
        wt[k] = rt_device_clip(&t->cell[k], w[k]);
    if (t->wp && t->dev.wn_on_set)
        redraw_all(t, &t->wrng);
    else if (t->wp)
        memcpy(t->w, t->wp, t->D * t->X * sizeof *t->w);
}

void rt_tile_clip(RtTile *t)
{
    float *wt = rt_tile_persistent(t);
    for (size_t k = 0; k < t->D * t->X; k++)
        wt[k] = rt_device_clip(&t->cell[k], wt[k]);
    redraw_all(t, &t->wrng);
}

void rt_tile_forward(float *y, const RtTile *t, const float *x, const float *bias, size_t B)
{
    rt_matmul_forward(y, x, t->w, bias, B, t->X, t->D, NULL);
}

void rt_tile_forward_ref(float *y, const RtTile *t, const float *x, const float *bias, size_t B)
{
    rt_matmul_forward_ref(y, x, t->w, bias, B, t->X, t->D);
}

void rt_tile_backward(float *dx, const RtTile *t, const float *d, size_t B)
{
    rt_matmul_backward(dx, NULL, NULL, d, NULL, t->w, B, t->X, t->D, NULL);
}

void rt_tile_backward_ref(float *dx, const RtTile *t, const float *d, size_t B)
{
    rt_matmul_backward_ref(dx, NULL, NULL, d, NULL, t->w, B, t->X, t->D);
}

/*
** ====================================================================================
** Pulse plan (calculateBlAB, performUpdateManagement; docs/theory.md §2.3)
** ====================================================================================
*/

/*
** fixed BL: BL = desired_bl, a = b = sqrt(|lr|/(dw*BL)). UM (also switched on by UBLM):
** k = |lr|*max|x|*um_grad_scale*max|d|/dw expected coincidences at the largest element;
** UBLM: BL = clamp(ceil(k), 1, desired_bl) and a, b recomputed; if k > desired_bl the d
** side is clipped (dv scaled down), then a *= sqrt(xm/dv), b *= sqrt(dv/xm).
** A non-finite or non-positive k (NaN inputs, um_grad_scale 0) fires nothing.
*/
enum { PLAN_GROUP = 64 }; /* samples whose plans are computed together */

/*
** The arithmetic of the plans of n samples (UM or UBLM) from their maxima xm, dm, one lane
** per sample: loops the compiler vectorises, with the scalar's operations in its order.
*/
RT_WIDE_LOOP
static void plan_group(int *restrict bl, double *restrict pa, double *restrict pb,
                       uint8_t *restrict on, const double *restrict xm,
                       const double *restrict dm, size_t n, double alr, double dw, int want,
                       bool ublm, double ugs)
{
    for (size_t s = 0; s < n; s++) {
        double dv = ugs * dm[s];
        double k = alr * xm[s] * dv / dw;
        bool ok = k > 0.0 && k <= DBL_MAX; /* not NaN, 0 or infinite */
        double c = ceil(k), w = (double)want;
        int b = ublm && ok ? (c >= w ? want : (int)c) : want;
        double a = sqrt(alr / (dw * (double)b)); /* once, with the final BL */
        double dc = k > w ? dv * (w / k) : dv;
        on[s] = ok;
        bl[s] = b;
        pa[s] = a * sqrt(xm[s] / dc);
        pb[s] = a * sqrt(dc / xm[s]);
    }
}

void rt_pulse_plans(RtPulsePlan *p, bool *on, const float *x, const float *xmax, size_t X,
                    const float *d, size_t D, size_t B, double lr, double dw, const IrUpdate *u)
{
    double alr = fabs(lr);
    int want = u->desired_bl;
    bool any = alr > 0.0 && dw > 0.0 && want >= 1 && want <= RT_MAX_BL;
    if (!any || (!u->update_management && !u->update_bl_management)) { /* or fixed BL */
        double a = any ? sqrt(alr / (dw * want)) : 0.0;
        for (size_t s = 0; s < B; s++)
            on[s] = any, p[s] = (RtPulsePlan){want, a, a};
        return;
    }
    for (size_t g0 = 0; g0 < B; g0 += PLAN_GROUP) {
        size_t n = B - g0 < PLAN_GROUP ? B - g0 : PLAN_GROUP;
        int bl[PLAN_GROUP];
        double pa[PLAN_GROUP], pb[PLAN_GROUP], xm[PLAN_GROUP], dm[PLAN_GROUP];
        uint8_t ok[PLAN_GROUP];
        for (size_t s = 0; s < n; s++) {
            xm[s] = xmax ? xmax[g0 + s] : rt_absmax(x + (g0 + s) * X, X);
            dm[s] = rt_absmax(d + (g0 + s) * D, D);
        }
        plan_group(bl, pa, pb, ok, xm, dm, n, alr, dw, want, u->update_bl_management,
                   u->um_grad_scale);
        for (size_t s = 0; s < n; s++)
            on[g0 + s] = ok[s], p[g0 + s] = (RtPulsePlan){bl[s], pa[s], pb[s]};
    }
}

bool rt_pulse_plan(RtPulsePlan *p, const float *x, size_t X, const float *d, size_t D,
                   double lr, double dw, const IrUpdate *u)
{
    bool on;
    rt_pulse_plans(p, &on, x, NULL, X, d, D, 1, lr, dw, u);
    return on;
}

/*
** ====================================================================================
** Pulsed update
** ====================================================================================
*/

/*
** n pulses of one direction on weight k, one at a time through the device rule, then (write
** noise) one redraw of its visible weight.
*/
static void pulse_n(RtTile *t, size_t k, int n, bool up, RtRng *r)
{
    float *wt = rt_tile_persistent(t);
    float w = wt[k];
    for (int q = 0; q < n; q++)
        w = rt_device_pulse(&t->dev, &t->cell[k], w, up, r);
    wt[k] = w;
    if (t->wp)
        t->w[k] = apparent(t, w, r);
    if (t->npulse)
        t->npulse[k] += (uint64_t)n;
}

/*
** The floating-point update W -= lr d x^T (in double, rounded once) on the persistent
** weights, optionally clipped; with write noise every visible weight is then redrawn.
*/
static void exact_update(RtTile *t, const float *x, const float *d, double lr, bool clip,
                         RtRng *r)
{
    float *wt = rt_tile_persistent(t);
    for (size_t i = 0; i < t->D; i++) {
        double g = lr * (double)d[i];
        for (size_t j = 0; j < t->X; j++) {
            size_t k = i * t->X + j;
            float w = (float)((double)wt[k] - g * (double)x[j]);
            wt[k] = clip ? rt_device_clip(&t->cell[k], w) : w;
        }
    }
    redraw_all(t, r);
}

/* aihwkit getDiscretizedValue without stochastic rounding: rint(p/res)*res (res > 0). */
static float discretize(float p, float res)
{
    return res > 0.0f ? rintf(p / res) * res : p;
}

/* The signed, clamped probabilities of DenseBitLineMaker::generateDetImplicit (in float). */
static void implicit_probs(float *q, const float *v, size_t n, float scale, float res)
{
    for (size_t k = 0; k < n; k++) {
        float p = discretize(fabsf(v[k]) * scale, res);
        p = fmaxf(fminf(p, 1.0f), 0.0f);
        q[k] = v[k] >= 0.0f ? p : -p;
    }
}

/*
** deterministic_implicit: c_ij = rint(BL q_d[i] q_x[j]) (generateCoincidencesDetI), applied
** as |c_ij| pulses, rows in order, columns in order; c_ij sign(lr) > 0 is down.
*/
static void implicit_update(RtTile *t, const float *x, const float *d, const RtPulsePlan *p,
                            double lr, const IrUpdate *u, RtRng *r)
{
    implicit_probs(t->xq, x, t->X, (float)p->b, (float)u->x_res_implicit);
    implicit_probs(t->dq, d, t->D, (float)p->a, (float)u->d_res_implicit);
    for (size_t i = 0; i < t->D; i++) {
        float dc = t->dq[i] * (float)p->bl;
        if (dc == 0.0f)
            continue;
        for (size_t j = 0; j < t->X; j++) {
            int c = (int)rintf(dc * t->xq[j]);
            if (c != 0)
                pulse_n(t, i * t->X + j, abs(c), (c > 0) != (lr > 0.0), r);
        }
    }
}

/* Whether the update runs on trains through the kernels (stochastic_compressed, pulsed). */
static bool uses_trains(const RtTile *t, const IrUpdate *u)
{
    return rt_device_is_pulsed(&t->dev) && u->pulse_type == IR_PULSE_STOCHASTIC_COMPRESSED;
}

/* One sample of the other pulse types (and of the ideal family), drawing from r. */
static void update_other(RtTile *t, const float *x, const float *d, double lr,
                         const IrUpdate *u, RtRng *r)
{
    if (!rt_device_is_pulsed(&t->dev) || u->pulse_type == IR_PULSE_NONE) {
        exact_update(t, x, d, lr, rt_device_is_pulsed(&t->dev), r);
        return;
    }
    RtPulsePlan p;
    if (rt_pulse_plan(&p, x, t->X, d, t->D, lr, rt_device_granularity(&t->dev), u))
        implicit_update(t, x, d, &p, lr, u, r);
}

/*
** The batch's scratch, in t->batch: chunk bitmaps (B,64,cw), keys (B), A (B), column trains
** (B,X) [x2 if BL may exceed 32: a plan's BL never exceeds desired_bl], row words (B,rs)
** (rs: D rounded up to 8), BL (B).
*/
typedef struct Batch {
    uint64_t *cmask, *key;
    double *pa;
    uint32_t *xlo, *xhi, *ru;
    uint8_t *kc; /* (B, rs): RtUpd.kc */
    int *bl;
    int32_t *cols; /* (B, X + 8): RtUpd.cols */
    int *ncols;    /* (B): RtUpd.ncols */
    size_t cw, rs;
} Batch;

/* Room for a batch of B samples in t->batch; nonzero when out of memory. */
static int batch_alloc(RtTile *t, Batch *bt, size_t B, const IrUpdate *u)
{
    size_t X = t->X, rs = (t->D + 7) / 8 * 8;
    bool hi = u->desired_bl > 32;
    size_t nt = B * X * (hi ? 2 : 1), cw = rt_kern_chunk_words(X);
    size_t need = B * (64 * cw * sizeof(uint64_t) + sizeof(uint64_t) + sizeof(double) +
                       rs * sizeof(uint32_t) + sizeof(int) + (X + 8) * sizeof(int32_t) +
                       sizeof(int) + rs) +
                  nt * sizeof(uint32_t);
    if (rt_grow(&t->batch, &t->batch_cap, need, 1))
        return -1;
    bt->cmask = t->batch;
    bt->key = bt->cmask + B * 64 * cw;
    bt->pa = (double *)(bt->key + B);
    bt->xlo = (uint32_t *)(bt->pa + B);
    bt->xhi = hi ? bt->xlo + B * X : NULL;
    bt->ru = bt->xlo + nt;
    bt->bl = (int *)(bt->ru + B * rs);
    bt->cols = (int32_t *)(bt->bl + B);
    bt->ncols = (int *)(bt->cols + B * (X + 8));
    bt->kc = (uint8_t *)(bt->ncols + B);
    bt->cw = cw, bt->rs = rs;
    return 0;
}

/* What the samples of a batch need to prepare themselves (the pool's job over samples). */
typedef struct FillJob {
    const RtTile *t;
    const Batch *bt;
    const float *x, *xmax, *d;
    const IrUpdate *u;
    double lr;
} FillJob;

/*
** Samples b0..b1-1, each from its key alone: the plan, the rows' uniform words and counts
** K, and if a row fires, the column trains with their chunk bitmaps, or with BL 1 the list
** of the columns that fire (RtUpd.cols). A sample whose rows all stay silent is marked off,
** pa 0: its trains would meet no row, and their stream is the sample's own, so skipping
** them changes nothing else. Samples are independent, so any split among threads gives the
** same scratch.
*/
static void fill_samples(void *ctx, size_t b0, size_t b1)
{
    const FillJob *j = ctx;
    const Batch *bt = j->bt;
    const RtKern *k = rt_kern();
    size_t X = j->t->X, D = j->t->D;
    double dw = rt_device_granularity(&j->t->dev);
    RtPulsePlan plan[PLAN_GROUP];
    bool ons[PLAN_GROUP];
    uint64_t keys[PLAN_GROUP];
    uint32_t *words[PLAN_GROUP];
    for (size_t b = b0; b < b1; b++) {
        size_t at = (b - b0) % PLAN_GROUP; /* the plans come a group at a time */
        if (at == 0) {
            size_t g = b1 - b < PLAN_GROUP ? b1 - b : PLAN_GROUP, m = 0;
            rt_pulse_plans(plan, ons, j->x + b * X, j->xmax ? j->xmax + b : NULL, X,
                           j->d + b * D, D, g, j->lr, dw, j->u);
            for (size_t s = 0; s < g; s++) /* the rows' words of the samples that update */
                if (ons[s])
                    keys[m] = bt->key[b + s], words[m++] = bt->ru + (b + s) * bt->rs;
            k->stream_words(keys, words, m, RT_KERN_ROW_STREAM, bt->rs);
        }
        RtPulsePlan p = plan[at];
        bool on = ons[at];
        bt->pa[b] = on ? p.a : 0.0;
        bt->bl[b] = on ? p.bl : 1;
        bt->ncols[b] = -1;
        if (!on) {
            memset(bt->kc + b * bt->rs, 0, D);
            continue;
        }
        if (!k->train_counts(bt->kc + b * bt->rs, bt->ru + b * bt->rs, j->d + b * D, D, p.a,
                             p.bl)) {
            bt->pa[b] = 0.0;
            continue;
        }
        uint32_t *lo = bt->xlo + b * X, *hi = bt->xhi ? bt->xhi + b * X : NULL;
        if (p.bl == 1 && rt_kern_packs_rows(j->t->planes)) {
            bt->ncols[b] = (int)k->col_trains(lo, hi, j->x + b * X, X, p.b, p.bl, bt->key[b],
                                              bt->cols + b * (X + 8));
            continue;
        }
        k->col_trains(lo, hi, j->x + b * X, X, p.b, p.bl, bt->key[b], NULL);
        rt_kern_chunk_masks(bt->cmask + b * 64 * bt->cw, lo, hi, X, p.bl);
    }
}

/*
** The samples b0..b1-1 of the batch all (its scratch filled): the update of that part alone,
** with the same streams, so running consecutive parts in order is the whole update.
*/
static RtUpd part(const RtUpd *all, size_t b0, size_t b1)
{
    RtUpd p = *all;
    p.B = b1 - b0;
    p.x += b0 * all->X, p.d += b0 * all->D;
    p.key += b0, p.pa += b0, p.bl += b0;
    p.xlo += b0 * all->X;
    if (p.xhi)
        p.xhi += b0 * all->X;
    p.ru += b0 * all->rs, p.kc += b0 * all->rs;
    p.cmask += b0 * 64 * all->cw;
    p.cols += b0 * (all->X + 8), p.ncols += b0;
    return p;
}

/*
** The end of the next part from b0 on whose pulses fit in the staged counters (a sample adds
** at most its BL to a counter), flushing them first when needed; every part has at least
** one sample.
*/
static size_t counted_part(RtTile *t, const RtUpd *all, size_t b0)
{
    if (!t->cnt)
        return all->B;
    size_t b = b0;
    for (; b < all->B; b++) {
        unsigned add = all->pa[b] > 0.0 ? (unsigned)all->bl[b] : 0u;
        if (t->cnt_max + add > UINT16_MAX) {
            if (b > b0)
                break;
            flush_counts(t); /* a sample adds at most 64: after a flush it fits */
        }
        t->cnt_max += add;
    }
    return b;
}

/* The pool's job: rows i0..i1-1 of the batch. */
typedef struct RowsJob {
    const RtUpd *up;
    void (*rows)(const RtUpd *u, size_t i0, size_t i1);
} RowsJob;

static void rows_job(void *ctx, size_t i0, size_t i1)
{
    const RowsJob *j = ctx;
    j->rows(j->up, i0, i1);
}

/*
** Updates of fewer weight-samples (D X B) than this run on the calling thread: at the cost
** of sparse pulses (about 0.25 ns a weight-sample, a batch of 10 in fcn_fashion) that is
** 16 us, below which waking a sleeping worker (a few us) and the last block's wait eat the
** gain. fcn_fashion's 784-256 and 256-128 layers are shared, its 128-10 layer is not.
*/
#define SHARED_UPDATE_MIN 65536

/*
** stochastic_compressed for a batch: the samples' keys in order, then each sample's plan,
** column trains and row words, then the rows through `rows` (both on the pool's threads
** when the update is large enough to share: blocks of samples, then blocks of rows).
*/
static void update_trains(RtTile *t, const float *x, const float *xmax, const float *d,
                          size_t B, double lr, const IrUpdate *u, RtRng *r, RtPool *pool,
                          void (*rows)(const RtUpd *u, size_t i0, size_t i1))
{
    Batch bt;
    if (B == 0 || batch_alloc(t, &bt, B, u))
        return;
    for (size_t b = 0; b < B; b++) /* the keys in sample order, from the update stream */
        bt.key[b] = rt_rng_next(r);
    bool shared = rt_pool_threads(pool) > 1 && t->D * t->X * B >= SHARED_UPDATE_MIN;
    FillJob fill = {t, &bt, x, xmax, d, u, lr};
    if (shared && B > 1)
        rt_pool_run(pool, fill_samples, &fill, B, rt_pool_grain(pool, B));
    else
        fill_samples(&fill, 0, B);
    RtUpd up = {.pl = t->planes, .w = rt_tile_persistent(t), .wv = t->wp ? t->w : NULL,
                .cnt = t->cnt, .wn = (float)t->dev.wn, .D = t->D, .X = t->X, .B = B,
                .x = x, .d = d, .key = bt.key, .pa = bt.pa, .bl = bt.bl, .xlo = bt.xlo,
                .xhi = bt.xhi, .ru = bt.ru, .kc = bt.kc, .rs = bt.rs, .cmask = bt.cmask,
                .cw = bt.cw, .cols = bt.cols, .ncols = bt.ncols, .lr_neg = lr < 0.0,
                .touched = t->touched};
    up.hot_col = B == 1 && rt_kern_column_rows(t->planes) ? rt_lone_nonzero(x, t->X) : t->X;
    up.one_hot = up.hot_col < t->X;
    for (size_t b0 = 0, b1; b0 < B; b0 = b1) {
        b1 = counted_part(t, &up, b0);
        RtUpd p = part(&up, b0, b1);
        RowsJob job = {&p, rows};
        if (shared)
            rt_pool_run(pool, rows_job, &job, t->D, rt_pool_grain(pool, t->D));
        else
            rows(&p, 0, t->D);
    }
}

void rt_tile_update_batch_max(RtTile *t, const float *x, const float *xmax, const float *d,
                              size_t B, double lr, const IrUpdate *u, RtRng *r, RtPool *pool)
{
    if (lr == 0.0)
        return;
    if (uses_trains(t, u)) {
        update_trains(t, x, xmax, d, B, lr, u, r, pool, rt_kern()->rows);
        return;
    }
    if (t->touched) /* the other update types: any row may change */
        memset(t->touched, 1, t->D);
    for (size_t b = 0; b < B; b++)
        update_other(t, x + b * t->X, d + b * t->D, lr, u, r);
}

void rt_tile_update_batch_pool(RtTile *t, const float *x, const float *d, size_t B, double lr,
                               const IrUpdate *u, RtRng *r, RtPool *pool)
{
    rt_tile_update_batch_max(t, x, NULL, d, B, lr, u, r, pool);
}

void rt_tile_update_batch_ref(RtTile *t, const float *x, const float *d, size_t B, double lr,
                              const IrUpdate *u, RtRng *r)
{
    if (lr == 0.0)
        return;
    if (uses_trains(t, u)) {
        update_trains(t, x, NULL, d, B, lr, u, r, NULL, rt_kern_rows_ref);
        return;
    }
    for (size_t b = 0; b < B; b++)
        update_other(t, x + b * t->X, d + b * t->D, lr, u, r);
}

void rt_tile_update_batch(RtTile *t, const float *x, const float *d, size_t B, double lr,
                          const IrUpdate *u, RtRng *r)
{
    rt_tile_update_batch_pool(t, x, d, B, lr, u, r, NULL);
}

void rt_tile_update(RtTile *t, const float *x, const float *d, double lr, const IrUpdate *u,
                    RtRng *r)
{
    rt_tile_update_batch_pool(t, x, d, 1, lr, u, r, NULL);
}

float rt_tile_pulse(RtTile *t, size_t i, size_t j, bool up, RtRng *r)
{
    size_t k = i * t->X + j;
    pulse_n(t, k, 1, up, r);
    return t->w[k];
}

/*
** ====================================================================================
** Non-update weight operations (docs/theory.md §3.2.5)
** ====================================================================================
*/

bool rt_tile_post_update(RtTile *t, RtRng *r)
{
    if (!t->dev.diffuses && !t->dev.decays)
        return false;
    float *wt = rt_tile_persistent(t);
    size_t n = t->D * t->X;
    if (t->dev.diffuses)
        for (size_t k = 0; k < n; k++) {
            const RtCell *c = &t->cell[k];
            double w = (double)wt[k] + (double)c->diffusion * rt_rng_normal(r);
            wt[k] = rt_device_clip(c, (float)w);
        }
    if (t->dev.decays)
        for (size_t k = 0; k < n; k++) {
            const RtCell *c = &t->cell[k];
            double w = ((double)wt[k] - c->reset) * c->decay + c->reset;
            wt[k] = rt_device_clip(c, (float)w);
        }
    redraw_all(t, r);
    return true;
}

void rt_tile_reset_columns(RtTile *t, size_t j0, size_t n, RtRng *r)
{
    float *wt = rt_tile_persistent(t);
    double std = t->dev.reset_std;
    for (size_t j = j0; j < t->X && j - j0 < n; j++)
        for (size_t i = 0; i < t->D; i++) {
            size_t k = i * t->X + j;
            const RtCell *c = &t->cell[k];
            double w = c->reset + (std > 0.0 ? std * rt_rng_normal(r) : 0.0);
            wt[k] = rt_device_clip(c, (float)w);
        }
    redraw_all(t, r);
}
