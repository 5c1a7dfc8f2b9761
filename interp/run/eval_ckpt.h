/*
** eval_ckpt.h: the checkpoints of a train statement (eval_ckpt.c), private to interp/run.
**
** One file per train, beside its outputs: the log's path (else the plot's) with the
** extension .ckpt. It holds the logs of the optimizers that have finished and, while one
** runs, that run's whole state (runtime/rt_ckpt.h). A train that finds one continues from
** it (unless --fresh); the checkpoints are removed once every statement has run.
*/
#ifndef AIMCI_EVAL_CKPT_H
#define AIMCI_EVAL_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "eval.h"
#include "rt_ckpt.h"
#include "rt_train.h"

/* The outcome of one optimizer of a train. */
typedef struct EvOpt {
    RtLog log;
    int rc;
    char *msg; /* its failure message (kept in checkpoints), or NULL */
} EvOpt;

typedef struct EvCkpt {
    const IrTrain *t;
    FILE *out;
    char *path;        /* NULL: the train has no output to put one beside */
    size_t every;      /* checkpoint_every, else --checkpoint-every; 0: none written */
    uint64_t id;       /* the run's identity */
    RtSer found;       /* the checkpoint found (load mode; buf NULL: none) */
    size_t done;       /* optimizers finished in it */
    bool has_state;    /* it holds the state of optimizer `done` */
    RtSer prefix;      /* the records before a run's state (save) */
    RtTrainCkpt run;   /* what rt_train_run_ckpt gets */
    bool on_disk;      /* a checkpoint of this train exists (found or written) */
} EvCkpt;

/*
** Find the train's checkpoint (none with o->fresh: an old one is removed) and take the
** finished optimizers' outcomes into res. Returns the first optimizer to run (t->nopt:
** all had finished), or SIZE_MAX after an error reported at the train (nothing may run).
*/
size_t ev_ckpt_open(EvCkpt *c, Diag *d, const EvOptions *o, const IrTrain *t, EvOpt *res);

/* The checkpoint setting of optimizer k's run (NULL when there is none to write or read). */
RtTrainCkpt *ev_ckpt_run(EvCkpt *c, size_t k, const EvOpt *res);

/* Optimizer k has finished (rc 0 or 1): record it when checkpointing is on. 0, or 1 (reported). */
int ev_ckpt_finished(EvCkpt *c, Diag *d, size_t k, const EvOpt *res);

/*
** The train is over; free c. When `complete` (outputs written) its checkpoint stays until
** the end of the ev_run (ev_ckpt_end), so that a script stopped in a later statement does not
** train this one again when it resumes: it only writes its outputs again from the logs.
*/
void ev_ckpt_close(EvCkpt *c, bool complete);

/* The ev_run is over: the finished trains' checkpoints are removed when `remove` (no stop). */
void ev_ckpt_end(bool remove);

/*
** Where the run whose state `state` holds (loaded, read up to that state) continues: "at epoch
** 12", "in epoch 3 at step 40" (by epochs, t->epochs) or "at step 40", into at[n].
*/
void ev_ckpt_where(const RtSer *state, const IrTrain *t, char *at, size_t n);

/*
** Remove the temporary files rt_file.c names "DIR/.BASE.tmpXXXXXX" for path "DIR/BASE", left
** by a process killed while it wrote: with mid ".*", those of every "DIR/BASE.*" too.
*/
void ev_remove_temps(const char *path, const char *mid);

#endif
