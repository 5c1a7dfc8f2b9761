/*
** rt_algo_transfer.c: the transfers of the compound algorithms (docs/theory.md §5.3-5.12) and
** mixed precision (5.7). Notation of rt_algo.h: A = arr[0] (its logical array L read
** through the transfer I/O), W = arr[K-1], H/chi/Q = a->h, thr = a->thr, lr_t = a->lr_t,
** BL_t = transfer_bl. A read of column c is y = read(L, e_c): the forward of the one-hot
** input e_c through the transfer I/O, so y approximates L[:, c] plus the read's noise and
** quantisation. "n pulses" means |n| single pulses of sign(n) on W[i][c] (> 0: up).
**
**   tiki_taka, residual, multi_tile (chain): for every array k < K-1 whose period divides t,
**       n_reads columns c of arr[k]: arr[k+1] <- pulsed update with x = e_c, d = -y, lr_t,
**       i.e. arr[k+1][:, c] += lr_t y in expectation (eq. 11 / aihwkit TransferCompound).
**   ttv2, c_ttv2 (aihwkit ChoppedTransferCompound, in weight units; lr_t includes
**       aihwkit's factor gamma when gamma > 0): for each row i,
**       v = chop(i,c) y_i; h = H + lr_t v; n = clamp(trunc(h/thr), +-BL_t); if n != 0:
**       n pulses and h = forget_buffer ? momentum h : h - (1 - momentum) n thr; H = h.
**       Then the choppers of c_ttv2: c_in[c] flips with probability in_chop_prob
**       (in_chop_random) or at the end of every p-th sweep, p = max(ceil(1/in_chop_prob), 2);
**       after the last column each c_out[i] flips with probability out_chop_prob, sweep += 1.
**   agad: the same with v = chop(i,c) (y_i - mu_past[i,c]); mu[i,c] <- (1 - b) mu + b y_i,
**       b = min(tail_weightening/n_s, 1), n_s = max(ceil(1/in_chop_prob), 2); mu_past takes
**       mu when the column's chopper flipped at its previous read; pulses only once
**       sweep > n_s; the chopper of c flips when sweep mod n_s = n_s - 1 (or randomly).
**   residual_v2 (eq. 14 and the threshold transfer of Sec. 5): h = (1 - beta) H + beta y_i;
**       n = clamp(trunc(h/thr), +-BL_t); n pulses; H = h - n thr.
**   rider, e_rider (eqs. 11b, 12): q = Q[i,c]; Q[i,c] = (1 - eta) q + eta y_i;
**       W <- pulsed update with x = e_c, d = -c_s (y - q), lr_t; e_rider then flips its
**       chopper c_s with probability in_chop_prob (once per step).
**   mixed_precision: chi += lr_g d x^T per sample; every transfer_every steps, every weight:
**       n = clamp(trunc(chi/thr), +-BL_t), chi -= n thr, -n pulses (W -= n thr).
*/
#include <math.h>
#include <string.h>

#include "rt_algo_impl.h"

/* The transfer reads of one event: n_reads_per_transfer, at most X. */
static size_t reads_per_event(const RtAlgo *a)
{
    size_t n = a->o->n_reads_per_transfer;
    return n < 1 ? 1 : n > a->X ? a->X : n;
}

/*
** Read the next columns of arr[k] (cyclic) through the transfer I/O: row r of a->oh is
** e_{c0+r}, row r of a->y (D) its read. Returns how many (n); *c0 receives the first column.
*/
static size_t read_columns(RtAlgo *a, size_t k, size_t *c0)
{
    RtArr *r = &a->arr[k];
    size_t n = reads_per_event(a);
    rt_algo_logical(r, a->D * a->X);
    memset(a->oh, 0, n * a->X * sizeof *a->oh);
    *c0 = r->col;
    for (size_t q = 0; q < n; q++)
        a->oh[q * a->X + (*c0 + q) % a->X] = 1.0f;
    rt_io_forward(a->y, a->tio, r->lg, a->oh, NULL, n, NULL); /* a few reads */
    r->col = (*c0 + n) % a->X;
    r->cnt.mvm_read += (double)n;
    return n;
}

/* A threshold write of W (a column, or a row) that fired: its count and pulse cycles. */
static void count_write(RtAlgo *a)
{
    RtArrCount *c = &a->arr[a->K - 1].cnt;
    c->writes += 1.0;
    c->write_cycles += (double)a->o->transfer_bl;
}

/* n = clamp(trunc(h/thr), +-BL_t): the pulses a threshold write fires for buffer value h. */
static long threshold_count(const RtAlgo *a, double h)
{
    double n = trunc(h / a->thr), bl = (double)a->o->transfer_bl;
    return (long)(n > bl ? bl : n < -bl ? -bl : n);
}

/*
** {======================================================================
** Pulsed transfers: tiki_taka, residual, multi_tile
** =======================================================================
*/

/*
** arr[k+1][:, c] += lr_t y for the columns read from arr[k]: each a one-sample update, its
** rows shared on pool where the tile is large enough (the same pulses on any thread: rows
** key their streams by row). A one-hot column's rows each fire a chain of up to BL pulses on
** one cell, which the kernels run 8 rows side by side (RtUpd.one_hot): 22 us a step on
** fcn_fashion's 784-256 layer (48 row by row).
*/
static void chain_event(RtAlgo *a, size_t k, RtPool *pool)
{
    size_t c0, n = read_columns(a, k, &c0);
    RtArr *to = &a->arr[k + 1];
    for (size_t q = 0; q < n; q++) {
        const float *y = a->y + q * a->D;
        for (size_t i = 0; i < a->D; i++)
            a->dv[i] = -y[i];
        rt_tile_update_batch_pool(to->t, a->oh + q * a->X, a->dv, 1, a->lr_t, &a->tu,
                                  to->upd, pool);
        to->transfers += 1.0;
        if (a->col_changed) /* a one-hot input: only its column can change */
            a->col_changed[(c0 + q) % a->X] = 1;
    }
    to->cnt.updates += (double)n;
    rt_algo_logical(to, a->D * a->X);
}

/* Every transfer of the chain due at step a->t (finest array first). */
static void chain(RtAlgo *a, RtPool *pool)
{
    for (size_t k = 0; k + 1 < a->K; k++)
        if (a->t % a->arr[k].every == 0)
            chain_event(a, k, pool);
}

/* }====================================================================== */

/*
** {======================================================================
** Buffered threshold transfers: ttv2, c_ttv2, agad
** =======================================================================
*/

/* Regular period of the choppers: max(ceil(1/p), 2) (SIZE_MAX/2 when p is 0). */
static size_t chop_period(double p)
{
    if (!(p > 0.0))
        return SIZE_MAX / 2;
    double n = ceil(1.0 / p);
    return n < 2.0 ? 2 : n > 1e15 ? (size_t)1e15 : (size_t)n;
}

/* The choppers after reading column c (c_ttv2, agad), and the end of a sweep. */
static void chop_after(RtAlgo *a, size_t c)
{
    const IrOptimizer *o = a->o;
    if (o->kind != IR_OPT_TTV2 && o->in_chop_prob > 0.0) {
        size_t p = chop_period(o->in_chop_prob);
        bool flip = o->in_chop_random ? rt_rng_uniform(&a->chop) < o->in_chop_prob
                                      : a->sweep % p == p - 1;
        if (flip) {
            a->cin[c] = -a->cin[c];
            if (a->switched)
                a->switched[c] = true;
        }
    }
    if (c + 1 != a->X)
        return;
    if (o->kind != IR_OPT_TTV2 && o->out_chop_prob > 0.0)
        for (size_t i = 0; i < a->D; i++)
            if (rt_rng_uniform(&a->chop) < o->out_chop_prob)
                a->cout[i] = -a->cout[i];
    a->sweep++;
}

/* One column c with reads y (D) into the buffer, with its threshold writes onto W. */
static void buffered_column(RtAlgo *a, size_t c, const float *y)
{
    const IrOptimizer *o = a->o;
    bool agad = o->kind == IR_OPT_AGAD, chop = o->kind != IR_OPT_TTV2;
    size_t ns = chop_period(o->in_chop_prob);
    double b = fmin(o->tail_weightening / (double)ns, 1.0);
    bool write = !agad || a->sweep > ns, fired = false;
    for (size_t i = 0; i < a->D; i++) {
        size_t e = i * a->X + c;
        if (agad && a->switched[c])
            a->mu_past[e] = a->mu[e];
        double v = agad ? (double)y[i] - (double)a->mu_past[e] : (double)y[i];
        double h = (double)a->h[e] + a->lr_t * v * (chop ? a->cout[i] * a->cin[c] : 1.0f);
        long n = threshold_count(a, h);
        if (n != 0) {
            h = o->forget_buffer ? o->momentum * h : h - (1.0 - o->momentum) * (double)n * a->thr;
            if (write)
                rt_algo_fire(a, i, c, n);
            fired |= write;
        }
        a->h[e] = (float)h;
        if (agad)
            a->mu[e] = (float)((1.0 - b) * a->mu[e] + b * y[i]);
    }
    if (agad)
        a->switched[c] = false;
    if (fired)
        count_write(a);
    a->digital += (double)a->D * (agad ? 2.0 : 1.0); /* H (and agad's mu) per row */
    a->arr[a->K - 1].transfers += 1.0;
    chop_after(a, c);
}

/* One buffered transfer event: read the next columns of A, each into H and onto W. */
static void buffered(RtAlgo *a)
{
    size_t c0, n = read_columns(a, 0, &c0);
    for (size_t q = 0; q < n; q++)
        buffered_column(a, (c0 + q) % a->X, a->y + q * a->D);
}

/* }====================================================================== */

/*
** {======================================================================
** residual_v2, rider, e_rider
** =======================================================================
*/

/* One RLv2 transfer event: the EMA of the reads into H, single pulses where it crosses. */
static void rlv2(RtAlgo *a)
{
    double beta = a->o->beta;
    size_t c0, n = read_columns(a, 0, &c0);
    for (size_t q = 0; q < n; q++) {
        size_t c = (c0 + q) % a->X;
        bool fired = false;
        for (size_t i = 0; i < a->D; i++) {
            size_t e = i * a->X + c;
            double h = (1.0 - beta) * a->h[e] + beta * a->y[q * a->D + i];
            long m = threshold_count(a, h);
            if (m != 0)
                rt_algo_fire(a, i, c, m);
            fired |= m != 0;
            a->h[e] = (float)(h - (double)m * a->thr);
        }
        if (fired)
            count_write(a);
        a->digital += (double)a->D;
        a->arr[a->K - 1].transfers += 1.0;
    }
}

/* One rider transfer event: Q tracks the reads, W takes lr_t (y - Q_old) (chopped). */
static void rider(RtAlgo *a)
{
    double eta = a->o->eta;
    RtArr *W = &a->arr[a->K - 1];
    size_t c0, n = read_columns(a, 0, &c0);
    for (size_t q = 0; q < n; q++) {
        size_t c = (c0 + q) % a->X;
        for (size_t i = 0; i < a->D; i++) {
            size_t e = i * a->X + c;
            double y = a->y[q * a->D + i], old = a->h[e];
            a->h[e] = (float)((1.0 - eta) * old + eta * y);
            a->dv[i] = (float)(-a->csign * (y - old));
        }
        rt_tile_update(W->t, a->oh + q * a->X, a->dv, a->lr_t, &a->tu, W->upd);
        W->transfers += 1.0;
    }
    W->cnt.updates += (double)n;
    a->digital += (double)n * (double)a->D;
}

void rt_algo_transfer(RtAlgo *a, RtPool *pool)
{
    bool due = a->t % a->arr[0].every == 0;
    switch (a->o->kind) {
    case IR_OPT_TIKI_TAKA:
    case IR_OPT_RESIDUAL:
    case IR_OPT_MULTI_TILE: chain(a, pool); break;
    case IR_OPT_TTV2:
    case IR_OPT_C_TTV2:
    case IR_OPT_AGAD:
        if (due)
            buffered(a);
        break;
    case IR_OPT_RESIDUAL_V2:
        if (due)
            rlv2(a);
        break;
    case IR_OPT_RIDER:
    case IR_OPT_E_RIDER:
        if (due)
            rider(a);
        if (a->o->kind == IR_OPT_E_RIDER && rt_rng_uniform(&a->chop) < a->o->in_chop_prob)
            a->csign = -a->csign;
        break;
    default: break;
    }
}

/* }====================================================================== */

/*
** {======================================================================
** mixed_precision
** =======================================================================
*/

void rt_algo_mp_step(RtAlgo *a, const float *x, const float *d, size_t B)
{
    double lr = a->lr_g;
    for (size_t b = 0; b < B; b++)
        for (size_t i = 0; i < a->D; i++) {
            double g = lr * (double)d[b * a->D + i];
            float *chi = a->h + i * a->X;
            for (size_t j = 0; j < a->X; j++)
                chi[j] = (float)((double)chi[j] + g * (double)x[b * a->X + j]);
        }
    a->t++;
    a->digital += (double)B * (double)a->D * (double)a->X; /* chi's multiply-adds */
    if (a->t % a->arr[0].every != 0)
        return;
    a->digital += (double)a->D * (double)a->X; /* the threshold tests */
    for (size_t i = 0; i < a->D; i++) {
        bool fired = false;
        for (size_t j = 0; j < a->X; j++) {
            size_t e = i * a->X + j;
            long n = threshold_count(a, a->h[e]);
            if (n == 0)
                continue;
            a->h[e] = (float)((double)a->h[e] - (double)n * a->thr);
            rt_algo_fire(a, i, j, -n);
            fired = true;
        }
        if (fired)
            count_write(a);
        a->arr[0].transfers += 1.0;
    }
}

/* }====================================================================== */
