/*
** rt_algo.c: construction of the algorithms (arrays, zero-shift calibration, transfer I/O),
** the step and post-update drivers, the visible weights and the per-array statistics.
** The transfers of the families live in rt_algo_transfer.c.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_algo_impl.h"
#include "rt_mem.h"
#include "rt_net.h"
#include "rt_vec.h"

#define MAX_EVERY 1e15 /* longest transfer period in steps (multi_tile growth) */

/* The number of analog arrays of o's kind (0: digital). */
static size_t array_count(const IrOptimizer *o)
{
    switch (o->kind) {
    case IR_OPT_DIGITAL_SGD: return 0;
    case IR_OPT_ANALOG_SGD:
    case IR_OPT_MIXED_PRECISION: return 1;
    case IR_OPT_MULTI_TILE:
        return o->n_tiles < 2 ? 2 : o->n_tiles > RT_ALGO_MAX_ARRAYS ? RT_ALGO_MAX_ARRAYS
                                                                     : o->n_tiles;
    default: return 2;
    }
}

/* Kinds with input/output choppers on every weight (c_ttv2, agad). */
static bool is_chopped(IrOptKind k)
{
    return k == IR_OPT_C_TTV2 || k == IR_OPT_AGAD;
}

/* Kinds with the digital tracker Q (rider, e_rider). */
static bool is_rider(IrOptKind k)
{
    return k == IR_OPT_RIDER || k == IR_OPT_E_RIDER;
}

/* Kinds with a digital (D,X) buffer: H, chi or Q. */
static bool has_buffer(IrOptKind k)
{
    return k == IR_OPT_TTV2 || k == IR_OPT_C_TTV2 || k == IR_OPT_AGAD ||
           k == IR_OPT_RESIDUAL_V2 || k == IR_OPT_MIXED_PRECISION || is_rider(k);
}

/* Kinds whose gradient arrays may be zero-shifted (the schema's `zero_shift` families). */
static bool shiftable(IrOptKind k)
{
    return k == IR_OPT_TIKI_TAKA || k == IR_OPT_RESIDUAL || k == IR_OPT_MULTI_TILE ||
           k == IR_OPT_TTV2 || k == IR_OPT_C_TTV2 || k == IR_OPT_RESIDUAL_V2;
}

/*
** {======================================================================
** Symmetric points
** =======================================================================
*/

/* step(up) + step(down) of cell c at stored weight w (the mean drift of a pulse pair). */
static double pair_drift(const RtDevice *dv, const RtCell *c, double w)
{
    return rt_device_step(dv, c, w, true) + rt_device_step(dv, c, w, false);
}

double rt_algo_cell_sp(const RtDevice *dv, const RtCell *c)
{
    double lo = (double)c->bmin - c->ref, hi = (double)c->bmax - c->ref;
    if (!rt_device_is_pulsed(dv) || !isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return NAN;
    double flo = pair_drift(dv, c, lo), fhi = pair_drift(dv, c, hi);
    if (flo == 0.0 && fhi == 0.0)
        return NAN; /* equal steps everywhere, or no steps */
    if ((flo > 0.0) == (fhi > 0.0) && flo != 0.0 && fhi != 0.0)
        return NAN; /* a drift to one bound */
    for (int it = 0; it < 80 && hi - lo > 1e-12 * (fabs(lo) + fabs(hi) + 1e-30); it++) {
        double mid = 0.5 * (lo + hi), f = pair_drift(dv, c, mid);
        if ((f > 0.0) == (flo > 0.0) && f != 0.0)
            lo = mid, flo = f;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/*
** The symmetric point of every cell of t (n = D*X doubles, malloc'd), or NULL. A cell equal
** to the one before it (no device-to-device variation) has its symmetric point: the
** bisection, with a pow() per step, is not repeated for it.
*/
static double *cell_sps(const RtTile *t)
{
    size_t n = t->D * t->X;
    double *sp = malloc((n ? n : 1) * sizeof *sp);
    for (size_t k = 0; sp && k < n; k++)
        sp[k] = k > 0 && memcmp(&t->cell[k], &t->cell[k - 1], sizeof *t->cell) == 0
                    ? sp[k - 1]
                    : rt_algo_cell_sp(&t->dev, &t->cell[k]);
    return sp;
}

/* }====================================================================== */

/*
** {======================================================================
** Construction
** =======================================================================
*/

/* calloc of n floats (at least one). */
static float *floats(size_t n)
{
    return calloc(n ? n : 1, sizeof(float));
}

/* The transfer reads of one event: n_reads_per_transfer, at most X. */
static size_t reads_per_event(const RtAlgo *a)
{
    size_t n = a->o->n_reads_per_transfer;
    return n < 1 ? 1 : n > a->X ? a->X : n;
}

/* Digital buffers, choppers and scratch; nonzero when out of memory. */
static int alloc_buffers(RtAlgo *a)
{
    IrOptKind k = a->o->kind;
    size_t n = a->D * a->X, nr = reads_per_event(a);
    if (has_buffer(k) && !(a->h = floats(n)))
        return -1;
    if (k == IR_OPT_AGAD && (!(a->mu = floats(n)) || !(a->mu_past = floats(n)) ||
                             !(a->switched = calloc(a->X, sizeof *a->switched))))
        return -1;
    if (!(a->cin = floats(a->X)) || !(a->cout = floats(a->D)))
        return -1;
    for (size_t j = 0; j < a->X; j++)
        a->cin[j] = 1.0f;
    for (size_t i = 0; i < a->D; i++)
        a->cout[i] = 1.0f;
    a->csign = 1.0f;
    if (a->K >= 2 && !(a->vis = floats(n)))
        return -1;
    bool ok = (a->oh = floats(nr * a->X)) && (a->y = floats(nr * a->D)) &&
              (a->dv = floats(a->D)) && (a->xs = floats(a->max_rows * a->X)) &&
              (a->ds = floats(a->max_rows * a->D));
    return ok ? 0 : -1;
}

/*
** The weight array: the layer's tile, or (slow set to another device) a tile of slow with
** cells from w_d2d and the same weights, replacing it. Nonzero when out of memory.
*/
static int weight_array(RtAlgo *a, RtTile **w, const IrLayer *L, RtRng *upd, RtRng *w_d2d)
{
    const IrDevice *slow = a->K >= 2 ? a->o->slow : NULL;
    if (slow && slow != L->on) {
        RtTile *t = rt_tile_new(a->D, a->X, slow, w_d2d, true);
        if (!t)
            return -1;
        rt_tile_set_weights(t, (*w)->w);
        rt_tile_free(*w);
        *w = t;
    }
    RtArr *W = &a->arr[a->K - 1];
    W->t = *w;
    W->dev = slow ? slow : L->on;
    W->upd = upd;
    W->lg = (*w)->w;
    return (W->sp = cell_sps(*w)) ? 0 : -1;
}

/*
** Zero-shifting (docs/theory.md §5.10): N alternating single pulses on every device of r's array
** (cell by cell, up first), then the reference programmed to the result.
*/
static void zero_shift(RtArr *r, size_t N, RtRng *pulses)
{
    RtTile *t = r->t;
    for (size_t i = 0; i < t->D; i++)
        for (size_t j = 0; j < t->X; j++)
            for (size_t q = 0; q < N; q++)
                rt_tile_pulse(t, i, j, q % 2 == 0, pulses);
    rt_tile_set_weights(r->ref, t->w);
    /* the cost (docs/cost.md): N pulses per device, and one read per column of A to learn
       the values R is programmed to */
    r->cnt.calib_pulses += (double)N * (double)t->D * (double)t->X;
    r->cnt.mvm_calib += (double)t->X;
}

/* Array k < K-1: a tile of `fast` at 0, its stream, its reference (calibrated) if any. */
static int gradient_array(RtAlgo *a, size_t k, const IrLayer *L, uint64_t seed, size_t l)
{
    const IrOptimizer *o = a->o;
    RtArr *r = &a->arr[k];
    const IrDevice *dev = o->fast ? o->fast : L->on;
    RtRng d2d;
    rt_rng_seed(&d2d, seed, RT_STREAM_ALGO(l, 4 * k));
    if (!(r->t = rt_tile_new(a->D, a->X, dev, &d2d, true)))
        return -1;
    r->dev = dev;
    rt_rng_seed(&r->own, seed, RT_STREAM_ALGO(l, 4 * k + 1));
    r->upd = &r->own;
    rt_tile_set_weights(r->t, a->vis); /* zeros (vis before the first refresh) */
    r->lg = r->t->w;
    if (o->zero_shift && shiftable(o->kind)) {
        RtRng rd2d, zs;
        rt_rng_seed(&rd2d, seed, RT_STREAM_ALGO(l, 4 * k + 2));
        rt_rng_seed(&zs, seed, RT_STREAM_ALGO(l, 4 * k + 3));
        r->ref = rt_tile_new(a->D, a->X, o->reference ? o->reference : dev, &rd2d, false);
        if (!r->ref || !(r->lg = floats(a->D * a->X)))
            return -1;
        zero_shift(r, o->zero_shift_pulses, &zs);
    }
    return (r->sp = cell_sps(r->t)) ? 0 : -1;
}

/*
** Whether a schedule scales the gradient update of kind k (rt_algo.h; docs/algorithms.md
** §1). aihwkit hands the scheduled SGD rate to AnalogSGD's tile and to
** MixedPrecisionCompound's chi, and the seed paper's RLv2 code sets fast_lr 1 with
** scale_fast_lr, so P's rate is the SGD rate (docs/theory.md §5.9). TransferCompound in
** aihwkit 0.9.0 (the seed paper's TTv1/RL runs, fast_lr 0.01) and the chopped and dynamic
** compounds (scale_fast_lr False; the riders are configured on them) take fast_lr as an
** absolute rate that a schedule never reaches.
*/
static bool grad_rate_scheduled(IrOptKind k)
{
    return k == IR_OPT_ANALOG_SGD || k == IR_OPT_MIXED_PRECISION || k == IR_OPT_RESIDUAL_V2;
}

void rt_algo_set_lr(RtAlgo *a, double factor)
{
    const IrOptimizer *o = a->o;
    a->lr_g = grad_rate_scheduled(o->kind) ? a->lr * factor : a->lr;
    a->lr_t = o->transfer_lr * (o->scale_transfer_lr ? a->lr * factor : 1.0);
    bool buffered = o->kind == IR_OPT_TTV2 || o->kind == IR_OPT_C_TTV2 || o->kind == IR_OPT_AGAD;
    if (buffered && o->gamma > 0.0)
        a->lr_t *= o->gamma; /* aihwkit's gamma_A / gamma_C (docs/theory.md §5.4) */
}

/* Transfer periods, visible-weight factors, threshold, transfer rate and update. */
static void set_params(RtAlgo *a)
{
    const IrOptimizer *o = a->o;
    const RtArr *W = &a->arr[a->K - 1];
    double growth = o->kind != IR_OPT_MULTI_TILE ? 1.0
                    : o->transfer_growth > 0.0   ? o->transfer_growth
                                                 : (double)a->X / (double)reads_per_event(a);
    double every = o->transfer_every ? (double)o->transfer_every : 1.0;
    for (size_t k = 0; k < a->K; k++) {
        double e = fmin(round(every * pow(growth, (double)k)), MAX_EVERY);
        a->arr[k].every = e < 1.0 ? 1 : (size_t)e;
        a->gv[k] = pow(o->gamma, (double)(a->K - 1 - k));
    }
    a->thr = o->thres_scale * rt_device_granularity(&W->t->dev);
    a->lr = o->lr;
    rt_algo_set_lr(a, 1.0);
    a->tu = o->update;
    a->tu.desired_bl = o->transfer_bl;
    a->tu.update_management = a->tu.update_bl_management = true;
}

/* The transfer I/O: o's (or the analog defaults) with noise and bound management off. */
static int transfer_io(RtAlgo *a, uint64_t seed, size_t l)
{
    if (a->K < 2)
        return 0;
    a->tio_ir = a->o->transfer_io ? *a->o->transfer_io : *rt_io_default();
    a->tio_ir.noise_management = IR_NM_NONE;
    a->tio_ir.bound_management = IR_BM_NONE;
    a->tio = rt_io_new(&a->tio_ir, &a->tio_ir, a->D, a->X, reads_per_event(a), seed,
                       RT_STREAM_ALGO(l, RT_ALGO_TIO));
    return a->tio ? 0 : -1;
}

/*
** Whether a step refreshes only the weights it changed: where vis is a fixed combination of
** the arrays (no choppers, no rider's Q, no references, whose logical weights are recomputed
** whole), the cells a step can change are those of the rows its gradient update fired
** (arr[0]) and of the columns its transfers wrote (rt_algo_fire and the chain's one-hot
** writes). The full refresh was a fifth of a Residual Learning epoch of fcn_fashion.
*/
static void refresh_changed(RtAlgo *a, RtPool *pool);

static bool tracks_changes(const RtAlgo *a)
{
    if (a->K < 2 || is_chopped(a->o->kind) || is_rider(a->o->kind))
        return false;
    for (size_t k = 0; k < a->K; k++)
        if (a->arr[k].ref)
            return false;
    return true;
}

RtAlgo *rt_algo_new(RtTile **w, const IrLayer *L, const IrOptimizer *o, RtRng *upd,
                    uint64_t seed, size_t layer, size_t max_rows, RtRng *w_d2d)
{
    RtAlgo *a = rt_xcalloc(1, sizeof *a);
    a->o = o;
    a->D = (*w)->D;
    a->X = (*w)->X;
    a->K = array_count(o);
    a->max_rows = max_rows ? max_rows : 1;
    rt_rng_seed(&a->chop, seed, RT_STREAM_ALGO(layer, RT_ALGO_CHOP));
    int rc = a->K < 1 || alloc_buffers(a) || weight_array(a, w, L, upd, w_d2d);
    for (size_t k = 0; !rc && k + 1 < a->K; k++)
        rc = gradient_array(a, k, L, seed, layer);
    if (rc || transfer_io(a, seed, layer)) {
        rt_algo_free(a);
        return NULL;
    }
    if (a->K == 1)
        a->vis = a->arr[0].t->w;
    set_params(a);
    rt_algo_refresh(a, NULL);
    if (tracks_changes(a)) {
        a->row_changed = calloc(a->D, 1);
        a->col_changed = calloc(a->X, 1);
        if (!a->row_changed || !a->col_changed) {
            rt_algo_free(a);
            return NULL;
        }
        a->arr[0].t->touched = a->row_changed;
    }
    return a;
}

void rt_algo_free(RtAlgo *a)
{
    if (!a)
        return;
    for (size_t k = 0; k < a->K; k++) {
        RtArr *r = &a->arr[k];
        if (r->ref)
            free(r->lg);
        if (k + 1 < a->K)
            rt_tile_free(r->t); /* W belongs to the net */
        rt_tile_free(r->ref);
        free(r->sp);
    }
    if (a->K >= 2)
        free(a->vis);
    free(a->row_changed);
    free(a->col_changed);
    rt_io_free(a->tio);
    free(a->h), free(a->mu), free(a->mu_past), free(a->switched);
    free(a->cin), free(a->cout);
    free(a->oh), free(a->y), free(a->dv), free(a->xs), free(a->ds);
    free(a);
}

int rt_algo_attach(struct RtNet *n, const IrModel *m, const IrOptimizer *o, uint64_t seed,
                   char *err, size_t errlen)
{
    if (array_count(o) == 0)
        return 0;
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        if (!ly->tile)
            continue;
        RtRng d2d;
        rt_rng_seed(&d2d, seed, RT_STREAM_D2D(l));
        ly->algo = rt_algo_new(&ly->tile, &m->layers[l], o, &ly->upd, seed, l, ly->rows,
                               &d2d);
        if (!ly->algo) {
            snprintf(err, errlen, "optimizer '%s' on model '%s': out of memory", o->name,
                     m->name);
            return 1;
        }
        ly->w = ly->algo->vis;
    }
    return 0;
}

/* }====================================================================== */

/*
** {======================================================================
** Steps
** =======================================================================
*/

/* x and d of the batch with the chopper signs (c_ttv2, agad: per column and row; e_rider: d). */
static void chop_batch(RtAlgo *a, const float *x, const float *d, size_t B)
{
    bool cols = is_chopped(a->o->kind);
    for (size_t b = 0; b < B; b++) {
        for (size_t j = 0; j < a->X; j++)
            a->xs[b * a->X + j] = cols ? x[b * a->X + j] * a->cin[j] : x[b * a->X + j];
        for (size_t i = 0; i < a->D; i++)
            a->ds[b * a->D + i] = d[b * a->D + i] * (cols ? a->cout[i] : a->csign);
    }
}

/*
** The gradient update of arr[0] with lr_g (on pool), chopped where the kind chops; xmax, or
** NULL: x's row maxima (rt_tile_update_batch_max), not those of chopped rows.
*/
static void fast_update(RtAlgo *a, const float *x, const float *xmax, const float *d, size_t B,
                        RtPool *pool)
{
    const IrOptimizer *o = a->o;
    if (is_chopped(o->kind) || o->kind == IR_OPT_E_RIDER) {
        chop_batch(a, x, d, B);
        x = a->xs, d = a->ds, xmax = NULL;
    }
    rt_tile_update_batch_max(a->arr[0].t, x, xmax, d, B, a->lr_g, &o->update, a->arr[0].upd,
                             pool);
    a->arr[0].cnt.updates += (double)B;
}

void rt_algo_count_mvm(RtAlgo *a, bool bwd, size_t B)
{
    for (size_t k = 0; k < a->K; k++)
        *(bwd ? &a->arr[k].cnt.mvm_bwd : &a->arr[k].cnt.mvm_fwd) += (double)B;
}

void rt_algo_step(RtAlgo *a, const float *x, const float *d, size_t B, RtPool *pool)
{
    rt_algo_step_max(a, x, NULL, d, B, pool);
}

void rt_algo_step_max(RtAlgo *a, const float *x, const float *xmax, const float *d, size_t B,
                      RtPool *pool)
{
    if (B > a->max_rows)
        B = a->max_rows;
    switch (a->o->kind) {
    case IR_OPT_ANALOG_SGD:
        fast_update(a, x, xmax, d, B, pool);
        a->t++;
        break;
    case IR_OPT_MIXED_PRECISION: rt_algo_mp_step(a, x, d, B); break;
    default:
        fast_update(a, x, xmax, d, B, pool);
        a->t++;
        rt_algo_transfer(a, pool);
        break;
    }
    if (a->row_changed)
        refresh_changed(a, pool);
    else
        rt_algo_refresh(a, pool);
}

void rt_algo_post_update(RtAlgo *a)
{
    bool changed = false;
    for (size_t k = 0; k < a->K; k++) {
        changed |= rt_tile_post_update(a->arr[k].t, a->arr[k].upd);
        if (a->arr[k].ref)
            changed |= rt_tile_post_update(a->arr[k].ref, a->arr[k].upd);
    }
    if (changed) /* the visible weights are a function of the arrays: unchanged with them */
        rt_algo_refresh(a, NULL);
}

void rt_algo_fire(RtAlgo *a, size_t i, size_t j, long n)
{
    RtArr *W = &a->arr[a->K - 1];
    if (a->col_changed)
        a->col_changed[j] = 1;
    for (long q = 0; q < labs(n); q++)
        rt_tile_pulse(W->t, i, j, n > 0, W->upd);
}

void rt_algo_logical(RtArr *r, size_t n)
{
    if (!r->ref)
        return;
    for (size_t k = 0; k < n; k++)
        r->lg[k] = r->t->w[k] - r->ref->w[k];
}

/*
** Rows i0..i1-1 of vis, 64 columns at a time: v = gv0 c (lg0 - q), then + gv_k lg_k for
** k = 1..K-1, in double (the same sums in the same order as element by element; loops the
** compiler vectorises, at the CPU's widest: 10% of a Residual Learning epoch at SSE2's two
** doubles). Rows are independent: any split among threads gives the same vis.
*/
RT_WIDE_LOOP static void refresh_rows(void *ctx, size_t i0, size_t i1)
{
    const RtAlgo *a = ctx;
    const float *q = is_rider(a->o->kind) ? a->h : NULL;
    bool chopped = is_chopped(a->o->kind);
    double gc = a->gv[0] * (double)a->csign;
    double v[64];
    for (size_t i = i0; i < i1; i++)
        for (size_t j0 = 0; j0 < a->X; j0 += 64) {
            size_t len = a->X - j0 < 64 ? a->X - j0 : 64, at = i * a->X + j0;
            const float *restrict l0 = a->arr[0].lg + at;
            if (q)
                for (size_t j = 0; j < len; j++) {
                    float c = chopped ? a->cout[i] * a->cin[j0 + j] : a->csign;
                    v[j] = a->gv[0] * c * ((double)l0[j] - (double)q[at + j]);
                }
            else if (chopped)
                for (size_t j = 0; j < len; j++)
                    v[j] = a->gv[0] * (double)(a->cout[i] * a->cin[j0 + j]) * (double)l0[j];
            else
                for (size_t j = 0; j < len; j++)
                    v[j] = gc * (double)l0[j];
            for (size_t k = 1; k < a->K; k++) {
                const float *restrict lk = a->arr[k].lg + at;
                double g = a->gv[k];
                for (size_t j = 0; j < len; j++)
                    v[j] += g * (double)lk[j];
            }
            float *restrict out = a->vis + at;
            for (size_t j = 0; j < len; j++)
                out[j] = (float)v[j];
        }
}

/*
** Refreshes of fewer weights than this run on the calling thread: at about 1 ns a weight
** (two arrays) that is 32 us, below which waking a sleeping worker and the last block's wait
** eat the gain.
*/
#define SHARED_REFRESH_MIN 32768

void rt_algo_refresh(RtAlgo *a, RtPool *pool)
{
    size_t n = a->D * a->X;
    for (size_t k = 0; k < a->K; k++)
        rt_algo_logical(&a->arr[k], n);
    if (a->K < 2)
        return;
    if (rt_pool_threads(pool) > 1 && n >= SHARED_REFRESH_MIN)
        rt_pool_run(pool, refresh_rows, a, a->D, rt_pool_grain(pool, a->D));
    else
        refresh_rows(a, 0, a->D);
}

/*
** vis after a step of a kind that tracks its changes (tracks_changes): the changed rows
** whole, then the changed columns' cells of the other rows, each as refresh_rows computes
** it (the same sum in the same order: the same vis as a full refresh); the marks cleared.
*/
static void refresh_marked_rows(void *ctx, size_t i0, size_t i1)
{
    RtAlgo *a = ctx;
    for (size_t i = i0; i < i1; i++)
        if (a->row_changed[i])
            refresh_rows(a, i, i + 1);
}

static void refresh_changed(RtAlgo *a, RtPool *pool)
{
    size_t rows = 0;
    for (size_t i = 0; i < a->D; i++)
        rows += a->row_changed[i];
    if (rt_pool_threads(pool) > 1 && rows * a->X >= SHARED_REFRESH_MIN)
        rt_pool_run(pool, refresh_marked_rows, a, a->D, rt_pool_grain(pool, a->D));
    else
        refresh_marked_rows(a, 0, a->D);
    for (size_t j = 0; j < a->X; j++) {
        if (!a->col_changed[j])
            continue;
        double gc = a->gv[0] * (double)a->csign;
        for (size_t i = 0; i < a->D; i++) {
            if (a->row_changed[i])
                continue;
            size_t at = i * a->X + j;
            double v = gc * (double)a->arr[0].lg[at];
            for (size_t k = 1; k < a->K; k++)
                v += a->gv[k] * (double)a->arr[k].lg[at];
            a->vis[at] = (float)v;
        }
    }
    memset(a->row_changed, 0, a->D);
    memset(a->col_changed, 0, a->X);
}

/* }====================================================================== */

/*
** {======================================================================
** Statistics
** =======================================================================
*/

/*
** The k-th smallest (0-based) of v[0..n), k < n, by Hoare's selection (quickselect with the
** median of three as pivot): linear time on average, v reordered.
*/
static uint64_t kth_smallest(uint64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t a = v[lo], b = v[mid], c = v[hi];
        uint64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint64_t t = v[i];
                v[i] = v[j], v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k]; /* between j and i: equal to the pivot */
    }
    return v[k];
}

/*
** Pulses fired on t so far and their mean, maximum and nearest-rank 99th percentile per
** device (NaN when t does not count them; the percentile NaN when out of memory).
*/
static void pulse_stats(RtArrayStat *s, const RtTile *t)
{
    size_t n = t->D * t->X;
    s->pulses = s->dev_mean = s->dev_max = s->dev_p99 = NAN;
    if (!t->npulse || n == 0)
        return;
    uint64_t *v = malloc(n * sizeof *v), mx = 0;
    double sum = 0.0;
    for (size_t k = 0; k < n; k++) {
        uint64_t c = rt_tile_pulses_at(t, k);
        sum += (double)c;
        mx = c > mx ? c : mx;
        if (v)
            v[k] = c;
    }
    s->pulses = sum;
    s->dev_mean = sum / (double)n;
    s->dev_max = (double)mx;
    if (v) {
        size_t rank = (size_t)ceil(0.99 * (double)n); /* 1-based, at least 1 */
        s->dev_p99 = (double)kth_smallest(v, n, (rank ? rank : 1) - 1);
    }
    free(v);
}

/* Mean |v| and the RMS of v - sp (cells with a finite sp; NaN if none) over n values. */
static void moments(double *mean_abs, double *sp_dist, const float *v, const double *sp,
                    const float *ref, size_t n)
{
    double sa = 0.0, s2 = 0.0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        sa += fabs((double)v[k]);
        double p = sp ? sp[k] - (ref ? (double)ref[k] : 0.0) : NAN;
        if (isfinite(p)) {
            s2 += ((double)v[k] - p) * ((double)v[k] - p);
            m++;
        }
    }
    *mean_abs = n ? sa / (double)n : NAN;
    *sp_dist = m ? sqrt(s2 / (double)m) : NAN;
}

/* "W" for the weights; "P" (K == 2) or "P<n>" (n steps finer than W) for the others;
   prefix "R" instead of "P" for their references. */
static void array_name(char *out, size_t k, size_t K, bool ref)
{
    if (k + 1 == K)
        snprintf(out, 8, "W");
    else if (K == 2)
        snprintf(out, 8, "%s", ref ? "R" : "P");
    else
        snprintf(out, 8, "%s%zu", ref ? "R" : "P", K - 1 - k);
}

void rt_algo_array_name(char out[8], size_t k, size_t K, bool ref)
{
    array_name(out, k, K, ref);
}

/* A stat with everything not applicable. */
static RtArrayStat blank_stat(const RtAlgo *a)
{
    RtArrayStat s;
    memset(&s, 0, sizeof s);
    s.pulses = s.transfers = s.mean_abs = s.sp_dist = NAN;
    s.dev_mean = s.dev_max = s.dev_p99 = NAN;
    s.D = a->D;
    s.X = a->X;
    return s;
}

int rt_algo_reloaded(RtAlgo *a)
{
    for (size_t k = 0; k < a->K; k++) {
        free(a->arr[k].sp);
        if (!(a->arr[k].sp = cell_sps(a->arr[k].t)))
            return -1;
    }
    rt_algo_refresh(a, NULL);
    return 0;
}

size_t rt_algo_stats(const RtAlgo *a, RtArrayStat *out, size_t cap)
{
    size_t n = a->D * a->X, m = 0;
    for (size_t k = a->K; k-- > 0 && m < cap;) {
        const RtArr *r = &a->arr[k];
        RtArrayStat *s = &out[m++];
        *s = blank_stat(a);
        array_name(s->name, k, a->K, false);
        pulse_stats(s, r->t);
        bool receives = k > 0 || (a->K == 1 && a->o->kind == IR_OPT_MIXED_PRECISION);
        s->transfers = receives ? r->transfers : NAN;
        moments(&s->mean_abs, &s->sp_dist, r->lg, r->sp, r->ref ? r->ref->w : NULL, n);
        s->cnt = r->cnt;
        s->analog = true;
        s->weight = k + 1 == a->K;
        s->dev = r->dev;
    }
    for (size_t k = a->K; k-- > 0 && m < cap;) { /* references: read with their arrays */
        const RtArr *r = &a->arr[k];
        if (!r->ref)
            continue;
        RtArrayStat *s = &out[m++];
        *s = blank_stat(a);
        array_name(s->name, k, a->K, true);
        moments(&s->mean_abs, &s->sp_dist, r->ref->w, NULL, NULL, n);
        s->cnt.mvm_fwd = r->cnt.mvm_fwd;
        s->cnt.mvm_bwd = r->cnt.mvm_bwd;
        s->cnt.mvm_read = r->cnt.mvm_read;
        s->analog = s->reference = true;
        s->dev = a->o->reference ? a->o->reference : r->dev;
    }
    if (a->h && m < cap) {
        RtArrayStat *s = &out[m++];
        IrOptKind kind = a->o->kind;
        *s = blank_stat(a);
        snprintf(s->name, sizeof s->name, "%s", kind == IR_OPT_MIXED_PRECISION ? "chi"
                                                : is_rider(kind)                 ? "Q"
                                                                                 : "H");
        moments(&s->mean_abs, &s->sp_dist, a->h, NULL, NULL, n);
        s->cnt.digital = a->digital;
    }
    return m;
}

/* }====================================================================== */
