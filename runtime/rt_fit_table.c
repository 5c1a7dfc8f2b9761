/*
** rt_fit_table.c: the tabulated families (response, piecewise_step) taken from the data.
**
** Nodes are equally spaced over the observed range [lo, hi] (the device's w_min, w_max).
** Each observed step (the change per pulse, at the weight before it) counts for the two
** nodes around that weight with triangular weights (1 - f, f): a node's value is the
** weighted mean of the steps near it and its standard error that of a weighted mean. No
** ordering of the readings is assumed, so non-monotone curves are fine. A node with no
** steps near it takes the value interpolated between its nearest neighbours with data.
** Steps are then divided by dw_min, the mean of the up and down steps at the middle node;
** a mean step against its pulse's direction becomes 0 (q >= 0).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fit.h"
#include "rt_fit_impl.h"

typedef struct NodeAcc {
    double lo, hi;
    size_t m;
    double sw[2][RT_FIT_MAX_NODES], swy[2][RT_FIT_MAX_NODES], swyy[2][RT_FIT_MAX_NODES];
    double sww[2][RT_FIT_MAX_NODES];
    size_t count[2];
} NodeAcc;

static void add(NodeAcc *a, int dir, size_t j, double wt, double y)
{
    a->sw[dir][j] += wt;
    a->swy[dir][j] += wt * y;
    a->swyy[dir][j] += wt * y * y;
    a->sww[dir][j] += wt * wt;
}

static void node_step(void *ctx, bool up, double w0, double dw)
{
    NodeAcc *a = ctx;
    double pos = (w0 - a->lo) / (a->hi - a->lo) * (double)(a->m - 1);
    pos = fmin(fmax(pos, 0.0), (double)(a->m - 1));
    size_t j = (size_t)pos;
    if (j > a->m - 2)
        j = a->m - 2;
    double f = pos - (double)j, y = up ? dw : -dw;
    add(a, up, j, 1.0 - f, y);
    add(a, up, j + 1, f, y);
    a->count[up]++;
}

/* Node values and standard errors of one direction; nodes without data interpolated. */
static void node_values(const NodeAcc *a, int dir, double *v, double *se)
{
    bool have[RT_FIT_MAX_NODES];
    for (size_t j = 0; j < a->m; j++) {
        double sw = a->sw[dir][j];
        have[j] = sw > 1e-9;
        if (!have[j])
            continue;
        v[j] = a->swy[dir][j] / sw;
        double var = fmax(a->swyy[dir][j] / sw - v[j] * v[j], 0.0);
        se[j] = sqrt(var * a->sww[dir][j]) / sw; /* var of a weighted mean: var sum w^2/(sum w)^2 */
    }
    for (size_t j = 0; j < a->m; j++) {
        if (have[j])
            continue;
        long l = (long)j - 1, r = (long)j + 1;
        while (l >= 0 && !have[l])
            l--;
        while (r < (long)a->m && !have[r])
            r++;
        if (l < 0 && r >= (long)a->m)
            v[j] = 0.0;
        else if (l < 0)
            v[j] = v[r];
        else if (r >= (long)a->m)
            v[j] = v[l];
        else
            v[j] = v[l] + (v[r] - v[l]) * (double)((long)j - l) / (double)(r - l);
        se[j] = INFINITY; /* no data: not measured */
    }
}

/* Nodes: about one per 8 steps of the rarer direction, 3 to RT_FIT_MAX_NODES. */
static size_t node_count(const RtFitData *d)
{
    size_t up = 0, dn = 0;
    for (size_t i = 0; i < d->n; i++)
        d->dir[i] > 0 ? up++ : dn++;
    size_t m = (up < dn ? up : dn) / 8 + 1;
    return m < 3 ? 3 : m > RT_FIT_MAX_NODES ? RT_FIT_MAX_NODES : m;
}

/* The device of the nodes (pointing into out) and its reported parameters. */
static void table_device(RtFitResult *out, IrDevFamily f, double dw)
{
    IrDevice d = fit_base_device(f);
    d.dw_min = dw;
    d.w_max = out->hi, d.w_min = out->lo;
    if (f == IR_DEV_RESPONSE) {
        out->q_up = (IrTable){out->nnodes, out->lo, out->hi, out->node_up, 0.0};
        out->q_down = (IrTable){out->nnodes, out->lo, out->hi, out->node_down, 0.0};
        d.q_up = out->q_up, d.q_down = out->q_down;
    } else {
        d.piecewise_up = out->node_up, d.piecewise_down = out->node_down;
        d.npiecewise_up = d.npiecewise_down = out->nnodes;
    }
    out->dev = d;
    out->npar = 3;
    out->par[0] = (RtFitParam){"dw_min", dw, 0.0, RT_FIT_TABLE};
    out->par[1] = (RtFitParam){"w_max", out->hi, 0.0, RT_FIT_EXTREME};
    out->par[2] = (RtFitParam){"w_min", out->lo, 0.0, RT_FIT_EXTREME};
}

/* The residual RMS of the tabulated device over the readings. */
static int table_rms(RtFitResult *out, const RtFitData *d, char *err, size_t errlen)
{
    double *pred = malloc(d->n * sizeof *pred), ss = 0.0;
    if (!pred) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    rt_fit_predict(pred, &out->dev, d, NULL, NULL);
    for (size_t i = 0; i < d->n; i++)
        ss += (pred[i] - d->w[i]) * (pred[i] - d->w[i]);
    free(pred);
    out->rms = sqrt(ss / (double)d->n);
    out->nobs = d->n;
    return 0;
}

int fit_table(RtFitResult *out, IrDevFamily f, const RtFitData *d, char *err, size_t errlen)
{
    static NodeAcc zero;
    NodeAcc a = zero;
    fit_extremes(d, &a.lo, &a.hi);
    if (!(a.hi > a.lo)) {
        snprintf(err, errlen, "the weight never changes: nothing to tabulate");
        return 1;
    }
    a.m = node_count(d);
    fit_steps(d, node_step, &a);
    out->lo = a.lo, out->hi = a.hi, out->nnodes = a.m;
    node_values(&a, 1, out->node_up, out->se_up);
    node_values(&a, 0, out->node_down, out->se_down);
    size_t mid = a.m / 2;
    double dw = 0.5 * (fabs(out->node_up[mid]) + fabs(out->node_down[mid]));
    for (size_t j = 0; j < a.m && !(dw > 0.0); j++)
        dw = fmax(dw, fmax(out->node_up[j], out->node_down[j]));
    if (!(dw > 0.0)) {
        snprintf(err, errlen, "no step moves the weight in its pulse's direction");
        return 1;
    }
    for (size_t j = 0; j < a.m; j++) {
        out->node_up[j] = fmax(out->node_up[j], 0.0) / dw;
        out->node_down[j] = fmax(out->node_down[j], 0.0) / dw;
        out->se_up[j] /= dw, out->se_down[j] /= dw;
    }
    table_device(out, f, dw);
    return table_rms(out, d, err, errlen);
}
