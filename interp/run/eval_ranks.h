/*
** eval_ranks.h: the processes that run an experiment's jobs.
**
** `aimci` is one process: its jobs run on its own threads (eval_ranks_one.c). `aimci-mpi`,
** started by mpirun (or srun), is the same program linked with eval_mpi.c instead: every
** rank checks the script; rank 0, the lead, runs it as aimci does, and deals each
** experiment's jobs out to the ranks one at a time as they ask for work (jobs differ in cost),
** working on its own threads too; the records come back to the lead, which alone prints and
** writes (so its outputs are those of `aimci`, byte for byte, for any number of ranks and
** threads: a job's numbers depend on the job alone, eval_jobs.h).
*/
#ifndef AIMCI_EVAL_RANKS_H
#define AIMCI_EVAL_RANKS_H

#include <stdbool.h>
#include <stddef.h>

#include "eval_jobs.h"
#include "ir.h"

/* One experiment's jobs to run, and where their records go. */
typedef struct EvDeal {
    const IrExperiment *x;
    const EvJob *job;       /* every job of x, identity set (ev_job_at) */
    const size_t *pending;  /* the numbers of those to run, in order */
    size_t npending;
    size_t threads;         /* job threads of each process */
    /*
    ** Called on the caller's thread with each finished job's record (text[len] is '\0'), in
    ** the order they finish; rank: the process that ran it (0: the lead).
    */
    void (*finished)(void *ctx, size_t k, const char *text, size_t len, int rank);
    void *ctx;
} EvDeal;

/* Start the processes (MPI_Init): 0, or nonzero after a message. */
int ev_ranks_init(int *argc, char ***argv);

/* Whether this process is the lead (always, for aimci). */
bool ev_ranks_lead(void);

/*
** Whether standard output, when a terminal, is the user's: false for aimci-mpi, whose output
** mpirun forwards through a pseudo-terminal even when its own is a file (then no progress
** bars are drawn: the output stays that of aimci).
*/
bool ev_ranks_own_terminal(void);

/* Run d's pending jobs over the processes; returns once every record has been handed over. */
void ev_ranks_deal(const EvDeal *d);

/*
** Dealing ahead (aimci-mpi with other ranks; nothing for aimci): while the lead runs a
** statement of its own, the other ranks run jobs of the next experiment x.
**   ev_ranks_ahead_wanted  whether there are other ranks to deal to (the lead asks)
**   ev_ranks_ahead         the jobs (numbers, in order; their checkpoint periods) that may run
**                          ahead: those with neither a saved result nor a checkpoint (replaces
**                          an earlier call's; n 0: none). Their records wait for x's deal,
**                          which hands them over as if they had run in it.
**   ev_ranks_ahead_has     whether job k of x was dealt ahead (its checkpoint is then not the
**                          lead's to look at: the job may be writing it)
**   ev_ranks_idle          the lead, busy: deal and collect now and then (called often: cheap)
**   ev_ranks_settle        the lead's script is over (before its program is freed): the jobs
**                          still out come back (stopped, when the script was), and records no
**                          deal took are saved (ev_experiment_keep)
*/
bool ev_ranks_ahead_wanted(void);
void ev_ranks_ahead(const IrExperiment *x, const size_t *list, const size_t *every, size_t n);
bool ev_ranks_ahead_has(const IrExperiment *x, size_t k);
void ev_ranks_idle(void);
void ev_ranks_settle(void);

/*
** A process other than the lead: run the jobs the lead deals, of program p (NULL when this
** process could not check the script: why says what went wrong, and it takes no job), on
** `threads` threads, until the lead ends.
*/
void ev_ranks_serve(const IrProgram *p, size_t threads, const char *why);

/* End the processes (the lead lets the others go; MPI_Finalize); returns status. */
int ev_ranks_end(int status);

#endif
