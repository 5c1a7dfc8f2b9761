/*
** dump.c: print the IR back as a script, driven by the same schema tables as the checker.
*/
#include "dump.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_device.h"
#include "rt_mem.h"
#include "schema.h"

#define AT(ir, off, T) ((const T *)((const char *)(ir) + (off)))

static const char *const origin_names[] = {
    [IR_ORIGIN_DEFAULT] = "default",
    [IR_ORIGIN_FAMILY] = "family default",
    [IR_ORIGIN_INHERITED] = "inherited",
    [IR_ORIGIN_SET] = "set",
    [IR_ORIGIN_OVERRIDE] = "set from outside (--set or vary)",
};

/* Every IR declaration begins with its name (ir.h). */
static const char *decl_name(const void *ir)
{
    return ir ? *(const char *const *)ir : "?";
}

/* The shortest p such that v is v[0..p) repeated n/p times (n if none). */
static size_t shortest_period(const long *v, size_t n)
{
    for (size_t p = 1; p <= n / 2; p++) {
        if (n % p)
            continue;
        size_t i = p;
        while (i < n && v[i] == v[i - p])
            i++;
        if (i == n)
            return p;
    }
    return n;
}

/* The value of p in ir as script text into b; false if it has none (an unset string). */
static bool put_value(Buf *b, const void *ir, const SchParam *p)
{
    char num[32];
    switch (p->type) {
    case SCH_NUM:
        if (isnan(*AT(ir, p->offset, double)))
            return false; /* not set, no default (train.init) */
        txt_num(num, *AT(ir, p->offset, double));
        buf_printf(b, "%s", num);
        break;
    case SCH_SIZE: buf_printf(b, "%zu", *AT(ir, p->offset, size_t)); break;
    case SCH_INT: buf_printf(b, "%d", *AT(ir, p->offset, int)); break;
    case SCH_SEED:
        buf_printf(b, "%llu", (unsigned long long)*AT(ir, p->offset, uint64_t));
        break;
    case SCH_BOOL: buf_printf(b, "%s", *AT(ir, p->offset, bool) ? "true" : "false"); break;
    case SCH_ENUM: buf_printf(b, "%s", p->enums[*AT(ir, p->offset, int)]); break;
    case SCH_STR: {
        const char *s = *AT(ir, p->offset, const char *);
        if (!s)
            return false;
        buf_printf(b, "\"%s\"", s);
        break;
    }
    case SCH_REF: {
        const void *r = *AT(ir, p->offset, const void *);
        if (!r)
            return false;
        buf_printf(b, "%s", decl_name(r));
        break;
    }
    case SCH_REFS: {
        const void *const *v = *AT(ir, p->offset, const void *const *);
        size_t n = *AT(ir, p->count_at, size_t);
        buf_printf(b, n == 1 ? "" : "[");
        for (size_t i = 0; i < n; i++)
            buf_printf(b, "%s%s", i ? ", " : "", decl_name(v[i]));
        buf_printf(b, n == 1 ? "" : "]");
        break;
    }
    case SCH_PULSES: {
        const long *v = *AT(ir, p->offset, const long *);
        size_t n = *AT(ir, p->count_at, size_t), period = shortest_period(v, n);
        buf_printf(b, period < n ? "repeat([" : "[");
        for (size_t i = 0; i < period; i++)
            buf_printf(b, "%s%+ld", i ? ", " : "", v[i]);
        if (period < n)
            buf_printf(b, "], %zu)", n / period);
        else
            buf_printf(b, "]");
        break;
    }
    case SCH_NUMS: {
        const double *v = *AT(ir, p->offset, const double *);
        size_t n = *AT(ir, p->count_at, size_t);
        buf_printf(b, "[");
        for (size_t i = 0; i < n; i++) {
            txt_num(num, v[i]);
            buf_printf(b, "%s%s", i ? ", " : "", num);
        }
        buf_printf(b, "]");
        break;
    }
    case SCH_COLS: {
        const IrColumn *v = *AT(ir, p->offset, const IrColumn *);
        size_t n = *AT(ir, p->count_at, size_t);
        if (!v)
            return false;
        buf_printf(b, "[");
        for (size_t i = 0; i < n; i++)
            if (v[i].name)
                buf_printf(b, "%s\"%s\"", i ? ", " : "", v[i].name);
            else
                buf_printf(b, "%s%ld", i ? ", " : "", v[i].index);
        buf_printf(b, "]");
        break;
    }
    case SCH_FUNC_W: {
        const char *text = *AT(ir, p->count_at, const char *);
        if (!text)
            return false;
        buf_printf(b, "%s", text);
        break;
    }
    }
    return true;
}

static size_t name_width(const SchKind *k)
{
    size_t w = 0;
    for (size_t i = 0; i < k->nparams; i++)
        if (strlen(k->params[i].name) > w)
            w = strlen(k->params[i].name);
    return w;
}

static const char *why(const SchKind *k, const SchParam *p, IrOrigin o)
{
    bool ev = k == &sch_kinds[SCH_EVALUATE];
    if (o == IR_ORIGIN_DEFAULT && ev && strcmp(p->name, "seed") == 0)
        return "default: the train's seed, else the script's";
    if (o == IR_ORIGIN_DEFAULT && ev && strcmp(p->name, "loss") == 0)
        return "default: the train's; else cross_entropy for labelled data, half_mse for "
               "least_squares, else mse";
    if (o == IR_ORIGIN_DEFAULT && strcmp(p->name, "seed") == 0)
        return "default: the script's seed";
    if (o == IR_ORIGIN_DEFAULT && k == &sch_kinds[SCH_TRAIN] && strcmp(p->name, "log_every") == 0)
        return "default: steps / 100";
    if (o == IR_ORIGIN_DEFAULT && k == &sch_kinds[SCH_TRAIN] && strcmp(p->name, "loss") == 0)
        return "default: cross_entropy for labelled data, half_mse for least_squares, else mse";
    return origin_names[o];
}

/* A parameter that another one replaces: a csv's label when it has targets (the checker
** refuses both set). */
static bool superseded(const SchKind *k, const SchParam *p, const void *ir)
{
    return k == &sch_kinds[SCH_DATA] && strcmp(p->name, "label") == 0 &&
           ((const IrData *)ir)->targets;
}

static void dump_params(Buf *b, const SchKind *k, const void *ir, int family)
{
    const IrOrigin *origin = AT(ir, k->origin_at, IrOrigin);
    int w = (int)name_width(k);
    for (size_t i = 0; i < k->nparams; i++) {
        const SchParam *p = &k->params[i];
        if (!sch_accepts(p, family) || superseded(k, p, ir))
            continue;
        Buf v = {0};
        if (put_value(&v, ir, p))
            buf_printf(b, "    %-*s = %-12s  # %s\n", w, p->name, v.s, why(k, p, origin[i]));
        buf_free(&v);
    }
}

static void dump_table(Buf *b, const char *name, const IrTable *t)
{
    char lo[32], hi[32];
    txt_num(lo, t->lo);
    txt_num(hi, t->hi);
    buf_printf(b, "    # %s: tabulated on %zu nodes over [%s, %s], linear interpolation, "
                  "max error %.2g\n",
               name, t->n, lo, hi, t->max_err);
}

static void dump_decl(Buf *b, int kind, const void *ir, int family, const char *parent)
{
    const SchKind *k = &sch_kinds[kind];
    if (parent)
        buf_printf(b, "# %s inherits from %s\n", decl_name(ir), parent);
    if (k->has_family)
        buf_printf(b, "%s %s : %s {\n", k->keyword, decl_name(ir), k->families[family].name);
    else
        buf_printf(b, "%s %s {\n", k->keyword, decl_name(ir));
    dump_params(b, k, ir, family);
    if (kind == SCH_EXPERIMENT) {
        const IrExperiment *x = ir;
        for (size_t v = 0; v < x->nvary; v++)
            buf_printf(b, "    vary %s in %s\n", x->vary_path[v], x->vary_list[v]);
    }
    if (kind == SCH_DEVICE && family == IR_DEV_RESPONSE) {
        const IrDevice *d = ir;
        dump_table(b, "q_up", &d->q_up);
        dump_table(b, "q_down", &d->q_down);
    }
    if (kind == SCH_DEVICE)
        dump_device_notes(b, ir); /* granularity, states, symmetric point (the runtime's) */
    buf_printf(b, "}\n\n");
}

/* The I/O arguments of a layer, ')' and a note on what is digital or left at the default. */
static void dump_layer_io(Buf *b, const IrLayer *l)
{
    if (l->forward)
        buf_printf(b, ", forward = %s", l->forward->name);
    if (l->backward)
        buf_printf(b, ", backward = %s", l->backward->name);
    buf_printf(b, ")");
    if (!l->on)
        buf_printf(b, "  # digital");
    else if (!l->forward || !l->backward)
        buf_printf(b, "  # %s: the io analog defaults (Table 4)",
                   l->forward ? "backward" : l->backward ? "forward" : "forward, backward");
    buf_printf(b, "\n");
}

/* Whether parameter p of a layer holds its default (numbers, sizes, booleans). */
static bool at_default(const IrLayer *l, const SchParam *p)
{
    switch (p->type) {
    case SCH_NUM: return *AT(l, p->offset, double) == p->def;
    case SCH_SIZE: return *AT(l, p->offset, size_t) == (size_t)p->def;
    case SCH_BOOL: return *AT(l, p->offset, bool) == (p->def != 0);
    default: return false;
    }
}

/*
** One layer as a call: positional parameters by value, then `on` (if set), `bias` of weight
** layers, the other numbers and booleans that differ from their defaults, and the I/O
** (dump_layer_io). A layer without parameters is its bare name.
*/
static void dump_layer(Buf *b, const IrLayer *l)
{
    const SchLayer *sl = NULL;
    for (size_t k = 0; k < sch_nlayers && !sl; k++)
        if (sch_layers[k].kind == l->kind)
            sl = &sch_layers[k];
    buf_printf(b, "    %s", sl->name);
    if (sl->nparams == 0) {
        buf_printf(b, "\n");
        return;
    }
    buf_printf(b, "(");
    for (size_t i = 0; i < sl->nparams; i++) {
        const SchParam *p = &sl->params[i];
        bool named = i >= sl->npositional;
        if (named && (p->type == SCH_REF ? strcmp(p->name, "on") != 0
                                         : strcmp(p->name, "bias") != 0 && at_default(l, p)))
            continue; /* forward, backward: dump_layer_io; defaults: left out */
        Buf v = {0};
        if (put_value(&v, l, p))
            buf_printf(b, "%s%s%s%s", i ? ", " : "", named ? p->name : "", named ? " = " : "",
                       v.s);
        buf_free(&v);
    }
    if (l->kind == IR_LAYER_DENSE || l->kind == IR_LAYER_CONV2D)
        dump_layer_io(b, l);
    else
        buf_printf(b, ")\n");
}

static void dump_model(Buf *b, const IrModel *m)
{
    buf_printf(b, "model %s {\n", m->name);
    for (size_t i = 0; i < m->nlayers; i++)
        dump_layer(b, &m->layers[i]);
    buf_printf(b, "}\n\n");
}

void dump_device(Buf *b, const IrDevice *d)
{
    dump_decl(b, SCH_DEVICE, d, d->family, d->parent);
}

void dump_program(Buf *b, const IrProgram *p, const char *source)
{
    buf_printf(b, "# aimci: the resolved program of %s\n", source);
    buf_printf(b, "# Every parameter with its final value; the comment says where it came from\n"
                  "# (set in the script, inherited, family default, default).\n");
    buf_printf(b, "seed = %llu\n", (unsigned long long)p->seed);
    for (size_t i = 0; i < p->nconsts; i++)
        buf_printf(b, "# constant: %s\n", p->consts[i]);
    buf_printf(b, "\n");
    for (size_t i = 0; i < p->ndevices; i++)
        dump_decl(b, SCH_DEVICE, p->devices[i], p->devices[i]->family, p->devices[i]->parent);
    for (size_t i = 0; i < p->nios; i++)
        dump_decl(b, SCH_IO, p->ios[i], p->ios[i]->family, p->ios[i]->parent);
    for (size_t i = 0; i < p->ndata; i++)
        dump_decl(b, SCH_DATA, p->data[i], p->data[i]->kind, p->data[i]->parent);
    for (size_t i = 0; i < p->nmodels; i++)
        dump_model(b, p->models[i]);
    for (size_t i = 0; i < p->noptimizers; i++)
        dump_decl(b, SCH_OPTIMIZER, p->optimizers[i], p->optimizers[i]->kind,
                  p->optimizers[i]->parent);
    for (size_t i = 0; i < p->nschedules; i++)
        dump_decl(b, SCH_SCHEDULE, p->schedules[i], p->schedules[i]->kind,
                  p->schedules[i]->parent);
    for (size_t i = 0; i < p->nhardware; i++)
        dump_decl(b, SCH_HARDWARE, p->hardware[i], -1, NULL);
    for (size_t i = 0; i < p->nruns; i++) {
        const IrRun *r = &p->runs[i];
        if (r->kind == IR_RUN_TRAIN)
            dump_decl(b, SCH_TRAIN, r->u.train, -1, NULL);
        else if (r->kind == IR_RUN_MEASURE)
            dump_decl(b, SCH_MEASURE, r->u.measure, -1, NULL);
        else if (r->kind == IR_RUN_EVALUATE)
            dump_decl(b, SCH_EVALUATE, r->u.evaluate, -1, NULL);
        else
            dump_decl(b, SCH_EXPERIMENT, r->u.experiment, -1, NULL);
    }
}

/* Append ir to v (of n) unless it is NULL or there already. */
static void note_once(const void **v, size_t *n, const void *ir)
{
    if (!ir)
        return;
    for (size_t i = 0; i < *n; i++)
        if (v[i] == ir)
            return;
    v[(*n)++] = ir;
}

void dump_train_closure(Buf *b, const IrTrain *t)
{
    const IrModel *m = t->model;
    size_t cap = 3 * (m ? m->nlayers : 0) + 4 * t->nopt + 2, ndev = 0, nio = 0;
    const void **dev = rt_xmalloc(cap * sizeof *dev), **io = rt_xmalloc(cap * sizeof *io);
    for (size_t i = 0; m && i < m->nlayers; i++) {
        note_once(dev, &ndev, m->layers[i].on);
        note_once(io, &nio, m->layers[i].forward);
        note_once(io, &nio, m->layers[i].backward);
    }
    for (size_t k = 0; k < t->nopt; k++) {
        note_once(dev, &ndev, t->opt[k]->fast);
        note_once(dev, &ndev, t->opt[k]->slow);
        note_once(dev, &ndev, t->opt[k]->reference);
        note_once(io, &nio, t->opt[k]->transfer_io);
    }
    note_once(io, &nio, t->test_io); /* its analog evaluations are in the job's result */
    for (size_t i = 0; i < ndev; i++) {
        const IrDevice *d = dev[i];
        dump_decl(b, SCH_DEVICE, d, d->family, d->parent);
    }
    for (size_t i = 0; i < nio; i++) {
        const IrIO *o = io[i];
        dump_decl(b, SCH_IO, o, o->family, o->parent);
    }
    if (t->data)
        dump_decl(b, SCH_DATA, t->data, t->data->kind, t->data->parent);
    if (m)
        dump_model(b, m);
    for (size_t k = 0; k < t->nopt; k++)
        dump_decl(b, SCH_OPTIMIZER, t->opt[k], t->opt[k]->kind, t->opt[k]->parent);
    if (t->schedule)
        dump_decl(b, SCH_SCHEDULE, t->schedule, t->schedule->kind, t->schedule->parent);
    if (t->hardware) /* the cost model: part of what a job's key covers */
        dump_decl(b, SCH_HARDWARE, t->hardware, -1, NULL);
    dump_decl(b, SCH_TRAIN, t, -1, NULL);
    free(dev);
    free(io);
}

/*
** ====================================================================================
** Device notes (for --dump)
** ====================================================================================
*/

/* "# symmetric point ..." of the mean device. */
static void sym_note(Buf *b, const RtDeviceInfo *in)
{
    switch (in->sym_kind) {
    case RT_SYM_POINT:
        buf_printf(b, "    # symmetric point: %.6g (mean device; %s)\n", in->sym, in->sym_how);
        break;
    case RT_SYM_EVERY:
        buf_printf(b, "    # symmetric point: every weight (mean device: up = down steps; %s)\n",
                   in->sym_how);
        break;
    case RT_SYM_UPPER:
    case RT_SYM_LOWER:
        buf_printf(b, "    # symmetric point: none; balanced pulses drive the mean device to %s "
                      "%.6g (%s)\n",
                   in->sym_kind == RT_SYM_UPPER ? "its upper bound" : "its lower bound",
                   in->sym_kind == RT_SYM_UPPER ? in->hi : in->lo, in->sym_how);
        break;
    }
}

void dump_device_notes(Buf *b, const IrDevice *d)
{
    RtDeviceInfo in;
    rt_device_info(&in, d);
    if (d->family == IR_DEV_IDEAL) {
        buf_printf(b, "    # granularity: none (floating point); states: unlimited; symmetric "
                      "point: every weight\n");
        return;
    }
    buf_printf(b,
               "    # granularity: %.6g (the dw of BL and update management, docs/theory.md "
               "§3.2.6)\n",
               in.granularity);
    bool paper = d->family == IR_DEV_LINEAR || d->family == IR_DEV_POWER ||
                 d->family == IR_DEV_EXPONENTIAL;
    buf_printf(b, "    # states: %.6g (%s / granularity)\n", in.states,
               paper ? "2 tau" : "(w_max - w_min)");
    sym_note(b, &in);
}
