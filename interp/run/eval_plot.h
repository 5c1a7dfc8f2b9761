/*
** eval_plot.h: the `plot = "PATH"` outputs of train, measure and experiment (eval_plot.c),
** shared by eval.c and eval_experiment.c.
*/
#ifndef AIMCI_EVAL_PLOT_H
#define AIMCI_EVAL_PLOT_H

#include "eval.h"
#include "plot.h"
#include "rt_measure.h"
#include "rt_train.h"

/*
** Draw spec to path (plot_file) and print "  wrote ..." for each file. A path that is not
** .png/.svg or data that cannot be written is an error at `at` (returns 1); gnuplot missing
** or failing is a warning (the .dat and .gp are kept; returns 0).
*/
int ev_plot_write(Diag *d, const EvOptions *o, SrcLoc at, const char *path,
                  const PlotSpec *spec, const PlotOpts *opts);

/*
** train, one line per optimizer (logs[k] of t->opt[k]): by steps, the full-data loss at the
** logged steps; by epochs, the test accuracy (%) per epoch, or the test loss without labels.
*/
int ev_plot_train(Diag *d, const EvOptions *o, const IrTrain *t, const RtLog *const *logs);

/* measure: the weight after each pulse (the recorded trace). */
int ev_plot_measure(Diag *d, const EvOptions *o, const IrMeasure *m, const RtTrace *tr);

/*
** "  wrote PATH" for a resolved program, once per path within one ev_run (a log and a plot
** of the same name share their .resolved.aimc).
*/
void ev_wrote_resolved(const EvOptions *o, const char *path);

#endif
