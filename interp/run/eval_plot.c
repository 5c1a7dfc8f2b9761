/*
** eval_plot.c: plots of a finished run, written next to its other outputs (`plot = PATH`).
** The series come straight from what the run logged; plot.h draws them with gnuplot and
** keeps the data (.dat) and the script (.gp) beside the image.
*/
#include <math.h>
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
    return dot && !strchr(dot, '/') && (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".svg") == 0);
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
        diag_expected(d, "a path ending in .png or .svg");
        return 1;
    }
    char err[ERRLEN];
    int rc = plot_file_opts(path, spec, opts, err, sizeof err);
    char *res = o->resolved ? rt_path_swap_ext(path, ".resolved.aimc") : NULL;
    char rerr[ERRLEN]; /* the resolved program beside the image, as beside every output */
    if (res && rt_file_write(res, o->resolved, strlen(o->resolved), rerr, sizeof rerr) == 0)
        ev_wrote_resolved(o, res);
    free(res);
    wrote_beside(o, path, ".dat");
    wrote_beside(o, path, ".gp");
    if (rc == 0) {
        fprintf(o->out, "  wrote %s\n", path);
        return 0;
    }
    char *gp = rt_path_swap_ext(path, ".gp");
    bool kept = gp && access(gp, F_OK) == 0;
    free(gp);
    if (!kept) {
        diag_error(d, at, "%s", err);
        return 1;
    }
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

/*
** The y value of row r of a log: by epochs, the test accuracy in % (or the test loss when
** there is no accuracy); by steps, the full-data loss.
*/
static double train_y(const RtLog *log, size_t r, bool by_epoch, bool acc)
{
    if (!by_epoch)
        return log->row[r].loss;
    return acc ? 100.0 * log->ep[r].test_acc : log->ep[r].test_loss;
}

/* Whether every epoch row of every log has a test accuracy. */
static bool has_accuracy(const IrTrain *t, const RtLog *const *logs)
{
    bool any = false;
    for (size_t k = 0; k < t->nopt; k++)
        for (size_t r = 0; r < logs[k]->nep; r++) {
            if (isnan(logs[k]->ep[r].test_acc))
                return false;
            any = true;
        }
    return any;
}

int ev_plot_train(Diag *d, const EvOptions *o, const IrTrain *t, const RtLog *const *logs)
{
    bool by_epoch = t->epochs > 0, acc = by_epoch && has_accuracy(t, logs);
    size_t rows = 0;
    for (size_t k = 0; k < t->nopt; k++)
        rows += by_epoch ? logs[k]->nep : logs[k]->n;
    double *xy = malloc(2 * (rows ? rows : 1) * sizeof *xy);
    if (!xy) {
        diag_error(d, t->loc, "train '%s': out of memory (%zu plot points)", t->name, rows);
        return 1;
    }
    PlotSeries *s = rt_xcalloc(t->nopt, sizeof *s);
    double *p = xy;
    for (size_t k = 0; k < t->nopt; k++) {
        const RtLog *log = logs[k];
        size_t n = by_epoch ? log->nep : log->n;
        s[k] = (PlotSeries){t->opt[k]->name, p, p + n, n};
        for (size_t r = 0; r < n; r++) {
            p[r] = by_epoch ? (double)log->ep[r].epoch : (double)log->row[r].step;
            p[n + r] = train_y(log, r, by_epoch, acc);
        }
        p += 2 * n;
    }
    Buf title = {0};
    buf_printf(&title, "train %s: %s on %s, batch %zu, seed %llu", t->name, t->model->name,
               t->data->name, t->batch, (unsigned long long)t->seed);
    const char *ylabel = !by_epoch ? "loss (full data)"
                         : acc     ? "test accuracy (%)"
                                   : "test loss";
    PlotSpec spec = {title.s, by_epoch ? "epoch" : "step", ylabel, s, t->nopt};
    PlotOpts opts = {.logy = !acc && all_positive(s, t->nopt)};
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
