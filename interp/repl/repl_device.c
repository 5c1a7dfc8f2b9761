/*
** repl_device.c: scratch devices of the REPL, on the runtime's own tiles and pulse rule.
*/
#include "repl_device.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "repl_signal.h"
#include "rt_algo.h"
#include "rt_mem.h"

#define POLL_EVERY 65536u /* pulses between two looks at the Ctrl-C flag */

/* A 1 x X tile of ir with cells from (seed, stream), weights 0 (set like any weight). */
static RtTile *make_tile(const IrDevice *ir, uint64_t seed, uint64_t stream, size_t X)
{
    RtRng d2d;
    rt_rng_seed(&d2d, seed, stream);
    RtTile *t = rt_tile_new(1, X, ir, &d2d, false);
    if (t) {
        float zero[REPL_SPREAD] = {0};
        rt_tile_set_weights(t, zero);
    }
    return t;
}

/* Do the cells of t differ (device-to-device spread)? */
static bool cells_differ(const RtTile *t)
{
    for (size_t j = 1; j < t->X; j++)
        if (memcmp(&t->cell[j], &t->cell[0], sizeof t->cell[0]) != 0)
            return true;
    return false;
}

/* A tile like `from` (the same cells: same seed and stream) for ir, with from's weights. */
static RtTile *copy_tile(const RtTile *from, const IrDevice *ir, uint64_t seed, uint64_t stream)
{
    RtTile *t = make_tile(ir, seed, stream, from->X);
    if (!t)
        return NULL;
    memcpy(t->w, from->w, from->X * sizeof *t->w);
    if (t->wp && from->wp)
        memcpy(t->wp, from->wp, from->X * sizeof *t->wp);
    t->wrng = from->wrng;
    return t;
}

void repl_dev_free(ReplDev *dev)
{
    if (!dev)
        return;
    rt_tile_free(dev->one);
    rt_tile_free(dev->spread);
    free((char *)dev->name);
    free(dev);
}

/* A copy of dev's state on device ir (the same declaration, possibly a newer IR). */
static ReplDev *copy_dev(const ReplDev *dev, const IrDevice *ir)
{
    ReplDev *c = rt_xcalloc(1, sizeof *c);
    *c = *dev;
    c->ir = ir;
    c->name = rt_xstrdup(dev->name);
    c->one = copy_tile(dev->one, ir, dev->seed, RT_STREAM_D2D(0));
    c->spread = dev->spread ? copy_tile(dev->spread, ir, dev->seed, RT_STREAM_D2D(1)) : NULL;
    if (!c->name || !c->one || (dev->spread && !c->spread)) {
        repl_dev_free(c);
        return NULL;
    }
    return c;
}

ReplDev *repl_dev_clone(const ReplDev *dev)
{
    return copy_dev(dev, dev->ir);
}

static ReplDev *new_dev(const IrDevice *ir, uint64_t seed)
{
    ReplDev *d = rt_xcalloc(1, sizeof *d);
    d->name = rt_xstrdup(ir->name);
    d->ir = ir;
    d->seed = seed;
    d->one = make_tile(ir, seed, RT_STREAM_D2D(0), 1);
    rt_rng_seed(&d->c2c, seed, RT_STREAM_UPDATE(0));
    d->spread = make_tile(ir, seed, RT_STREAM_D2D(1), REPL_SPREAD);
    rt_rng_seed(&d->c2c_spread, seed, RT_STREAM_UPDATE(1));
    if (d->spread && !cells_differ(d->spread)) {
        rt_tile_free(d->spread); /* every cross-point alike: nothing to show */
        d->spread = NULL;
    } else if (!d->spread) {
        repl_dev_free(d);
        return NULL;
    }
    if (!d->name || !d->one) {
        repl_dev_free(d);
        return NULL;
    }
    return d;
}

ReplDev *repl_dev_get(ReplDevs *ds, const IrDevice *ir, uint64_t seed)
{
    for (size_t i = 0; i < ds->n; i++)
        if (strcmp(ds->v[i]->name, ir->name) == 0)
            return ds->v[i];
    RT_XGROW(ds->v, ds->cap, ds->n + 1);
    ReplDev *d = new_dev(ir, seed);
    if (d)
        ds->v[ds->n++] = d;
    return d;
}

void repl_devs_free(ReplDevs *ds)
{
    for (size_t i = 0; i < ds->n; i++)
        repl_dev_free(ds->v[i]);
    free(ds->v);
    *ds = (ReplDevs){0};
}

static const IrDevice *find_device(const IrProgram *p, const char *name)
{
    for (size_t i = 0; i < p->ndevices; i++)
        if (strcmp(p->devices[i]->name, name) == 0)
            return p->devices[i];
    return NULL;
}

void repl_devs_rebind(ReplDevs *ds, const IrProgram *p)
{
    size_t kept = 0;
    for (size_t i = 0; i < ds->n; i++) {
        ReplDev *d = ds->v[i];
        const IrDevice *ir = find_device(p, d->name);
        ReplDev *c = ir && p->seed == d->seed ? copy_dev(d, ir) : NULL;
        repl_dev_free(d);
        if (c)
            ds->v[kept++] = c;
    }
    ds->n = kept;
}

void repl_devs_forget(ReplDevs *ds, const char *name)
{
    for (size_t i = 0; i < ds->n; i++)
        if (strcmp(ds->v[i]->name, name) == 0) {
            repl_dev_free(ds->v[i]);
            memmove(ds->v + i, ds->v + i + 1, (ds->n - i - 1) * sizeof *ds->v);
            ds->n--;
            return;
        }
}

double repl_dev_w(const ReplDev *dev)
{
    return dev->one->w[0];
}

void repl_dev_bounds(const ReplDev *dev, double *lo, double *hi)
{
    const RtCell *c = &dev->one->cell[0];
    *lo = (double)c->bmin - c->ref;
    *hi = (double)c->bmax - c->ref;
}

uint64_t repl_dev_pulse(ReplDev *dev, long n, double *w)
{
    bool up = n > 0;
    uint64_t count = n < 0 ? 0ul - (unsigned long)n : (unsigned long)n, k;
    for (k = 0; k < count; k++) {
        if (k % POLL_EVERY == POLL_EVERY - 1 && repl_signal_pending())
            break;
        float v = rt_tile_pulse(dev->one, 0, 0, up, &dev->c2c);
        for (size_t j = 0; dev->spread && j < dev->spread->X; j++)
            rt_tile_pulse(dev->spread, 0, j, up, &dev->c2c_spread);
        if (w)
            w[k] = v;
    }
    dev->pulses += k;
    return k;
}

void repl_dev_set(ReplDev *dev, double w)
{
    float v[REPL_SPREAD];
    for (size_t j = 0; j < REPL_SPREAD; j++)
        v[j] = (float)w;
    rt_tile_set_weights(dev->one, v);
    if (dev->spread)
        rt_tile_set_weights(dev->spread, v);
}

bool repl_dev_spread(const ReplDev *dev, double *mean, double *lo, double *hi)
{
    if (!dev->spread)
        return false;
    const float *w = dev->spread->w;
    double s = 0.0;
    *lo = *hi = w[0];
    for (size_t j = 0; j < dev->spread->X; j++) {
        s += w[j];
        *lo = fmin(*lo, w[j]);
        *hi = fmax(*hi, w[j]);
    }
    *mean = s / (double)dev->spread->X;
    return true;
}

void repl_dev_q(const ReplDev *dev, double w, double *qp, double *qm)
{
    const RtDevice *dv = &dev->one->dev;
    const RtCell *c = &dev->one->cell[0];
    if (!rt_device_is_pulsed(dv)) {
        *qp = *qm = 1.0; /* floating point: every increment lands exactly */
        return;
    }
    *qp = rt_device_step(dv, c, w, true) / dv->dw_min;
    *qm = -rt_device_step(dv, c, w, false) / dv->dw_min;
}

/* A bisection's rounding noise around 0 (far below the range) prints as 0. */
static double snap(double sp, const RtCell *c)
{
    return fabs(sp) < 1e-12 * ((double)c->bmax - c->bmin) ? 0.0 : sp;
}

double repl_dev_cell_sp(const ReplDev *dev)
{
    return snap(rt_algo_cell_sp(&dev->one->dev, &dev->one->cell[0]), &dev->one->cell[0]);
}

uint64_t repl_dev_alternate(ReplDev *dev, uint64_t n, double *mean, double *std,
                            double spread_mean[REPL_SPREAD])
{
    uint64_t tail = (n + 9) / 10, from = n - tail, k;
    double m = 0.0, m2 = 0.0, sum[REPL_SPREAD] = {0};
    for (k = 0; k < n; k++) {
        if (k % POLL_EVERY == POLL_EVERY - 1 && repl_signal_pending())
            break;
        bool up = k % 2 == 0;
        double v = rt_tile_pulse(dev->one, 0, 0, up, &dev->c2c);
        for (size_t j = 0; dev->spread && j < dev->spread->X; j++) {
            float s = rt_tile_pulse(dev->spread, 0, j, up, &dev->c2c_spread);
            sum[j] += k >= from ? s : 0.0;
        }
        if (k < from)
            continue;
        double d = v - m; /* Welford */
        m += d / (double)(k - from + 1);
        m2 += d * (v - m);
    }
    dev->pulses += k;
    uint64_t seen = k > from ? k - from : 0;
    *mean = seen ? m : NAN;
    *std = seen ? sqrt(m2 / (double)seen) : NAN;
    for (size_t j = 0; spread_mean && j < REPL_SPREAD; j++)
        spread_mean[j] = seen && dev->spread ? sum[j] / (double)seen : NAN;
    return k;
}

double repl_dev_spread_sp(const ReplDev *dev, size_t j)
{
    if (!dev->spread)
        return NAN;
    const RtCell *c = &dev->spread->cell[j];
    return snap(rt_algo_cell_sp(&dev->spread->dev, c), c);
}

void repl_dev_state(Buf *b, const ReplDev *dev)
{
    double w = repl_dev_w(dev), lo, hi, qp, qm;
    repl_dev_bounds(dev, &lo, &hi);
    repl_dev_q(dev, w, &qp, &qm);
    buf_printf(b, "%s: w = %.6g after %llu pulses (this cross-point: bounds [%.6g, %.6g]", dev->name,
               w, (unsigned long long)dev->pulses, lo, hi);
    double sp = repl_dev_cell_sp(dev);
    if (!isnan(sp))
        buf_printf(b, ", symmetric point %.6g", sp);
    buf_printf(b, ")\n  at w: q+ = %.6g  q- = %.6g  F = %.6g  G = %.6g  (noise-free; a pulse moves "
                  "w by dw_min*q)\n",
               qp, qm, 0.5 * (qm + qp), 0.5 * (qm - qp));
    double mean, mn, mx;
    if (repl_dev_spread(dev, &mean, &mn, &mx))
        buf_printf(b, "  %d other cross-points (device-to-device spread): w mean %.6g, min %.6g, "
                      "max %.6g\n",
                   REPL_SPREAD, mean, mn, mx);
}
