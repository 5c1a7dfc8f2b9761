/*
** eval_evaluate.c: runs an `evaluate`. From a train: the train's optimizers one by one (the
** same numbers as the train's own run), then each final net; from a weights file: the model
** with the file's weights (rt_net_load_file: an analog run's file gives each tile the visible
** weights and output scales it computed with, so the digital pass is the saved run's to the
** bit). Each net goes over the evaluation set once through the exact digital forward and
** `repeat` times through the analog forward (rt_net_eval_analog); one row per optimizer (or
** the file): the digital loss and accuracy, and the analog ones as mean ± std over the
** repetitions.
**
** Output (`out = "dir/name.csv"`): optimizer,forward,repetition,loss,acc (from a file:
** weights,... with the file's path): per optimizer one row `digital,0` and one row
** `analog,k` per repetition k = 1..repeat (acc a fraction, empty without labels), written
** with the resolved program as one unit.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "rt_data.h"
#include "rt_mem.h"
#include "rt_net_state.h"
#include "rt_npz.h"
#include "rt_pool.h"
#include "rt_train.h"

#define ERRLEN 512

/* What one optimizer's weights (or the file's) gave. */
typedef struct EvalOpt {
    int rc;
    double loss, acc;       /* digital */
    double *aloss, *aacc;   /* (repeat) analog */
    RtEvalStat st;
} EvalOpt;

/* The rows of the table: the train's optimizers, or the one weights file. */
static size_t nrows(const IrEvaluate *e)
{
    return e->train ? e->train->nopt : 1;
}

static const char *row_name(const IrEvaluate *e, size_t k)
{
    return e->train ? e->train->opt[k]->name : e->weights;
}

/* The set an evaluate reads: its data's test set, or the data itself without one. */
static const RtData *eval_set(const RtData *d)
{
    return d->test && d->test->rows ? d->test : d;
}

/* Net (built from m) on the set: the digital pass, then the analog ones; 0, or 1 with err. */
static int evaluate_net(const IrEvaluate *e, RtNet *net, const IrModel *m, const RtData *set,
                        EvalOpt *r, char *err, size_t errlen)
{
    if (rt_net_eval_io_open(net, m, e->io, e->seed) != 0) {
        snprintf(err, errlen, "evaluate '%s': out of memory", e->name);
        return 1;
    }
    size_t hits = 0;
    r->loss = rt_net_eval(net, e->loss, set->x, set->t, set->label, set->rows, &hits);
    r->acc = set->label && set->rows ? (double)hits / (double)set->rows : NAN;
    r->st = rt_net_eval_analog(net, e->loss, set->x, set->t, set->label, set->rows, e->repeat,
                               r->aloss, r->aacc);
    return 0;
}

/* Train optimizer k, then evaluate its net; 0, or 1 with err set. */
static int evaluate_one(const IrEvaluate *e, size_t k, const RtData *dt, const RtData *set,
                        size_t threads, EvalOpt *r, char *err, size_t errlen)
{
    const IrTrain *t = e->train;
    RtLog log = {0};
    RtNet *net = NULL;
    int rc = rt_train_run_threads(&log, &net, t, t->opt[k], dt, threads, err, errlen);
    rt_log_free(&log);
    if (rc == 0)
        rc = evaluate_net(e, net, t->model, set, r, err, errlen);
    rt_net_free(net);
    return rc;
}

/*
** The model with the weights file's weights, built analog when the file is an analog run's
** (its tiles then compute with the visible weights and output scales the run left), then
** evaluated; 0, or 1 with err set.
*/
static int evaluate_file(const IrEvaluate *e, const RtData *set, EvalOpt *r, char *err,
                         size_t errlen)
{
    RtNpz z;
    if (rt_npz_read(&z, e->weights, err, errlen))
        return 1;
    bool analog = rt_net_state_analog(&z);
    rt_npz_free(&z);
    RtNet *net = rt_net_new_shaped(e->model, set->shape, analog, false, e->seed, 1, err, errlen);
    int rc = net == NULL;
    if (!rc && rt_net_out(net) != set->outs) {
        snprintf(err, errlen, "model '%s' gives %zu outputs, but data '%s' has %zu %s per row",
                 e->model->name, rt_net_out(net), e->data->name, set->outs,
                 set->label ? "classes" : "target(s)");
        rc = 1;
    }
    if (!rc)
        rc = rt_net_load_file(net, e->model, e->weights, err, errlen) != 0;
    if (!rc)
        rc = evaluate_net(e, net, e->model, set, r, err, errlen);
    rt_net_free(net);
    return rc;
}

/* The evaluation data fits the data the model was trained on; 0, or 1 with err set. */
static int fits(const IrEvaluate *e, const RtData *dt, const RtData *set, char *err,
                size_t errlen)
{
    if (set->cols == dt->cols && set->shape.c == dt->shape.c && set->outs == dt->outs &&
        !set->label == !dt->label)
        return 0;
    snprintf(err, errlen, "data '%s' does not fit the model of train '%s': %zu features and "
             "%zu %s per row, the train's data '%s' %zu and %zu",
             e->data ? e->data->name : "?", e->train->name, set->cols, set->outs,
             set->label ? "classes" : "targets", e->train->data->name, dt->cols, dt->outs);
    return 1;
}

static void summary(FILE *f, const IrEvaluate *e, const EvalOpt *r)
{
    const char *head = e->train ? "optimizer" : "weights";
    int nw = (int)strlen(head);
    for (size_t k = 0; k < nrows(e); k++)
        if ((int)strlen(row_name(e, k)) > nw)
            nw = (int)strlen(row_name(e, k));
    fprintf(f, "  %-*s  %14s  %13s  %22s  %18s\n", nw, head, "loss (digital)",
            "acc (digital)", "loss (analog)", "acc (analog)");
    for (size_t k = 0; k < nrows(e); k++) {
        fprintf(f, "  %-*s", nw, row_name(e, k));
        if (r[k].rc) {
            fputs("  (failed)\n", f);
            continue;
        }
        if (isfinite(r[k].loss))
            fprintf(f, "  %14.6g", r[k].loss);
        else
            fprintf(f, "  %14s", "-");
        if (isfinite(r[k].acc))
            fprintf(f, "  %12.2f%%", 100.0 * r[k].acc);
        else
            fprintf(f, "  %13s", "-");
        ev_put_mean_std(f, 22, r[k].st.loss, r[k].st.loss_std, 1.0, "");
        ev_put_mean_std(f, 18, r[k].st.acc, r[k].st.acc_std, 100.0, "%");
        fputc('\n', f);
    }
}

/* A CSV field: as is, or quoted (quotes doubled) when it holds a comma, quote or newline. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The CSV of every pass; NULL when out of memory. */
static char *evaluate_csv(const IrEvaluate *e, const EvalOpt *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "%s,forward,repetition,loss,acc\n", e->train ? "optimizer" : "weights");
    for (size_t k = 0; k < nrows(e); k++) {
        if (r[k].rc)
            continue;
        const char *name = row_name(e, k);
        for (size_t p = 0; p <= e->repeat; p++) {
            double loss = p ? r[k].aloss[p - 1] : r[k].loss, acc = p ? r[k].aacc[p - 1] : r[k].acc;
            put_field(f, name);
            fprintf(f, ",%s,%zu,%.9g,", p ? "analog" : "digital", p, loss);
            if (!isnan(acc))
                fprintf(f, "%.9g", acc);
            fputc('\n', f);
        }
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The data the evaluation reads (its own, else the train's) in *dt and, when it is not the
** train's, the train's in *trained; 0, or 1 with err set. */
static int open_data(const IrEvaluate *e, RtData **dt, RtData **trained, char *err,
                     size_t errlen)
{
    const IrTrain *t = e->train;
    *dt = *trained = NULL;
    if (!t)
        return !(*dt = rt_data_new(e->data, e->seed, err, errlen));
    if (!(*trained = rt_data_new(t->data, t->seed, err, errlen)))
        return 1;
    if (!e->data || e->data == t->data) {
        *dt = *trained;
        *trained = NULL;
        return 0;
    }
    if (!(*dt = rt_data_new(e->data, t->seed, err, errlen)))
        return 1;
    return fits(e, *trained, eval_set(*dt), err, errlen);
}

int ev_run_evaluate(Diag *d, const EvOptions *o, const IrEvaluate *e)
{
    const IrTrain *t = e->train;
    if (ev_check_outputs(d, e->loc, &e->out, 1))
        return 1;
    char err[ERRLEN];
    RtData *dt, *trained;
    if (open_data(e, &dt, &trained, err, sizeof err)) {
        diag_error(d, e->loc, "evaluate '%s': %s", e->name, err);
        rt_data_free(dt);
        rt_data_free(trained);
        return 1;
    }
    const RtData *set = eval_set(dt);
    const IrData *named = e->data ? e->data : t->data;
    if (t)
        fprintf(o->out, "evaluate %s: train %s (model %s), ", e->name, t->name, t->model->name);
    else
        fprintf(o->out, "evaluate %s: weights %s (model %s), ", e->name, e->weights,
                e->model->name);
    fprintf(o->out, "%s of %s (%zu examples), %s%s, %zu analog repetition%s\n",
            set == dt ? "the rows" : "the test set", named->name, set->rows,
            e->io ? "io " : "each layer's forward io", e->io ? e->io->name : "", e->repeat,
            e->repeat == 1 ? "" : "s");
    fflush(o->out);
    size_t threads = o->threads ? o->threads : rt_pool_default_threads();
    EvalOpt *r = rt_xcalloc(nrows(e), sizeof *r);
    int rc = 0;
    for (size_t k = 0; k < nrows(e); k++) {
        r[k].aloss = rt_xcalloc(2 * e->repeat, sizeof *r[k].aloss);
        r[k].aacc = r[k].aloss + e->repeat;
        r[k].rc = t ? evaluate_one(e, k, trained ? trained : dt, set, threads, &r[k], err,
                                   sizeof err)
                    : evaluate_file(e, set, &r[k], err, sizeof err);
        if (r[k].rc) {
            if (t)
                diag_error(d, e->loc, "evaluate '%s', optimizer '%s': %s", e->name,
                           t->opt[k]->name, err);
            else
                diag_error(d, e->loc, "evaluate '%s': %s", e->name, err);
            rc = 1;
        }
    }
    summary(o->out, e, r);
    if (e->out) {
        size_t len = 0;
        char *csv = evaluate_csv(e, r, &len);
        RtFileOut file = {e->out, csv, len, NULL};
        if (csv)
            rc |= ev_write_outputs(d, e->loc, o, &file, 1);
        else {
            diag_error(d, e->loc, "evaluate '%s': out of memory", e->name);
            rc = 1;
        }
        free(csv);
    }
    for (size_t k = 0; k < nrows(e); k++)
        free(r[k].aloss);
    free(r);
    rt_data_free(dt);
    rt_data_free(trained);
    return rc;
}
