/*
** eval_plot.c: plots of a finished run, written next to its other outputs (`plot = PATH`).
** The series come straight from what the run logged; plot.h draws them with gnuplot and
** keeps the data (.dat) and the script (.gp) beside the image.
*/
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "eval_plot.h"
#include "rt_file.h"
#include "rt_mem.h"

#define ERRLEN 1024

/* Whether the path ends in an image type plot_file draws. */
static bool image_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') &&
           (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".svg") == 0 ||
            strcasecmp(dot, ".pdf") == 0);
}

/* "  wrote PATH" for the file beside path with extension ext, if it exists. */
static void wrote_beside(const EvOptions *o, const char *path, const char *ext)
{
    char *p = rt_path_swap_ext(path, ext);
    if (access(p, F_OK) == 0)
        fprintf(o->out, "  wrote %s\n", p);
    free(p);
}

int ev_plot_write(Diag *d, const EvOptions *o, SrcLoc at, const char *path,
                  const PlotSpec *spec, const PlotOpts *opts)
{
    if (!image_path(path)) {
        diag_error(d, at, "plot '%s': unknown image type", path);
        diag_expected(d, "a path ending in .png, .svg or .pdf");
        return 1;
    }
    char err[ERRLEN];
    PlotOpts with = opts ? *opts : (PlotOpts){0};
    char *res = ev_resolved_beside(o, path);
    with.resolved = res ? o->resolved : NULL; /* committed with the image: both new or both old */
    int rc = plot_file_opts(path, spec, &with, err, sizeof err);
    if (rc == 0 && res)
        ev_wrote_resolved(o, res);
    wrote_beside(o, path, ".dat");
    wrote_beside(o, path, ".gp");
    if (rc == 0) {
        fprintf(o->out, "  wrote %s\n", path);
        free(res);
        return 0;
    }
    char *gp = rt_path_swap_ext(path, ".gp");
    bool kept = gp && access(gp, F_OK) == 0;
    free(gp);
    if (!kept) {
        diag_error(d, at, "%s", err);
        free(res);
        return 1;
    }
    char rerr[ERRLEN];
    if (res && rt_file_write(res, o->resolved, strlen(o->resolved), rerr, sizeof rerr) == 0)
        ev_wrote_resolved(o, res); /* beside the data and script that were kept */
    free(res);
    diag_warning(d, at, "%s", err); /* the numbers are fine; only the drawing is missing */
    return 0;
}

/* Whether every finite y of the series is positive (a log axis then reads best). */
static bool all_positive(const PlotSeries *s, size_t n)
{
    bool any = false;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            if (!isfinite(s[k].y[i]))
                continue;
            if (s[k].y[i] <= 0.0)
                return false;
            any = true;
        }
    return any;
}

/* Whether every epoch row of every log has a finite value of field f (an offset). */
static bool every_epoch_has(const IrTrain *t, const RtLog *const *logs, size_t f)
{
    bool any = false;
    for (size_t k = 0; k < t->nopt; k++)
        for (size_t r = 0; r < logs[k]->nep; r++) {
            if (!isfinite(*(const double *)((const char *)&logs[k]->ep[r] + f)))
                return false;
            any = true;
        }
    return any;
}

/*
** A train by epochs: per optimizer (one colour each) its loss, solid on the left axis (the
** test loss when there is a test set, else the mean training loss of the epoch), and its
** test accuracy in %, dashed on the right axis, when the data have labels. The runtime's
** epoch rows are drawn as they are, after the epoch-0 point of the initial weights when
** every log has one (a test set).
*/
static int plot_epochs(Diag *d, const EvOptions *o, const IrTrain *t, const RtLog *const *logs,
                       const char *title)
{
    bool acc = every_epoch_has(t, logs, offsetof(RtEpochRow, test_acc));
    bool test = every_epoch_has(t, logs, offsetof(RtEpochRow, test_loss));
    bool start = test; /* the epoch-0 point: the test set on the initial weights */
    for (size_t k = 0; k < t->nopt; k++)
        start = start && logs[k]->has_start;
    size_t rows = 0, per = acc ? 2 : 1;
    for (size_t k = 0; k < t->nopt; k++)
        rows += logs[k]->nep + start;
    double *v = malloc((per + 1) * (rows ? rows : 1) * sizeof *v);
    if (!v) {
        diag_error(d, t->loc, "train '%s': out of memory (%zu plot points)", t->name, rows);
        return 1;
    }
    PlotSeries *s = rt_xcalloc(per * t->nopt, sizeof *s);
    PlotStyle *style = rt_xcalloc(per * t->nopt, sizeof *style);
    Buf *label = rt_xcalloc(per * t->nopt, sizeof *label);
    double *p = v;
    for (size_t k = 0; k < t->nopt; k++) {
        const RtLog *log = logs[k];
        size_t n = log->nep + start;
        double *x = p, *loss = p + n, *accy = p + 2 * n;
        for (size_t r = 0; r < n; r++) {
            const RtEpochRow *e = start && r == 0 ? &log->start : &log->ep[r - start];
            x[r] = (double)e->epoch;
            loss[r] = test ? e->test_loss : e->train_loss;
            if (acc)
                accy[r] = 100.0 * e->test_acc;
        }
        buf_printf(&label[per * k], "%s %s", t->opt[k]->name, test ? "test loss" : "train loss");
        s[per * k] = (PlotSeries){label[per * k].s, x, loss, n};
        style[per * k].color = (int)k + 1;
        if (acc) {
            buf_printf(&label[per * k + 1], "%s test accuracy", t->opt[k]->name);
            s[per * k + 1] = (PlotSeries){label[per * k + 1].s, x, accy, n};
            style[per * k + 1] = (PlotStyle){.right = true, .color = (int)k + 1};
        }
        p += (per + 1) * n;
    }
    PlotSpec spec = {title, "epoch", test ? "test loss (solid)" : "train loss (solid)", s,
                     per * t->nopt};
    /* A tick per epoch while they are few (no fractional epochs on the axis). */
    size_t most = 0;
    for (size_t k = 0; k < t->nopt; k++)
        most = logs[k]->nep > most ? logs[k]->nep : most;
    size_t ntics = most <= 20 ? most + start : 0;
    char(*tic_text)[24] = rt_xcalloc(ntics ? ntics : 1, sizeof *tic_text);
    const char **tic_label = rt_xcalloc(ntics ? ntics : 1, sizeof *tic_label);
    double *tic_at = rt_xcalloc(ntics ? ntics : 1, sizeof *tic_at);
    const RtLog *longest = logs[0];
    for (size_t k = 0; k < t->nopt; k++)
        longest = logs[k]->nep == most ? logs[k] : longest;
    for (size_t r = 0; r < ntics; r++) {
        size_t epoch = start && r == 0 ? 0 : longest->ep[r - start].epoch;
        tic_at[r] = (double)epoch;
        snprintf(tic_text[r], sizeof tic_text[r], "%zu", epoch);
        tic_label[r] = tic_text[r];
    }
    PlotOpts opts = {.style = style, .y2label = acc ? "test accuracy, % (dashed)" : NULL,
                     .xtic_label = tic_label, .xtic_at = tic_at, .nxtics = ntics};
    int rc = ev_plot_write(d, o, t->loc, t->plot, &spec, &opts);
    for (size_t k = 0; k < per * t->nopt; k++)
        buf_free(&label[k]);
    free(label), free(style), free(s), free(v);
    free(tic_text), free(tic_label), free(tic_at);
    return rc;
}

int ev_plot_train(Diag *d, const EvOptions *o, const IrTrain *t, const RtLog *const *logs)
{
    Buf title = {0};
    buf_printf(&title, "train %s: %s on %s, batch %zu, seed %llu", t->name, t->model->name,
               t->data->name, t->batch, (unsigned long long)t->seed);
    if (t->epochs > 0) {
        int rc = plot_epochs(d, o, t, logs, title.s);
        buf_free(&title);
        return rc;
    }
    size_t rows = 0;
    for (size_t k = 0; k < t->nopt; k++)
        rows += logs[k]->n;
    double *xy = malloc(2 * (rows ? rows : 1) * sizeof *xy);
    if (!xy) {
        diag_error(d, t->loc, "train '%s': out of memory (%zu plot points)", t->name, rows);
        buf_free(&title);
        return 1;
    }
    PlotSeries *s = rt_xcalloc(t->nopt, sizeof *s);
    double *p = xy;
    for (size_t k = 0; k < t->nopt; k++) {
        const RtLog *log = logs[k];
        size_t n = log->n;
        s[k] = (PlotSeries){t->opt[k]->name, p, p + n, n};
        for (size_t r = 0; r < n; r++) {
            p[r] = (double)log->row[r].step;
            p[n + r] = log->row[r].loss;
        }
        p += 2 * n;
    }
    PlotSpec spec = {title.s, "step", "loss (full data)", s, t->nopt};
    PlotOpts opts = {.logy = all_positive(s, t->nopt)};
    int rc = ev_plot_write(d, o, t->loc, t->plot, &spec, &opts);
    buf_free(&title);
    free(s), free(xy);
    return rc;
}

int ev_plot_measure(Diag *d, const EvOptions *o, const IrMeasure *m, const RtTrace *tr)
{
    double *xy = malloc(2 * tr->n * sizeof *xy);
    if (!xy) {
        diag_error(d, m->loc, "measure '%s': out of memory", m->name);
        return 1;
    }
    for (size_t k = 0; k < tr->n; k++)
        xy[k] = (double)k, xy[tr->n + k] = (double)tr->w[k];
    Buf title = {0};
    buf_printf(&title, "measure %s: %s, seed %llu", m->name, m->device->name,
               (unsigned long long)m->seed);
    PlotSeries s = {m->device->name, xy, xy + tr->n, tr->n};
    PlotSpec spec = {title.s, "pulse", "weight", &s, 1};
    int rc = ev_plot_write(d, o, m->loc, m->plot, &spec, NULL);
    buf_free(&title);
    free(xy);
    return rc;
}
