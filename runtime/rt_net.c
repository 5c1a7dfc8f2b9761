/*
** rt_net.c: shapes, construction and initialisation of a net (rt_net.h). The passes and the
** steps are in rt_net_pass.c.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_algo.h"
#include "rt_mem.h"
#include "rt_net.h"

static const char *const kind_names[] = {
    [IR_LAYER_DENSE] = "dense",         [IR_LAYER_CONV2D] = "conv2d",
    [IR_LAYER_MAXPOOL2D] = "maxpool2d", [IR_LAYER_AVGPOOL2D] = "avgpool2d",
    [IR_LAYER_FLATTEN] = "flatten",     [IR_LAYER_SIGMOID] = "sigmoid",
    [IR_LAYER_TANH] = "tanh",           [IR_LAYER_RELU] = "relu",
    [IR_LAYER_LOG_SOFTMAX] = "log_softmax",
};

/* "16x4x4 = 256", "3x1x1" for images, or "784" for a vector. */
static void shape_text(char *buf, size_t len, RtShape s, bool images)
{
    bool vector = s.h == 1 && s.w == 1;
    if (vector && !images)
        snprintf(buf, len, "%zu", s.c);
    else if (vector)
        snprintf(buf, len, "%zux1x1", s.c);
    else
        snprintf(buf, len, "%zux%zux%zu = %zu", s.c, s.h, s.w, rt_shape_size(s));
}

static bool is_pool(IrLayerKind k)
{
    return k == IR_LAYER_MAXPOOL2D || k == IR_LAYER_AVGPOOL2D;
}

/* The output shape of layer L (index l) on input s; returns 0, or -1 with err set. */
static int layer_shape(const IrLayer *L, size_t l, RtShape s, RtShape *out, char *err,
                       size_t errlen)
{
    char got[96];
    shape_text(got, sizeof got, s, L->kind == IR_LAYER_CONV2D || is_pool(L->kind));
    size_t stride = is_pool(L->kind) && L->stride == 0 ? L->kernel : L->stride;
    size_t pad = L->kind == IR_LAYER_CONV2D ? L->padding : 0;
    switch (L->kind) {
    case IR_LAYER_DENSE:
        if (L->in != rt_shape_size(s) || L->out == 0) {
            snprintf(err, errlen, "layer %zu (dense) takes %zu inputs but gets %s", l + 1, L->in,
                     got);
            return 1;
        }
        *out = (RtShape){L->out, 1, 1};
        return 0;
    case IR_LAYER_CONV2D:
        if (L->in != s.c || L->out == 0) {
            snprintf(err, errlen, "layer %zu (conv2d) takes %zu channels but gets %s", l + 1,
                     L->in, got);
            return 1;
        }
        /* fall through - the window must fit */
    case IR_LAYER_MAXPOOL2D:
    case IR_LAYER_AVGPOOL2D: {
        size_t oh = rt_window_out(s.h, L->kernel, stride, pad);
        size_t ow = rt_window_out(s.w, L->kernel, stride, pad);
        if (oh == 0 || ow == 0) {
            snprintf(err, errlen, "layer %zu (%s): a %zux%zu window does not fit its input %s",
                     l + 1, kind_names[L->kind], L->kernel, L->kernel, got);
            return 1;
        }
        *out = (RtShape){L->kind == IR_LAYER_CONV2D ? L->out : s.c, oh, ow};
        return 0;
    }
    case IR_LAYER_FLATTEN: *out = (RtShape){rt_shape_size(s), 1, 1}; return 0;
    default: *out = s; return 0;
    }
}

int rt_net_shapes(const IrModel *m, size_t from, RtShape in, RtShape *out, size_t *bad,
                  char *err, size_t errlen)
{
    RtShape s = in;
    for (size_t l = from; l < m->nlayers; l++) {
        if (layer_shape(&m->layers[l], l, s, &out[l], err, errlen)) {
            if (bad)
                *bad = l;
            return 1;
        }
        s = out[l];
    }
    return 0;
}

/*
** {======================================================================
** Memory: every float array of a layer is a slot of the net's one block
** =======================================================================
*/

typedef struct Slot {
    float **p;
    size_t n1, n2; /* n1 * n2 floats */
} Slot;

#define MAX_SLOTS 12

/* The float arrays layer ly needs (sizes set, tile known); returns how many. */
static size_t layer_slots(RtLayer *ly, size_t max_rows, bool first, Slot *s)
{
    size_t k = 0;
    bool weights = ly->in > 0;
    if (weights && !ly->tile) {
        s[k++] = (Slot){&ly->w, ly->out, ly->in};
        s[k++] = (Slot){&ly->gw, ly->out, ly->in};
    }
    if (ly->b) { /* marked by a non-NULL placeholder until pointed */
        s[k++] = (Slot){&ly->b, ly->out, 1};
        s[k++] = (Slot){&ly->gb, ly->out, 1};
    }
    if (ly->nscale) {
        s[k++] = (Slot){&ly->scale, ly->nscale, 1};
        s[k++] = (Slot){&ly->gscale, ly->nscale, 1};
    }
    if (weights && (ly->kind == IR_LAYER_CONV2D || ly->nscale)) {
        s[k++] = (Slot){&ly->z, ly->rows, ly->out};
        s[k++] = (Slot){&ly->dz, ly->rows, ly->out};
    }
    if (ly->tile)
        s[k++] = (Slot){&ly->xmax, ly->rows, 1};
    if (ly->kind == IR_LAYER_CONV2D) {
        s[k++] = (Slot){&ly->cols, ly->rows, ly->in};
        if (!first)
            s[k++] = (Slot){&ly->dcols, ly->rows, ly->in};
    }
    s[k++] = (Slot){&ly->act, max_rows, ly->osz};
    s[k++] = (Slot){&ly->grad, max_rows, ly->osz};
    return k;
}

/* *acc += a*b; returns 0, or -1 (*acc unchanged) if it overflows. */
static int add_product(size_t *acc, size_t a, size_t b)
{
    if (b != 0 && a > SIZE_MAX / b)
        return -1;
    if (*acc > SIZE_MAX - a * b)
        return -1;
    *acc += a * b;
    return 0;
}

/* One block for every slot of every layer, then the maxpool indices; nonzero if out of memory. */
static int alloc_arrays(RtNet *n)
{
    size_t total = 0, itotal = 0;
    Slot s[MAX_SLOTS];
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        size_t k = layer_slots(ly, n->max_rows, l == 0, s);
        for (size_t i = 0; i < k; i++)
            if (add_product(&total, s[i].n1, s[i].n2))
                return -1;
        if (ly->kind == IR_LAYER_MAXPOOL2D && add_product(&itotal, n->max_rows, ly->osz))
            return -1;
    }
    if (total > SIZE_MAX / sizeof(float) || itotal > SIZE_MAX / sizeof(uint32_t))
        return -1;
    n->mem = calloc(total ? total : 1, sizeof(float));
    n->imem = calloc(itotal ? itotal : 1, sizeof(uint32_t));
    if (!n->mem || !n->imem)
        return -1;
    float *p = n->mem;
    uint32_t *ip = n->imem;
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        size_t k = layer_slots(ly, n->max_rows, l == 0, s);
        for (size_t i = 0; i < k; i++) {
            *s[i].p = p;
            p += s[i].n1 * s[i].n2;
        }
        if (ly->kind == IR_LAYER_MAXPOOL2D) {
            ly->arg = ip;
            ip += n->max_rows * ly->osz;
        }
    }
    return 0;
}

/* }====================================================================== */

/* Sizes of layer l from its IR and shapes; weight layers: rows (overflow: nonzero). */
static int size_layer(RtLayer *ly, const IrLayer *L, RtShape in, RtShape out, size_t max_rows)
{
    ly->kind = L->kind;
    ly->ishape = in, ly->oshape = out;
    ly->isz = rt_shape_size(in), ly->osz = rt_shape_size(out);
    ly->K = L->kernel;
    ly->S = is_pool(L->kind) && L->stride == 0 ? L->kernel : L->stride;
    ly->P = L->kind == IR_LAYER_CONV2D ? L->padding : 0;
    ly->rows = max_rows;
    if (L->kind == IR_LAYER_DENSE) {
        ly->in = L->in, ly->out = L->out;
    } else if (L->kind == IR_LAYER_CONV2D) {
        ly->in = L->in * L->kernel * L->kernel, ly->out = L->out;
        ly->Q = out.h * out.w;
        if (ly->Q && max_rows > SIZE_MAX / ly->Q)
            return -1;
        ly->rows = max_rows * ly->Q;
    }
    return 0;
}

/* The tile, I/O and scales of an analog weight layer l; nonzero when out of memory. */
static int make_tile(RtLayer *ly, const IrLayer *L, size_t l, bool count, uint64_t seed)
{
    RtRng d2d;
    rt_rng_seed(&d2d, seed, RT_STREAM_D2D(l));
    ly->tile = rt_tile_new(ly->out, ly->in, L->on, &d2d, count);
    if (!ly->tile)
        return -1;
    ly->io = rt_io_new(L->forward, L->backward, ly->out, ly->in, ly->rows, seed,
                       RT_STREAM_IO(l));
    if (!ly->io)
        return -1;
    ly->w = ly->tile->w;
    if (L->learn_out_scaling || L->weight_scaling_omega > 0.0)
        ly->nscale = L->weight_scaling_columnwise ? ly->out : 1;
    ly->learn_scale = L->learn_out_scaling;
    return 0;
}

/* Sizes, tiles and I/O of every layer, then the one float block; nonzero if out of memory. */
static int alloc_layers(RtNet *n, const IrModel *m, const RtShape *shapes, RtShape in,
                        bool analog, bool count, uint64_t seed)
{
    static float placeholder;
    for (size_t l = 0; l < n->nlayers; l++) {
        const IrLayer *L = &m->layers[l];
        RtLayer *ly = &n->layer[l];
        if (size_layer(ly, L, l ? shapes[l - 1] : in, shapes[l], n->max_rows))
            return -1;
        rt_rng_seed(&ly->upd, seed, RT_STREAM_UPDATE(l));
        bool weights = ly->in > 0;
        if (weights && analog && L->on && make_tile(ly, L, l, count, seed))
            return -1;
        if (weights && L->bias)
            ly->b = &placeholder; /* layer_slots: this layer has a bias */
    }
    return alloc_arrays(n);
}

/* U(-1/sqrt(fan_in), 1/sqrt(fan_in)) into v[0..n). */
static void init_uniform(float *v, size_t n, size_t fan_in, RtRng *r)
{
    double bound = 1.0 / sqrt((double)fan_in);
    for (size_t k = 0; k < n; k++)
        v[k] = (float)((2.0 * rt_rng_uniform(r) - 1.0) * bound);
}

/*
** Map the initial weights of a scaled tile: a = max |W| / omega per row (columnwise) or
** overall, W /= a; a = 1 where that max is 0 or omega is 0 (scales start at 1).
*/
static void map_weights(RtLayer *ly, double omega)
{
    for (size_t g = 0; g < ly->nscale; g++) {
        size_t r0 = ly->nscale > 1 ? g : 0, r1 = ly->nscale > 1 ? g + 1 : ly->out;
        double m = 0.0;
        for (size_t k = r0 * ly->in; k < r1 * ly->in; k++)
            m = fmax(m, fabs((double)ly->w[k]));
        double s = omega > 0.0 && m > 0.0 ? m / omega : 1.0;
        for (size_t k = r0 * ly->in; k < r1 * ly->in; k++)
            ly->w[k] = (float)((double)ly->w[k] / s);
        ly->scale[g] = (float)s;
    }
}

/* The initial weights now in ly->w onto the layer: tiles map and clip them. */
static void program(RtLayer *ly, const IrLayer *L)
{
    if (ly->nscale)
        map_weights(ly, L->weight_scaling_omega);
    if (ly->tile)
        rt_tile_set_weights(ly->tile, ly->w); /* in place: clip to the bounds */
}

/* Weights then bias of every weight layer, in layer order; tiles map and clip theirs. */
static void init_weights(RtNet *n, const IrModel *m, uint64_t seed)
{
    RtRng r;
    rt_rng_seed(&r, seed, RT_STREAM_INIT);
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        if (ly->in == 0)
            continue;
        init_uniform(ly->w, ly->out * ly->in, ly->in, &r);
        program(ly, &m->layers[l]);
        if (ly->b)
            init_uniform(ly->b, ly->out, ly->in, &r);
    }
}

void rt_net_set_initial(RtNet *n, const IrModel *m, size_t l, const float *w)
{
    RtLayer *ly = &n->layer[l];
    memcpy(ly->w, w, ly->out * ly->in * sizeof *w);
    program(ly, &m->layers[l]);
}

/*
** Rows per forward of a pass over a data set: as many as keep the widest per-example array
** (an activation, or a conv2d layer's patches, Q x C K K floats) within `bytes`, so that the
** pass streams through the cache instead of through memory.
**   EXACT_BYTES, the exact forward (rt_net_eval): each row's values are the same in any
**     chunk (its products' blocks keep their columns; BLIS 0.9 measured the same bits for
**     1 to 256 rows of the example nets' layer shapes), so the size is the fastest measured:
**     LeNet's test pass, 9 rows of 14400 patch floats, 5% faster than 16 (both better than
**     256 rows of its 56 MB of patches, which took 0.4 s more per 10000 images).
**   EVAL_BYTES, the analog evaluation: its I/O draws its bound-management repeats chunk by
**     chunk, so its chunks are part of its numbers; kept at the size they have always had.
*/
#define EXACT_BYTES ((size_t)1 << 19)
#define EVAL_BYTES ((size_t)1 << 20)
#define EVAL_MAX_ROWS 256

static size_t pass_rows(const IrModel *m, RtShape in, const RtShape *shapes, size_t bytes)
{
    size_t widest = rt_shape_size(in);
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t w = rt_shape_size(shapes[l]);
        if (m->layers[l].kind == IR_LAYER_CONV2D) {
            RtShape x = l ? shapes[l - 1] : in;
            size_t K = m->layers[l].kernel, patch = x.c * K * K, Q = shapes[l].h * shapes[l].w;
            if (patch && Q <= SIZE_MAX / patch && Q * patch > w)
                w = Q * patch;
        }
        widest = w > widest ? w : widest;
    }
    size_t rows = bytes / sizeof(float) / (widest ? widest : 1);
    return rows < 1 ? 1 : rows > EVAL_MAX_ROWS ? EVAL_MAX_ROWS : rows;
}

RtNet *rt_net_new_shaped(const IrModel *m, RtShape in, bool analog, bool count_pulses,
                         uint64_t seed, size_t max_rows, char *err, size_t errlen)
{
    RtShape *shapes = rt_xcalloc(m->nlayers, sizeof *shapes);
    char why[256];
    if (m->nlayers == 0 || rt_net_shapes(m, 0, in, shapes, NULL, why, sizeof why)) {
        snprintf(err, errlen, "model '%s' %s", m->name, m->nlayers ? "does not fit its input: "
                                                                   : "has no layers");
        if (m->nlayers && strlen(err) + 1 < errlen)
            snprintf(err + strlen(err), errlen - strlen(err), "%s", why);
        free(shapes);
        return NULL;
    }
    RtNet *n = rt_xcalloc(1, sizeof *n);
    n->nlayers = m->nlayers;
    n->eval_rows = pass_rows(m, in, shapes, EVAL_BYTES);
    n->exact_rows = pass_rows(m, in, shapes, EXACT_BYTES); /* <= eval_rows */
    n->max_rows = max_rows > n->eval_rows ? max_rows : n->eval_rows;
    n->layer = rt_xcalloc(m->nlayers, sizeof *n->layer);
    if (alloc_layers(n, m, shapes, in, analog, count_pulses, seed)) {
        rt_net_free(n);
        free(shapes);
        snprintf(err, errlen, "model '%s': out of memory", m->name);
        return NULL;
    }
    free(shapes);
    init_weights(n, m, seed);
    return n;
}

RtNet *rt_net_new(const IrModel *m, bool analog, bool count_pulses, uint64_t seed,
                  size_t max_rows, char *err, size_t errlen)
{
    RtShape in = {m->nlayers ? m->layers[0].in : 0, 1, 1};
    return rt_net_new_shaped(m, in, analog, count_pulses, seed, max_rows, err, errlen);
}

int rt_net_eval_io_open(RtNet *n, const IrModel *m, const IrIO *io, uint64_t seed)
{
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        const IrLayer *L = &m->layers[l];
        if (ly->in == 0 || !L->on)
            continue;
        rt_io_free(ly->eval_io);
        ly->eval_io = rt_io_new(io ? io : L->forward, L->backward, ly->out, ly->in, ly->rows,
                                seed, RT_STREAM_IO(l));
        if (!ly->eval_io)
            return -1;
        rt_rng_seed(&ly->eval_io->rng, seed, RT_STREAM_EVAL_IO(l));
    }
    return 0;
}

void rt_net_free(RtNet *n)
{
    if (!n)
        return;
    for (size_t l = 0; n->layer && l < n->nlayers; l++) {
        rt_algo_free(n->layer[l].algo);
        rt_tile_free(n->layer[l].tile);
        rt_io_free(n->layer[l].io);
        rt_io_free(n->layer[l].eval_io);
    }
    free(n->layer);
    free(n->mem);
    free(n->imem);
    free(n);
}

size_t rt_net_in(const RtNet *n)
{
    return n->layer[0].isz;
}

size_t rt_net_out(const RtNet *n)
{
    return n->layer[n->nlayers - 1].osz;
}
