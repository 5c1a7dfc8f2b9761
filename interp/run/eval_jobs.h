/*
** eval_jobs.h: an experiment's jobs, their results as records, and the folder that keeps them.
**
** A job is one (cell, optimizer, repeat) of an experiment: the cell's train with that
** optimizer and the seed of the repeat (train seed + repeat). Jobs are numbered in the order
** cell, then optimizer, then repeat (ev_job_at); the number names the job to other processes
** (aimci-mpi) and its result file.
**
** The result of a job is one record (EvJob): its identity, its key, its outcome and error,
** the final metrics the report shows and the whole log of the run (steps, epochs, array
** statistics). Encoded as text (ev_job_encode), it is both what another rank sends back and
** what the jobs folder keeps, and the report is always made from decoded records, so a
** report assembled from saved results is byte for byte the one of a fresh run.
**
** The key of a job hashes everything that determines its numbers: the resolved script of the
** job's train alone (dump_train_closure, comments left out: where a value came from does not
** change it), its seed and RT_NUMERICS_VERSION. A saved result is reused only under the same
** key, so a changed script, seed or aimci numerics runs the job again.
**
** The jobs folder sits beside the report (out/table8.md -> out/table8.jobs/; without a report,
** beside the plot). Each finished job whose outcome is lasting (it trained, or it diverged:
** the same script gives the same outcome) is written there atomically as
** cellC-optO-repR.job (1-based); failures that may not recur (an unreadable data file, out of
** memory) are never kept.
**
** A job whose train checkpoints (its checkpoint_every, else --checkpoint-every) keeps its
** checkpoint beside its result, cellC-optO-repR.ckpt (rt_ckpt.h; identity: the job's key),
** wherever it runs; a job that finds one continues from it, and the lead removes it once the
** job's result is written (eval_experiment.c).
*/
#ifndef AIMCI_EVAL_JOBS_H
#define AIMCI_EVAL_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval_cost.h"
#include "ir.h"
#include "rt_train.h"

#define EV_JOB_ERRLEN 512

/*
** The record format's version: raised when a field the report needs is added or changes
** meaning (records of another version are run again); a field that older readers may ignore
** is added without raising it (decoders skip lines they do not know).
*/
#define EV_JOB_FORMAT 2 /* 2: the cost line (docs/cost.md) */

typedef enum EvJobOutcome {
    EV_JOB_OK,       /* trained to the end */
    EV_JOB_DIVERGED, /* stopped as diverged: a lasting failure */
    EV_JOB_FAILED    /* any other error: not kept, tried again by the next run */
} EvJobOutcome;

typedef struct EvJob {
    /* identity */
    size_t cell, opt, rep; /* 0-based */
    uint64_t seed;         /* the train's seed + rep */
    uint64_t key;          /* ev_job_key */
    size_t ckpt_every;     /* epochs (steps) between checkpoints of this run, 0: none; how it
                           ** runs, not part of its record */
    /* outcome */
    bool done;             /* the fields below hold a result (run here, elsewhere or saved) */
    EvJobOutcome outcome;
    char err[EV_JOB_ERRLEN]; /* the error of a failure, else "" */
    double loss;   /* the final full-data loss; by epochs the last test loss (else train) */
    double f_star; /* the data's optimum loss when meaningful, else NaN */
    double dist;   /* the final ||W - w*||, NaN when not applicable */
    double acc;    /* the last epoch's test accuracy (fraction), NaN when none */
    EvCost cost;   /* what the run cost the hardware under the train's model (eval_cost.h) */
    RtLog log;     /* the run's whole log (rt_train.h) */
} EvJob;

/* The number of jobs of x: cells x optimizers x repeats. */
size_t ev_jobs_count(const IrExperiment *x);

/* Job k of x: its identity and key, no outcome yet. */
EvJob ev_job_at(const IrExperiment *x, size_t k);

/* The key of (cell, optimizer opt, seed) of x. */
uint64_t ev_job_key(const IrExperiment *x, size_t cell, size_t opt, uint64_t seed);

/*
** Run job j (identity set): its outcome, metrics and log. With a jobs folder, it continues from
** its checkpoint there when there is one, and writes checkpoints every j->ckpt_every epochs
** (steps) and when stopped (rt_stop.h) if j->ckpt_every > 0.
*/
void ev_job_run(const IrExperiment *x, EvJob *j);

/* The identity of job j's checkpoints (rt_ckpt_write): its key and the checkpoint format. */
uint64_t ev_job_ckpt_id(const EvJob *j);

/* Whether j's outcome is worth keeping: it would be the same if run again. */
bool ev_job_lasting(const EvJob *j);

/* Free j's log (the record itself is the caller's). */
void ev_job_free(EvJob *j);

/* j (done) as a record: a new string of *len bytes. */
char *ev_job_encode(const IrExperiment *x, const EvJob *j, size_t *len);

/*
** Read a record (text[len] is '\0', as ev_job_read, ev_pool_take and aimci-mpi's messages
** give it) into *j (its log must be empty): 0; -1 with what is wrong in err (damaged: cut
** short, a checksum that does not match, a field that does not read); 1 when written in
** another format version (err says which). j's log is freed on failure.
*/
int ev_job_decode(EvJob *j, const char *text, size_t len, char *err, size_t errlen);

/*
** The bytes of file path, NUL-terminated: 0; 1 when there is no such file; -1 with a message
** in err when it cannot be read.
*/
int ev_job_read(const char *path, char **text, size_t *len, char *err, size_t errlen);

/* The jobs folder of x (a new string), or NULL when x has neither report nor plot. */
char *ev_jobs_dir(const IrExperiment *x);

/* The file of job j in folder dir (a new string). */
char *ev_job_path(const char *dir, const EvJob *j);

/* The checkpoint of job j in folder dir (a new string). */
char *ev_job_ckpt_path(const char *dir, const EvJob *j);

/*
** ====================================================================================
** A pool of threads that run jobs (eval_job_pool.c): the one-process runner and every
** rank of aimci-mpi hand jobs to it and collect their records in the thread that owns it.
** ====================================================================================
*/
typedef struct EvJobPool EvJobPool;

/* A pool of at most `threads` threads (started as jobs come). */
EvJobPool *ev_pool_new(size_t threads);

/* Run job j of x on the pool (j: identity set); `tag` comes back with its record. */
void ev_pool_submit(EvJobPool *p, const IrExperiment *x, const EvJob *j, size_t tag);

/* Jobs submitted whose records have not been taken yet. */
size_t ev_pool_busy(EvJobPool *p);

/*
** A finished job's record (ev_job_encode; the caller frees *text) and its tag: true; false when
** none finished within wait_ms milliseconds (0: do not wait; < 0: wait while any is busy).
*/
bool ev_pool_take(EvJobPool *p, long wait_ms, size_t *tag, char **text, size_t *len);

/* Stop the threads (no job may be busy) and free the pool. */
void ev_pool_free(EvJobPool *p);

#endif
