/*
** eval_curves.c: the curves of an experiment's runs (eval_curves.h): each cell's log, the
** long CSV of all of them and their plot.
*/
#include "eval_curves.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_log.h"
#include "eval_plot.h"
#include "rt_mem.h"

/* The columns of every cell's curves (steps, epochs, analog). */
static EvLogCols all_cols(const IrExperiment *x)
{
    EvLogCols cols = {0};
    for (size_t k = 0; k < x->ncells; k++)
        ev_log_cols_add(&cols, x->cell[k]);
    return cols;
}

/* "sgd,2,43," : the optimizer, the repeat (1..) and the run's seed, each with its comma. */
static void job_prefix(Buf *b, const IrExperiment *x, const EvCurve *c)
{
    const IrTrain *t = x->cell[c->cell];
    buf_printf(b, "%s,%zu,%llu,", t->opt[c->opt]->name, c->rep + 1,
               (unsigned long long)(t->seed + c->rep));
}

/* Close a memory stream and hand back its buffer; NULL on failure. */
static char *closed(FILE *f, char **buf, size_t *len)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) { /* fclose sets *buf (open_memstream) */
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return *buf;
}

char *ev_curves_csv(const IrExperiment *x, const EvCurve *c, size_t n, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    EvLogCols cols = all_cols(x);
    for (size_t v = 0; v < x->nvary; v++)
        fprintf(f, "%s,", x->vary_path[v]);
    fputs("optimizer,repeat,seed,", f);
    ev_log_header(f, &cols);
    for (size_t k = 0; k < n; k++) {
        Buf prefix = {0};
        for (size_t v = 0; v < x->nvary; v++)
            buf_printf(&prefix, "\"%s\",", x->cell_value[c[k].cell * x->nvary + v]);
        job_prefix(&prefix, x, &c[k]);
        ev_log_rows(f, &cols, prefix.s, c[k].log);
        buf_free(&prefix);
    }
    return closed(f, &buf, len);
}

/* Cell `cell`'s log and array statistics (NULL text: none); 0, or -1 when out of memory. */
static int cell_texts(const IrExperiment *x, size_t cell, const EvCurve *c, size_t n,
                      char **log, size_t *loglen, char **arr, size_t *arrlen)
{
    EvLogCols cols = {0};
    ev_log_cols_add(&cols, x->cell[cell]);
    FILE *f = open_memstream(log, loglen), *g = open_memstream(arr, arrlen);
    if (!f || !g) {
        if (f)
            fclose(f), free(*log);
        if (g)
            fclose(g), free(*arr);
        *log = *arr = NULL;
        return -1;
    }
    fputs("optimizer,repeat,seed,", f);
    ev_log_header(f, &cols);
    fputs("optimizer,repeat,seed,", g);
    ev_arrays_header(g);
    size_t narr = 0;
    for (size_t k = 0; k < n; k++) {
        if (c[k].cell != cell)
            continue;
        Buf prefix = {0};
        job_prefix(&prefix, x, &c[k]);
        ev_log_rows(f, &cols, prefix.s, c[k].log);
        ev_arrays_rows(g, prefix.s, c[k].log);
        narr += c[k].log->narr;
        buf_free(&prefix);
    }
    closed(f, log, loglen);
    closed(g, arr, arrlen);
    if (!*log || !*arr) {
        free(*log), free(*arr);
        *log = *arr = NULL;
        return -1;
    }
    if (!narr) { /* no analog arrays: no statistics file, as for a train */
        free(*arr);
        *arr = NULL;
    }
    return 0;
}

int ev_write_cell_logs(Diag *d, const EvOptions *o, const IrExperiment *x, const EvCurve *c,
                       size_t n)
{
    if (!ev_cell_logs(x))
        return 0;
    int rc = 0;
    for (size_t cell = 0; cell < x->ncells; cell++) {
        const IrTrain *t = x->cell[cell];
        char *log = NULL, *arr = NULL;
        size_t loglen = 0, arrlen = 0;
        if (cell_texts(x, cell, c, n, &log, &loglen, &arr, &arrlen) != 0) {
            diag_error(d, x->loc, "experiment '%s': out of memory", x->name);
            return 1;
        }
        char *path = rt_path_swap_ext(t->log, ".arrays.csv");
        RtFileOut files[] = {{t->log, log, loglen, NULL}, {path, arr, arrlen, NULL}};
        rc |= ev_write_outputs(d, x->loc, o, files, arr ? 2 : 1);
        free(path);
        free(log);
        free(arr);
    }
    return rc;
}

/*
** {======================================================================
** The plot of the curves
** =======================================================================
*/

#define MAX_LINES 64

/* What the curves plot shows of one logged row or epoch. */
typedef enum Shown { SHOW_LOSS, SHOW_TEST_ACC, SHOW_TEST_LOSS, SHOW_TRAIN_LOSS } Shown;

/* Accuracy when every cell is by epochs with a test accuracy, else a loss per cell's kind. */
static Shown shown_of(const EvCurve *c, size_t n)
{
    bool acc = n > 0, epochs = n > 0, test = n > 0;
    for (size_t k = 0; k < n; k++) {
        const RtLog *l = c[k].log;
        if (!l->nep) {
            acc = epochs = test = false;
            continue;
        }
        acc &= isfinite(l->ep[l->nep - 1].test_acc);
        test &= isfinite(l->ep[l->nep - 1].test_loss);
    }
    return acc ? SHOW_TEST_ACC : epochs ? (test ? SHOW_TEST_LOSS : SHOW_TRAIN_LOSS) : SHOW_LOSS;
}

/* The points of a job's curve: logged steps, or epochs (epoch 0 first when logged). */
static size_t points(const RtLog *l)
{
    return l->nep ? l->nep + l->has_start : l->n;
}

/* Point i of a job's curve: x (step or epoch) and y; false past its end. */
static bool point(const RtLog *l, Shown s, size_t i, double *px, double *py)
{
    if (l->nep) {
        if (i >= points(l))
            return false;
        const RtEpochRow *e = !l->has_start ? &l->ep[i] : i ? &l->ep[i - 1] : &l->start;
        *px = (double)e->epoch;
        *py = s == SHOW_TEST_ACC ? 100.0 * e->test_acc
              : s == SHOW_TEST_LOSS ? e->test_loss : e->train_loss;
        return true;
    }
    if (i >= l->n)
        return false;
    *px = (double)l->row[i].step;
    *py = l->row[i].loss;
    return true;
}

/* The legend of (cell, optimizer): the optimizer, then the cell's other varied values. */
static void label_of(Buf *b, const IrExperiment *x, size_t cell, const char *opt)
{
    buf_printf(b, "%s", opt);
    for (size_t v = 0; v < x->nvary; v++) {
        const char *p = x->vary_path[v];
        size_t tn = strlen(x->train->name);
        bool is_opt = strcmp(p, "optimizer") == 0 ||
                      (strncmp(p, x->train->name, tn) == 0 && strcmp(p + tn, ".optimizer") == 0);
        if (!is_opt)
            buf_printf(b, " %s=%s", p, x->cell_value[cell * x->nvary + v]);
    }
}

/* One line: the mean over the repeats that succeeded at each point, and their std. */
typedef struct Line {
    Buf label;
    double *xs, *ys, *es;
    size_t n;
} Line;

/* The line of the jobs c[first..end) (one cell and optimizer); false when none succeeded. */
static bool make_line(Line *ln, const EvCurve *c, size_t first, size_t end, Shown s)
{
    size_t longest = 0;
    for (size_t k = first; k < end; k++) {
        size_t len = points(c[k].log);
        if (!c[k].failed && len > longest)
            longest = len;
    }
    if (!longest)
        return false;
    ln->xs = rt_xmalloc(3 * longest * sizeof *ln->xs);
    ln->ys = ln->xs + longest, ln->es = ln->ys + longest;
    for (size_t i = 0; i < longest; i++) {
        double sum = 0.0, sum2 = 0.0, px = NAN, py;
        size_t m = 0;
        for (size_t k = first; k < end; k++)
            if (!c[k].failed && point(c[k].log, s, i, &px, &py) && isfinite(py))
                sum += py, sum2 += py * py, m++;
        double mean = m ? sum / (double)m : NAN;
        double var = m > 1 ? (sum2 - (double)m * mean * mean) / (double)(m - 1) : 0.0;
        ln->xs[ln->n] = px, ln->ys[ln->n] = mean;
        ln->es[ln->n] = m > 1 ? sqrt(var > 0 ? var : 0) : NAN;
        ln->n++;
    }
    return true;
}

int ev_plot_curves(Diag *d, const EvOptions *o, const IrExperiment *x, const EvCurve *c,
                   size_t n)
{
    Shown s = shown_of(c, n);
    Line *lines = rt_xcalloc(MAX_LINES, sizeof *lines);
    size_t nl = 0;
    for (size_t k = 0; k < n && nl < MAX_LINES;) { /* jobs of one (cell, optimizer) in a row */
        size_t end = k + 1;
        while (end < n && c[end].cell == c[k].cell && c[end].opt == c[k].opt)
            end++;
        if (make_line(&lines[nl], c, k, end, s)) {
            label_of(&lines[nl].label, x, c[k].cell, x->cell[c[k].cell]->opt[c[k].opt]->name);
            nl++;
        }
        k = end;
    }
    PlotSeries *ser = rt_xcalloc(nl ? nl : 1, sizeof *ser);
    PlotStyle *sty = rt_xcalloc(nl ? nl : 1, sizeof *sty);
    bool positive = s != SHOW_TEST_ACC;
    for (size_t k = 0; k < nl; k++) {
        ser[k] = (PlotSeries){lines[k].label.s, lines[k].xs, lines[k].ys, lines[k].n};
        sty[k] = (PlotStyle){.err = x->repeat > 1 ? lines[k].es : NULL};
        for (size_t i = 0; i < lines[k].n; i++)
            positive &= lines[k].ys[i] > 0.0 || !isfinite(lines[k].ys[i]);
    }
    static const char *const ylabel[] = {"loss (full data)", "test accuracy (%)", "test loss",
                                         "train loss"};
    Buf title = {0};
    buf_printf(&title, "experiment %s: curves, mean of %zu repeat%s", x->name, x->repeat,
               x->repeat == 1 ? "" : "s (bars: one standard deviation)");
    PlotSpec spec = {title.s, s == SHOW_LOSS ? "step" : "epoch", ylabel[s], ser, nl};
    PlotOpts opts = {.logy = positive, .style = sty};
    int rc = ev_plot_write(d, o, x->loc, x->plot_curves, &spec, &opts);
    buf_free(&title);
    for (size_t k = 0; k < nl; k++) {
        buf_free(&lines[k].label);
        free(lines[k].xs);
    }
    free(lines), free(ser), free(sty);
    return rc;
}

/* }====================================================================== */
