/*
** bench_epoch.c: seconds per training epoch of examples/paper/fcn_fashion.aimc with Residual
** Learning (`make bench`, after aimci_bench; never part of `make test`).
**
** The script is checked with the overrides fit.epochs=1 and fit.optimizer=rl (and, with
** --quick, fm.limit=2000), its data read once (not timed), then one epoch is trained on 1 and
** on 2 threads: 6000 steps of batch 10 over the 60000 training images (784-256-128-10 sigmoid
** FCN, every layer analog on the power response, the pulsed updates of P and the column
** transfers to W), plus the test evaluation of the 10000 test images. With --quick the time
** of 2000 images and 334 test images is scaled to 60000 and 10000. Prints rows in aimci_bench's CSV format; the value is
** seconds per epoch, the reference the performance goal of 30 s on 2 threads.
**
** Usage: aimci_bench_epoch [--quick]
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "diag.h"
#include "rt_data.h"
#include "rt_train.h"

#define TARGET_S 30.0 /* seconds per epoch on 2 threads (the performance goal) */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The train `fit` of the example with one epoch of rl; NULL (reported) on errors. */
static const IrTrain *load(Arena *ar, Diag *d, const char *root, bool quick)
{
    Checker *c = chk_new(ar, d, AIMCI_STDLIB);
    chk_set(c, "fit.epochs=1");
    chk_set(c, "fit.optimizer=rl");
    if (quick)
        chk_set(c, "fm.limit=2000"), chk_set(c, "fm.test_limit=334"); /* both 1/30 */
    char path[8192];
    snprintf(path, sizeof path, "%s/examples/paper/fcn_fashion.aimc", root);
    chk_file(c, path);
    const IrProgram *p = chk_program(c);
    diag_flush(d);
    for (size_t k = 0; p && k < p->nruns; k++)
        if (p->runs[k].kind == IR_RUN_TRAIN && strcmp(p->runs[k].name, "fit") == 0)
            return p->runs[k].u.train;
    return NULL;
}

/* Seconds of one epoch on `threads` threads, the test accuracy into *acc; < 0 on failure. */
static double epoch_seconds(const IrTrain *t, const RtData *dt, size_t threads, double *acc)
{
    char err[512];
    RtLog log = {0};
    double t0 = now();
    int rc = rt_train_run_threads(&log, NULL, t, t->opt[0], dt, threads, err, sizeof err);
    double s = now() - t0;
    *acc = log.nep ? log.ep[log.nep - 1].test_acc : 0.0;
    rt_log_free(&log);
    if (rc) {
        fprintf(stderr, "aimci_bench_epoch: %s\n", err);
        return -1.0;
    }
    return s;
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
    const IrTrain *t = load(ar, d, root, quick);
    char err[512];
    RtData *dt = t ? rt_data_new(t->data, t->seed, err, sizeof err) : NULL;
    if (!dt) {
        if (t)
            fprintf(stderr, "aimci_bench_epoch: %s\n", err);
        return 1;
    }
    double scale = 60000.0 / (double)dt->rows;
    for (size_t th = 1; th <= 2; th++) {
        double acc, s = epoch_seconds(t, dt, th, &acc);
        if (s < 0)
            return 1;
        printf("epoch,fcn_fashion residual (test acc %.2f%%),784-256-128-10,10,%zu,%.2f,"
               "s/epoch%s,target %g s (2 threads),%.2f\n", 100.0 * acc, th, s * scale,
               quick ? " (scaled from 2000 images)" : "", TARGET_S, TARGET_S / (s * scale));
        fflush(stdout);
    }
    rt_data_free(dt);
    diag_free(d);
    arena_free(ar);
    return 0;
}
