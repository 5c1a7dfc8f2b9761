/*
** bench_epoch.c: seconds per training epoch of the seed paper's networks on Fashion-MNIST
** (`make bench`, after aimci_bench; never part of `make test`).
**
** Each workload is an example script checked with overrides (fit.epochs=1, one optimizer,
** data limits), its data read once (not timed); then one epoch is trained and the test set
** evaluated, and the time of both is printed, in aimci_bench's CSV format (the run's epoch-0
** test pass, the log's baseline row made once per training, is timed apart: `test_pass`):
**   epoch   fcn_fashion (784-256-128-10 sigmoid FCN, every layer analog on the power
**           response, batch 10, 60000 training + 10000 test images) with Analog SGD and with
**           Residual Learning, on 1 and 2 threads; lenet_fashion (the analog LeNet, batch 8,
**           every conv patch a pulsed-update sample) with Analog SGD on 6000 training + 10000
**           test images, 1 thread. Reference: one tenth of aihwkit 1.2.0's time on the same
**           workload (CPU, 1 thread, measured on a 2-core Zen 4 machine of this kind: fcn
**           Analog SGD 16.5 s per epoch (median of 13.8-18.0), LeNet Analog SGD 16.5 s on 6000
**           images), 1.5 times that for Residual Learning; ratio = reference / aimci (below 1
**           misses it). tools/aihwkit_epoch.py times aihwkit's side on the machine at hand.
**           Every row of an idle machine is the fastest of 3 runs, 1 and 2 threads alternating
**           (a shared machine's noise only ever adds time).
**   test_pass  seconds of one pass over the 10000 test images (the epoch-0 pass of the
**           1-thread run) of each workload; target under a second.
**   epoch_no_update  the 1-thread Analog SGD epochs again with lr 0: forward, backward, analog
**           I/O, layers and test pass without a single pulse, the part of the epoch the
**           update's kernels cannot reduce; ratio = the epoch's target / it (below 1: no
**           update, however fast, meets the target).
**   epoch_scaling  1-thread s / 2-thread s of fcn with Residual Learning; ratio = scaling /
**           1.6, the target on an idle machine.
**   epoch_busy, epoch_scaling_busy  the same with another CPU-bound process (a child of the
**           bench in its own session, pinned to the last CPU) running: the pathology of a
**           shared machine, where a descheduled worker must not hold up the thousands of
**           parallel jobs of an epoch. A 20000-image epoch (2000 steps, as many as the share
**           probes' period: rt_net_pass.c times each way of sharing for 96 steps of every 2048,
**           so it probes as often as a whole epoch does; a 2000-image epoch spent half its steps
**           probing), scaled; the fastest of 3 runs per thread count, 1 and 2 threads
**           alternating; target 1/1.1 (2 threads at most 10% slower than 1).
**   checkpoint  the time to write one checkpoint (rt_ckpt.h) of the fcn with Residual
**           Learning (its net's whole state, the order of 60000 rows, an epoch's log) as a
**           percentage of the 1-thread epoch above; the fastest of 3 writes; target <= 2%.
** With --quick every fcn epoch, the busy ones too, is 2000 training and 334 test images
** scaled to the full epoch.
**
** Usage: aimci_bench_epoch [--quick]
*/
#define _GNU_SOURCE /* sched_setaffinity, prctl: the busy process's core and lifetime */
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "check.h"
#include "diag.h"
#include "rt_ckpt.h"
#include "rt_data.h"
#include "rt_train.h"

#define AIHWKIT_FCN_S 16.5   /* aihwkit, fcn Analog SGD, 60000 images, 1 thread (header) */
#define AIHWKIT_LENET_S 16.5 /* aihwkit, LeNet Analog SGD, 6000 images, 1 thread (header) */
#define MIN_SPEEDUP 1.6     /* 2 threads over 1 on an idle machine */
#define MIN_RATIO (1 / 1.1) /* 2 threads over 1 on a busy one: at most 10% slower */
#define RUNS 3              /* runs per thread count of an epoch row: the fastest counts */
#define MAX_TEST_S 1.0      /* a test pass over the 10000 test images, either net */

/*
** The train `fit` of examples/paper/SCRIPT with one epoch of optimizer opt and the data
** overrides limits ("" for none, else "fm.limit=N fm.test_limit=M"); NULL (reported) on
** errors.
*/
static const IrTrain *load(Arena *ar, Diag *d, const char *root, const char *script,
                           const char *opt, const char *limits)
{
    Checker *c = chk_new(ar, d, AIMCI_STDLIB);
    char set[256];
    chk_set(c, "fit.epochs=1");
    snprintf(set, sizeof set, "fit.optimizer=%s", opt);
    chk_set(c, set);
    for (const char *p = limits; *p;) {
        size_t n = strcspn(p, " ");
        snprintf(set, sizeof set, "%.*s", (int)n, p);
        chk_set(c, set);
        p += n + (p[n] == ' ');
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/examples/paper/%s", root, script);
    chk_file(c, path);
    const IrProgram *p = chk_program(c);
    diag_flush(d);
    for (size_t k = 0; p && k < p->nruns; k++)
        if (p->runs[k].kind == IR_RUN_TRAIN && strcmp(p->runs[k].name, "fit") == 0)
            return p->runs[k].u.train;
    return NULL;
}

/* When the first two steps of a run ended (RtProgress.tick). */
typedef struct Ticks {
    double at[2];
} Ticks;

static void tick(void *ctx, size_t done, size_t total)
{
    (void)total;
    if (done >= 1 && done <= 2)
        ((Ticks *)ctx)->at[done - 1] = now();
}

/*
** Seconds of one epoch on `threads` threads: its steps and its test pass, not the run's
** epoch-0 test pass (the baseline row of the log, made once per training whatever its
** length), whose seconds go to *test0: the time to the first step's end less one step (the
** second's). The test accuracy into *acc; < 0 on failure.
*/
static double epoch_seconds(const IrTrain *t, const RtData *dt, size_t threads, double *acc,
                            double *test0)
{
    char err[512];
    RtLog log = {0};
    Ticks tk = {{NAN, NAN}};
    RtProgress pr = {.tick = tick, .ctx = &tk};
    double t0 = now();
    int rc = rt_train_run_progress(&log, NULL, t, t->opt[0], dt, threads, &pr, err, sizeof err);
    double s = now() - t0;
    *acc = log.nep ? log.ep[log.nep - 1].test_acc : 0.0;
    rt_log_free(&log);
    if (rc || !isfinite(tk.at[1])) {
        fprintf(stderr, "aimci_bench_epoch: %s\n", rc ? err : "fewer than 2 steps");
        return -1.0;
    }
    *test0 = (tk.at[0] - t0) - (tk.at[1] - tk.at[0]);
    return s - *test0;
}

/*
** The `checkpoint` row: the fastest of 3 writes of the state of t's net after one epoch on dt
** (serialised as rt_train.c does: the sample order of `rows` rows, the net, the log) beside
** the bench, as a percentage of epoch_s. Nonzero on failure.
*/
static int checkpoint_row(const IrTrain *t, const RtData *dt, size_t rows, double epoch_s,
                          const char *shape)
{
    char err[512], path[4200];
    RtLog log = {0};
    RtNet *net = NULL;
    if (rt_train_run_threads(&log, &net, t, t->opt[0], dt, 1, err, sizeof err) != 0) {
        fprintf(stderr, "aimci_bench_epoch: %s\n", err);
        return 1;
    }
    snprintf(path, sizeof path, "%s/../build/bench/fcn.ckpt", AIMCI_STDLIB);
    size_t *order = calloc(rows, sizeof *order);
    double best = INFINITY;
    size_t bytes = 0;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        RtSer s;
        rt_ser_init_save(&s);
        rt_ser_bytes(&s, RT_CK_ORDER, order, rows * sizeof *order);
        rt_ckpt_net(&s, net);
        rt_ckpt_log(&s, &log, t->model, t->opt[0]);
        int rc = rt_ckpt_write(path, 1, &s, err, sizeof err);
        bytes = s.len;
        rt_ser_free(&s);
        if (rc) {
            fprintf(stderr, "aimci_bench_epoch: %s\n", err);
            break;
        }
        best = fmin(best, now() - t0);
    }
    unlink(path);
    free(order);
    rt_net_free(net);
    rt_log_free(&log);
    if (!isfinite(best))
        return 1;
    double pct = 100.0 * best / epoch_s;
    printf("checkpoint,fcn_fashion residual (%.1f MB in %.1f ms),%s,10,1,%.2f,%% of an epoch,"
           "target <= 2%%,%.2f\n", (double)bytes / 1e6, 1e3 * best, shape, pct, 2.0 / pct);
    fflush(stdout);
    return 0;
}

/* The training data of t; NULL (reported) on errors. */
static RtData *data_of(const IrTrain *t)
{
    char err[512];
    RtData *dt = t ? rt_data_new(t->data, t->seed, err, sizeof err) : NULL;
    if (!dt && t)
        fprintf(stderr, "aimci_bench_epoch: %s\n", err);
    return dt;
}

/*
** The fastest of RUNS epochs of train t on data dt for each of 1..maxth (at most 2) threads,
** the thread counts alternating, times scale, into best[th - 1]; the fastest epoch-0 test
** pass of 1 thread into *test1 and the test accuracy into *acc. Nonzero on failure.
*/
static int fastest_epochs(const IrTrain *t, const RtData *dt, size_t maxth, double scale,
                          double best[2], double *test1, double *acc)
{
    best[0] = best[1] = *test1 = INFINITY;
    for (int run = 0; run < RUNS; run++)
        for (size_t th = 1; th <= maxth; th++) {
            double t0s, s = epoch_seconds(t, dt, th, acc, &t0s);
            if (s < 0)
                return 1;
            best[th - 1] = fmin(best[th - 1], s * scale);
            if (th == 1)
                *test1 = fmin(*test1, t0s);
        }
    return 0;
}

/*
** One `epoch` row per thread count (maxth at most 2) of train t on data dt (scaled to `full`
** training images), against `ref` seconds, then a `test_pass` row (the epoch-0 test pass on
** 1 thread, scaled to `test` images); the seconds of the last thread count into *last, those
** of 1 thread into *first; each the fastest of RUNS. Nonzero on failure.
*/
static int epoch_rows(const char *what, const char *shape, size_t batch, const IrTrain *t,
                      const RtData *dt, size_t full, size_t test, size_t maxth, double ref,
                      double *first, double *last)
{
    double scale = (double)full / (double)dt->rows, test1, acc = 0.0, best[2];
    if (fastest_epochs(t, dt, maxth, scale, best, &test1, &acc))
        return 1;
    for (size_t th = 1; th <= maxth; th++) {
        double s = best[th - 1];
        if (th == 1)
            *first = s;
        *last = s;
        printf("epoch,%s (test acc %.2f%%),%s,%zu,%zu,%.2f,s/epoch%s,target %.2f s,%.2f\n", what,
               100.0 * acc, shape, batch, th, s, scale != 1.0 ? " (scaled)" : "", ref, ref / s);
    }
    fflush(stdout);
    size_t rows = dt->test ? dt->test->rows : 0;
    if (rows) {
        double s = test1 * (double)test / (double)rows;
        printf("test_pass,%s (%zu test images%s),%s,%zu,1,%.3f,s,target < %.1f s,%.2f\n", what,
               test, rows != test ? ", scaled" : "", shape, batch, s, MAX_TEST_S,
               MAX_TEST_S / s);
    }
    return 0;
}

/*
** The `epoch_no_update` row of train t (its optimizer's lr 0) on data dt, 1 thread, scaled to
** `full` training images, against the epoch's target `ref` seconds. Nonzero on failure.
*/
static int no_update_row(const char *what, const char *shape, size_t batch, const IrTrain *t,
                         const RtData *dt, size_t full, double ref)
{
    double acc, test1, best[2];
    if (fastest_epochs(t, dt, 1, (double)full / (double)dt->rows, best, &test1, &acc))
        return 1;
    double s = best[0];
    printf("epoch_no_update,%s with lr 0,%s,%zu,1,%.2f,s/epoch (no pulse),target %.2f s,%.2f\n",
           what, shape, batch, s, ref, ref / s);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    char root[4096];
    snprintf(root, sizeof root, "%s", AIMCI_STDLIB);
    char *slash = strrchr(root, '/');
    if (slash)
        *slash = '\0'; /* AIMCI_STDLIB is ROOT/stdlib */
    Arena *ar = arena_new();
    Diag *d = diag_new(stderr);
    const char *small = "fm.limit=2000 fm.test_limit=334"; /* both 1/30 */
    const char *fcn = "fcn_fashion.aimc", *shape = "784-256-128-10";
    const IrTrain *ta = load(ar, d, root, fcn, "asgd", quick ? small : "");
    const IrTrain *t = load(ar, d, root, fcn, "rl", quick ? small : "");
    const IrTrain *tq = quick ? t : load(ar, d, root, fcn, "rl", small);
    const char *third = "fm.limit=20000 fm.test_limit=3334"; /* both 1/3 */
    const IrTrain *tb = quick ? t : load(ar, d, root, fcn, "rl", third);
    const IrTrain *tl = load(ar, d, root, "lenet_fashion.aimc", "asgd", "fm.limit=6000");
    const IrTrain *ta0 = load(ar, d, root, fcn, "asgd",
                              quick ? "fm.limit=2000 fm.test_limit=334 asgd.lr=0" : "asgd.lr=0");
    const IrTrain *tl0 = load(ar, d, root, "lenet_fashion.aimc", "asgd", "fm.limit=6000 asgd.lr=0");
    RtData *dt = data_of(t), *dq = quick ? dt : data_of(tq), *dl = data_of(tl);
    RtData *db = quick ? dt : data_of(tb);
    if (!ta || !ta0 || !tl0 || !dt || !dq || !dl || !db)
        return 1;
    double sec[2], one;
    if (epoch_rows("fcn_fashion analog_sgd", shape, 10, ta, dt, 60000, 10000, 2,
                   AIHWKIT_FCN_S / 10, &one, &one) ||
        epoch_rows("fcn_fashion residual", shape, 10, t, dt, 60000, 10000, 2,
                   1.5 * AIHWKIT_FCN_S / 10, &sec[0], &sec[1]) ||
        epoch_rows("lenet_fashion analog_sgd (6000 images)", "lenet", 8, tl, dl, dl->rows, 10000,
                   1, AIHWKIT_LENET_S / 10, &one, &one))
        return 1;
    if (no_update_row("fcn_fashion analog_sgd", shape, 10, ta0, dt, 60000, AIHWKIT_FCN_S / 10) ||
        no_update_row("lenet_fashion analog_sgd (6000 images)", "lenet", 8, tl0, dl, dl->rows,
                      AIHWKIT_LENET_S / 10))
        return 1;
    printf("epoch_scaling,fcn_fashion residual,%s,10,2,%.3f,x 1 thread,target >= %.2f,%.2f\n",
           shape, sec[0] / sec[1], MIN_SPEEDUP, sec[0] / sec[1] / MIN_SPEEDUP);
    if (checkpoint_row(tq, dq, 60000, sec[0], shape))
        return 1;
    double busy[2], test1, acc;
    pid_t hog = busy_start();
    if (hog < 0)
        fprintf(stderr, "aimci_bench_epoch: no busy process (fork failed)\n");
    int failed = fastest_epochs(tb, db, 2, 60000.0 / (double)db->rows, busy, &test1, &acc);
    busy_stop(hog);
    if (failed)
        return 1;
    for (size_t th = 1; th <= 2; th++)
        printf("epoch_busy,fcn_fashion residual,%s,10,%zu,%.2f,s/epoch (scaled from %zu "
               "images; a busy core),target %.2f s,%.2f\n", shape, th, busy[th - 1], db->rows,
               1.5 * AIHWKIT_FCN_S / 10, 1.5 * AIHWKIT_FCN_S / 10 / busy[th - 1]);
    printf("epoch_scaling_busy,fcn_fashion residual,%s,10,2,%.3f,x 1 thread,"
           "target >= %.2f,%.2f\n", shape, busy[0] / busy[1], MIN_RATIO,
           busy[0] / busy[1] / MIN_RATIO);
    rt_data_free(dl);
    if (dq != dt)
        rt_data_free(dq);
    if (db != dt)
        rt_data_free(db);
    rt_data_free(dt);
    diag_free(d);
    arena_free(ar);
    return 0;
}
