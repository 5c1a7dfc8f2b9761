/*
** rt_train.c: the training loop of one optimizer: batches, steps, logging, divergence.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_rng.h"
#include "rt_train.h"

#define LOSS_CHUNK 256 /* rows per forward when evaluating the full-data loss */

/* The state of one run besides the net: sample order and the gathered batch. */
typedef struct Trainer {
    const IrTrain *t;
    const RtData *dt;
    RtNet *net;
    RtRng order;
    size_t *idx, pos; /* current permutation of the rows, next position in it */
    float *xb, *tb;   /* (batch,cols), (batch,outs) */
    bool has_dist;
    RtPool *pool;     /* the run's threads, or NULL */
} Trainer;

void rt_log_free(RtLog *log)
{
    free(log->row);
    free(log->arr);
    log->row = NULL;
    log->arr = NULL;
    log->n = log->cap = log->narr = log->arrcap = 0;
}

/* Append the array statistics of every analog layer at `step`; false when out of memory. */
static bool log_arrays(RtLog *log, const RtNet *net, size_t step)
{
    for (size_t l = 0; l < net->nlayers; l++) {
        const RtAlgo *a = net->layer[l].algo;
        RtArrayStat st[RT_ALGO_MAX_ARRAYS + 1];
        size_t m = a ? rt_algo_stats(a, st, RT_ALGO_MAX_ARRAYS + 1) : 0;
        if (log->narr + m > log->arrcap) {
            size_t cap = log->arrcap ? 2 * log->arrcap : 64;
            while (cap < log->narr + m)
                cap *= 2;
            RtArrayRow *v = realloc(log->arr, cap * sizeof *v);
            if (!v)
                return false;
            log->arr = v;
            log->arrcap = cap;
        }
        for (size_t k = 0; k < m; k++)
            log->arr[log->narr++] = (RtArrayRow){step, l, st[k]};
    }
    return true;
}

/* Every weight of every layer = v (tiles: clipped to their cells); biases unchanged. */
static void fill_weights(RtNet *net, double v)
{
    for (size_t l = 0; l < net->nlayers; l++) {
        RtLayer *ly = &net->layer[l];
        for (size_t k = 0; k < ly->out * ly->in; k++)
            ly->w[k] = (float)v;
        if (ly->tile)
            rt_tile_set_weights(ly->tile, ly->w);
    }
}

/* Append a row; false when out of memory. */
static bool log_push(RtLog *log, size_t step, double loss, double dist)
{
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 64;
        RtLogRow *row = realloc(log->row, cap * sizeof *row);
        if (!row)
            return false;
        log->row = row;
        log->cap = cap;
    }
    log->row[log->n++] = (RtLogRow){step, loss, dist};
    return true;
}

bool rt_train_has_dist(const IrTrain *t, const RtData *dt)
{
    const IrModel *m = t->model;
    return t->data->kind == IR_DATA_LEAST_SQUARES && dt->w_star && m->nlayers == 1 &&
           !m->layers[0].bias && m->layers[0].out == 1 && m->layers[0].in == dt->cols;
}

/* ||W - w_star||_2 of the single layer, in double. */
static double dist_to_star(const Trainer *tr)
{
    const float *w = tr->net->layer[0].w;
    double s = 0.0;
    for (size_t c = 0; c < tr->dt->cols; c++) {
        double e = (double)w[c] - tr->dt->w_star[c];
        s += e * e;
    }
    return sqrt(s);
}

/* Copy the next `batch` rows of the order into xb/tb, reshuffling at each epoch start. */
static void gather_batch(Trainer *tr)
{
    const RtData *dt = tr->dt;
    for (size_t b = 0; b < tr->t->batch; b++) {
        if (tr->pos == dt->rows) {
            rt_rng_shuffle(&tr->order, tr->idx, dt->rows);
            tr->pos = 0;
        }
        size_t r = tr->idx[tr->pos++];
        memcpy(tr->xb + b * dt->cols, dt->x + r * dt->cols, dt->cols * sizeof(float));
        memcpy(tr->tb + b * dt->outs, dt->t + r * dt->outs, dt->outs * sizeof(float));
    }
}

/* The model must read `cols` inputs and write `outs` outputs. */
static bool check_fit(const Trainer *tr, char *err, size_t errlen)
{
    if (rt_net_in(tr->net) == tr->dt->cols && rt_net_out(tr->net) == tr->dt->outs)
        return true;
    snprintf(err, errlen,
             "model '%s' maps %zu inputs to %zu outputs, but data '%s' has %zu columns and "
             "%zu target(s) per row",
             tr->t->model->name, rt_net_in(tr->net), rt_net_out(tr->net), tr->t->data->name,
             tr->dt->cols, tr->dt->outs);
    return false;
}

/* Allocate the run state, the net and the pool (threads > 1); 0 or 1 with err set. */
static int trainer_open(Trainer *tr, const IrTrain *t, const IrOptimizer *o, const RtData *dt,
                        size_t threads, char *err, size_t errlen)
{
    memset(tr, 0, sizeof *tr);
    tr->t = t;
    tr->dt = dt;
    size_t batch = t->batch ? t->batch : 1;
    size_t rows = batch > LOSS_CHUNK ? batch : LOSS_CHUNK;
    tr->net = rt_net_new(t->model, o->kind != IR_OPT_DIGITAL_SGD, true, t->seed, rows, err,
                         errlen);
    if (!tr->net)
        return 1;
    if (!check_fit(tr, err, errlen))
        return 1;
    if (t->init_set)
        fill_weights(tr->net, t->init);
    if (rt_algo_attach(tr->net, t->model, o, t->seed, err, errlen) != 0)
        return 1;
    tr->idx = malloc(dt->rows * sizeof *tr->idx);
    tr->xb = malloc(batch * dt->cols * sizeof *tr->xb);
    tr->tb = malloc(batch * dt->outs * sizeof *tr->tb);
    if (!tr->idx || !tr->xb || !tr->tb) {
        snprintf(err, errlen, "train '%s': out of memory", t->name);
        return 1;
    }
    for (size_t r = 0; r < dt->rows; r++)
        tr->idx[r] = r;
    rt_rng_seed(&tr->order, t->seed, RT_STREAM_ORDER);
    tr->pos = dt->rows; /* the first batch shuffles */
    tr->has_dist = rt_train_has_dist(t, dt);
    if (threads > 1 && !(tr->pool = rt_pool_new(threads))) {
        snprintf(err, errlen, "train '%s': cannot start %zu threads", t->name, threads);
        return 1;
    }
    tr->net->pool = tr->pool;
    return 0;
}

/* Free the run state; the net goes to *net_out if wanted, else it is freed too. */
static void trainer_close(Trainer *tr, RtNet **net_out)
{
    if (net_out)
        *net_out = tr->net;
    else
        rt_net_free(tr->net);
    free(tr->idx);
    free(tr->xb);
    free(tr->tb);
    rt_pool_free(tr->pool);
}

/* Evaluate and append the log row of `step`; 0, or 1 with err set. */
static int log_step(RtLog *log, Trainer *tr, size_t step, char *err, size_t errlen)
{
    double loss = rt_net_loss(tr->net, tr->dt->x, tr->dt->t, tr->dt->rows);
    if (!isfinite(loss)) {
        snprintf(err, errlen, "training diverged at step %zu: the loss is %g", step, loss);
        return 1;
    }
    if (!log_push(log, step, loss, tr->has_dist ? dist_to_star(tr) : NAN) ||
        !log_arrays(log, tr->net, step)) {
        snprintf(err, errlen, "train '%s': out of memory", tr->t->name);
        return 1;
    }
    return 0;
}

/* One mini-batch step; 0, or 1 if the batch loss is not finite. */
static int train_step(Trainer *tr, const IrOptimizer *o, size_t step, char *err,
                      size_t errlen)
{
    size_t B = tr->t->batch ? tr->t->batch : 1;
    gather_batch(tr);
    rt_net_forward(tr->net, tr->xb, B);
    double loss = rt_net_mse(tr->net, tr->tb, B);
    if (!isfinite(loss)) {
        snprintf(err, errlen, "training diverged at step %zu: the batch loss is %g", step,
                 loss);
        return 1;
    }
    rt_net_backward(tr->net, B);
    rt_net_step(tr->net, o, B);
    return 0;
}

int rt_train_run(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                 const RtData *dt, char *err, size_t errlen)
{
    return rt_train_run_threads(log, net_out, t, o, dt, 1, err, errlen);
}

int rt_train_run_threads(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                         const RtData *dt, size_t threads, char *err, size_t errlen)
{
    Trainer tr;
    int rc = trainer_open(&tr, t, o, dt, threads, err, errlen);
    if (rc == 0)
        rc = log_step(log, &tr, 0, err, errlen);
    for (size_t s = 1; rc == 0 && s <= t->steps; s++) {
        rc = train_step(&tr, o, s, err, errlen);
        bool due = (t->log_every && s % t->log_every == 0) || s == t->steps;
        if (rc == 0 && due)
            rc = log_step(log, &tr, s, err, errlen);
    }
    trainer_close(&tr, net_out);
    return rc;
}
