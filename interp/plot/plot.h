/*
** plot.h: line plots of a few series, drawn in the terminal with Unicode braille characters
** (plot_braille.c) or written to PNG/SVG files by gnuplot (plot_file.c).
**
** A series is n points (x[k], y[k]) joined in order; points where x or y is NaN or infinite
** are skipped (the line breaks there). Labels and titles are plain text (no markup).
*/
#ifndef AIMCI_PLOT_H
#define AIMCI_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

typedef struct PlotSeries {
    const char *label; /* legend text, or NULL */
    const double *x, *y;
    size_t n;
} PlotSeries;

typedef struct PlotSpec {
    const char *title, *xlabel, *ylabel; /* each may be NULL */
    const PlotSeries *series;
    size_t nseries;
} PlotSpec;

/* How a file plot draws one series (PlotOpts.style; the terminal plot ignores it). */
typedef struct PlotStyle {
    const double *err; /* error bars: y +- err[i] (NULL: none) */
    bool right;        /* on the right-hand y axis (PlotOpts.y2label), drawn dashed */
    int color;         /* 1, 2, ...: series of one colour; 0: the next colour */
} PlotStyle;

/* Options beyond the plain plot (a zeroed PlotOpts is the plain plot). */
typedef struct PlotOpts {
    bool color; /* terminal: ANSI colours tell the series apart (else marker characters) */
    bool logy;  /* a logarithmic y axis (points with y <= 0 are skipped) */
    /* Files only: */
    const PlotStyle *style;        /* one per series, or NULL */
    const char *y2label;           /* the right-hand axis's label (series with .right) */
    const char *const *xtic_label; /* x tick marks at xtic_at[k] labelled xtic_label[k] */
    const double *xtic_at;         /* (nxtics 0: gnuplot's automatic ticks) */
    size_t nxtics;
    const char *resolved; /* text committed with the image (both new or both old) as
                          ** PATH.resolved.aimc (rt_file_write_set), or NULL */
} PlotOpts;

/*
** Draw spec into out as text of `height` lines of at most `width` columns (UTF-8): the
** title, the y label, the plot area (each character a braille cell of 2x4 dots) with a y
** axis and tick labels at its left, the x axis with tick labels, the x label and a legend.
** With several series each gets a marker character ("*", "+", "o", ...) drawn on its line
** at regular intervals and shown in the legend. Ranges come from the finite points; an
** empty or single-valued range is widened around its value. Sizes below 20x8 are raised.
*/
void plot_braille(Buf *out, const PlotSpec *spec, int width, int height);
void plot_braille_opts(Buf *out, const PlotSpec *spec, int width, int height,
                       const PlotOpts *o);

/*
** The size of the terminal on file descriptor fd (ioctl TIOCGWINSZ), or 80x24 when fd is
** not a terminal or reports no size.
*/
void plot_term_size(int fd, int *cols, int *rows);

/*
** Plot spec to path with gnuplot: the terminal from the extension (.png: pngcairo,
** .svg: svg, .pdf: pdfcairo, where gnuplot was built with cairo). Next to the image go the data (path with extension .dat: one block per
** series, separated by two blank lines) and the gnuplot script (.gp) that draws it, so the
** plot can be restyled and redrawn (`gnuplot NAME.gp` in that folder). Every file is written
** atomically (the image is drawn to a temporary name, then renamed). Returns 0, or 1 with a
** message in err: an unknown extension, a file that cannot be written, or gnuplot missing
** or failing (the .dat and .gp are kept then; the message says how to install gnuplot).
** The environment variable AIMCI_GNUPLOT names another gnuplot program.
*/
int plot_file(const char *path, const PlotSpec *spec, char *err, size_t errlen);
int plot_file_opts(const char *path, const PlotSpec *spec, const PlotOpts *o, char *err,
                   size_t errlen);

#endif
