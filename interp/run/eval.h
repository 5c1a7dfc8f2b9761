/*
** eval.h: runs a checked program: each `train` and `measure` in source order (or only one),
** on the runtime, then writes its outputs (atomically) and prints a summary.
*/
#ifndef AIMCI_EVAL_H
#define AIMCI_EVAL_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "ir.h"
#include "text.h"

typedef struct EvOptions {
    const char *only;     /* run only the train/measure of this name; NULL: all, in order */
    const char *resolved; /* the program in --dump form, written next to every output */
    FILE *out;            /* summaries and progress (stdout for the CLI) */
    size_t threads;       /* threads of a run's tile updates; 0: AIMCI_THREADS, else all CPUs */
} EvOptions;

/* Run one experiment's grid and write its table (eval_experiment.c): 0, or 1 if a run failed. */
int ev_run_experiment(Diag *d, const EvOptions *o, const IrExperiment *x);

/* Returns 0 if every run succeeded, 1 if one failed (reported through d; what it had is kept). */
int ev_run(const IrProgram *p, Diag *d, const EvOptions *o);

/*
** Check, before a statement runs, that the outputs it will write (paths; NULL entries: none)
** can be written, so that a long run does not end in a write error (rt_file_check,
** eval_files.c); each failure is reported at `at`. Returns 0 when every path is writable,
** else 1.
*/
int ev_check_outputs(Diag *d, SrcLoc at, const char *const *paths, size_t n);

#endif
