/*
** eval.c: runs the `train` and `measure` statements of a checked program on the runtime,
** writes their CSV outputs and resolved programs atomically, and prints summaries.
**
** Outputs, for a train with `log = "dir/name.csv"`:
**   dir/name.csv            optimizer,step,loss,dist_to_w_star (%.9g; the last column empty
**                           when not applicable), the optimizers one after the other; a
**                           train by epochs writes optimizer,epoch,step,lr,train_loss,
**                           train_acc,test_loss,test_acc instead (accuracies as fractions)
**   dir/name.arrays.csv     optimizer,step,layer,array,pulses,transfers,mean_abs,sp_dist and
**                           the cost columns (eval_cost.h): the per-array statistics of the
**                           same steps (rt_train.h; empty fields are not applicable), when an
**                           optimizer has analog arrays
**   dir/name.cost.csv       what the runs cost the hardware at those steps (eval_cost.h),
**                           when an optimizer has analog arrays
**   dir/name.resolved.aimc  the resolved program (EvOptions.resolved), when given
** A train with `save = "dir/w.npz"` writes dir/w.npz (several optimizers: dir/w.OPT.npz each,
** ev_save_path) with the state of each run that succeeded (rt_net_state.h), and
** dir/w.resolved.aimc;
** and for a measure with `out = "dir/name.csv"`: pulse_index,direction,w (row 0 is
** 0,0,<start>; then 1..N, direction 1 up / -1 down) plus the same resolved file.
** A train whose log (else plot) is dir/name.csv keeps its checkpoint in dir/name.ckpt until
** every statement has run (eval_ckpt.h), and continues from it when it finds one.
** `plot = "dir/img.png"` (train, measure) draws the loss curves or the trace with gnuplot
** (eval_plot.c): dir/img.png, dir/img.dat, dir/img.gp and dir/img.resolved.aimc.
** Everything printed or written depends only on the program, so reruns are byte-identical;
** the one exception is the progress bar of a train, drawn (with its rate and time left)
** only when the output is a terminal.
** A failing optimizer or run is reported at its statement; the others still run, and
** whatever was logged is written. With --shard (EvOptions.shards) only experiments run,
** each its share of jobs (eval_experiment.c): the trains and measures are left to the run
** without it.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval.h"
#include "eval_ckpt.h"
#include "eval_ranks.h"
#include "eval_cost.h"
#include "eval_log.h"
#include "eval_plot.h"
#include "rt_data.h"
#include "rt_file.h"
#include "rt_measure.h"
#include "rt_mem.h"
#include "rt_net_state.h"
#include "rt_npz.h"
#include "rt_pool.h"
#include "rt_stop.h"
#include "rt_train.h"

#define ERRLEN 512


/*
** ====================================================================================
** Output files
** ====================================================================================
*/

/*
** Write files[0..n) as one unit with the resolved program (if any) beside files[0] (all new
** or all old: rt_file_write_set), printing "  wrote PATH" for each. 0, or 1 (reported at at).
*/
int ev_write_outputs(Diag *d, SrcLoc at, const EvOptions *o, RtFileOut *files, size_t n)
{
    RtFileOut *all = rt_xcalloc(n + 1, sizeof *all);
    size_t m = 0;
    char *res = ev_resolved_beside(o, files[0].path);
    for (size_t k = 0; k < n; k++) {
        all[m++] = files[k];
        if (k == 0 && res) /* listed second, as "wrote" lines always were */
            all[m++] = (RtFileOut){res, o->resolved, strlen(o->resolved), NULL};
    }
    char err[ERRLEN];
    int rc = rt_file_write_set(all, m, err, sizeof err) != 0;
    if (rc)
        diag_error(d, at, "%s", err);
    else
        for (size_t k = 0; k < m; k++)
            if (all[k].path == res) /* a resolved program shared by outputs: said once */
                ev_wrote_resolved(o, res);
            else
                fprintf(o->out, "  wrote %s\n", all[k].path);
    free(res);
    free(all);
    return rc;
}

/* The resolved programs announced by the current ev_run. */
static char **announced;
static size_t nannounced;

static void forget_announced(void)
{
    for (size_t i = 0; i < nannounced; i++)
        free(announced[i]);
    free(announced);
    announced = NULL;
    nannounced = 0;
}

void ev_wrote_resolved(const EvOptions *o, const char *path)
{
    for (size_t i = 0; i < nannounced; i++)
        if (strcmp(announced[i], path) == 0)
            return;
    announced = rt_xrealloc(announced, (nannounced + 1) * sizeof *announced);
    announced[nannounced++] = rt_xstrdup(path);
    fprintf(o->out, "  wrote %s\n", path);
}

/* Close a memory stream and hand back its buffer; NULL (and nothing to free) on failure. */
static char *close_stream(FILE *f, char **buf, size_t *len)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(*buf);
        *buf = NULL;
    }
    if (!*buf)
        *len = 0;
    return *buf;
}

/*
** ====================================================================================
** train
** ====================================================================================
*/

/* The CSV text of all optimizers' logs (eval_log.h); NULL when out of memory. */
static char *train_csv(const IrTrain *t, const EvOpt *res, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    EvLogCols cols = {0};
    ev_log_cols_add(&cols, t);
    fputs("optimizer,", f);
    ev_log_header(f, &cols);
    for (size_t k = 0; k < t->nopt; k++) {
        Buf prefix = {0};
        buf_printf(&prefix, "%s,", t->opt[k]->name);
        ev_log_rows(f, &cols, prefix.s, &res[k].log);
        buf_free(&prefix);
    }
    return close_stream(f, &buf, len);
}

/* The per-array statistics of all optimizers' logs as CSV; NULL when out of memory. */
static char *arrays_csv(const IrTrain *t, const EvOpt *res, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fputs("optimizer,", f);
    ev_arrays_header(f);
    for (size_t k = 0; k < t->nopt; k++) {
        Buf prefix = {0};
        buf_printf(&prefix, "%s,", t->opt[k]->name);
        ev_arrays_rows(f, prefix.s, &res[k].log);
        buf_free(&prefix);
    }
    return close_stream(f, &buf, len);
}

/* A right-aligned number of a summary column, or "-" when not available. */
static void put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "  %12.6g", v);
    else
        fprintf(f, "  %12s", "-");
}

void ev_put_mean_std(FILE *f, int w, double mean, double sd, double mult, const char *unit)
{
    char cell[64];
    if (!isfinite(mean))
        snprintf(cell, sizeof cell, "-");
    else if (mult == 100.0)
        snprintf(cell, sizeof cell, "%.2f ± %.2f%s", mult * mean, mult * sd, unit);
    else
        snprintf(cell, sizeof cell, "%.6g ± %.2g%s", mean, sd, unit);
    /* "±" is two bytes and one column: pad by columns */
    fprintf(f, "  %*s", w + (strstr(cell, "±") ? 1 : 0), cell);
}

/* Width of the optimizer column: the longest name, at least 9 ("optimizer"). */
static int name_width(const IrTrain *t)
{
    size_t w = 9;
    for (size_t k = 0; k < t->nopt; k++)
        if (strlen(t->opt[k]->name) > w)
            w = strlen(t->opt[k]->name);
    return (int)w;
}

/* One row per optimizer: last logged loss, f*, loss/f*, ||W - w*|| (or "-"), and a failure mark. */
static void train_summary(FILE *f, const IrTrain *t, const RtData *dt, const EvOpt *res)
{
    int nw = name_width(t);
    fprintf(f, "train %s: %s on %s, %zu steps, batch %zu, seed %llu\n", t->name,
            t->model->name, t->data->name, t->steps, t->batch, (unsigned long long)t->seed);
    fprintf(f, "  %-*s  %12s  %12s  %12s  %12s", nw, "optimizer", "final loss", "f*",
            "loss/f*", "|W-w*|");
    if (t->test_io)
        fprintf(f, "  %22s", "final loss (analog)");
    fputc('\n', f);
    for (size_t k = 0; k < t->nopt; k++) {
        const RtLog *log = &res[k].log;
        const RtLogRow *last = log->n ? &log->row[log->n - 1] : NULL;
        double loss = last ? last->loss : NAN;
        fprintf(f, "  %-*s", nw, t->opt[k]->name);
        put_num(f, loss);
        double f_star = rt_data_f_star_of(dt, t->loss);
        put_num(f, f_star);
        put_num(f, rt_data_f_star_meaningful(dt) ? loss / f_star : NAN);
        put_num(f, last ? last->dist : NAN);
        if (t->test_io)
            ev_put_mean_std(f, 22, last ? last->loss_analog : NAN,
                            last ? last->loss_analog_std : NAN, 1.0, "");
        if (res[k].rc)
            fputs("  (failed; last logged row shown)", f);
        fputc('\n', f);
    }
}

/* A percentage of a fraction, or "-". */
static void put_pct(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "  %11.2f%%", 100.0 * v);
    else
        fprintf(f, "  %12s", "-");
}

/*
** A train by epochs: one row per optimizer with its last epoch. The test columns say which
** forward computed them: the exact digital one, and with test_io also the analog one
** (mean ± std over test_repeat).
*/
static void epochs_summary(FILE *f, const IrTrain *t, const EvOpt *res)
{
    int nw = name_width(t);
    fprintf(f, "  %-*s  %12s  %12s  %19s  %18s", nw, "optimizer", "train loss", "train acc",
            "test loss (digital)", "test acc (digital)");
    if (t->test_io)
        fprintf(f, "  %22s  %18s", "test loss (analog)", "test acc (analog)");
    fputc('\n', f);
    for (size_t k = 0; k < t->nopt; k++) {
        const RtLog *log = &res[k].log;
        const RtEpochRow *e = log->nep ? &log->ep[log->nep - 1] : NULL;
        fprintf(f, "  %-*s", nw, t->opt[k]->name);
        put_num(f, e ? e->train_loss : NAN);
        put_pct(f, e ? e->train_acc : NAN);
        fprintf(f, "%7s", "");
        put_num(f, e ? e->test_loss : NAN);
        fprintf(f, "%6s", "");
        put_pct(f, e ? e->test_acc : NAN);
        if (t->test_io) {
            ev_put_mean_std(f, 22, e ? e->test_loss_analog : NAN,
                            e ? e->test_loss_analog_std : NAN, 1.0, "");
            ev_put_mean_std(f, 18, e ? e->test_acc_analog : NAN,
                            e ? e->test_acc_analog_std : NAN, 100.0, "%");
        }
        if (res[k].rc)
            fputs("  (failed; last epoch shown)", f);
        fputc('\n', f);
    }
}

/*
** {======================================================================
** Progress of a train by epochs: one line per epoch; on a terminal, a bar with the rate
** and the time left, redrawn at most 10 times a second.
** =======================================================================
*/

typedef struct Progress {
    FILE *out;
    const char *name;  /* the optimizer */
    bool tty;
    double start, last; /* seconds (monotonic) */
    bool drawn;
} Progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "1:02:03" or "2:03" */
static void put_time(FILE *f, double s)
{
    long v = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (v >= 3600)
        fprintf(f, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
    else
        fprintf(f, "%ld:%02ld", v / 60, v % 60);
}

static void progress_tick(void *ctx, size_t done, size_t total)
{
    Progress *p = ctx;
    ev_ranks_idle(); /* aimci-mpi: the other ranks get work meanwhile (eval_ranks.h) */
    if (!p->tty)
        return;
    double t = now_s();
    if (t - p->last < 0.1 && done < total)
        return;
    p->last = t;
    double rate = (double)done / fmax(t - p->start, 1e-9);
    int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : 0;
    fprintf(p->out, "\r  %s [%.*s%*s] %3d%% %zu/%zu steps, %.0f steps/s, ETA ", p->name, fill,
            "##############################", width - fill, "",
            total ? (int)(100.0 * (double)done / (double)total) : 0, done, total, rate);
    put_time(p->out, (double)(total - done) / fmax(rate, 1e-9));
    fputs("   ", p->out);
    fflush(p->out);
    p->drawn = true;
}

static void progress_epoch(void *ctx, const RtEpochRow *e, size_t epochs)
{
    Progress *p = ctx;
    if (p->drawn)
        fputs("\r\033[K", p->out);
    p->drawn = false;
    fprintf(p->out, "  %s epoch %zu/%zu: lr %.4g, train loss %.4f", p->name, e->epoch, epochs,
            e->lr, e->train_loss);
    if (isfinite(e->train_acc))
        fprintf(p->out, " acc %.2f%%", 100.0 * e->train_acc);
    if (isfinite(e->test_loss))
        fprintf(p->out, ", test loss %.4f", e->test_loss);
    if (isfinite(e->test_acc))
        fprintf(p->out, " acc %.2f%%", 100.0 * e->test_acc);
    if (isfinite(e->test_acc_analog))
        fprintf(p->out, " (analog %.2f ± %.2f%%)", 100.0 * e->test_acc_analog,
                100.0 * e->test_acc_analog_std);
    else if (isfinite(e->test_loss_analog))
        fprintf(p->out, " (analog loss %.4f ± %.2g)", e->test_loss_analog,
                e->test_loss_analog_std);
    fputc('\n', p->out);
    fflush(p->out);
}

/* }====================================================================== */

/* Say where a stopped train stopped (NULL: before optimizer k) and what it kept. */
static void say_stopped(const EvOptions *o, const IrTrain *t, size_t k, const char *where,
                        const EvCkpt *c)
{
    if (where)
        fprintf(o->out, "  %s/%s %s; ", t->name, t->opt[k]->name, where);
    else
        fprintf(o->out, "  %s stopped before optimizer %s; ", t->name, t->opt[k]->name);
    if (c->every || (c->run.path && c->run.wrote))
        fprintf(o->out, "kept checkpoint %s: run the same command again to continue\n",
                c->path);
    else
        fprintf(o->out, "no checkpoint (checkpointing is off: checkpoint_every, "
                        "--checkpoint-every)\n");
}

/*
** Save the final state of optimizer k's run (save = PATH, rt_net_state.h): its .npz
** (ev_save_path) and the resolved program beside PATH, as one unit, as soon as the run ends,
** so that a train resumed from its checkpoint keeps what its finished optimizers wrote.
** 0, or 1 (reported at the train).
*/
static int write_state(Diag *d, const EvOptions *o, const IrTrain *t, size_t k, RtNet *net)
{
    char err[ERRLEN];
    RtNpz z = {0};
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = rt_net_state_save(&z, net, t->model, err, sizeof err) ||
             rt_npz_encode(&z, &bytes, &len, err, sizeof err);
    rt_npz_free(&z);
    if (rc) {
        diag_error(d, t->loc, "train '%s', optimizer '%s': save: %s", t->name, t->opt[k]->name,
                   err);
        return 1;
    }
    char *path = ev_save_path(t, k), *resolved = ev_resolved_beside(o, t->save);
    RtFileOut files[2] = {{path, bytes, len, NULL},
                          {resolved, o->resolved, resolved ? strlen(o->resolved) : 0, NULL}};
    rc = rt_file_write_set(files, resolved ? 2 : 1, err, sizeof err) != 0;
    if (rc) {
        diag_error(d, t->loc, "%s", err);
    } else {
        fprintf(o->out, "  wrote %s\n", path);
        if (resolved)
            ev_wrote_resolved(o, resolved);
    }
    free(path);
    free(resolved);
    free(bytes);
    return rc;}

/*
** Run every optimizer of t on the same data, each on o->threads threads (0: the default of
** rt_pool_default_threads), continuing from the train's checkpoint (eval_ckpt.h); failures
** are reported at the train. *stopped: a stop was requested (rt_stop.h) and the train did
** not finish.
*/
static int run_optimizers(Diag *d, const EvOptions *o, const IrTrain *t, const RtData *dt,
                          EvOpt *res, EvCkpt *ck, bool *stopped)
{
    size_t threads = o->threads ? o->threads : rt_pool_default_threads();
    size_t first = ev_ckpt_open(ck, d, o, t, res);
    if (first == SIZE_MAX)
        return 1;
    int rc = 0;
    for (size_t k = 0; k < first; k++)
        rc |= res[k].rc != 0;
    for (size_t k = first; k < t->nopt; k++) {
        if (rt_stop_requested()) { /* between two optimizers */
            say_stopped(o, t, k, NULL, ck);
            *stopped = true;
            break;
        }
        char err[ERRLEN] = "";
        Progress pg = {o->out, t->opt[k]->name, !o->no_bar && isatty(fileno(o->out)), now_s(), 0, false};
        RtProgress pr = {progress_tick, progress_epoch, &pg};
        RtTrainCkpt *run = ev_ckpt_run(ck, k, res);
        RtNet *net = NULL;
        res[k].rc = rt_train_run_ckpt(&res[k].log, t->save ? &net : NULL, t, t->opt[k], dt,
                                      threads, &pr, run, err, sizeof err);
        if (pg.drawn)
            fputs("\r\033[K", o->out);
        if (res[k].rc == RT_TRAIN_STOPPED) {
            rt_net_free(net);
            say_stopped(o, t, k, err, ck);
            *stopped = true;
            break;
        }
        if (res[k].rc == 0 && net)
            rc |= write_state(d, o, t, k, net);
        rt_net_free(net);
        if (res[k].rc) {
            diag_error(d, t->loc, "train '%s', optimizer '%s': %s", t->name, t->opt[k]->name,
                       err);
            res[k].msg = rt_xstrdup(err);
            rc = 1;
        }
        rc |= ev_ckpt_finished(ck, d, k, res);
    }
    return rc;
}

/* The optimizers' logs as an array for eval_cost.h (freed by the caller). */
static const RtLog **logs_of(const IrTrain *t, const EvOpt *res)
{
    const RtLog **logs = rt_xmalloc((t->nopt ? t->nopt : 1) * sizeof *logs);
    for (size_t k = 0; k < t->nopt; k++)
        logs[k] = &res[k].log;
    return logs;
}

/*
** Write the CSV log of t, its array statistics and cost (if any) and the resolved program,
** together.
*/
static int write_train_log(Diag *d, const EvOptions *o, const IrTrain *t, const EvOpt *res,
                           size_t rows)
{
    size_t len = 0, alen = 0, clen = 0, narr = 0;
    char *csv = train_csv(t, res, &len), *text = NULL, *cost = NULL;
    bool any = false;
    for (size_t k = 0; k < t->nopt; k++)
        narr += res[k].log.narr;
    const RtLog **logs = logs_of(t, res);
    if (csv && narr) {
        text = arrays_csv(t, res, &alen);
        cost = ev_cost_csv(t, logs, rows, &clen, &any);
    }
    free(logs);
    if (!csv || (narr && (!text || !cost))) {
        diag_error(d, t->loc, "train '%s': out of memory", t->name);
        free(csv);
        free(text);
        free(cost);
        return 1;
    }
    char *path = rt_path_swap_ext(t->log, ".arrays.csv");
    char *cpath = rt_path_swap_ext(t->log, ".cost.csv");
    RtFileOut files[] = {{t->log, csv, len, NULL}, {path, text, alen, NULL},
                         {cpath, cost, clen, NULL}};
    int rc = ev_write_outputs(d, t->loc, o, files, narr ? 3 : 1);
    free(csv);
    free(text);
    free(cost);
    free(path);
    free(cpath);
    return rc;
}

/* The loss curves of t (plot = PATH): one line per optimizer. */
static int plot_train(Diag *d, const EvOptions *o, const IrTrain *t, const EvOpt *res)
{
    const RtLog **logs = logs_of(t, res);
    int rc = ev_plot_train(d, o, t, logs);
    free(logs);
    return rc;
}

/* Data once, every optimizer, the summary, then the log: 0, or 1 if anything failed. */
static int run_train(Diag *d, const EvOptions *o, const IrTrain *t)
{
    const char *outputs[] = {t->log, t->plot, t->save};
    if (ev_check_outputs(d, t->loc, outputs, 3))
        return 1;
    char err[ERRLEN];
    RtData *dt = rt_data_new(t->data, t->seed, err, sizeof err);
    if (!dt) {
        diag_error(d, t->loc, "train '%s': %s", t->name, err);
        return 1;
    }
    EvOpt *res = rt_xcalloc(t->nopt, sizeof *res);
    if (t->epochs) {
        fprintf(o->out, "train %s: %s on %s, %zu epochs, batch %zu, seed %llu (%zu examples, "
                        "%zu test)\n", t->name, t->model->name, t->data->name, t->epochs,
                t->batch, (unsigned long long)t->seed, dt->rows, dt->test ? dt->test->rows : 0);
        fflush(o->out);
    }
    EvCkpt ck;
    bool stopped = false;
    int rc = run_optimizers(d, o, t, dt, res, &ck, &stopped);
    bool complete = ck.t != NULL && !stopped; /* ck.t NULL: its checkpoint was refused */
    int wrc = 0;
    if (complete) {
        if (t->epochs)
            epochs_summary(o->out, t, res);
        else
            train_summary(o->out, t, dt, res);
        const RtLog **logs = logs_of(t, res);
        ev_cost_summary(o->out, t, logs);
        fflush(o->out);
        ev_cost_warn(d, t, logs, dt->rows);
        if (o->cost_report)
            ev_cost_report(o->cost_report, t, logs, dt->rows);
        free(logs);
        if (t->log)
            wrc |= write_train_log(d, o, t, res, dt->rows);
        if (t->plot)
            wrc |= plot_train(d, o, t, res);
    }
    ev_ckpt_close(&ck, complete && wrc == 0);
    rc |= wrc;
    for (size_t k = 0; k < t->nopt; k++) {
        rt_log_free(&res[k].log);
        free(res[k].msg);
    }
    free(res);
    rt_data_free(dt);
    return rc;
}

/*
** ====================================================================================
** measure
** ====================================================================================
*/

/* The CSV text of a trace; NULL when out of memory. */
static char *measure_csv(const RtTrace *tr, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fputs("pulse_index,direction,w\n", f);
    for (size_t k = 0; k < tr->n; k++)
        fprintf(f, "%zu,%d,%.9g\n", k, tr->dir[k], (double)tr->w[k]);
    return close_stream(f, &buf, len);
}

/*
** "measure NAME: N pulses on DEVICE, start S, final w W, min A, max B", then where the
** weight settles: mean and std of w over the last 10% of the pulses.
*/
static void measure_summary(FILE *f, const IrMeasure *m, const RtTrace *tr)
{
    fprintf(f, "measure %s: %zu pulses on %s, start %.6g, final w %.6g, min %.6g, max %.6g\n",
            m->name, tr->n - 1, m->device->name, (double)tr->start, (double)tr->final,
            (double)tr->lo, (double)tr->hi);
    fprintf(f, "  settles at w %.6g +- %.6g (mean +- std over the last 10%%: %zu pulses)\n",
            tr->tail_mean, tr->tail_std, tr->ntail);
}

/* The trace, its summary, then its CSV: 0, or 1 if anything failed. */
static int run_measure(Diag *d, const EvOptions *o, const IrMeasure *m)
{
    const char *outputs[] = {m->out, m->plot};
    if (ev_check_outputs(d, m->loc, outputs, 2))
        return 1;
    char err[ERRLEN];
    RtTrace tr = {0};
    if (rt_measure_run(&tr, m, m->out != NULL || m->plot != NULL, err, sizeof err) != 0) {
        diag_error(d, m->loc, "%s", err);
        return 1;
    }
    measure_summary(o->out, m, &tr);
    int rc = 0;
    if (m->out) {
        size_t len = 0;
        char *csv = measure_csv(&tr, &len);
        RtFileOut file = {m->out, csv, len, NULL};
        if (csv)
            rc = ev_write_outputs(d, m->loc, o, &file, 1);
        else
            diag_error(d, m->loc, "measure '%s': out of memory", m->name);
        rc |= csv == NULL;
        free(csv);
    }
    if (m->plot)
        rc |= ev_plot_measure(d, o, m, &tr);
    rt_trace_free(&tr);
    return rc;
}

/*
** ====================================================================================
** Driver
** ====================================================================================
*/

/*
** aimci-mpi: the other ranks would wait while the lead runs statement k; let them run the jobs
** of the next experiment meanwhile (once per experiment; *ahead: the one announced).
*/
static void announce_next_experiment(const EvOptions *o, const IrProgram *p, size_t k,
                                     const IrExperiment **ahead)
{
    if (!ev_ranks_ahead_wanted())
        return;
    while (k < p->nruns && p->runs[k].kind != IR_RUN_EXPERIMENT)
        k++;
    if (k < p->nruns && p->runs[k].u.experiment != *ahead) {
        *ahead = p->runs[k].u.experiment;
        ev_experiment_ahead(o, *ahead);
    }
}

int ev_run(const IrProgram *p, Diag *d, const EvOptions *o)
{
    int rc = 0;
    bool found = false;
    const IrExperiment *ahead = NULL; /* the experiment whose jobs may run ahead */
    for (size_t k = 0; k < p->nruns; k++) {
        const IrRun *r = &p->runs[k];
        if (o->only && strcmp(o->only, r->name) != 0)
            continue;
        found = true;
        if (rt_stop_requested()) /* a safe point: between two statements */
            break;
        if (r->kind != IR_RUN_EXPERIMENT && !o->only && !o->shards)
            announce_next_experiment(o, p, k, &ahead);
        if (o->shards && r->kind != IR_RUN_EXPERIMENT) /* a shard is a share of jobs alone */
            fprintf(o->out, "%s %s: not run by a shard (the run without --shard runs it)\n",
                    r->kind == IR_RUN_TRAIN     ? "train"
                    : r->kind == IR_RUN_EVALUATE ? "evaluate"
                                                 : "measure", r->name);
        else if (r->kind == IR_RUN_TRAIN)
            rc |= run_train(d, o, r->u.train);
        else if (r->kind == IR_RUN_MEASURE)
            rc |= run_measure(d, o, r->u.measure);
        else if (r->kind == IR_RUN_EVALUATE)
            rc |= ev_run_evaluate(d, o, r->u.evaluate);
        else
            rc |= ev_run_experiment(d, o, r->u.experiment);
        fflush(o->out);
    }
    forget_announced();
    ev_ranks_settle(); /* jobs run ahead for an experiment that did not come */
    ev_ckpt_end(!rt_stop_requested());
    if (o->only && !found) {
        diag_plain(d, "no train, measure or experiment named '%s'", o->only);
        return 1;
    }
    return rc;
}
