/*
** rt_net.c: construction, initialisation, forward/backward, mse and SGD steps of a net.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_algo.h"
#include "rt_matmul.h"
#include "rt_net.h"

/* a*b into *out unless it overflows. */
static bool mul_ok(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}

/* a + b into *acc unless it overflows. */
static bool add_ok(size_t *acc, size_t b)
{
    if (*acc > SIZE_MAX - b)
        return false;
    *acc += b;
    return true;
}

/* Floats needed by layer L (digital weights and gradients, bias, act, grad), or SIZE_MAX. */
static size_t layer_floats(const IrLayer *L, bool tile, size_t max_rows)
{
    size_t wn, an, total = 0;
    if (!mul_ok(L->out, L->in, &wn) || !mul_ok(max_rows, L->out, &an))
        return SIZE_MAX;
    bool ok = (tile || add_ok(&total, wn)) && (tile || add_ok(&total, wn)) &&
              (!L->bias || add_ok(&total, 2 * L->out)) && add_ok(&total, an) &&
              add_ok(&total, an);
    return ok ? total : SIZE_MAX;
}

/* Hand out the arrays of layer l from the net's float block, advancing *p. */
static void point_layer(RtLayer *ly, const IrLayer *L, size_t max_rows, float **p)
{
    size_t wn = L->out * L->in, an = max_rows * L->out;
    if (!ly->tile) {
        ly->w = *p, *p += wn;
        ly->gw = *p, *p += wn;
    }
    if (L->bias) {
        ly->b = *p, *p += L->out;
        ly->gb = *p, *p += L->out;
    }
    ly->act = *p, *p += an;
    ly->grad = *p, *p += an;
}

/* Sizes must chain: layer l's input is layer l-1's output. */
static bool check_shapes(const IrModel *m, char *err, size_t errlen)
{
    if (m->nlayers == 0) {
        snprintf(err, errlen, "model '%s' has no layers", m->name);
        return false;
    }
    for (size_t l = 0; l < m->nlayers; l++) {
        const IrLayer *L = &m->layers[l];
        if (L->in == 0 || L->out == 0 || (l > 0 && L->in != m->layers[l - 1].out)) {
            snprintf(err, errlen, "model '%s': layer %zu has input size %zu, expected %zu",
                     m->name, l + 1, L->in, l > 0 ? m->layers[l - 1].out : (size_t)1);
            return false;
        }
    }
    return true;
}

/* U(-1/sqrt(in), 1/sqrt(in)) into v[0..n). */
static void init_uniform(float *v, size_t n, size_t in, RtRng *r)
{
    double bound = 1.0 / sqrt((double)in);
    for (size_t k = 0; k < n; k++)
        v[k] = (float)((2.0 * rt_rng_uniform(r) - 1.0) * bound);
}

/* Weights then bias of every layer, in layer order; tiles clip their weights to the cells. */
static void init_weights(RtNet *n, uint64_t seed)
{
    RtRng r;
    rt_rng_seed(&r, seed, RT_STREAM_INIT);
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        init_uniform(ly->w, ly->out * ly->in, ly->in, &r);
        if (ly->tile)
            rt_tile_set_weights(ly->tile, ly->w); /* in place: clip to the bounds */
        if (ly->b)
            init_uniform(ly->b, ly->out, ly->in, &r);
    }
}

/* Create the tiles (analog layers), then the one float block; false when out of memory. */
static bool alloc_layers(RtNet *n, const IrModel *m, bool analog, bool count, uint64_t seed)
{
    size_t total = 0;
    for (size_t l = 0; l < n->nlayers; l++) {
        const IrLayer *L = &m->layers[l];
        RtLayer *ly = &n->layer[l];
        ly->in = L->in;
        ly->out = L->out;
        rt_rng_seed(&ly->upd, seed, RT_STREAM_UPDATE(l));
        if (analog && L->on) {
            RtRng d2d;
            rt_rng_seed(&d2d, seed, RT_STREAM_D2D(l));
            ly->tile = rt_tile_new(L->out, L->in, L->on, &d2d, count);
            if (!ly->tile)
                return false;
            ly->io = rt_io_new(L->forward, L->backward, L->out, L->in, n->max_rows, seed,
                               RT_STREAM_IO(l));
            if (!ly->io)
                return false;
            ly->w = ly->tile->w;
        }
        size_t need = layer_floats(L, ly->tile != NULL, n->max_rows);
        if (need == SIZE_MAX || !add_ok(&total, need) || total > SIZE_MAX / sizeof(float))
            return false;
    }
    n->mem = calloc(total ? total : 1, sizeof(float));
    if (!n->mem)
        return false;
    float *p = n->mem;
    for (size_t l = 0; l < n->nlayers; l++)
        point_layer(&n->layer[l], &m->layers[l], n->max_rows, &p);
    return true;
}

RtNet *rt_net_new(const IrModel *m, bool analog, bool count_pulses, uint64_t seed,
                  size_t max_rows, char *err, size_t errlen)
{
    if (!check_shapes(m, err, errlen))
        return NULL;
    RtNet *n = calloc(1, sizeof *n);
    if (n) {
        n->nlayers = m->nlayers;
        n->max_rows = max_rows ? max_rows : 1;
        n->layer = calloc(m->nlayers, sizeof *n->layer);
    }
    if (!n || !n->layer || !alloc_layers(n, m, analog, count_pulses, seed)) {
        rt_net_free(n);
        snprintf(err, errlen, "model '%s': out of memory", m->name);
        return NULL;
    }
    init_weights(n, seed);
    return n;
}

void rt_net_free(RtNet *n)
{
    if (!n)
        return;
    for (size_t l = 0; n->layer && l < n->nlayers; l++) {
        rt_algo_free(n->layer[l].algo);
        rt_tile_free(n->layer[l].tile);
        rt_io_free(n->layer[l].io);
    }
    free(n->layer);
    free(n->mem);
    free(n);
}

size_t rt_net_in(const RtNet *n)
{
    return n->layer[0].in;
}

size_t rt_net_out(const RtNet *n)
{
    return n->layer[n->nlayers - 1].out;
}

/* The input of layer l in the last forward. */
static const float *layer_input(const RtNet *n, size_t l)
{
    return l == 0 ? n->inp : n->layer[l - 1].act;
}

/* Every layer in order; tiles through their I/O unless exact (the loss of the weights). */
static const float *forward(RtNet *n, const float *x, size_t B, bool exact)
{
    n->inp = x;
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        const float *in = layer_input(n, l);
        if (ly->tile && !exact)
            rt_io_forward(ly->act, ly->io, ly->w, in, ly->b, B);
        else
            rt_matmul_forward(ly->act, in, ly->w, ly->b, B, ly->in, ly->out);
    }
    return n->layer[n->nlayers - 1].act;
}

const float *rt_net_forward(RtNet *n, const float *x, size_t B)
{
    return forward(n, x, B, false);
}

double rt_net_mse(RtNet *n, const float *t, size_t B)
{
    RtLayer *ly = &n->layer[n->nlayers - 1];
    size_t m = B * ly->out;
    double scale = 1.0 / (double)m, sum = 0.0;
    for (size_t k = 0; k < m; k++) {
        double e = (double)ly->act[k] - (double)t[k];
        sum += e * e;
        ly->grad[k] = (float)(e * scale);
    }
    return 0.5 * sum * scale;
}

/* Layers from last to first: zero the gradients, then accumulate them (kernels add). */
void rt_net_backward(RtNet *n, size_t B)
{
    for (size_t l = n->nlayers; l-- > 0;) {
        RtLayer *ly = &n->layer[l];
        float *dinp = l > 0 ? n->layer[l - 1].grad : NULL;
        if (dinp)
            memset(dinp, 0, B * ly->in * sizeof *dinp);
        if (ly->gw)
            memset(ly->gw, 0, ly->out * ly->in * sizeof *ly->gw);
        if (ly->gb)
            memset(ly->gb, 0, ly->out * sizeof *ly->gb);
        const float *in = layer_input(n, l);
        if (ly->tile) {
            if (dinp)
                rt_io_backward(dinp, ly->io, ly->w, ly->grad, B);
            rt_matmul_backward(NULL, NULL, ly->gb, ly->grad, in, ly->w, B, ly->in, ly->out);
        } else {
            rt_matmul_backward(dinp, ly->gw, ly->gb, ly->grad, in, ly->w, B, ly->in, ly->out);
        }
    }
}

/* v -= lr g, element-wise, in double rounded once. */
static void sgd(float *v, const float *g, size_t len, double lr)
{
    for (size_t k = 0; k < len; k++)
        v[k] = (float)((double)v[k] - lr * (double)g[k]);
}

void rt_net_step(RtNet *n, const IrOptimizer *o, size_t B)
{
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        if (ly->algo)
            rt_algo_step(ly->algo, layer_input(n, l), ly->grad, B, n->pool);
        else if (ly->tile)
            rt_tile_update_batch_pool(ly->tile, layer_input(n, l), ly->grad, B, o->lr,
                                      &o->update, &ly->upd, n->pool);
        else
            sgd(ly->w, ly->gw, ly->out * ly->in, o->lr);
        if (ly->b)
            sgd(ly->b, ly->gb, ly->out, o->lr);
    }
    for (size_t l = 0; l < n->nlayers; l++) /* aihwkit post_update_step: diffusion, decay */
        if (n->layer[l].algo)
            rt_algo_post_update(n->layer[l].algo);
        else if (n->layer[l].tile)
            rt_tile_post_update(n->layer[l].tile, &n->layer[l].upd);
}

double rt_net_loss(RtNet *n, const float *x, const float *t, size_t rows)
{
    size_t in = rt_net_in(n), out = rt_net_out(n);
    double sum = 0.0;
    for (size_t r0 = 0; r0 < rows; r0 += n->max_rows) {
        size_t B = rows - r0 < n->max_rows ? rows - r0 : n->max_rows;
        const float *y = forward(n, x + r0 * in, B, true);
        for (size_t k = 0; k < B * out; k++) {
            double e = (double)y[k] - (double)t[r0 * out + k];
            sum += e * e;
        }
    }
    return 0.5 * sum / ((double)rows * (double)out);
}
