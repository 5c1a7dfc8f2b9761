/*
** repl_plot.h: the one place the REPL draws plots (`plot D`, `trace D`, `compare D1 D2`).
** It calls interp/plot.h (braille in the terminal, gnuplot for files). Until that module is
** part of the build, the same types are declared here and the series print as text columns.
*/
#ifndef AIMCI_REPL_PLOT_H
#define AIMCI_REPL_PLOT_H

#include <stdio.h>

#if defined(__has_include)
#if __has_include("plot.h")
#include "plot.h"
#define REPL_HAVE_PLOT 1
#endif
#endif

#ifndef REPL_HAVE_PLOT
typedef struct PlotSeries {
    const char *label;
    const double *x, *y;
    size_t n;
} PlotSeries;

typedef struct PlotSpec {
    const char *title, *xlabel, *ylabel;
    const PlotSeries *series;
    size_t nseries;
} PlotSpec;
#endif

/*
** Draw spec in the terminal (out; sized to it when out is one, else 72x18) or, when path
** is not NULL, to that PNG or SVG file (its data and gnuplot script next to it, "wrote ..."
** printed to out). Returns 0, or 1 with a message in err.
*/
int repl_plot_series(FILE *out, const PlotSpec *spec, const char *path, char *err,
                     size_t errlen);

#endif
