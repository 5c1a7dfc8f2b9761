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
#include "rt_file.h"
#include "text.h"

typedef struct EvOptions {
    const char *only;     /* run only the train/measure of this name; NULL: all, in order */
    const char *resolved; /* the program in --dump form, written next to every output */
    FILE *out;            /* summaries and progress (stdout for the CLI) */
    size_t threads;       /* threads of a run's tile updates; 0: AIMCI_THREADS, else all CPUs */
    const char *const *inputs; /* the script and its `use`d files (chk_input_files): never
                               ** written; the data files are taken from the program */
    size_t ninputs;
    bool no_bar;          /* never draw a train's progress bar (ev_ranks_own_terminal) */
    bool fresh;           /* --fresh: start over: experiments run every job again, reusing no
                          ** saved result; trains ignore (and remove) their checkpoints */
    size_t shard, shards; /* shards > 0: experiments run only the jobs j with
                          ** j mod shards = shard (eval_experiment.c); trains and
                          ** measures do not run */
    FILE *cost_report;    /* if not NULL, each train writes its cost in detail there
                          ** (eval_cost.h ev_cost_report; the REPL's `cost`) */
    size_t checkpoint_every; /* --checkpoint-every: for trains that do not set checkpoint_every */
} EvOptions;

/*
** Catch SIGINT and SIGTERM (eval_signal.c): the first asks the run to stop at its next safe
** point (rt_stop.h), a second ends the process at once (exit 128 + signal).
*/
void ev_signal_install(void);

/* The checkpoint path of train t (eval_ckpt.c; a new string), or NULL when it has no output. */
char *ev_ckpt_path(const IrTrain *t);

/* Run one experiment's grid and write its table (eval_experiment.c): 0, or 1 if a run failed. */
int ev_run_experiment(Diag *d, const EvOptions *o, const IrExperiment *x);

/*
** Let other processes (aimci-mpi's ranks) run experiment x's jobs ahead, while this one runs the
** statements before it (eval_ranks.h ev_ranks_ahead); nothing for aimci.
*/
void ev_experiment_ahead(const EvOptions *o, const IrExperiment *x);

/*
** Save the record of job k of x (text[len] is '\0') in x's jobs folder as its run would, if it is
** that job's and lasting (else nothing: the job runs again): for jobs run ahead whose
** experiment never came (a stopped script).
*/
void ev_experiment_keep(const IrExperiment *x, size_t k, const char *text, size_t len);

/* Run one evaluate (eval_evaluate.c): 0, or 1 if a run failed. */
int ev_run_evaluate(Diag *d, const EvOptions *o, const IrEvaluate *e);

/* "mean ± std" right-aligned in w columns (values times mult, 100: percent with 2 decimals;
   then unit), or "-" when mean is not a number: the analog columns of the tables. */
void ev_put_mean_std(FILE *f, int w, double mean, double sd, double mult, const char *unit);

/*
** Write files[0..n) as one unit with the resolved program (if any) beside files[0] (all new
** or all old: rt_file_write_set), printing "  wrote PATH" for each. 0, or 1 (reported at at).
*/
int ev_write_outputs(Diag *d, SrcLoc at, const EvOptions *o, RtFileOut *files, size_t n);

/* Call ev_check_program first. Returns 0 if every run succeeded, 1 if one failed (reported through d; what it had is kept). */
int ev_run(const IrProgram *p, Diag *d, const EvOptions *o);

/*
** The output policy (eval_files.c; docs/language.md "Outputs"), checked for every statement
** that will run before the first one starts: every file a statement may write (its outputs
** and the files beside them) must be, or be a symbolic link to, a regular file or nothing
** yet; none may be an input of the run (o->inputs, data files; compared by device and inode)
** and no two outputs may be one file (the resolved programs excepted: they are the same
** text). Each violation is reported at its statement. Returns 0, or 1: then nothing may run.
*/
int ev_check_program(Diag *d, const IrProgram *p, const EvOptions *o);

/*
** Whether the cells of experiment x write their train's log, each its own: when the path
** differs from cell to cell (it joins in a varied value). When it is the same in every cell
** (or there is no log) no cell writes it; two cells that share a path while others differ
** are caught by ev_check_program as two outputs that are one file.
*/
bool ev_cell_logs(const IrExperiment *x);

/* The path cell c of experiment x would write: its train's log or its measure's out (or NULL). */
const char *ev_cell_out(const IrExperiment *x, size_t c);

/* Run an experiment over a measure (eval_sweep_measure.c): 0, or 1 if a run failed. */
int ev_run_measure_sweep(Diag *d, const EvOptions *o, const IrExperiment *x);

/*
** The resolved program's path beside output path (PATH.resolved.aimc, a new string), or
** NULL when none is written: no o->resolved, or that file is the script or a `use`d file.
*/
char *ev_resolved_beside(const EvOptions *o, const char *path);

/*
** Where a train saves the state of its optimizer k (`save`): the path as written with one
** optimizer, else the optimizer's name before the extension ("out/fcn.npz" with optimizer
** rl: "out/fcn.rl.npz"). A new string.
*/
char *ev_save_path(const IrTrain *t, size_t k);

/*
** Check, before a statement runs, that the outputs it will write (paths; NULL entries: none)
** can be written, so that a long run does not end in a write error (rt_file_check,
** eval_files.c); each failure is reported at `at`. Returns 0 when every path is writable,
** else 1.
*/
int ev_check_outputs(Diag *d, SrcLoc at, const char *const *paths, size_t n);

#endif
