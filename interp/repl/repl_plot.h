/*
** repl_plot.h: the one place the REPL draws plots (`plot D`, `trace D`, `compare D1 D2`).
** It calls interp/plot/plot.h (braille in the terminal, gnuplot for files).
*/
#ifndef AIMCI_REPL_PLOT_H
#define AIMCI_REPL_PLOT_H

#include <stdio.h>

#include "plot.h"

/*
** Draw spec in the terminal (out; sized to it when out is one, else 72x18) or, when path
** is not NULL, to that PNG or SVG file (its data and gnuplot script next to it, "wrote ..."
** printed to out). Returns 0, or 1 with a message in err.
*/
int repl_plot_series(FILE *out, const PlotSpec *spec, const char *path, char *err,
                     size_t errlen);

#endif
