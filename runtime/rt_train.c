/*
** rt_train.c: the training loop of one optimizer: batches, steps, logging, divergence.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_algo.h"
#include "rt_ckpt.h"
#include "rt_file.h"
#include "rt_mem.h"
#include "rt_net_state.h"
#include "rt_rng.h"
#include "rt_stop.h"
#include "rt_train.h"


/* The state of one run besides the net: sample order and the gathered batch. */
typedef struct Trainer {
    const IrTrain *t;
    const RtData *dt;
    RtNet *net;
    RtRng order;
    size_t *idx, pos; /* current permutation of the rows, next position in it */
    float *xb, *tb;   /* (batch,cols), (batch,outs) */
    int32_t *lb;      /* (batch) labels, or NULL */
    float *xs, *ts;   /* the spare batch: the last one, while the net still updates from it */
    int32_t *ls;
    bool ahead;       /* the net ran the batch's first layers already (rt_net_step_ahead) */
    bool has_dist;
    RtPool *pool;     /* the run's threads, or NULL */
    IrOptimizer *opt; /* the optimizer with the current lr (the net's copy) */
    size_t epochs;    /* of the whole run (the schedule's E) */
    size_t epoch;     /* the epoch whose lr is in opt (SIZE_MAX: none set yet) */
    const RtProgress *pr;
    RtTrainCkpt *ck;  /* checkpoints, or NULL */
    /* The loop's position: steps taken; by epochs also the current epoch (0-based), the
    ** steps taken in it and their loss sum and hits (a stop can come in mid-epoch). */
    size_t step, e, k, hits;
    double sum;
    size_t saved;     /* the step of the last checkpoint written + 1; 0: none */
} Trainer;

void rt_log_free(RtLog *log)
{
    free(log->row);
    free(log->arr);
    free(log->ep);
    log->row = NULL;
    log->arr = NULL;
    log->ep = NULL;
    log->n = log->cap = log->narr = log->arrcap = log->nep = log->epcap = 0;
    log->has_start = false;
}

double rt_train_lr_factor(const IrSchedule *s, size_t e, size_t E)
{
    if (!s)
        return 1.0;
    switch (s->kind) {
    case IR_SCHED_STEP: return pow(s->factor, (double)(e / (s->every ? s->every : 1)));
    case IR_SCHED_COSINE: {
        double m = s->min_factor, c = E ? cos(3.14159265358979323846 * (double)e / (double)E) : 1.0;
        return m + (1.0 - m) * (1.0 + c) / 2.0;
    }
    default: return 1.0;
    }
}

double rt_train_lr(const IrSchedule *s, double lr, size_t e, size_t E)
{
    return lr * rt_train_lr_factor(s, e, E);
}

size_t rt_train_epochs(const IrTrain *t, size_t rows)
{
    if (t->epochs)
        return t->epochs;
    size_t batch = t->batch ? t->batch : 1;
    if (!rows)
        return 1;
    double e = ceil((double)t->steps * (double)batch / (double)rows);
    return e < 1.0 ? 1 : (size_t)e;
}

/*
** Set the lr of epoch e (0-based): the run's optimizer gets the scheduled SGD rate, each
** algorithm the factor, which it applies to the rates its family schedules (rt_algo.h).
*/
static void set_epoch_lr(Trainer *tr, const IrOptimizer *o, size_t e)
{
    if (e == tr->epoch)
        return;
    tr->epoch = e;
    double f = rt_train_lr_factor(tr->t->schedule, e, tr->epochs);
    tr->opt->lr = o->lr * f;
    for (size_t l = 0; l < tr->net->nlayers; l++)
        if (tr->net->layer[l].algo)
            rt_algo_set_lr(tr->net->layer[l].algo, f);
}

/* Append the array statistics of every analog layer at `step`; nonzero when out of memory. */
static int log_arrays(RtLog *log, const RtNet *net, size_t step)
{
    for (size_t l = 0; l < net->nlayers; l++) {
        const RtAlgo *a = net->layer[l].algo;
        RtArrayStat st[RT_ALGO_MAX_STATS];
        size_t m = a ? rt_algo_stats(a, st, RT_ALGO_MAX_STATS) : 0;
        if (m == 0)
            continue;
        if (RT_GROW(log->arr, log->arrcap, log->narr + m))
            return -1;
        for (size_t k = 0; k < m; k++)
            log->arr[log->narr++] = (RtArrayRow){step, l, st[k]};
    }
    return 0;
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

/* Append a row; nonzero when out of memory. */
static int log_push(RtLog *log, const RtLogRow *row)
{
    if (RT_GROW(log->row, log->cap, log->n + 1))
        return -1;
    log->row[log->n++] = *row;
    return 0;
}

bool rt_train_has_dist(const IrTrain *t, const RtData *dt)
{
    const IrModel *m = t->model;
    return t->data->kind == IR_DATA_LEAST_SQUARES && dt->w_star && m->nlayers == 1 &&
           !m->layers[0].bias && m->layers[0].out == dt->outs && m->layers[0].in == dt->cols;
}

/* ||W - w_star|| of the single layer (Frobenius), in double. */
static double dist_to_star(const Trainer *tr)
{
    const float *w = tr->net->layer[0].w;
    double s = 0.0;
    for (size_t c = 0; c < tr->dt->outs * tr->dt->cols; c++) {
        double e = (double)w[c] - tr->dt->w_star[c];
        s += e * e;
    }
    return sqrt(s);
}

/*
** Ask for the inputs of the next batch ahead of its copy: rows of the order lie anywhere in
** the data set (188 MB for Fashion-MNIST), so each copy started from main memory (the batch
** copies were 2% of an fcn_fashion epoch); the step in between hides the wait.
*/
static void prefetch_next(const Trainer *tr)
{
    const RtData *dt = tr->dt;
    for (size_t b = 0; b < tr->t->batch && tr->pos + b < dt->rows; b++) {
        const float *row = dt->x + tr->idx[tr->pos + b] * dt->cols;
        for (size_t k = 0; k < dt->cols; k += 64 / sizeof *row)
            __builtin_prefetch(row + k, 0, 2);
    }
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
        if (tr->lb)
            tr->lb[b] = dt->label[r];
    }
    prefetch_next(tr);
}

/* The model must write `outs` outputs (its input shape was checked when it was built);
** returns 0, or -1 with a message in err. */
static int check_fit(const Trainer *tr, char *err, size_t errlen)
{
    bool squares = tr->t->loss != IR_LOSS_CROSS_ENTROPY;
    if (rt_net_out(tr->net) == tr->dt->outs && (squares || tr->dt->label))
        return 0;
    if (!tr->dt->label && !squares)
        snprintf(err, errlen, "loss cross_entropy needs labelled data; data '%s' has none",
                 tr->t->data->name);
    else
        snprintf(err, errlen, "model '%s' gives %zu outputs, but data '%s' has %zu %s per row",
                 tr->t->model->name, rt_net_out(tr->net), tr->t->data->name, tr->dt->outs,
                 tr->dt->label ? "classes" : "target(s)");
    return -1;
}

/*
** The net for t's model on dt's examples, and its copy of the optimizer; 0 or 1. With
** t->load, the file's weights replace the initial ones and its device state is restored
** once the algorithm is attached (rt_net_state.h).
*/
static int open_net(Trainer *tr, const IrOptimizer *o, size_t rows, char *err, size_t errlen)
{
    const IrTrain *t = tr->t;
    tr->net = rt_net_new_shaped(t->model, tr->dt->shape, o->kind != IR_OPT_DIGITAL_SGD, true,
                                t->seed, rows, err, errlen);
    if (!tr->net)
        return 1;
    if (check_fit(tr, err, errlen))
        return 1;
    if (t->init_set)
        fill_weights(tr->net, t->init);
    if (t->test_io && rt_net_eval_io_open(tr->net, t->model, t->test_io, t->seed) != 0) {
        snprintf(err, errlen, "train '%s': out of memory", t->name);
        return 1;
    }
    RtNpz z = {0};
    char *load = rt_train_load_path(t, o);
    if (load && (rt_npz_read(&z, load, err, errlen) ||
                 rt_net_load_weights(tr->net, t->model, &z, load, err, errlen))) {
        rt_npz_free(&z);
        free(load);
        return 1;
    }
    tr->net->opt = *o;
    tr->opt = &tr->net->opt;
    int rc = rt_algo_attach(tr->net, t->model, tr->opt, t->seed, err, errlen) != 0;
    if (!rc && load)
        rc = rt_net_load_state(tr->net, t->model, &z, load, err, errlen) != 0;
    rt_npz_free(&z);
    free(load);
    return rc;
}

char *rt_train_load_path(const IrTrain *t, const IrOptimizer *o)
{
    if (!t->load)
        return NULL;
    if (t->nopt > 1) {
        char *own = rt_path_tagged(t->load, o->name);
        if (access(own, F_OK) == 0)
            return own;
        free(own);
    }
    return rt_xstrdup(t->load);
}

/* Allocate the run state, the net and the pool (threads > 1); 0 or 1 with err set. */
static int trainer_open(Trainer *tr, const IrTrain *t, const IrOptimizer *o, const RtData *dt,
                        size_t threads, char *err, size_t errlen)
{
    memset(tr, 0, sizeof *tr);
    tr->t = t;
    tr->dt = dt;
    size_t batch = t->batch ? t->batch : 1;
    if (open_net(tr, o, batch, err, errlen) != 0)
        return 1;
    tr->idx = malloc(dt->rows * sizeof *tr->idx);
    tr->xb = malloc(batch * dt->cols * sizeof *tr->xb);
    tr->tb = malloc(batch * dt->outs * sizeof *tr->tb);
    tr->lb = dt->label ? malloc(batch * sizeof *tr->lb) : NULL;
    tr->xs = malloc(batch * dt->cols * sizeof *tr->xs);
    tr->ts = malloc(batch * dt->outs * sizeof *tr->ts);
    tr->ls = dt->label ? malloc(batch * sizeof *tr->ls) : NULL;
    if (!tr->idx || !tr->xb || !tr->tb || (dt->label && !tr->lb) || !tr->xs || !tr->ts ||
        (dt->label && !tr->ls)) {
        snprintf(err, errlen, "train '%s': out of memory", t->name);
        return 1;
    }
    for (size_t r = 0; r < dt->rows; r++)
        tr->idx[r] = r;
    rt_rng_seed(&tr->order, t->seed, RT_STREAM_ORDER);
    tr->pos = dt->rows; /* the first batch shuffles */
    tr->has_dist = rt_train_has_dist(t, dt);
    tr->epochs = rt_train_epochs(t, dt->rows);
    tr->epoch = SIZE_MAX;
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
    if (tr->net)
        tr->net->pool = NULL; /* the pool is freed below */
    if (net_out)
        *net_out = tr->net;
    else
        rt_net_free(tr->net);
    free(tr->idx);
    free(tr->xb);
    free(tr->tb);
    free(tr->lb);
    free(tr->xs);
    free(tr->ts);
    free(tr->ls);
    rt_pool_free(tr->pool);
}

/* Evaluate and append the log row of `step`; 0, or 1 with err set. */
static int log_step(RtLog *log, Trainer *tr, size_t step, char *err, size_t errlen)
{
    const RtData *dt = tr->dt;
    double loss = rt_net_eval(tr->net, tr->t->loss, dt->x, dt->t, dt->label, dt->rows, NULL);
    if (!isfinite(loss)) {
        snprintf(err, errlen, "training diverged at step %zu: the loss is %g", step, loss);
        return 1;
    }
    RtLogRow row = {step, loss, tr->has_dist ? dist_to_star(tr) : NAN, NAN, NAN};
    if (tr->t->test_io) {
        RtEvalStat st = rt_net_eval_analog(tr->net, tr->t->loss, dt->x, dt->t, dt->label,
                                           dt->rows, tr->t->test_repeat, NULL, NULL);
        row.loss_analog = st.loss, row.loss_analog_std = st.loss_std;
    }
    if (log_push(log, &row) ||
        log_arrays(log, tr->net, step)) {
        snprintf(err, errlen, "train '%s': out of memory", tr->t->name);
        return 1;
    }
    return 0;
}

/* The current batch becomes the spare, the spare's arrays the current batch's. */
static void swap_batches(Trainer *tr)
{
    float *x = tr->xb, *t = tr->tb;
    int32_t *l = tr->lb;
    tr->xb = tr->xs, tr->tb = tr->ts, tr->lb = tr->ls;
    tr->xs = x, tr->ts = t, tr->ls = l;
}

/*
** One mini-batch step: the batch (gathered, or already partly through the net when the last
** step ran ahead), its loss, backward and update; 0, or 1 if the batch loss is not finite.
** *loss gets the batch loss, *hits (if not NULL) the batch's correctly classified examples.
** With `ahead` the next batch is gathered and its first layers run along with the update
** (rt_net_step_ahead; the same numbers as without).
*/
static int train_step(Trainer *tr, size_t step, bool ahead, double *loss, size_t *hits,
                      char *err, size_t errlen)
{
    size_t B = tr->t->batch ? tr->t->batch : 1;
    const float *y;
    if (tr->ahead) {
        y = rt_net_forward_rest(tr->net, B);
    } else {
        gather_batch(tr);
        y = rt_net_forward(tr->net, tr->xb, B);
    }
    tr->ahead = false;
    if (hits && tr->lb)
        *hits += rt_count_correct(y, tr->lb, B, rt_net_out(tr->net));
    *loss = rt_net_loss_grad(tr->net, tr->t->loss, tr->tb, tr->lb, B);
    if (!isfinite(*loss)) {
        snprintf(err, errlen, "training diverged at step %zu: the batch loss is %g", step,
                 *loss);
        return 1;
    }
    rt_net_backward(tr->net, B);
    if (!ahead) {
        rt_net_step(tr->net, tr->opt, B);
        return 0;
    }
    swap_batches(tr); /* the update still reads this batch's input */
    gather_batch(tr);
    rt_net_step_ahead(tr->net, tr->opt, B, tr->xb);
    tr->ahead = true;
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
    return rt_train_run_progress(log, net_out, t, o, dt, threads, NULL, err, errlen);
}

/*
** The state of a run besides its net and log (the loop's position, the sample order, the
** schedule's state), then the net and the log: one walk for saving and loading (rt_ckpt.h).
*/
static void ser_run(RtSer *s, Trainer *tr, RtLog *log)
{
    size_t pos[5] = {tr->step, tr->e, tr->k, tr->hits, tr->pos};
    rt_ser_bytes(s, RT_CK_POS, pos, sizeof pos);
    rt_ser_f64(s, RT_CK_POS, &tr->sum);
    rt_ser_rng(s, &tr->order);
    rt_ser_bytes(s, RT_CK_ORDER, tr->idx, tr->dt->rows * sizeof *tr->idx);
    rt_ser_size(s, RT_CK_LR, &tr->epoch);
    rt_ser_f64(s, RT_CK_LR, &tr->opt->lr);
    rt_ckpt_net(s, tr->net);
    rt_ckpt_log(s, log, tr->t->model, tr->opt);
    if (s->load && !s->failed) {
        tr->step = pos[0], tr->e = pos[1], tr->k = pos[2], tr->hits = pos[3], tr->pos = pos[4];
        for (size_t r = 0; r <= tr->dt->rows; r++) /* the order, then its position */
            if (r == tr->dt->rows ? tr->pos > r : tr->idx[r] >= tr->dt->rows) {
                snprintf(s->msg, sizeof s->msg, "its sample order or position is out of range");
                s->failed = true;
                break;
            }
    }
}

/* Write the checkpoint of the run's current state; 0, or 1 with err set. */
static int save_ckpt(Trainer *tr, RtLog *log, char *err, size_t errlen)
{
    RtTrainCkpt *ck = tr->ck;
    RtSer s;
    rt_ser_init_save(&s);
    if (ck->prefix)
        rt_ser_append(&s, ck->prefix);
    ser_run(&s, tr, log);
    int rc = rt_ckpt_write(ck->path, ck->id, &s, err, errlen) != 0;
    rt_ser_free(&s);
    ck->wrote |= rc == 0;
    if (rc == 0)
        tr->saved = tr->step + 1;
    return rc;
}

/* A periodic checkpoint when `done` (epochs or steps) is a multiple of its period. */
static int maybe_ckpt(Trainer *tr, RtLog *log, size_t done, char *err, size_t errlen)
{
    if (!tr->ck || !tr->ck->path || !tr->ck->every || done % tr->ck->every)
        return 0;
    return save_ckpt(tr, log, err, errlen);
}

/* A stop was requested: the checkpoint (if any), then RT_TRAIN_STOPPED with err saying where. */
static int stop_here(Trainer *tr, RtLog *log, char *err, size_t errlen)
{
    bool fresh = tr->saved == tr->step + 1; /* this very state was just written */
    if (tr->ck && tr->ck->path && !fresh && save_ckpt(tr, log, err, errlen))
        return 1;
    if (tr->t->epochs && tr->k == 0)
        snprintf(err, errlen, "stopped after epoch %zu of %zu (step %zu)", tr->e, tr->epochs,
                 tr->step);
    else if (tr->t->epochs)
        snprintf(err, errlen, "stopped in epoch %zu of %zu, after step %zu", tr->e + 1,
                 tr->epochs, tr->step);
    else
        snprintf(err, errlen, "stopped after step %zu of %zu", tr->step, tr->t->steps);
    return RT_TRAIN_STOPPED;
}

/* Training by steps: the steps log (see the header); from step tr->step + 1 on. */
static int run_steps(RtLog *log, Trainer *tr, const IrOptimizer *o, char *err, size_t errlen)
{
    const IrTrain *t = tr->t;
    size_t batch = t->batch ? t->batch : 1;
    int rc = tr->step == 0 ? log_step(log, tr, 0, err, errlen) : 0;
    for (size_t s = tr->step + 1; rc == 0 && s <= t->steps; s++) {
        double loss;
        set_epoch_lr(tr, o, (s - 1) * batch / tr->dt->rows);
        rc = train_step(tr, s, false, &loss, NULL, err, errlen);
        tr->step = s;
        if (tr->pr && tr->pr->tick)
            tr->pr->tick(tr->pr->ctx, s, t->steps);
        bool due = (t->log_every && s % t->log_every == 0) || s == t->steps;
        if (rc == 0 && due)
            rc = log_step(log, tr, s, err, errlen);
        if (rc == 0 && s < t->steps)
            rc = maybe_ckpt(tr, log, s, err, errlen);
        if (rc == 0 && s < t->steps && rt_stop_requested())
            rc = stop_here(tr, log, err, errlen);
    }
    return rc;
}

/* Append an epoch row; nonzero when out of memory. */
static int push_epoch(RtLog *log, const RtEpochRow *row)
{
    if (RT_GROW(log->ep, log->epcap, log->nep + 1))
        return -1;
    log->ep[log->nep++] = *row;
    return 0;
}

/* The test loss and accuracy of the net's current weights into row, if there is a test set. */
static void eval_test(Trainer *tr, RtEpochRow *row)
{
    const RtData *ts = tr->dt->test;
    if (ts && ts->rows) {
        size_t correct = 0;
        row->test_loss = rt_net_eval(tr->net, tr->t->loss, ts->x, ts->t, ts->label, ts->rows,
                                     &correct);
        row->test_acc = ts->label ? (double)correct / (double)ts->rows : NAN;
        if (tr->t->test_io) {
            RtEvalStat st = rt_net_eval_analog(tr->net, tr->t->loss, ts->x, ts->t, ts->label,
                                               ts->rows, tr->t->test_repeat, NULL, NULL);
            row->test_loss_analog = st.loss, row->test_loss_analog_std = st.loss_std;
            row->test_acc_analog = st.acc, row->test_acc_analog_std = st.acc_std;
        }
    }
}

/* The test evaluation and the row of epoch e (0-based); 0, or 1 with err set. */
static int end_epoch(RtLog *log, Trainer *tr, size_t e, size_t step, double loss_sum,
                     size_t hits, size_t n, char *err, size_t errlen)
{
    RtEpochRow row = {e + 1, step, tr->opt->lr, loss_sum / (double)n, NAN, NAN, NAN,
                      NAN, NAN, NAN, NAN};
    if (tr->lb)
        row.train_acc = (double)hits / (double)(n * (tr->t->batch ? tr->t->batch : 1));
    eval_test(tr, &row);
    if (push_epoch(log, &row) || log_arrays(log, tr->net, step)) {
        snprintf(err, errlen, "train '%s': out of memory", tr->t->name);
        return 1;
    }
    if (tr->pr && tr->pr->epoch)
        tr->pr->epoch(tr->pr->ctx, &row, tr->epochs);
    return 0;
}

/* Training by epochs (see the header); from the position in tr on. */
static int run_epochs(RtLog *log, Trainer *tr, const IrOptimizer *o, char *err, size_t errlen)
{
    size_t batch = tr->t->batch ? tr->t->batch : 1;
    size_t per = tr->dt->rows / batch ? tr->dt->rows / batch : 1;
    size_t total = per * tr->epochs;
    int rc = 0;
    /* epoch 0, where the curves start (a resumed run has it in its log) */
    if (tr->step == 0 && tr->dt->test && tr->dt->test->rows) {
        log->start = (RtEpochRow){0, 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
        eval_test(tr, &log->start);
        log->has_start = true;
    }
    while (rc == 0 && tr->e < tr->epochs) {
        set_epoch_lr(tr, o, tr->e);
        if (tr->k == 0) {
            tr->pos = tr->dt->rows; /* every epoch starts with a fresh shuffle */
            tr->sum = 0.0;
            tr->hits = 0;
        }
        while (rc == 0 && tr->k < per) {
            double loss;
            /*
            ** The next batch ahead (rt_net_step_ahead) only where a second thread can run it,
            ** within the epoch, and not when a stop is due: the checkpoint holds a state
            ** between steps. A stop requested while a step runs ahead waits for that step.
            */
            bool ahead = rt_pool_threads(tr->pool) > 1 && tr->k + 1 < per &&
                         !rt_stop_requested();
            rc = train_step(tr, ++tr->step, ahead, &loss, &tr->hits, err, errlen);
            tr->sum += loss;
            tr->k++;
            if (tr->pr && tr->pr->tick)
                tr->pr->tick(tr->pr->ctx, tr->step, total);
            if (rc == 0 && tr->k < per && !tr->ahead && rt_stop_requested())
                rc = stop_here(tr, log, err, errlen);
        }
        if (rc)
            break;
        rc = end_epoch(log, tr, tr->e, tr->step, tr->sum, tr->hits, per, err, errlen);
        if (rc)
            break;
        tr->e++;
        tr->k = 0;
        if (tr->e < tr->epochs)
            rc = maybe_ckpt(tr, log, tr->e, err, errlen);
        if (rc == 0 && tr->e < tr->epochs && rt_stop_requested())
            rc = stop_here(tr, log, err, errlen);
    }
    return rc;
}

int rt_train_run_progress(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                          const RtData *dt, size_t threads, const RtProgress *pr, char *err,
                          size_t errlen)
{
    return rt_train_run_ckpt(log, net_out, t, o, dt, threads, pr, NULL, err, errlen);
}

/* Continue from ck->resume: its state replaces the fresh run's; 0, or 1 with err set. */
static int resume(Trainer *tr, RtLog *log, char *err, size_t errlen)
{
    RtSer *s = tr->ck->resume;
    ser_run(s, tr, log);
    if (!s->failed && s->pos != s->len)
        snprintf(s->msg, sizeof s->msg, "%zu bytes left over after the run's state",
                 s->len - s->pos), s->failed = true;
    if (s->failed) {
        snprintf(err, errlen, "checkpoint '%s' does not fit this run: %s; remove it, or run "
                 "with --fresh to start over", tr->ck->path, s->msg);
        return 1;
    }
    tr->ck->resumed_at = tr->t->epochs ? tr->e : tr->step;
    return 0;
}

int rt_train_run_ckpt(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                      const RtData *dt, size_t threads, const RtProgress *pr, RtTrainCkpt *ck,
                      char *err, size_t errlen)
{
    Trainer tr;
    int rc = trainer_open(&tr, t, o, dt, threads, err, errlen);
    tr.pr = pr;
    tr.ck = ck;
    if (rc == 0 && ck && ck->resume)
        rc = resume(&tr, log, err, errlen);
    if (rc == 0)
        rc = t->epochs ? run_epochs(log, &tr, o, err, errlen) : run_steps(log, &tr, o, err, errlen);
    trainer_close(&tr, net_out);
    return rc;
}
