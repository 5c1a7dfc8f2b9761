/*
** eval_curves.h: what an experiment keeps of its runs' curves (eval_experiment.c hands every
** job's log over when all have run): each cell's own log, when the swept train's `log` path
** differs from cell to cell; the long CSV of every curve beside the report; the plot of the
** curves (`plot_curves`), one line per cell and optimizer, mean ± std over the repeats.
*/
#ifndef AIMCI_EVAL_CURVES_H
#define AIMCI_EVAL_CURVES_H

#include <stdbool.h>
#include <stdio.h>

#include "eval.h"
#include "rt_train.h"

/* One job's curve: cell, optimizer (index into the cell's train's list), repeat (0-based). */
typedef struct EvCurve {
    size_t cell, opt, rep;
    const RtLog *log;
    bool failed;
} EvCurve;

/*
** The long CSV of all curves: one column per vary (the value as text, quoted), then
** optimizer,repeat,seed (repeat 1.., seed the run's), then the columns of eval_log.h; one
** row per logged step or epoch of every job, cells in order, then optimizers, then repeats.
** A new string (NULL when out of memory).
*/
char *ev_curves_csv(const IrExperiment *x, const EvCurve *c, size_t n, size_t *len);

/* Write each cell's log (when ev_cell_logs) with the resolved program: 0, or 1 (reported). */
int ev_write_cell_logs(Diag *d, const EvOptions *o, const IrExperiment *x, const EvCurve *c,
                       size_t n);

/* Draw x->plot_curves: 0, or 1 (reported; a missing gnuplot is only a warning). */
int ev_plot_curves(Diag *d, const EvOptions *o, const IrExperiment *x, const EvCurve *c,
                   size_t n);

#endif
