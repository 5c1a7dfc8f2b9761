/*
** rt_net_state.c: a net's weights and device state as named arrays, saved and loaded
** (rt_net_state.h). One list of entries describes what a net holds; saving writes each,
** loading reads each back, so the two cannot drift apart.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_algo.h"
#include "rt_kern.h"
#include "rt_mem.h"
#include "rt_net_state.h"

typedef enum EKind {
    E_RAW,    /* p points at the elements themselves */
    E_CELL,   /* a float field (at `field`) of the RtCell array p */
    E_SIZE,   /* p is a size_t, saved as uint64 */
    E_PULSES, /* the pulse counters of the tile */
    E_WEIGHT  /* the layer's effective weights (out_scale * visible) */
} EKind;

typedef struct Entry {
    char name[RT_NPZ_MAX_NAME + 1];
    EKind kind;
    RtNpzType type;
    size_t ndim, shape[4];
    void *p;
    size_t field;   /* E_CELL: offsetof(RtCell, ...) */
    RtTile *tile;   /* E_CELL, E_PULSES: the tile (planes rebuilt after a load) */
    RtLayer *layer; /* E_WEIGHT */
    size_t l;       /* the layer's index */
    int group;      /* 0: weights and bias (rt_net_load_weights); > 0: a state group */
    bool head;      /* the group's first entry: the file holds the group when it holds this */
} Entry;

typedef struct List {
    Entry *e;
    size_t n, cap;
    int group;
    char prefix[32];
} List;

static Entry *push(List *L, const char *suffix, EKind kind, RtNpzType type, size_t ndim,
                   size_t d0, size_t d1, void *p)
{
    RT_XGROW(L->e, L->cap, L->n + 1);
    Entry *e = &L->e[L->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s.%s", L->prefix, suffix);
    e->kind = kind;
    e->type = type;
    e->ndim = ndim;
    e->shape[0] = d0;
    e->shape[1] = d1;
    e->p = p;
    e->group = L->group;
    return e;
}

/* A group of one entry. */
static Entry *single(List *L, const char *suffix, EKind kind, RtNpzType type, size_t ndim,
                     size_t d0, size_t d1, void *p)
{
    L->group++;
    Entry *e = push(L, suffix, kind, type, ndim, d0, d1, p);
    e->head = true;
    return e;
}

/* The names of the family-specific cell parameters p_up, p_down, or NULL when unused. */
static const char *p_name(IrDevFamily f, bool up)
{
    switch (f) {
    case IR_DEV_LINEAR_STEP: return up ? "slope_up" : "slope_down";
    case IR_DEV_SOFT_BOUNDS: return up ? "bound_up" : "bound_down";
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: return up ? "gamma_up" : "gamma_down";
    default: return NULL;
    }
}

/* The group of one physical array `name`: its weights, per-device parameters, counters. */
static void array_group(List *L, const char *name, RtTile *t, RtArr *arr)
{
    static const struct {
        const char *name;
        size_t field;
    } cells[] = {
        {"w_min", offsetof(RtCell, bmin)},      {"w_max", offsetof(RtCell, bmax)},
        {"dw_min_up", offsetof(RtCell, s_up)},  {"dw_min_down", offsetof(RtCell, s_down)},
        {"reference", offsetof(RtCell, ref)},   {"reset", offsetof(RtCell, reset)},
        {"decay", offsetof(RtCell, decay)},     {"diffusion", offsetof(RtCell, diffusion)},
    };
    char s[64];
    size_t D = t->D, X = t->X;
    L->group++;
    Entry *h = push(L, name, E_RAW, RT_NPZ_F4, 2, D, X, t->w);
    h->head = true;
    if (t->wp) {
        snprintf(s, sizeof s, "%s.persistent", name);
        push(L, s, E_RAW, RT_NPZ_F4, 2, D, X, t->wp);
    }
    if (t->npulse) {
        snprintf(s, sizeof s, "%s.pulses", name);
        push(L, s, E_PULSES, RT_NPZ_U8, 2, D, X, NULL)->tile = t;
    }
    for (size_t k = 0; k < sizeof cells / sizeof *cells; k++) {
        snprintf(s, sizeof s, "%s.%s", name, cells[k].name);
        Entry *e = push(L, s, E_CELL, RT_NPZ_F4, 2, D, X, t->cell);
        e->field = cells[k].field;
        e->tile = t;
    }
    for (int up = 1; up >= 0; up--) {
        const char *pn = p_name(t->dev.family, up);
        if (!pn)
            continue;
        snprintf(s, sizeof s, "%s.%s", name, pn);
        Entry *e = push(L, s, E_CELL, RT_NPZ_F4, 2, D, X, t->cell);
        e->field = up ? offsetof(RtCell, p_up) : offsetof(RtCell, p_down);
        e->tile = t;
    }
    if (arr) {
        snprintf(s, sizeof s, "%s.next_column", name);
        push(L, s, E_SIZE, RT_NPZ_U8, 0, 0, 0, &arr->col);
        snprintf(s, sizeof s, "%s.transfers", name);
        push(L, s, E_RAW, RT_NPZ_F8, 0, 0, 0, &arr->transfers);
    }
}

/* The state of an I/O: its per-output noise stds and running averages. */
static void io_entries(List *L, const char *name, RtIO *io)
{
    char s[64];
    if (!io)
        return;
    if (io->sig_fwd) {
        snprintf(s, sizeof s, "%s.forward_out_noise", name);
        single(L, s, E_RAW, RT_NPZ_F4, 1, io->D, 0, io->sig_fwd);
    }
    if (io->sig_bwd) {
        snprintf(s, sizeof s, "%s.backward_out_noise", name);
        single(L, s, E_RAW, RT_NPZ_F4, 1, io->X, 0, io->sig_bwd);
    }
    snprintf(s, sizeof s, "%s.forward_abs_max", name);
    single(L, s, E_RAW, RT_NPZ_F8, 0, 0, 0, &io->avg_fwd);
    snprintf(s, sizeof s, "%s.backward_abs_max", name);
    single(L, s, E_RAW, RT_NPZ_F8, 0, 0, 0, &io->avg_bwd);
}

/* The name of the digital buffer of an algorithm. */
static const char *buffer_name(IrOptKind k)
{
    return k == IR_OPT_MIXED_PRECISION ? "chi" : k == IR_OPT_RIDER || k == IR_OPT_E_RIDER ? "Q"
                                                                                         : "H";
}

/* The arrays, buffers and counters of an algorithm. */
static void algo_entries(List *L, RtAlgo *a)
{
    size_t D = a->D, X = a->X;
    for (size_t k = a->K; k-- > 0;) {
        char name[8], ref[8];
        rt_algo_array_name(name, k, a->K, false);
        array_group(L, name, a->arr[k].t, &a->arr[k]);
        if (a->arr[k].ref) { /* P -> R, P2 -> R2 */
            rt_algo_array_name(ref, k, a->K, true);
            array_group(L, ref, a->arr[k].ref, NULL);
        }
    }
    if (a->h)
        single(L, buffer_name(a->o->kind), E_RAW, RT_NPZ_F4, 2, D, X, a->h);
    if (a->mu) {
        single(L, "mu", E_RAW, RT_NPZ_F4, 2, D, X, a->mu);
        single(L, "mu_past", E_RAW, RT_NPZ_F4, 2, D, X, a->mu_past);
    }
    if (a->switched)
        single(L, "switched", E_RAW, RT_NPZ_B1, 1, X, 0, a->switched);
    single(L, "in_chop", E_RAW, RT_NPZ_F4, 1, X, 0, a->cin);
    single(L, "out_chop", E_RAW, RT_NPZ_F4, 1, D, 0, a->cout);
    single(L, "chop_sign", E_RAW, RT_NPZ_F4, 0, 0, 0, &a->csign);
    single(L, "steps", E_SIZE, RT_NPZ_U8, 0, 0, 0, &a->t);
    single(L, "sweeps", E_SIZE, RT_NPZ_U8, 0, 0, 0, &a->sweep);
    io_entries(L, "transfer_io", a->tio);
}

/* Every entry of net n (built from m). */
static void list_net(List *L, RtNet *n, const IrModel *m)
{
    size_t ndense = 0, nconv = 0;
    memset(L, 0, sizeof *L);
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        if (ly->in == 0)
            continue;
        bool conv = ly->kind == IR_LAYER_CONV2D;
        snprintf(L->prefix, sizeof L->prefix, "%s%zu", conv ? "conv" : "dense",
                 conv ? ++nconv : ++ndense);
        int g = L->group;
        L->group = 0;
        Entry *w = push(L, "weight", E_WEIGHT, RT_NPZ_F4, conv ? 4 : 2, ly->out,
                        conv ? m->layers[l].in : ly->in, NULL);
        if (conv)
            w->shape[2] = w->shape[3] = ly->K;
        w->layer = ly;
        w->l = l;
        if (ly->b)
            push(L, "bias", E_RAW, RT_NPZ_F4, 1, ly->out, 0, ly->b)->l = l;
        L->group = g;
        if (!ly->tile)
            continue;
        if (ly->nscale)
            single(L, "out_scale", E_RAW, RT_NPZ_F4, 1, ly->nscale, 0, ly->scale);
        if (ly->algo)
            algo_entries(L, ly->algo);
        else
            array_group(L, "W", ly->tile, NULL);
        /* after the arrays: a net without an algorithm (an evaluation) computes with these,
        ** not with W; an algorithm computes its own again from the arrays (rt_algo_reloaded) */
        single(L, "visible", E_RAW, RT_NPZ_F4, 2, ly->out, ly->in, ly->w);
        io_entries(L, "io", ly->io);
    }
}

/* The effective weights of a layer: out_scale * visible (a new array). */
static float *effective(const RtLayer *ly)
{
    size_t n = ly->out * ly->in;
    float *w = rt_xmalloc((n ? n : 1) * sizeof *w);
    for (size_t i = 0; i < ly->out; i++)
        for (size_t j = 0; j < ly->in; j++) {
            float s = ly->nscale ? ly->scale[ly->nscale > 1 ? i : 0] : 1.0f;
            w[i * ly->in + j] = ly->nscale ? s * ly->w[i * ly->in + j] : ly->w[i * ly->in + j];
        }
    return w;
}

int rt_net_state_save(RtNpz *z, RtNet *n, const IrModel *m, char *err, size_t errlen)
{
    List L;
    list_net(&L, n, m);
    int rc = 0;
    for (size_t k = 0; k < L.n && !rc; k++) {
        Entry *e = &L.e[k];
        size_t cnt = 1;
        for (size_t d = 0; d < e->ndim; d++)
            cnt *= e->shape[d];
        void *tmp = NULL;
        const void *data = e->p;
        if (e->kind == E_WEIGHT) {
            data = tmp = effective(e->layer);
        } else if (e->kind == E_CELL) {
            float *v = tmp = rt_xmalloc((cnt ? cnt : 1) * sizeof *v);
            for (size_t c = 0; c < cnt; c++)
                memcpy(&v[c], (const char *)&((const RtCell *)e->p)[c] + e->field, sizeof *v);
            data = v;
        } else if (e->kind == E_SIZE) {
            uint64_t *v = tmp = rt_xmalloc(sizeof *v);
            *v = (uint64_t) * (const size_t *)e->p;
            data = v;
        } else if (e->kind == E_PULSES) {
            data = rt_tile_pulses(e->tile);
        }
        rc = rt_npz_add(z, e->name, e->type, e->ndim, e->shape, data, err, errlen);
        free(tmp);
    }
    free(L.e);
    return rc;
}

/* "(2, 4)" */
static void shape_text(char *buf, size_t len, size_t ndim, const size_t *shape)
{
    int k = snprintf(buf, len, "(");
    for (size_t d = 0; d < ndim && (size_t)k < len; d++)
        k += snprintf(buf + k, len - (size_t)k, "%zu%s", shape[d],
                      ndim == 1 ? "," : d + 1 < ndim ? ", " : "");
    if ((size_t)k < len)
        snprintf(buf + k, len - (size_t)k, ")");
}

/* The layer text of an entry: "layer 3 (dense) of model 'fcn'". */
static void layer_text(char *buf, size_t len, const RtNet *n, const IrModel *m, size_t l)
{
    snprintf(buf, len, "layer %zu (%s) of model '%s'", l + 1,
             n->layer[l].kind == IR_LAYER_CONV2D ? "conv2d" : "dense", m->name);
}

/* The file's array a fits entry e (floats of other widths allowed for the weights); 0 or -1. */
static int fits(const Entry *e, const RtNpzArray *a, const RtNet *n, const IrModel *m,
                const char *path, char *err, size_t errlen)
{
    bool same = a->ndim == e->ndim;
    for (size_t d = 0; same && d < e->ndim; d++)
        same = a->shape[d] == e->shape[d];
    bool weights = e->group == 0;
    bool type_ok = a->type == e->type || (weights && a->type == RT_NPZ_F8);
    if (same && type_ok)
        return 0;
    char want[96], got[96], where[128] = "";
    shape_text(want, sizeof want, e->ndim, e->shape);
    shape_text(got, sizeof got, a->ndim, a->shape);
    if (weights) {
        snprintf(where, sizeof where, ", but ");
        layer_text(where + 6, sizeof where - 6, n, m, e->l);
        snprintf(where + strlen(where), sizeof where - strlen(where), " needs");
    } else {
        snprintf(where, sizeof where, ", but this run needs");
    }
    snprintf(err, errlen, "%s: array '%s' is %s %s%s %s %s", path, e->name,
             rt_npz_type_name(a->type), got, where, type_ok ? "shape" : rt_npz_type_name(e->type),
             want);
    return -1;
}

/* Copy the file's array into the entry (its checks passed). */
static void restore(Entry *e, const RtNpzArray *a, float *wbuf)
{
    size_t cnt = a->n;
    switch (e->kind) {
    case E_WEIGHT:
    case E_RAW:
        if (a->type == RT_NPZ_F8 && e->type == RT_NPZ_F4) {
            float *dst = e->kind == E_WEIGHT ? wbuf : e->p;
            for (size_t c = 0; c < cnt; c++)
                dst[c] = (float)((const double *)a->data)[c];
        } else {
            memcpy(e->kind == E_WEIGHT ? (void *)wbuf : e->p, a->data,
                   cnt * rt_npz_size(a->type));
        }
        break;
    case E_CELL:
        for (size_t c = 0; c < cnt; c++)
            memcpy((char *)&((RtCell *)e->p)[c] + e->field, (const float *)a->data + c,
                   sizeof(float));
        break;
    case E_SIZE: *(size_t *)e->p = (size_t)*(const uint64_t *)a->data; break;
    case E_PULSES:
        memcpy(e->tile->npulse, a->data, cnt * sizeof(uint64_t));
        memset(e->tile->cnt, 0, cnt * sizeof *e->tile->cnt);
        break;
    }
}

/* Every `NAME.weight` of the file is a weight layer of the list; 0, or -1 with err set. */
static int no_extra_layers(const List *L, const RtNpz *z, const IrModel *m, const char *path,
                           char *err, size_t errlen)
{
    for (size_t k = 0; k < z->n; k++) {
        const char *name = z->a[k].name, *dot = strrchr(name, '.');
        if (!dot || strcmp(dot, ".weight") != 0)
            continue;
        bool found = false;
        for (size_t i = 0; i < L->n && !found; i++)
            found = L->e[i].kind == E_WEIGHT && strcmp(L->e[i].name, name) == 0;
        if (!found) {
            snprintf(err, errlen, "%s: array '%s' is a weight layer that model '%s' does not "
                     "have (its weight layers are dense1, dense2, ... and conv1, ... in order)",
                     path, name, m->name);
            return -1;
        }
    }
    return 0;
}

int rt_net_load_weights(RtNet *n, const IrModel *m, const RtNpz *z, const char *path, char *err,
                        size_t errlen)
{
    List L;
    list_net(&L, n, m);
    int rc = no_extra_layers(&L, z, m, path, err, errlen);
    for (size_t k = 0; k < L.n && !rc; k++) {
        Entry *e = &L.e[k];
        if (e->group != 0)
            continue;
        const RtNpzArray *a = rt_npz_find(z, e->name);
        char lt[128];
        layer_text(lt, sizeof lt, n, m, e->l);
        if (!a) {
            snprintf(err, errlen, "%s: no array '%s' (the %s of %s)", path, e->name,
                     e->kind == E_WEIGHT ? "weights" : "bias", lt);
            rc = -1;
        } else if (!(rc = fits(e, a, n, m, path, err, errlen))) {
            float *w = e->kind == E_WEIGHT ? rt_xmalloc((a->n ? a->n : 1) * sizeof *w) : NULL;
            restore(e, a, w);
            if (w)
                rt_net_set_initial(n, m, e->l, w);
            free(w);
        }
        if (!rc && e->kind == E_WEIGHT && !n->layer[e->l].b) {
            char bias[RT_NPZ_MAX_NAME + 8];
            snprintf(bias, sizeof bias, "%.*s.bias", (int)(strlen(e->name) - 7), e->name);
            if (rt_npz_find(z, bias)) {
                snprintf(err, errlen, "%s: array '%s' is a bias, but %s has none (bias = false)",
                         path, bias, lt);
                rc = -1;
            }
        }
    }
    free(L.e);
    return rc;
}

/* The tile's kernel constants from its (replaced) cells; 0, or -1 when out of memory. */
static int replan(RtTile *t)
{
    if (!t->planes)
        return 0;
    rt_planes_free(t->planes);
    t->planes = rt_planes_new(&t->dev, t->cell, t->D * t->X);
    return t->planes ? 0 : -1;
}

int rt_net_load_state(RtNet *n, const IrModel *m, const RtNpz *z, const char *path, char *err,
                      size_t errlen)
{
    List L;
    list_net(&L, n, m);
    int rc = 0;
    bool held = false; /* whether the file holds the group being read */
    size_t head = 0;
    for (size_t k = 0; k < L.n && !rc; k++) {
        Entry *e = &L.e[k];
        if (e->group == 0)
            continue;
        const RtNpzArray *a = rt_npz_find(z, e->name);
        if (e->head) {
            held = a != NULL;
            head = k;
        }
        if (!held)
            continue;
        if (!a) {
            snprintf(err, errlen, "%s: no array '%s' (the file holds '%s' without it)", path,
                     e->name, L.e[head].name);
            rc = -1;
        } else if (!(rc = fits(e, a, n, m, path, err, errlen))) {
            restore(e, a, NULL);
            if (e->kind == E_CELL && e->tile && (k + 1 == L.n || L.e[k + 1].kind != E_CELL))
                rc = replan(e->tile); /* after the array's last cell parameter */
        }
    }
    free(L.e);
    for (size_t l = 0; l < n->nlayers && !rc; l++)
        if (n->layer[l].algo && rt_algo_reloaded(n->layer[l].algo)) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        }
    return rc;
}

bool rt_net_state_analog(const RtNpz *z)
{
    for (size_t k = 0; k < z->n; k++) {
        size_t len = strlen(z->a[k].name);
        if (len > 2 && strcmp(z->a[k].name + len - 2, ".W") == 0)
            return true;
    }
    return false;
}

/*
** Every tile of n has output scales exactly when the file holds them for its layer (else the
** file's visible weights would be read with scales they were not trained with); 0 or -1.
*/
static int same_scaling(RtNet *n, const IrModel *m, const RtNpz *z, const char *path,
                        char *err, size_t errlen)
{
    List L;
    list_net(&L, n, m);
    int rc = 0;
    for (size_t k = 0; k < L.n && !rc; k++) {
        const Entry *e = &L.e[k];
        if (e->kind != E_WEIGHT || !e->layer->tile)
            continue;
        char name[RT_NPZ_MAX_NAME + 16], lt[128];
        snprintf(name, sizeof name, "%.*s.out_scale", (int)(strlen(e->name) - 7), e->name);
        bool held = rt_npz_find(z, name) != NULL;
        if (held == (e->layer->nscale > 0))
            continue;
        layer_text(lt, sizeof lt, n, m, e->l);
        snprintf(err, errlen, "%s: %s '%s', but %s has %s", path,
                 held ? "the file holds output scales" : "no output scales", name, lt,
                 held ? "none (weight_scaling_omega = 0, learn_out_scaling = false)"
                      : "them (weight_scaling_omega > 0 or learn_out_scaling)");
        rc = -1;
    }
    free(L.e);
    return rc;
}

int rt_net_load_file(RtNet *n, const IrModel *m, const char *path, char *err, size_t errlen)
{
    RtNpz z;
    if (rt_npz_read(&z, path, err, errlen))
        return -1;
    int rc = rt_net_load_weights(n, m, &z, path, err, errlen);
    if (!rc)
        rc = same_scaling(n, m, &z, path, err, errlen);
    if (!rc)
        rc = rt_net_load_state(n, m, &z, path, err, errlen);
    rt_npz_free(&z);
    return rc;
}
