/*
** repl_plot.c: the REPL's plots through interp/plot.h, or text columns without it.
*/
#include "repl_plot.h"

#include <math.h>
#include <unistd.h>

#include "text.h"

#define PLAIN_COLS 72 /* the size of a plot that does not go to a terminal: fixed, so */
#define PLAIN_ROWS 18 /* piped output is the same everywhere */

#ifdef REPL_HAVE_PLOT

int repl_plot_series(FILE *out, const PlotSpec *spec, const char *path, char *err,
                     size_t errlen)
{
    if (path) {
        if (plot_file(path, spec, err, errlen) != 0)
            return 1;
        fprintf(out, "  wrote %s (with its data and gnuplot script next to it)\n", path);
        return 0;
    }
    int cols = PLAIN_COLS, rows = PLAIN_ROWS;
    if (isatty(fileno(out))) {
        plot_term_size(fileno(out), &cols, &rows);
        rows = rows * 2 / 3; /* leave room for the command and its summary */
    }
    Buf b = {0};
    plot_braille(&b, spec, cols, rows);
    fputs(b.s ? b.s : "", out);
    buf_free(&b);
    return 0;
}

#else /* until interp/plot.h is merged: the series as text */

/* Every k-th point of a series, so that about PLAIN_ROWS rows show its shape. */
static void print_series(FILE *out, const PlotSpec *spec, const PlotSeries *s)
{
    size_t step = s->n > PLAIN_ROWS ? (s->n + PLAIN_ROWS - 1) / PLAIN_ROWS : 1;
    fprintf(out, "  %s\n  %14s  %14s\n", s->label ? s->label : "", spec->xlabel ? spec->xlabel : "x",
            spec->ylabel ? spec->ylabel : "y");
    for (size_t k = 0; k < s->n; k += step)
        fprintf(out, "  %14.6g  %14.6g\n", s->x[k], s->y[k]);
    if (s->n && (s->n - 1) % step)
        fprintf(out, "  %14.6g  %14.6g\n", s->x[s->n - 1], s->y[s->n - 1]);
}

int repl_plot_series(FILE *out, const PlotSpec *spec, const char *path, char *err,
                     size_t errlen)
{
    if (path) {
        snprintf(err, errlen, "plots to files need interp/plot.h, which is not in this build");
        return 1;
    }
    if (spec->title)
        fprintf(out, "%s\n", spec->title);
    for (size_t i = 0; i < spec->nseries; i++)
        print_series(out, spec, &spec->series[i]);
    return 0;
}

#endif
