/*
** rt_train.h: one training run: one IrTrain with one of its optimizers.
**
** Every optimizer of a train sees the same data (generated once by the caller, rt_data.h),
** the same initial weights, the same sample order and the same device draws: all come from
** the train's seed (streams in rt_rng.h). Sample order: the rows are shuffled at the start
** of every epoch (Fisher-Yates, RT_STREAM_ORDER) and consumed `batch` rows per step; a batch
** that runs past the end of an epoch continues in the next one.
**
** Logged at step 0 (before any update), every log_every steps (0: never in between) and at
** the last step: the full-data loss (exact digital forward of the current weights) and, when
** applicable, ||W - w_star||_2 (least-squares data, a single dense layer without bias, an
** optimum that exists). A non-finite batch or full-data loss stops the run as diverged.
** At the same steps, every analog layer with an algorithm (rt_algo.h) logs the statistics of
** its arrays (rt_algo_stats): pulses fired, transfers, mean |value|, distance to the
** symmetric point.
**
** Analog evaluation (t->test_io): at the same points, the same set (the full data by steps,
** the test set by epochs) also goes t->test_repeat times through the analog forward of the
** net with t->test_io (rt_net_eval_analog, its own random streams: the training is the same
** with or without it); the rows get the mean and the sample std of its loss and accuracy.
**
** Initial weights: rt_net.h's uniform draws; with t->init_set every weight (not the biases)
** is then set to t->init (analog weights clipped to their cells' bounds). With t->load the
** weights and biases of that .npz file replace them, and once the optimizer's algorithm is
** attached, the device state the file holds is restored (rt_net_state.h); the random
** streams still start from t->seed. A train of several optimizers loads, for optimizer o,
** the file its save would have written (rt_train_load_path). Saving (t->save) is the
** caller's: it gets the net.
**
** Training by epochs (t->epochs > 0): every epoch reshuffles the rows and takes
** floor(rows / batch) steps (at least 1; the remainder of a shuffle is left out, as
** PyTorch's drop_last), then appends an RtEpochRow: the mean batch loss and accuracy of
** the epoch (outputs of the training forward, through the I/O) and the loss and accuracy of
** the test set (exact digital forward, as the full-data loss above; none without a test
** set). With a test set, the test loss and accuracy of the initial weights come first
** (log->start, epoch 0: where the curves start). The steps log above is not kept in this
** mode; the array statistics are logged at the end of every epoch.
**
** Learning-rate schedule (t->schedule, rt_train_lr): the lr of epoch e (0-based) of E;
** training by steps, step s (1-based) belongs to epoch floor((s-1) batch / rows) of
** E = ceil(steps batch / rows). At the start of an epoch the optimizer's lr becomes lr times
** the schedule's factor (rt_train_lr_factor): digital weights, biases and output scales use
** it; each analog algorithm applies the factor to the rates its family schedules
** (rt_algo_set_lr): the gradient rate of analog_sgd, mixed_precision and residual_v2, and
** every transfer rate with scale_transfer_lr; the fast arrays of the transfer compounds keep
** the unscheduled lr (aihwkit's absolute fast_lr).
*/
#ifndef AIMCI_RT_TRAIN_H
#define AIMCI_RT_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_algo.h"
#include "rt_data.h"
#include "rt_net.h"

/*
** The version of aimci's numerics: raised by every change that alters the numbers of any run
** (a kernel's arithmetic, a random stream, an algorithm's step, a default). Saved experiment
** job results made under another version are never reused (interp/run/eval_jobs.h).
*/
#define RT_NUMERICS_VERSION 1

typedef struct RtLogRow {
    size_t step;
    double loss; /* full-data mse */
    double dist; /* ||W - w_star||_2, NaN when not applicable */
    double loss_analog, loss_analog_std; /* through t->test_io (see the header), else NaN */
} RtLogRow;

/* The statistics of one array of analog layer `layer` (0-based) at a logged step. */
typedef struct RtArrayRow {
    size_t step, layer;
    RtArrayStat s;
} RtArrayRow;

/* One epoch of a run by epochs (see the header); NaN where not applicable. */
typedef struct RtEpochRow {
    size_t epoch, step;    /* epoch 1.., steps taken by its end */
    double lr;             /* the lr of the epoch */
    double train_loss, train_acc;
    double test_loss, test_acc;
    double test_loss_analog, test_loss_analog_std; /* through t->test_io, else NaN */
    double test_acc_analog, test_acc_analog_std;
} RtEpochRow;

typedef struct RtLog {
    RtLogRow *row;
    size_t n, cap;
    RtEpochRow *ep;  /* runs by epochs */
    size_t nep, epcap;
    RtEpochRow start; /* runs by epochs with a test set (has_start): epoch 0, the test loss
                         and accuracy of the initial weights; the other fields NaN or 0 */
    bool has_start;
    RtArrayRow *arr; /* per-array statistics of the logged steps, in step order */
    size_t narr, arrcap;
} RtLog;

void rt_log_free(RtLog *log);

/* Whether ||W - w_star|| is defined for this train and data. */
bool rt_train_has_dist(const IrTrain *t, const RtData *dt);

/*
** The file train t's run with optimizer o loads (a new string), or NULL without t->load: with
** several optimizers, t->load tagged with o's name ("out/fcn.npz" -> "out/fcn.rl.npz", the
** file `save` writes for o) when that file exists, else t->load itself.
*/
char *rt_train_load_path(const IrTrain *t, const IrOptimizer *o);

/*
** Run train t with optimizer o on data dt, appending rows to log (which starts empty,
** zero-initialised). Returns 0 on success, 1 on failure with a message in err (sizes that do
** not match the data, out of memory, divergence); the rows logged so far stay in log.
** net_out, if not NULL, receives the final net (also after a divergence; NULL if none was
** built); the caller frees it with rt_net_free.
*/
int rt_train_run(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                 const RtData *dt, char *err, size_t errlen);

/*
** rt_train_run on `threads` threads (a pool owned by the run; 0 or 1: none). The log and the
** net are bit-identical for any thread count.
*/
int rt_train_run_threads(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                         const RtData *dt, size_t threads, char *err, size_t errlen);

/* What a caller hears while a run goes on (any member may be NULL). */
typedef struct RtProgress {
    void (*tick)(void *ctx, size_t done, size_t total);   /* after every step */
    void (*epoch)(void *ctx, const RtEpochRow *row, size_t epochs); /* after every epoch */
    void *ctx;
} RtProgress;

/* rt_train_run_threads reporting to pr (NULL: nobody); pr does not change the results. */
int rt_train_run_progress(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                          const RtData *dt, size_t threads, const RtProgress *pr, char *err,
                          size_t errlen);

/*
** Checkpoints and stops (rt_ckpt.h, rt_stop.h). A run given an RtTrainCkpt writes its
** complete state to `path` (atomically) every `every` epochs (runs by epochs) or steps (runs
** by steps), never after its last one; 0: only when stopped; path NULL: never (a resumed run
** that writes no checkpoints). The file holds the bytes of
** `prefix` (the caller's records, which the caller reads back first) and then the run's
** state. After every step the run polls rt_stop_requested: when a stop is requested it
** writes its state (any RtTrainCkpt) and returns RT_TRAIN_STOPPED with "stopped at ..." in
** err. resume, when not NULL, is a loaded checkpoint read up to this run's state: the run
** continues from it (the rest of the run is bit-identical to a run that never stopped) and
** *resumed_at gets the epochs (by epochs) or steps (by steps) done then.
*/
#define RT_TRAIN_STOPPED 2

struct RtSer;
typedef struct RtTrainCkpt {
    const char *path;
    uint64_t id;                /* the run's identity (rt_ckpt_write) */
    size_t every;
    const struct RtSer *prefix; /* saved records written before the run's state; or NULL */
    struct RtSer *resume;       /* continue from this state, or NULL: from the start */
    size_t resumed_at;          /* out: see above */
    bool wrote;                 /* out: a checkpoint was written */
} RtTrainCkpt;

/* rt_train_run_progress with checkpoints and stops (ck may be NULL: stops only). */
int rt_train_run_ckpt(RtLog *log, RtNet **net_out, const IrTrain *t, const IrOptimizer *o,
                      const RtData *dt, size_t threads, const RtProgress *pr, RtTrainCkpt *ck,
                      char *err, size_t errlen);

/* The factor of epoch e (0-based) of E under schedule s (NULL: constant, 1). */
double rt_train_lr_factor(const IrSchedule *s, size_t e, size_t E);

/* The lr of epoch e (0-based) of E under schedule s from base lr: lr times that factor. */
double rt_train_lr(const IrSchedule *s, double lr, size_t e, size_t E);

/* The number of epochs of a run: t->epochs, or ceil(steps batch / rows) by steps. */
size_t rt_train_epochs(const IrTrain *t, size_t rows);

#endif
