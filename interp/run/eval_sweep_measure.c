/*
** eval_sweep_measure.c: an experiment over a measure: every cell is the measure checked with
** the cell's values, run `repeat` times with the seeds seed, seed + 1, ... (new device draws
** and new cycle-to-cycle noise each time). A job is one (cell, repeat); jobs run on a pool of
** worker threads, keep their whole trace, and nothing is written until all have run.
**
** Outputs: a Markdown table on stdout and at `report` (one row per cell: the final weight and
** where it settles, the mean of w over the last 10% of the pulses, each mean ± sample std
** over the repeats); beside it PATH.csv (the vary columns, then runs,final_mean,final_std,
** settle_mean,settle_std) and PATH.curves.csv (the vary columns, then repeat,seed,
** pulse_index,direction,w: every pulse of every job); each cell's own `out`
** (repeat,seed,pulse_index,direction,w) when the measure's out path differs from cell to
** cell; `plot_curves`: the mean trace of each cell, bars of one std over the repeats.
*/
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "eval_plot.h"
#include "rt_measure.h"
#include "rt_mem.h"

#define ERRLEN 512

typedef struct MJob {
    size_t cell, rep;
    RtTrace tr;
    int rc;
    char err[ERRLEN];
} MJob;

typedef struct MPool {
    const IrExperiment *x;
    MJob *job;
    size_t njobs;
    bool record;
    atomic_size_t next;
} MPool;

static void *worker(void *arg)
{
    MPool *p = arg;
    for (size_t k; (k = atomic_fetch_add(&p->next, 1)) < p->njobs;) {
        MJob *j = &p->job[k];
        IrMeasure m = *p->x->mcell[j->cell];
        m.seed += j->rep;
        j->rc = rt_measure_run(&j->tr, &m, p->record, j->err, sizeof j->err);
    }
    return NULL;
}

static void run_jobs(MPool *p)
{
    const char *env = getenv("AIMCI_THREADS");
    long n = env ? atol(env) : sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = n < 1 ? 1 : n > 64 ? 64 : (size_t)n;
    pthread_t tid[64];
    size_t started = 0;
    for (; started + 1 < threads && started + 1 < p->njobs; started++)
        if (pthread_create(&tid[started], NULL, worker, p) != 0)
            break;
    worker(p);
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

/* st (4): mean and sample std (0 for one run) of the final w and of the settled w of the
** jobs of `cell` that succeeded; returns how many did. */
static size_t cell_stats(const MJob *job, size_t njobs, size_t cell, double *st)
{
    for (int q = 0; q < 2; q++) {
        double s = 0.0, s2 = 0.0;
        size_t n = 0;
        for (size_t k = 0; k < njobs; k++)
            if (job[k].cell == cell && !job[k].rc)
                s += q ? job[k].tr.tail_mean : (double)job[k].tr.final, n++;
        double mean = n ? s / (double)n : NAN;
        for (size_t k = 0; k < njobs; k++)
            if (job[k].cell == cell && !job[k].rc) {
                double v = q ? job[k].tr.tail_mean : (double)job[k].tr.final;
                s2 += (v - mean) * (v - mean);
            }
        st[2 * q] = mean;
        st[2 * q + 1] = n > 1 ? sqrt(s2 / (double)(n - 1)) : n ? 0.0 : NAN;
        if (q == 1)
            return n;
    }
    return 0;
}

/* The statistics of every cell (4 each) and the runs that succeeded per cell. */
static double *all_stats(const IrExperiment *x, const MJob *job, size_t njobs, size_t *runs)
{
    double *st = rt_xcalloc(4 * (x->ncells ? x->ncells : 1), sizeof *st);
    for (size_t c = 0; c < x->ncells; c++)
        runs[c] = cell_stats(job, njobs, c, st + 4 * c);
    return st;
}

static void markdown(FILE *f, const IrExperiment *x, const double *st, const size_t *runs)
{
    fprintf(f, "Weight after the program and where it settles (mean of w over the last 10%% of "
               "the pulses), mean ± std over %zu repeat%s:\n\n|", x->repeat,
            x->repeat == 1 ? "" : "s");
    for (size_t v = 0; v < x->nvary; v++)
        fprintf(f, " %s |", x->vary_path[v]);
    fputs(" final w | settles at |\n|", f);
    for (size_t v = 0; v < x->nvary + 2; v++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t c = 0; c < x->ncells; c++) {
        fputc('|', f);
        for (size_t v = 0; v < x->nvary; v++)
            fprintf(f, " %s |", x->cell_value[c * x->nvary + v]);
        if (!runs[c]) {
            fputs(" failed | failed |\n", f);
            continue;
        }
        fprintf(f, " %.4g ± %.2g | %.4g ± %.2g |\n", st[4 * c], st[4 * c + 1], st[4 * c + 2],
                st[4 * c + 3]);
    }
}

static void table_csv(FILE *f, const IrExperiment *x, const double *st, const size_t *runs)
{
    for (size_t v = 0; v < x->nvary; v++)
        fprintf(f, "%s,", x->vary_path[v]);
    fputs("runs,final_mean,final_std,settle_mean,settle_std\n", f);
    for (size_t c = 0; c < x->ncells; c++) {
        for (size_t v = 0; v < x->nvary; v++)
            fprintf(f, "\"%s\",", x->cell_value[c * x->nvary + v]);
        fprintf(f, "%zu", runs[c]);
        for (int q = 0; q < 4; q++) {
            fputc(',', f);
            if (runs[c])
                fprintf(f, "%.9g", st[4 * c + q]);
        }
        fputc('\n', f);
    }
}

/* The pulses of the jobs of cell (every cell when cell == SIZE_MAX), each row prefixed. */
static void traces(FILE *f, const IrExperiment *x, const MJob *job, size_t njobs, size_t cell)
{
    for (size_t k = 0; k < njobs; k++) {
        const MJob *j = &job[k];
        if ((cell != SIZE_MAX && j->cell != cell) || j->rc || !j->tr.w)
            continue;
        Buf prefix = {0};
        for (size_t v = 0; cell == SIZE_MAX && v < x->nvary; v++)
            buf_printf(&prefix, "\"%s\",", x->cell_value[j->cell * x->nvary + v]);
        buf_printf(&prefix, "%zu,%llu,", j->rep + 1,
                   (unsigned long long)(x->mcell[j->cell]->seed + j->rep));
        for (size_t i = 0; i < j->tr.n; i++)
            fprintf(f, "%s%zu,%d,%.9g\n", prefix.s, i, j->tr.dir[i], (double)j->tr.w[i]);
        buf_free(&prefix);
    }
}

/* A memory stream's text; NULL when out of memory. */
static char *closed(FILE *f, char **buf, size_t *len)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return *buf;
}

static int write_report(Diag *d, const EvOptions *o, const IrExperiment *x, const MJob *job,
                        size_t njobs, const double *st, const size_t *runs)
{
    char *md = NULL, *tab = NULL, *cur = NULL;
    size_t mdlen = 0, tablen = 0, curlen = 0;
    FILE *f = open_memstream(&md, &mdlen), *g = open_memstream(&tab, &tablen),
         *h = open_memstream(&cur, &curlen);
    if (f)
        markdown(f, x, st, runs), closed(f, &md, &mdlen);
    if (g)
        table_csv(g, x, st, runs), closed(g, &tab, &tablen);
    if (h) {
        for (size_t v = 0; v < x->nvary; v++)
            fprintf(h, "%s,", x->vary_path[v]);
        fputs("repeat,seed,pulse_index,direction,w\n", h);
        traces(h, x, job, njobs, SIZE_MAX);
        closed(h, &cur, &curlen);
    }
    int rc = 1;
    if (!md || !tab || !cur) {
        diag_error(d, x->loc, "experiment '%s': out of memory", x->name);
    } else {
        char *csv = rt_path_swap_ext(x->report, ".csv");
        char *curves = rt_path_swap_ext(x->report, ".curves.csv");
        RtFileOut files[] = {{x->report, md, mdlen, NULL}, {csv, tab, tablen, NULL},
                             {curves, cur, curlen, NULL}};
        rc = ev_write_outputs(d, x->loc, o, files, 3);
        free(csv);
        free(curves);
    }
    free(md), free(tab), free(cur);
    return rc;
}

static int write_cell_outs(Diag *d, const EvOptions *o, const IrExperiment *x, const MJob *job,
                           size_t njobs)
{
    int rc = 0;
    for (size_t c = 0; ev_cell_logs(x) && c < x->ncells; c++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            fputs("repeat,seed,pulse_index,direction,w\n", f);
            traces(f, x, job, njobs, c);
            closed(f, &text, &len);
        }
        if (!text) {
            diag_error(d, x->loc, "experiment '%s': out of memory", x->name);
            return 1;
        }
        RtFileOut file = {x->mcell[c]->out, text, len, NULL};
        rc |= ev_write_outputs(d, x->loc, o, &file, 1);
        free(text);
    }
    return rc;
}

/* The mean trace of every cell, bars of one std over the repeats. */
static int plot_curves(Diag *d, const EvOptions *o, const IrExperiment *x, const MJob *job,
                       size_t njobs)
{
    size_t nl = x->ncells < 64 ? x->ncells : 64;
    PlotSeries *s = rt_xcalloc(nl ? nl : 1, sizeof *s);
    PlotStyle *sty = rt_xcalloc(nl ? nl : 1, sizeof *sty);
    Buf *label = rt_xcalloc(nl ? nl : 1, sizeof *label);
    size_t used = 0;
    for (size_t c = 0; c < nl; c++) {
        size_t n = 0;
        for (size_t k = 0; k < njobs; k++)
            if (job[k].cell == c && !job[k].rc && job[k].tr.w)
                n = job[k].tr.n;
        if (!n)
            continue;
        double *xy = rt_xcalloc(3 * n, sizeof *xy);
        for (size_t i = 0; i < n; i++) {
            double sum = 0, sum2 = 0;
            size_t m = 0;
            for (size_t k = 0; k < njobs; k++)
                if (job[k].cell == c && !job[k].rc && job[k].tr.w && i < job[k].tr.n) {
                    double w = job[k].tr.w[i];
                    sum += w, sum2 += w * w, m++;
                }
            double mean = sum / (double)m, var = m > 1 ? (sum2 - m * mean * mean) / (m - 1) : 0;
            xy[i] = (double)i, xy[n + i] = mean, xy[2 * n + i] = m > 1 ? sqrt(fmax(var, 0)) : NAN;
        }
        for (size_t v = 0; v < x->nvary; v++)
            buf_printf(&label[used], "%s%s=%s", v ? " " : "", x->vary_path[v],
                       x->cell_value[c * x->nvary + v]);
        if (!x->nvary)
            buf_printf(&label[used], "%s", x->measure->name);
        s[used] = (PlotSeries){label[used].s, xy, xy + n, n};
        sty[used] = (PlotStyle){.err = x->repeat > 1 ? xy + 2 * n : NULL};
        used++;
    }
    Buf title = {0};
    buf_printf(&title, "experiment %s: the weight after each pulse, mean of %zu repeat%s",
               x->name, x->repeat, x->repeat == 1 ? "" : "s (bars: one standard deviation)");
    PlotSpec spec = {title.s, "pulse", "weight", s, used};
    PlotOpts opts = {.style = sty};
    int rc = ev_plot_write(d, o, x->loc, x->plot_curves, &spec, &opts);
    for (size_t k = 0; k < used; k++) {
        free((double *)s[k].x);
        buf_free(&label[k]);
    }
    buf_free(&title);
    free(s), free(sty), free(label);
    return rc;
}

int ev_run_measure_sweep(Diag *d, const EvOptions *o, const IrExperiment *x)
{
    const char *outputs[] = {x->report, x->plot_curves};
    if (ev_check_outputs(d, x->loc, outputs, 2))
        return 1;
    for (size_t c = 0; ev_cell_logs(x) && c < x->ncells; c++)
        if (ev_check_outputs(d, x->loc, &x->mcell[c]->out, 1))
            return 1;
    size_t njobs = x->ncells * x->repeat;
    MJob *job = rt_xcalloc(njobs ? njobs : 1, sizeof *job);
    for (size_t k = 0; k < njobs; k++)
        job[k].cell = k / x->repeat, job[k].rep = k % x->repeat;
    fprintf(o->out, "experiment %s: %zu cells x %zu repeats of measure %s (%zu runs)\n", x->name,
            x->ncells, x->repeat, x->measure->name, njobs);
    fflush(o->out);
    MPool p = {x, job, njobs, x->report || x->plot_curves || ev_cell_logs(x), 0};
    run_jobs(&p);
    int rc = 0;
    for (size_t k = 0; k < njobs; k++)
        if (job[k].rc) {
            diag_error(d, x->loc, "experiment '%s', cell %zu, repeat %zu: %s", x->name,
                       job[k].cell + 1, job[k].rep + 1, job[k].err);
            rc = 1;
        }
    size_t *runs = rt_xcalloc(x->ncells ? x->ncells : 1, sizeof *runs);
    double *st = all_stats(x, job, njobs, runs);
    markdown(o->out, x, st, runs);
    rc |= write_cell_outs(d, o, x, job, njobs);
    if (x->report)
        rc |= write_report(d, o, x, job, njobs, st, runs);
    if (x->plot_curves)
        rc |= plot_curves(d, o, x, job, njobs);
    for (size_t k = 0; k < njobs; k++)
        rt_trace_free(&job[k].tr);
    free(job), free(runs), free(st);
    return rc;
}
