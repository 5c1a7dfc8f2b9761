/*
** eval_evaluate.c: runs an `evaluate`: the train's optimizers one by one (the same numbers as
** the train's own run), then each final net on the evaluation set, once through the exact
** digital forward and `repeat` times through the analog forward (rt_net_eval_analog), and
** prints one row per optimizer: the digital loss and accuracy, and the analog ones as
** mean ± std over the repetitions.
**
** Output (`out = "dir/name.csv"`): optimizer,forward,repetition,loss,acc: per optimizer one
** row `digital,0` and one row `analog,k` per repetition k = 1..repeat (acc a fraction, empty
** without labels), written with the resolved program as one unit.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "rt_data.h"
#include "rt_mem.h"
#include "rt_pool.h"
#include "rt_train.h"

#define ERRLEN 512

/* What one optimizer's weights gave. */
typedef struct EvalOpt {
    int rc;
    double loss, acc;       /* digital */
    double *aloss, *aacc;   /* (repeat) analog */
    RtEvalStat st;
} EvalOpt;

/* The set an evaluate reads: its data's test set, or the data itself without one. */
static const RtData *eval_set(const RtData *d)
{
    return d->test && d->test->rows ? d->test : d;
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
    if (rc == 0 && rt_net_eval_io_open(net, t->model, e->io, t->seed) != 0) {
        snprintf(err, errlen, "evaluate '%s': out of memory", e->name);
        rc = 1;
    }
    if (rc == 0) {
        size_t hits = 0;
        r->loss = rt_net_eval(net, t->loss, set->x, set->t, set->label, set->rows, &hits);
        r->acc = set->label && set->rows ? (double)hits / (double)set->rows : NAN;
        r->st = rt_net_eval_analog(net, t->loss, set->x, set->t, set->label, set->rows,
                                   e->repeat, r->aloss, r->aacc);
    }
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
    const IrTrain *t = e->train;
    int nw = 9;
    for (size_t k = 0; k < t->nopt; k++)
        if ((int)strlen(t->opt[k]->name) > nw)
            nw = (int)strlen(t->opt[k]->name);
    fprintf(f, "  %-*s  %14s  %13s  %22s  %18s\n", nw, "optimizer", "loss (digital)",
            "acc (digital)", "loss (analog)", "acc (analog)");
    for (size_t k = 0; k < t->nopt; k++) {
        fprintf(f, "  %-*s", nw, t->opt[k]->name);
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

/* The CSV of every pass; NULL when out of memory. */
static char *evaluate_csv(const IrEvaluate *e, const EvalOpt *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fputs("optimizer,forward,repetition,loss,acc\n", f);
    for (size_t k = 0; k < e->train->nopt; k++) {
        if (r[k].rc)
            continue;
        const char *name = e->train->opt[k]->name;
        for (size_t p = 0; p <= e->repeat; p++) {
            double loss = p ? r[k].aloss[p - 1] : r[k].loss, acc = p ? r[k].aacc[p - 1] : r[k].acc;
            fprintf(f, "%s,%s,%zu,%.9g,", name, p ? "analog" : "digital", p, loss);
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

int ev_run_evaluate(Diag *d, const EvOptions *o, const IrEvaluate *e)
{
    const IrTrain *t = e->train;
    if (ev_check_outputs(d, e->loc, &e->out, 1))
        return 1;
    char err[ERRLEN];
    RtData *dt = rt_data_new(t->data, t->seed, err, sizeof err), *own = NULL;
    if (dt && e->data && e->data != t->data && !(own = rt_data_new(e->data, t->seed, err,
                                                                   sizeof err))) {
        rt_data_free(dt);
        dt = NULL;
    }
    const RtData *set = dt ? eval_set(own ? own : dt) : NULL;
    if (!dt || fits(e, dt, set, err, sizeof err)) {
        diag_error(d, e->loc, "evaluate '%s': %s", e->name, err);
        rt_data_free(dt);
        rt_data_free(own);
        return 1;
    }
    const IrData *named = own ? e->data : t->data;
    fprintf(o->out, "evaluate %s: train %s (model %s), %s of %s (%zu examples), %s%s, %zu "
                    "analog repetition%s\n", e->name, t->name, t->model->name,
            set == (own ? own : dt) ? "the rows" : "the test set", named->name, set->rows,
            e->io ? "io " : "each layer's forward io", e->io ? e->io->name : "", e->repeat,
            e->repeat == 1 ? "" : "s");
    fflush(o->out);
    size_t threads = o->threads ? o->threads : rt_pool_default_threads();
    EvalOpt *r = rt_xcalloc(t->nopt, sizeof *r);
    int rc = 0;
    for (size_t k = 0; k < t->nopt; k++) {
        r[k].aloss = rt_xcalloc(2 * e->repeat, sizeof *r[k].aloss);
        r[k].aacc = r[k].aloss + e->repeat;
        r[k].rc = evaluate_one(e, k, dt, set, threads, &r[k], err, sizeof err);
        if (r[k].rc) {
            diag_error(d, e->loc, "evaluate '%s', optimizer '%s': %s", e->name,
                       t->opt[k]->name, err);
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
    for (size_t k = 0; k < t->nopt; k++)
        free(r[k].aloss);
    free(r);
    rt_data_free(dt);
    rt_data_free(own);
    return rc;
}
