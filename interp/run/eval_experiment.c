/*
** eval_experiment.c: runs an experiment's grid and writes its table.
**
** A job is one (cell, optimizer, repeat): the cell's train with that optimizer and the seed
** of the repeat (seed + r: repeat 0 is the train itself); eval_jobs.h numbers them, runs one
** and keeps its result. Jobs are independent and deterministic, so they run on a pool of
** threads, or over the ranks of aimci-mpi (eval_ranks.h), in any order, and the table does
** not depend on how many there are. Every job whose outcome is lasting is saved in the
** experiment's jobs folder as soon as it finishes; a later run of the same experiment reuses
** the saved results whose key still matches (--fresh: none) and runs only the others. With
** --shard K/N this process runs only the jobs j with j mod N = K and writes the report once
** every job's result is there.
**
** Per cell and optimizer the table shows the final full-data loss as mean ± std over the
** repeats (sample std; 0 for one repeat); for a train by epochs on labelled data with a test
** set, the test accuracy of the last epoch in percent (mean ± std), as the paper's tables. A
** failed job (an error, or a diverged training: not finite, or a million times its first
** logged loss) is never averaged in: its cell shows "diverged@step N" (or "failed") and how
** many repeats failed, the CSV counts it in `failed`, and the experiment's status is 1.
**
** Layout (as the seed paper's tables): one row per combination of the varied values other
** than the train's `optimizer`, one column per optimizer. Outputs: the Markdown table on
** stdout and at `report`, a CSV in long form beside it (same name, .csv), the CSV of every
** job's curve (.curves.csv, from the logs the job records keep), and the resolved program
** (.resolved.aimc); each cell's log when the swept train's log path differs from cell to
** cell, and the plots (eval_curves.c). Nothing is written from inside a run.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "eval_ckpt.h"
#include "eval_cost.h"
#include "eval_curves.h"
#include "eval_jobs.h"
#include "eval_plot.h"
#include "eval_ranks.h"
#include "rt_file.h"
#include "rt_mem.h"
#include "rt_pool.h"
#include "rt_stop.h"

#define ERRLEN 512

/* Whether job j failed (an error or a divergence): reported, never averaged in. */
static bool failed(const EvJob *j)
{
    return j->outcome != EV_JOB_OK;
}

/*
** ====================================================================================
** The table
** ====================================================================================
*/

/* Index of the vary that sets the train's optimizer, or nvary. */
static size_t optimizer_vary(const IrExperiment *x)
{
    for (size_t v = 0; v < x->nvary; v++) {
        const char *p = x->vary_path[v];
        size_t n = strlen(x->train->name);
        if (strcmp(p, "optimizer") == 0 ||
            (strncmp(p, x->train->name, n) == 0 && strcmp(p + n, ".optimizer") == 0))
            return v;
    }
    return x->nvary;
}

/* Whether cells a and b agree on every vary but `skip` (they share a table row). */
static bool same_row(const IrExperiment *x, size_t a, size_t b, size_t skip)
{
    for (size_t v = 0; v < x->nvary; v++)
        if (v != skip && strcmp(x->cell_value[a * x->nvary + v], x->cell_value[b * x->nvary + v]))
            return false;
    return true;
}

/*
** Mean, sample std and count of one quantity over the repeats of a cell that succeeded; the
** failed ones are counted apart (nfail) and never averaged in. why: the first failure as a
** table cell shows it ("diverged@step 12", or "failed").
*/
typedef struct Stat {
    double mean, sd;
    size_t n;
    size_t nfail;
    char why[48];
} Stat;

static Stat stat_of(const double *v, size_t n)
{
    Stat st = {NAN, NAN, n, 0, ""};
    if (!n)
        return st;
    double s = 0, s2 = 0;
    for (size_t k = 0; k < n; k++)
        s += v[k];
    st.mean = s / (double)n;
    for (size_t k = 0; k < n; k++)
        s2 += (v[k] - st.mean) * (v[k] - st.mean);
    st.sd = n > 1 ? sqrt(s2 / (double)(n - 1)) : 0.0;
    return st;
}

/* "diverged@step 12" for a job whose training diverged, else "failed". */
static void failure_label(const EvJob *j, char *out, size_t len)
{
    size_t step;
    const char *at = strstr(j->err, "diverged at step ");
    if (at && sscanf(at, "diverged at step %zu", &step) == 1)
        snprintf(out, len, "diverged@step %zu", step);
    else
        snprintf(out, len, "failed");
}

/* The cost of the jobs of a cell and optimizer that succeeded: means over the repeats,
   the wear and the most pulses on one device the largest (NaN where not known). */
typedef struct CostStat {
    Stat energy, time, pulses;
    double wear, dev_max;
} CostStat;

static CostStat cost_stats(const IrExperiment *x, const EvJob *job, size_t njobs, size_t cell,
                           const char *opt)
{
    double *v = rt_xmalloc(3 * (njobs ? njobs : 1) * sizeof *v);
    double *t = v + njobs, *p = t + njobs, wear = NAN, dev_max = NAN;
    size_t n = 0;
    for (size_t k = 0; k < njobs; k++) {
        const EvJob *j = &job[k];
        if (j->cell != cell || strcmp(x->cell[cell]->opt[j->opt]->name, opt) != 0 ||
            failed(j) || !j->cost.analog)
            continue;
        v[n] = j->cost.energy_j, t[n] = j->cost.time_s, p[n] = j->cost.pulses;
        n++;
        if (isfinite(j->cost.wear) && !(j->cost.wear <= wear))
            wear = j->cost.wear;
        if (!(j->cost.dev_max <= dev_max))
            dev_max = j->cost.dev_max;
    }
    CostStat c = {stat_of(v, n), stat_of(t, n), stat_of(p, n), wear, dev_max};
    free(v);
    return c;
}

/* Final losses, loss / f*, and test accuracies of the jobs of (cell, optimizer name), the
** failed ones counted apart; whether there were any. */
static bool stats(const IrExperiment *x, const EvJob *job, size_t njobs, size_t cell,
                  const char *opt, Stat *loss, Stat *ratio, Stat *acc)
{
    double *v = rt_xmalloc(3 * (njobs ? njobs : 1) * sizeof *v); /* njobs <= cells x repeats */
    double *r = v + njobs, *a = r + njobs;
    size_t n = 0, nfail = 0;
    char why[48] = "";
    for (size_t k = 0; k < njobs; k++) {
        const EvJob *j = &job[k];
        if (j->cell != cell || strcmp(x->cell[cell]->opt[j->opt]->name, opt) != 0)
            continue;
        if (failed(j)) { /* a failed run is reported, never averaged in */
            if (nfail++ == 0)
                failure_label(j, why, sizeof why);
            continue;
        }
        v[n] = j->loss;
        r[n] = j->loss / j->f_star;
        a[n] = j->acc;
        n++;
    }
    *loss = stat_of(v, n);
    *ratio = stat_of(r, n);
    *acc = stat_of(a, n);
    loss->nfail = ratio->nfail = acc->nfail = nfail;
    snprintf(loss->why, sizeof loss->why, "%s", why);
    free(v);
    return n + nfail > 0;
}

/* Whether the table shows accuracies: every job that succeeded has one (and one did). */
static bool shows_accuracy(const EvJob *job, size_t njobs)
{
    size_t ok = 0;
    for (size_t k = 0; k < njobs; k++) {
        if (failed(&job[k]))
            continue;
        if (isnan(job[k].acc))
            return false;
        ok++;
    }
    return ok > 0;
}

/*
** A table cell: "mean ± std", with "(F of N failed)" when some repeats failed, or only the
** failure ("diverged@step 12", "failed (3 of 3)") when all did.
*/
static void table_cell(FILE *f, const Stat *loss, const Stat *acc, bool pct)
{
    if (loss->n && pct)
        fprintf(f, " %.2f ± %.2f", 100.0 * acc->mean, 100.0 * acc->sd);
    else if (loss->n)
        fprintf(f, " %.4g ± %.2g", loss->mean, loss->sd);
    if (loss->nfail && loss->n)
        fprintf(f, " (%zu of %zu failed: %s)", loss->nfail, loss->nfail + loss->n, loss->why);
    else if (loss->nfail > 1)
        fprintf(f, " %s (%zu of %zu failed)", loss->why, loss->nfail, loss->nfail);
    else if (loss->nfail)
        fprintf(f, " %s", loss->why);
    fputs(" |", f);
}

/* The distinct optimizer names of all cells, in order of appearance. */
static size_t optimizer_names(const IrExperiment *x, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t c = 0; c < x->ncells; c++)
        for (size_t k = 0; k < x->cell[c]->nopt; k++) {
            const char *name = x->cell[c]->opt[k]->name;
            size_t i = 0;
            while (i < n && strcmp(names[i], name) != 0)
                i++;
            if (i == n && n < cap)
                names[n++] = name;
        }
    return n;
}

/* A number of the cost table, or "-". */
static void cost_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.4g |", v);
    else
        fputs(" - |", f);
}

/*
** With `cost = true`, one table below the results: a row per cell and optimizer with the
** result (accuracy or loss), pulses, most pulses on one device, wear, hardware time and
** energy, and with accuracies the energy per point of accuracy (means over the repeats that
** succeeded; the wear and the most pulses on one device the largest).
*/
static void markdown_cost(FILE *f, const IrExperiment *x, const EvJob *job, size_t njobs,
                          bool pct)
{
    size_t skip = optimizer_vary(x);
    fprintf(f, "\nHardware cost, model '%s' (docs/cost.md), mean over the repeats:\n\n",
            rt_cost_model(x->hardware ? x->hardware : x->train->hardware)->name);
    fputc('|', f);
    for (size_t v = 0; v < x->nvary; v++)
        if (v != skip)
            fprintf(f, " %s |", x->vary_path[v]);
    fprintf(f, " optimizer | %s | pulses | max/device | wear | time (s) | energy (J) |%s\n|",
            pct ? "test acc (%)" : "loss", pct ? " J per point |" : "");
    for (size_t v = 0; v < x->nvary - (skip < x->nvary) + 7 + pct; v++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t c = 0; c < x->ncells; c++)
        for (size_t k = 0; k < x->cell[c]->nopt; k++) {
            const char *opt = x->cell[c]->opt[k]->name;
            Stat loss, ratio, acc;
            if (!stats(x, job, njobs, c, opt, &loss, &ratio, &acc))
                continue;
            CostStat cs = cost_stats(x, job, njobs, c, opt);
            fputc('|', f);
            for (size_t v = 0; v < x->nvary; v++)
                if (v != skip)
                    fprintf(f, " %s |", x->cell_value[c * x->nvary + v]);
            fprintf(f, " %s |", opt);
            cost_num(f, pct ? 100.0 * acc.mean : loss.mean);
            cost_num(f, cs.pulses.mean);
            cost_num(f, cs.dev_max);
            cost_num(f, cs.wear);
            cost_num(f, cs.time.mean);
            cost_num(f, cs.energy.mean);
            if (pct)
                cost_num(f, acc.mean > 0.0 ? cs.energy.mean / (100.0 * acc.mean) : NAN);
            fputc('\n', f);
        }
}

/* The Markdown table: rows = cells up to the optimizer, columns = optimizers. */
static void markdown(FILE *f, const IrExperiment *x, const EvJob *job, size_t njobs)
{
    const char *opts[256];
    size_t nopt = optimizer_names(x, opts, 256), skip = optimizer_vary(x);
    bool pct = shows_accuracy(job, njobs);
    if (pct)
        fprintf(f, "Test accuracy (%%, exact digital forward), mean ± std over %zu repeat%s:\n\n",
                x->repeat, x->repeat == 1 ? "" : "s");
    fputc('|', f);
    for (size_t v = 0; v < x->nvary; v++)
        if (v != skip)
            fprintf(f, " %s |", x->vary_path[v]);
    for (size_t o = 0; o < nopt; o++)
        fprintf(f, " %s |", opts[o]);
    fputs("\n|", f);
    for (size_t v = 0; v < x->nvary + nopt - (skip < x->nvary); v++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t c = 0; c < x->ncells; c++) {
        bool first = true;
        for (size_t e = 0; e < c && first; e++)
            first = !same_row(x, e, c, skip);
        if (!first)
            continue;
        fputc('|', f);
        for (size_t v = 0; v < x->nvary; v++)
            if (v != skip)
                fprintf(f, " %s |", x->cell_value[c * x->nvary + v]);
        for (size_t o = 0; o < nopt; o++) {
            Stat loss = {0}, ratio, acc;
            bool any = false;
            for (size_t e = c; e < x->ncells && !any; e++)
                if (same_row(x, e, c, skip))
                    any = stats(x, job, njobs, e, opts[o], &loss, &ratio, &acc);
            if (any)
                table_cell(f, &loss, &acc, pct);
            else
                fputs(" |", f);
        }
        fputc('\n', f);
    }
    if (x->cost)
        markdown_cost(f, x, job, njobs, pct);
}

/* The CSV in long form: one row per cell and optimizer. */
static void csv(FILE *f, const IrExperiment *x, const EvJob *job, size_t njobs)
{
    for (size_t v = 0; v < x->nvary; v++)
        fprintf(f, "%s,", x->vary_path[v]);
    fputs("optimizer,runs,loss_mean,loss_std,loss_over_f_star_mean,acc_mean,acc_std,failed,"
          "failure,energy_j_mean,time_s_mean,pulses_mean,wear_max\n", f);
    for (size_t c = 0; c < x->ncells; c++)
        for (size_t k = 0; k < x->cell[c]->nopt; k++) {
            Stat loss, ratio, acc;
            if (!stats(x, job, njobs, c, x->cell[c]->opt[k]->name, &loss, &ratio, &acc))
                continue;
            for (size_t v = 0; v < x->nvary; v++)
                fprintf(f, "\"%s\",", x->cell_value[c * x->nvary + v]);
            fprintf(f, "%s,%zu,", x->cell[c]->opt[k]->name, loss.n);
            if (loss.n)
                fprintf(f, "%.9g,%.9g", loss.mean, loss.sd);
            else
                fputc(',', f);
            fputc(',', f);
            if (!isnan(ratio.mean))
                fprintf(f, "%.9g", ratio.mean);
            fputc(',', f);
            if (!isnan(acc.mean))
                fprintf(f, "%.9g,%.9g", acc.mean, acc.sd);
            else
                fputc(',', f);
            fprintf(f, ",%zu,%s", loss.nfail, loss.why);
            CostStat cs = cost_stats(x, job, njobs, c, x->cell[c]->opt[k]->name);
            double cv[] = {cs.energy.mean, cs.time.mean, cs.pulses.mean, cs.wear};
            for (size_t q = 0; q < sizeof cv / sizeof *cv; q++)
                isfinite(cv[q]) ? fprintf(f, ",%.9g", cv[q]) : fputc(',', f);
            fputc('\n', f);
        }
}

/* Render one of the two formats into a malloc'd string. */
static char *render(void (*fmt)(FILE *, const IrExperiment *, const EvJob *, size_t),
                    const IrExperiment *x, const EvJob *job, size_t njobs, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fmt(f, x, job, njobs);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Every job's curve (eval_curves.h), in job order: a new array. */
static EvCurve *curves_of(const EvJob *job, size_t njobs)
{
    EvCurve *c = rt_xcalloc(njobs ? njobs : 1, sizeof *c);
    for (size_t k = 0; k < njobs; k++)
        c[k] = (EvCurve){job[k].cell, job[k].opt, job[k].rep, &job[k].log, failed(&job[k])};
    return c;
}

/*
** The report, the CSV beside it, the CSV of all curves and the resolved program, as one unit
** (rt_file_write_set).
*/
static int write_report(Diag *d, const EvOptions *o, const IrExperiment *x, const char *md,
                        size_t mdlen, const EvJob *job, size_t njobs, const EvCurve *curves)
{
    size_t len = 0, clen = 0;
    char *text = render(csv, x, job, njobs, &len);
    char *curves_text = ev_curves_csv(x, curves, njobs, &clen);
    char *csv_path = rt_path_swap_ext(x->report, ".csv");
    char *curves_path = rt_path_swap_ext(x->report, ".curves.csv");
    char *res_path = ev_resolved_beside(o, x->report);
    RtFileOut files[] = {{x->report, md, mdlen, NULL}, {csv_path, text, len, NULL},
                         {curves_path, curves_text, clen, NULL},
                         {res_path, o->resolved, res_path ? strlen(o->resolved) : 0, NULL}};
    size_t n = res_path ? 4 : 3;
    char err[ERRLEN];
    int rc = 0;
    if (!md || !text || !curves_text) {
        diag_error(d, x->loc, "experiment '%s': out of memory", x->name);
        rc = 1;
    } else if (rt_file_write_set(files, n, err, sizeof err) != 0) {
        diag_error(d, x->loc, "%s", err);
        rc = 1;
    } else {
        for (size_t k = 0; k < 3; k++)
            fprintf(o->out, "  wrote %s\n", files[k].path);
        if (res_path) /* a resolved program shared by outputs: said once */
            ev_wrote_resolved(o, res_path);
    }
    free(text);
    free(curves_text);
    free(curves_path);
    free(csv_path);
    free(res_path);
    return rc;
}

/*
** {======================================================================
** The sweep plot
** =======================================================================
*/

/* The vary on the x axis: the first one that is not the optimizer, or nvary. */
static size_t x_vary(const IrExperiment *x)
{
    size_t skip = optimizer_vary(x);
    for (size_t v = 0; v < x->nvary; v++)
        if (v != skip)
            return v;
    return x->nvary;
}

/* Cell c's x: the value of vary xv as a number, else its place among the values (1, 2, ...). */
static double cell_x(const IrExperiment *x, size_t c, size_t xv)
{
    if (xv == x->nvary)
        return 1.0;
    const char *val = x->cell_value[c * x->nvary + xv];
    char *end;
    double v = strtod(val, &end);
    if (end != val && *end == '\0')
        return v;
    double k = 1.0;
    for (size_t e = 0; e < c; e++) {
        const char *prev = x->cell_value[e * x->nvary + xv];
        bool seen = false;
        for (size_t f = 0; f < e && !seen; f++)
            seen = strcmp(x->cell_value[f * x->nvary + xv], prev) == 0;
        if (!seen && strcmp(prev, val) != 0)
            k++;
    }
    return k;
}

/* The legend of cell c's line for optimizer opt: the optimizer and the other varies. */
static void line_label(Buf *b, const IrExperiment *x, size_t c, const char *opt, size_t xv)
{
    size_t skip = optimizer_vary(x);
    buf_printf(b, "%s", opt);
    for (size_t v = 0; v < x->nvary; v++)
        if (v != skip && v != xv)
            buf_printf(b, " %s=%s", x->vary_path[v], x->cell_value[c * x->nvary + v]);
}

#define MAX_LINES 64

typedef struct Lines {
    Buf label[MAX_LINES];
    PlotSeries s[MAX_LINES];
    PlotStyle style[MAX_LINES]; /* the error bars: std over the repeats */
    double *xy; /* (MAX_LINES, 3, ncells): x, y, std */
    size_t n, ncells;
} Lines;

/* Add (px, py +- pe) to the line labelled `label` (a new line if needed, up to MAX_LINES). */
static void add_point(Lines *l, const char *label, double px, double py, double pe)
{
    size_t k = 0;
    while (k < l->n && strcmp(l->label[k].s, label) != 0)
        k++;
    if (k == MAX_LINES)
        return;
    if (k == l->n) {
        buf_printf(&l->label[k], "%s", label);
        double *base = l->xy + 3 * k * l->ncells;
        l->s[k] = (PlotSeries){l->label[k].s, base, base + l->ncells, 0};
        l->style[k] = (PlotStyle){.err = base + 2 * l->ncells};
        l->n++;
    }
    double *xs = (double *)l->s[k].x, *ys = (double *)l->s[k].y, *es = (double *)l->style[k].err;
    xs[l->s[k].n] = px, ys[l->s[k].n] = py, es[l->s[k].n] = pe;
    l->s[k].n++;
}

/* The x tick marks: each value of the x vary once, labelled as written in the script. */
static size_t x_tics(const IrExperiment *x, size_t xv, const char **label, double *at,
                     size_t cap)
{
    size_t n = 0;
    for (size_t c = 0; xv < x->nvary && c < x->ncells; c++) {
        const char *v = x->cell_value[c * x->nvary + xv];
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(label[k], v) == 0;
        if (seen)
            continue;
        if (n == cap)
            return 0; /* too many: gnuplot's own ticks read better */
        label[n] = v;
        at[n++] = cell_x(x, c, xv);
    }
    return n;
}

/* The final loss (mean over repeats) of every cell, one line per optimizer. */
static int plot_sweep(Diag *d, const EvOptions *o, const IrExperiment *x, const EvJob *job,
                      size_t njobs)
{
    static const Lines zero;
    Lines l = zero;
    l.ncells = x->ncells ? x->ncells : 1;
    l.xy = malloc(3 * MAX_LINES * l.ncells * sizeof *l.xy);
    if (!l.xy) {
        diag_error(d, x->loc, "experiment '%s': out of memory", x->name);
        return 1;
    }
    size_t xv = x_vary(x);
    bool acc = shows_accuracy(job, njobs);
    for (size_t c = 0; c < x->ncells; c++)
        for (size_t k = 0; k < x->cell[c]->nopt; k++) {
            Stat loss, ratio, accuracy;
            const char *opt = x->cell[c]->opt[k]->name;
            if (!stats(x, job, njobs, c, opt, &loss, &ratio, &accuracy) || !loss.n)
                continue; /* no point where every repeat failed */
            Buf label = {0};
            line_label(&label, x, c, opt, xv);
            add_point(&l, label.s, cell_x(x, c, xv), acc ? 100.0 * accuracy.mean : loss.mean,
                      x->repeat > 1 ? (acc ? 100.0 * accuracy.sd : loss.sd) : NAN);
            buf_free(&label);
        }
    Buf title = {0};
    buf_printf(&title, "experiment %s: %s, mean of %zu repeat%s", x->name,
               acc ? "test accuracy" : "final loss", x->repeat,
               x->repeat == 1 ? "" : "s (bars: one standard deviation)");
    PlotSpec spec = {title.s, xv < x->nvary ? x->vary_path[xv] : "",
                     acc ? "test accuracy (%)" : "final loss (full data)", l.s, l.n};
    bool positive = !acc;
    for (size_t k = 0; k < l.n; k++)
        for (size_t i = 0; i < l.s[k].n; i++)
            positive &= l.s[k].y[i] > 0.0 || !isfinite(l.s[k].y[i]);
    const char *tic_label[24];
    double tic_at[24];
    size_t ntics = x_tics(x, xv, tic_label, tic_at, 24);
    PlotOpts opts = {.logy = positive, .style = x->repeat > 1 ? l.style : NULL,
                     .xtic_label = tic_label, .xtic_at = tic_at, .nxtics = ntics};
    int rc = ev_plot_write(d, o, x->loc, x->plot, &spec, &opts);
    buf_free(&title);
    for (size_t k = 0; k < l.n; k++)
        buf_free(&l.label[k]);
    free(l.xy);
    return rc;
}

/* }====================================================================== */

/*
** {======================================================================
** Running the jobs
** =======================================================================
*/

/* One experiment's run: its jobs, and the folder that keeps their results. */
typedef struct Run {
    Diag *d;
    const IrExperiment *x;
    EvJob *job;
    size_t njobs;
    char *dir;  /* the jobs folder, or NULL */
    int rc;     /* 1 once a result could not be kept (reported) */
} Run;

/* Remove job j's checkpoint (its result is kept) and any temporary file of one. */
static void unlink_ckpt(const Run *r, const EvJob *j)
{
    char *path = ev_job_ckpt_path(r->dir, j);
    unlink(path);
    ev_remove_temps(path, "");
    free(path);
}

/*
** Job j is about to be dealt: how often it checkpoints (its train's checkpoint_every, else
** --checkpoint-every), and its checkpoint: removed under --fresh; otherwise checked here, on
** the lead, so that what is wrong with one is said once and in order: a usable one is
** announced (the job continues from it wherever it runs), one that is damaged or of another
** script is said and removed (the job starts over, as a damaged result runs again).
*/
static void prepare_ckpt(Run *r, const EvOptions *o, EvJob *j)
{
    const IrTrain *t = r->x->cell[j->cell];
    j->ckpt_every = t->checkpoint_every ? t->checkpoint_every : o->checkpoint_every;
    char *path = ev_job_ckpt_path(r->dir, j), err[ERRLEN];
    ev_remove_temps(path, "");
    RtSer found = {0};
    int got = o->fresh ? (unlink(path), 1)
                       : rt_ckpt_read(path, ev_job_ckpt_id(j), &found, err, sizeof err);
    if (got == 0) {
        char at[96];
        ev_ckpt_where(&found, t, at, sizeof at);
        fprintf(o->out, "  resumed cell %zu, optimizer %s, repeat %zu %s (checkpoint %s)\n",
                j->cell + 1, t->opt[j->opt]->name, j->rep + 1, at, path);
    } else if (got < 0) {
        char *advice = strstr(err, "; remove it, or run with --fresh"); /* done here */
        if (advice)
            *advice = '\0';
        diag_warning(r->d, r->x->loc, "experiment '%s': %s: the job starts over", r->x->name,
                     err);
        unlink(path);
    }
    rt_ser_free(&found);
    free(path);
}

/* A saved result of job k, when it is there, whole, and of the same key: loaded into it. */
static bool load_saved(Run *r, size_t k)
{
    EvJob *j = &r->job[k];
    char *path = ev_job_path(r->dir, j), *text = NULL, err[ERRLEN];
    size_t len = 0;
    int got = ev_job_read(path, &text, &len, err, sizeof err);
    EvJob saved = {0};
    int rc = got == 0 ? ev_job_decode(&saved, text, len, err, sizeof err) : 1;
    bool same = rc == 0 && saved.key == j->key && saved.cell == j->cell &&
                saved.opt == j->opt && saved.rep == j->rep && ev_job_lasting(&saved);
    if (got < 0 || rc < 0) /* a damaged file is said; a changed script's result is just redone */
        diag_warning(r->d, r->x->loc, "experiment '%s': the saved job result %s is %s: the job "
                     "runs again", r->x->name, path, err);
    if (same) {
        *j = saved;
        unlink_ckpt(r, j); /* left by a run stopped between the result and its removal */
    } else {
        ev_job_free(&saved);
    }
    free(text);
    free(path);
    return same;
}

/* A finished job's record, from this process or another rank: into its job, then saved. */
static void finished(void *ctx, size_t k, const char *text, size_t len, int rank)
{
    Run *r = ctx;
    EvJob *j = &r->job[k], got = {0};
    char err[ERRLEN] = "";
    int rc = ev_job_decode(&got, text, len, err, sizeof err);
    if (rc == 0 && (got.key != j->key || got.cell != j->cell || got.opt != j->opt ||
                    got.rep != j->rep)) {
        snprintf(err, sizeof err, "it ran another script (every rank must see the same "
                 "script, `use`d files and aimci)");
        ev_job_free(&got);
        rc = -1;
    }
    if (rc != 0) {
        j->done = true;
        j->outcome = EV_JOB_FAILED;
        j->loss = j->f_star = j->dist = j->acc = NAN;
        snprintf(j->err, sizeof j->err, "the result from rank %d is not this job's: %s", rank,
                 err);
        return;
    }
    *j = got;
    if (j->outcome == EV_JOB_FAILED && rt_stop_requested()) { /* stopped (rt_stop.h): no */
        j->done = false;                                      /* result; run it again */
        return;
    }
    if (!r->dir || !ev_job_lasting(j))
        return;
    char *path = ev_job_path(r->dir, j);
    if (rt_file_write(path, text, len, err, sizeof err) == 0) {
        unlink_ckpt(r, j); /* the result replaces it */
    } else if (!r->rc) {
        diag_error(r->d, r->x->loc, "experiment '%s': cannot keep a job result: %s", r->x->name,
                   err);
        r->rc = 1; /* said once; the run goes on: the report needs no file */
    }
    free(path);
}

/*
** Every job's result: the saved ones (unless o->fresh), then the others run (with --shard,
** only this shard's). Prints what was reused; returns how many jobs have no result.
*/
static size_t run_jobs(Run *r, const EvOptions *o)
{
    size_t *pending = rt_xmalloc((r->njobs ? r->njobs : 1) * sizeof *pending), np = 0;
    size_t reused = 0;
    for (size_t k = 0; k < r->njobs; k++) {
        if (r->dir && !o->fresh && load_saved(r, k))
            reused++;
        else if (!o->shards || k % o->shards == o->shard)
            pending[np++] = k;
    }
    if (reused)
        fprintf(o->out, "  reused %zu of %zu job results from %s/ (--fresh runs them again)\n",
                reused, r->njobs, r->dir);
    for (size_t k = 0; r->dir && k < np; k++)
        if (!ev_ranks_ahead_has(r->x, pending[k])) /* else it may be running its checkpoints */
            prepare_ckpt(r, o, &r->job[pending[k]]);
    fflush(o->out);
    EvDeal deal = {r->x, r->job, pending, np, o->threads ? o->threads : rt_pool_default_threads(),
                   finished, r};
    ev_ranks_deal(&deal);
    free(pending);
    size_t missing = 0, kept = 0;
    for (size_t k = 0; k < r->njobs; k++) {
        missing += !r->job[k].done;
        if (!r->job[k].done && r->dir) { /* stopped: its checkpoint, if any, is kept */
            char *path = ev_job_ckpt_path(r->dir, &r->job[k]);
            kept += access(path, F_OK) == 0;
            free(path);
        }
    }
    if (kept)
        fprintf(o->out, "  kept the checkpoints of %zu stopped job%s in %s/: the next run "
                "continues them\n", kept, kept == 1 ? "" : "s", r->dir);
    if (missing && o->shards)
        fprintf(o->out, "  shard %zu/%zu: %zu of %zu job results are in %s/; the report waits "
                "for the other %zu (run the other shards, or the script without --shard)\n",
                o->shard, o->shards, r->njobs - missing, r->njobs, r->dir, missing);
    else if (missing)
        fprintf(o->out, "  %zu of %zu job results are in %s/; the report waits for the other "
                "%zu (run the script again)\n", r->njobs - missing, r->njobs, r->dir, missing);
    return missing;
}

void ev_experiment_keep(const IrExperiment *x, size_t k, const char *text, size_t len)
{
    EvJob want = ev_job_at(x, k), got = {0};
    char err[ERRLEN], *dir = ev_jobs_dir(x);
    if (dir && ev_job_decode(&got, text, len, err, sizeof err) == 0 && got.key == want.key &&
        got.cell == want.cell && got.opt == want.opt && got.rep == want.rep &&
        ev_job_lasting(&got)) {
        char *path = ev_job_path(dir, &got);
        if (rt_file_write(path, text, len, err, sizeof err) == 0) {
            Run r = {.x = x, .dir = dir};
            unlink_ckpt(&r, &got);
        }
        free(path);
    }
    ev_job_free(&got);
    free(dir);
}

void ev_experiment_ahead(const EvOptions *o, const IrExperiment *x)
{
    size_t njobs = ev_jobs_count(x), n = 0;
    if (!ev_ranks_ahead_wanted() || o->shards || x->measure || !njobs)
        return;
    size_t *list = rt_xmalloc(njobs * sizeof *list), *every = rt_xmalloc(njobs * sizeof *every);
    char *dir = ev_jobs_dir(x);
    for (size_t k = 0; k < njobs; k++) {
        EvJob j = ev_job_at(x, k);
        bool there = false; /* a result (its turn tells whether it is reused) or a checkpoint */
        if (dir) {
            char *res = ev_job_path(dir, &j), *ck = ev_job_ckpt_path(dir, &j);
            there = (!o->fresh && access(res, F_OK) == 0) || access(ck, F_OK) == 0;
            free(res);
            free(ck);
        }
        if (there)
            continue;
        const IrTrain *t = x->cell[j.cell];
        list[n] = k;
        every[n++] = dir ? (t->checkpoint_every ? t->checkpoint_every : o->checkpoint_every) : 0;
    }
    ev_ranks_ahead(x, list, every, n);
    free(dir);
    free(list);
    free(every);
}

/* }====================================================================== */

int ev_run_experiment(Diag *d, const EvOptions *o, const IrExperiment *x)
{
    if (x->measure && o->shards) { /* its runs are not jobs: the run without --shard does them */
        fprintf(o->out, "experiment %s: sweeps a measure, not run by a shard (the run without "
                        "--shard runs it)\n", x->name);
        return 0;
    }
    if (x->measure)
        return ev_run_measure_sweep(d, o, x);
    size_t njobs = ev_jobs_count(x);
    Run r = {d, x, rt_xcalloc(njobs ? njobs : 1, sizeof *r.job), njobs, ev_jobs_dir(x), 0};
    for (size_t k = 0; k < njobs; k++)
        r.job[k] = ev_job_at(x, k);
    char *first = r.dir && njobs ? ev_job_path(r.dir, &r.job[0]) : NULL;
    const char *outputs[] = {x->report, x->plot, x->plot_curves, first};
    int rc = ev_check_outputs(d, x->loc, outputs, 4);
    free(first);
    for (size_t c = 0; !rc && ev_cell_logs(x) && c < x->ncells; c++)
        rc = ev_check_outputs(d, x->loc, &x->cell[c]->log, 1);
    if (!rc && o->shards && !r.dir) {
        diag_error(d, x->loc, "experiment '%s' has no report or plot to keep its job results "
                   "beside: --shard needs them (nothing was run)", x->name);
        rc = 1;
    }
    if (rc) {
        free(r.dir);
        free(r.job);
        return 1;
    }
    fprintf(o->out, "experiment %s: %zu cells x %zu repeats of train %s (%zu runs)\n", x->name,
            x->ncells, x->repeat, x->train->name, njobs);
    size_t missing = run_jobs(&r, o);
    rc = r.rc;
    size_t nfail = 0;
    for (size_t k = 0; k < njobs; k++)
        if (r.job[k].done && failed(&r.job[k])) {
            const EvJob *j = &r.job[k];
            diag_error(d, x->loc, "experiment '%s', cell %zu, optimizer '%s', repeat %zu: %s",
                       x->name, j->cell + 1, x->cell[j->cell]->opt[j->opt]->name, j->rep + 1,
                       j->err);
            rc = 1;
            nfail++;
        }
    if (!missing) {
        size_t mdlen = 0;
        char *md = render(markdown, x, r.job, njobs, &mdlen);
        if (md)
            fputs(md, o->out);
        if (nfail) /* the exit status is 1: some runs failed; the table marks them */
            fprintf(o->out, "%zu of %zu runs failed (marked in the table, left out of the "
                    "means)\n", nfail, njobs);
        EvCurve *curves = curves_of(r.job, njobs);
        rc |= ev_write_cell_logs(d, o, x, curves, njobs);
        if (x->report)
            rc |= write_report(d, o, x, md, mdlen, r.job, njobs, curves);
        if (x->plot)
            rc |= plot_sweep(d, o, x, r.job, njobs);
        if (x->plot_curves)
            rc |= ev_plot_curves(d, o, x, curves, njobs);
        free(curves);
        free(md);
    }
    for (size_t k = 0; k < njobs; k++)
        ev_job_free(&r.job[k]);
    free(r.job);
    free(r.dir);
    return rc;
}
