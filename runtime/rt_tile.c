/*
** rt_tile.c: tile storage, forward/backward through BLIS, and the pulsed update.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_matmul.h"
#include "rt_tile.h"

#define ALIGN 64

/* n rounded up to a multiple of ALIGN. */
static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/*
** Layout of the one allocation: the RtTile header, the cells, the weights, the counters
** (if any), then the column and row trains; every part starts on a 64-byte boundary.
*/
RtTile *rt_tile_new(size_t D, size_t X, const IrDevice *ir, RtRng *d2d, bool count_pulses)
{
    if (X != 0 && D > SIZE_MAX / 64 / X)
        return NULL;
    size_t n = D * X;
    size_t o_cell = round_up(sizeof(RtTile));
    size_t o_w = o_cell + round_up(n * sizeof(RtCell));
    size_t o_cnt = o_w + round_up(n * sizeof(float));
    size_t o_xb = o_cnt + (count_pulses ? round_up(n * sizeof(uint64_t)) : 0);
    size_t o_db = o_xb + round_up(X * sizeof(uint64_t));
    size_t total = o_db + round_up(D * sizeof(uint64_t));
    unsigned char *mem = aligned_alloc(ALIGN, total);
    if (!mem)
        return NULL;
    memset(mem, 0, total);
    RtTile *t = (RtTile *)mem;
    t->D = D;
    t->X = X;
    rt_device_init(&t->dev, ir);
    t->cell = (RtCell *)(mem + o_cell);
    t->w = (float *)(mem + o_w);
    t->npulse = count_pulses ? (uint64_t *)(mem + o_cnt) : NULL;
    t->xbits = (uint64_t *)(mem + o_xb);
    t->dbits = (uint64_t *)(mem + o_db);
    rt_device_sample(t->cell, D, X, ir, d2d);
    return t;
}

void rt_tile_free(RtTile *t)
{
    free(t);
}

void rt_tile_set_weights(RtTile *t, const float *w)
{
    for (size_t k = 0; k < t->D * t->X; k++)
        t->w[k] = rt_device_clip(&t->cell[k], w[k]);
}

void rt_tile_forward(float *y, const RtTile *t, const float *x, const float *bias, size_t B)
{
    rt_matmul_forward(y, x, t->w, bias, B, t->X, t->D);
}

void rt_tile_forward_ref(float *y, const RtTile *t, const float *x, const float *bias, size_t B)
{
    rt_matmul_forward_ref(y, x, t->w, bias, B, t->X, t->D);
}

void rt_tile_backward(float *dx, const RtTile *t, const float *d, size_t B)
{
    rt_matmul_backward(dx, NULL, NULL, d, NULL, t->w, B, t->X, t->D);
}

void rt_tile_backward_ref(float *dx, const RtTile *t, const float *d, size_t B)
{
    rt_matmul_backward_ref(dx, NULL, NULL, d, NULL, t->w, B, t->X, t->D);
}

/*
** ====================================================================================
** Pulse plan (calculateBlAB, performUpdateManagement; DOMAIN.md 2.3)
** ====================================================================================
*/

static double absmax(const float *v, size_t n)
{
    double m = 0.0;
    for (size_t k = 0; k < n; k++)
        m = fmax(m, fabs((double)v[k]));
    return m;
}

/*
** fixed BL: BL = desired_bl, a = b = sqrt(|lr|/(dw*BL)). UM (also switched on by UBLM):
** k = |lr|*max|x|*um_grad_scale*max|d|/dw expected coincidences at the largest element;
** UBLM: BL = clamp(ceil(k), 1, desired_bl) and a, b recomputed; if k > desired_bl the d
** side is clipped (dv scaled down), then a *= sqrt(xm/dv), b *= sqrt(dv/xm).
** A non-finite or non-positive k (NaN inputs, um_grad_scale 0) fires nothing.
*/
bool rt_pulse_plan(RtPulsePlan *p, const float *x, size_t X, const float *d, size_t D,
                   double lr, double dw, const IrUpdate *u)
{
    double alr = fabs(lr);
    int want = u->desired_bl;
    if (!(alr > 0.0) || !(dw > 0.0) || want < 1 || want > RT_MAX_BL)
        return false;
    p->bl = want;
    p->a = p->b = sqrt(alr / (dw * want));
    if (!u->update_management && !u->update_bl_management)
        return true;
    double xm = absmax(x, X), dm = absmax(d, D);
    double dv = u->um_grad_scale * dm;
    double k = alr * xm * dv / dw;
    if (!(k > 0.0) || !isfinite(k))
        return false;
    if (u->update_bl_management) {
        double c = ceil(k);
        p->bl = c >= want ? want : (int)c;
        p->a = p->b = sqrt(alr / (dw * p->bl));
    }
    if (k > want)
        dv *= want / k;
    p->a *= sqrt(xm / dv);
    p->b *= sqrt(dv / xm);
    return true;
}

/*
** ====================================================================================
** Pulsed update
** ====================================================================================
*/

/* A Bernoulli train of bl slots: slot k fires iff p > U_k. p <= 0 and p >= 1 draw nothing. */
static uint64_t draw_train(double p, int bl, RtRng *r)
{
    if (!(p > 0.0))
        return 0;
    uint64_t all = bl >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bl) - 1;
    if (p >= 1.0)
        return all;
    uint64_t bits = 0;
    for (int k = 0; k < bl; k++)
        if (p > rt_rng_uniform(r))
            bits |= (uint64_t)1 << k;
    return bits;
}

/* Columns first (j ascending), then rows (i ascending): the fixed draw order of a sample. */
static void draw_trains(RtTile *t, const float *x, const float *d, const RtPulsePlan *p,
                        RtRng *r)
{
    for (size_t j = 0; j < t->X; j++)
        t->xbits[j] = draw_train(p->b * fabs((double)x[j]), p->bl, r);
    for (size_t i = 0; i < t->D; i++)
        t->dbits[i] = draw_train(p->a * fabs((double)d[i]), p->bl, r);
}

/*
** Row i: every column whose train meets the row's gets its n coincidences as n pulses, one
** at a time. sd = sign(d_i)*sign(lr); the direction s = sign(x_j)*sd, s > 0 is down.
*/
static void pulse_row(RtTile *t, size_t i, const float *x, double sd, RtRng *r)
{
    uint64_t db = t->dbits[i];
    for (size_t j = 0; j < t->X; j++) {
        uint64_t m = db & t->xbits[j];
        if (!m)
            continue;
        int n = __builtin_popcountll(m);
        bool up = (x[j] > 0.0f ? sd : -sd) < 0.0;
        size_t k = i * t->X + j;
        float w = t->w[k];
        for (int q = 0; q < n; q++)
            w = rt_device_pulse(&t->dev, &t->cell[k], w, up, r);
        t->w[k] = w;
        if (t->npulse)
            t->npulse[k] += (uint64_t)n;
    }
}

/* The floating-point update W -= lr d x^T (in double, rounded once), optionally clipped. */
static void exact_update(RtTile *t, const float *x, const float *d, double lr, bool clip)
{
    for (size_t i = 0; i < t->D; i++) {
        double g = lr * (double)d[i];
        for (size_t j = 0; j < t->X; j++) {
            size_t k = i * t->X + j;
            float w = (float)((double)t->w[k] - g * (double)x[j]);
            t->w[k] = clip ? rt_device_clip(&t->cell[k], w) : w;
        }
    }
}

void rt_tile_update(RtTile *t, const float *x, const float *d, double lr, const IrUpdate *u,
                    RtRng *r)
{
    if (lr == 0.0)
        return;
    if (!rt_device_is_pulsed(&t->dev)) {
        exact_update(t, x, d, lr, false);
        return;
    }
    if (u->pulse_type == IR_PULSE_NONE) {
        exact_update(t, x, d, lr, true);
        return;
    }
    RtPulsePlan p;
    if (!rt_pulse_plan(&p, x, t->X, d, t->D, lr, rt_device_granularity(&t->dev), u))
        return;
    draw_trains(t, x, d, &p, r);
    double slr = lr > 0.0 ? 1.0 : -1.0;
    for (size_t i = 0; i < t->D; i++)
        if (t->dbits[i])
            pulse_row(t, i, x, d[i] > 0.0f ? slr : -slr, r);
}

void rt_tile_update_batch(RtTile *t, const float *x, const float *d, size_t B, double lr,
                          const IrUpdate *u, RtRng *r)
{
    for (size_t b = 0; b < B; b++)
        rt_tile_update(t, x + b * t->X, d + b * t->D, lr, u, r);
}

float rt_tile_pulse(RtTile *t, size_t i, size_t j, bool up, RtRng *r)
{
    size_t k = i * t->X + j;
    t->w[k] = rt_device_pulse(&t->dev, &t->cell[k], t->w[k], up, r);
    if (t->npulse)
        t->npulse[k]++;
    return t->w[k];
}
