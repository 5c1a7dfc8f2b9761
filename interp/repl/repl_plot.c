/*
** repl_plot.c: the REPL's plots through interp/plot/plot.h.
*/
#include "repl_plot.h"

#include <math.h>
#include <unistd.h>

#include "text.h"

#define PLAIN_COLS 72 /* the size of a plot that does not go to a terminal: fixed, so */
#define PLAIN_ROWS 18 /* piped output is the same everywhere */

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

