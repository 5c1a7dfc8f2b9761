/*
** bench.c: the speed figures of README.md "Speed" (`make bench`; never part of `make test`).
**
** Built from the release objects (the same code and flags as ./aimci: portable x86-64, the
** update kernels chosen at run time, see runtime/rt_kern.h). Prints one CSV row per figure:
**   update   ns per weight per sample of rt_tile_update_batch_pool: stochastic_compressed,
**            desired BL 31, UM and UBLM on, lr 0.01, x and d uniform in [-1, 1], weights
**            starting uniform in [-0.3, 0.3]; aihwkit's Python defaults for the device
**            (dw_min 0.001, dw_min_dtod 0.3, dw_min_std 0.3, bounds +-0.6 with dtod 0.3,
**            up_down_dtod 0.01); 1 and 2 threads. ratio = reference ns / aimci ns, the
**            reference being aihwkit 1.2.0's CPU core (built from its source release) on the
**            same workload, single-threaded, fastest of 3 alternating runs on a 2-core Zen 4
**            machine of this kind, batch 1 / 64: soft_bounds 21.6 / 22.1, constant_step
**            18.5 / 19.3, exp_step 38.9 / 38.0, pow_step 79.1 / 77.2.
**   scaling  1-thread ns / 2-thread ns of the same update; ratio = scaling / target, the
**            target being 1.6 for 512x512 and 1/1.1 for 256x256 (2 threads never more than
**            10% slower than 1): a ratio below 1 misses it.
**   update_busy, scaling_busy  the same at 512x512, batch 64, with another CPU-bound process
**            (a child of the bench in its own session, pinned to the last CPU) running for
**            the duration of the rows: the pathology of a shared machine, where a descheduled
**            worker must not hold the update up; target 1/1.1 (2 threads at most 10% slower).
**   normal   ns per c2c normal of the update kernels' generator (RtKern.normals, 4096 a call).
**   pulses   pulses per weight per sample of the 512x512, batch 64 workload (counted).
**   noise_floor  pulses x ns per normal: what drawing one c2c normal per pulse (docs/theory.md
**            §2.4, 2.7) costs before any pulse is applied, a lower bound of the update
**            figure; ratio = 2.5 ns (the performance goal) / floor.
**   forward  GFLOP/s (2 B D X flops) of rt_io_forward with the default analog I/O (noise
**            management abs_max, bound management iterative, output noise 0.06, 7-bit DAC,
**            9-bit ADC) at 512x512, batch 64, weights and inputs as a first training
**            step sees them (U(-1/sqrt(X), 1/sqrt(X)), x uniform in [-1, 1]); ratio =
**            forward / sgemm.
**   sgemm    GFLOP/s of the plain product of the same shape (rt_matmul_forward: BLIS's sums,
**            by aimci's own loops where the CPU has AVX-512), in the same run.
**   cost_stats  ns per device of the per-array statistics of the cost accounting
**            (rt_algo_stats: the pulse counts' sum, maximum and 99th percentile, docs/cost.md)
**            of an analog_sgd layer of 512x512 soft_bounds after one batch; ratio = their
**            time / the time of one 64-sample update of the same layer (1 thread), the worst
**            case of logging after every batch; target < 0.05. The counts themselves are a
**            few additions per call (never per weight) and are not measurable.
**   cost_counting  ns per weight per sample of the 512x512, batch 64 soft_bounds update on
**            1 thread with the per-device pulse counters training keeps (the cost
**            accounting's per-pulse part), against the same update without them (the
**            `update` rows); ratio = with / without; target < 1.05.
** Every figure is the fastest of 7 timed rounds of at least 0.1 s each, after a warm-up, the
** rounds of the figures compared (1 and 2 threads; forward and sgemm) alternating: on a
** machine shared with other work, the rounds least disturbed by it, under the same
** conditions for both.
**
** Usage: aimci_bench [--quick]   (--quick: one round of 0.02 s, for a smoke test)
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
#include "rt_algo.h"
#include "rt_io.h"
#include "rt_kern.h"
#include "rt_matmul.h"
#include "rt_pool.h"
#include "rt_rng.h"
#include "rt_tile.h"

#define MIN_SPEEDUP 1.6     /* 2 threads over 1 on an idle machine, 512x512 */
#define MIN_RATIO (1 / 1.1) /* 2 threads over 1 anywhere: at most 10% slower */

typedef struct Timing {
    int rounds;
    double min_round; /* seconds */
} Timing;

/* aihwkit's single-thread figures (ns per weight per sample), see the header. */
static const struct {
    const char *name;
    IrDevFamily family;
    double ref1, ref64; /* batch 1, batch 64 */
} families[] = {
    {"soft_bounds", IR_DEV_SOFT_BOUNDS, 21.6, 22.1},
    {"pow_step", IR_DEV_POW_STEP, 79.1, 77.2},
    {"exp_step", IR_DEV_EXP_STEP, 38.9, 38.0},
    {"constant_step", IR_DEV_CONSTANT_STEP, 18.5, 19.3},
};

/* The reference of family k at batch B (1 or 64). */
static double reference(size_t k, size_t B)
{
    return B == 1 ? families[k].ref1 : families[k].ref64;
}

/* A device of family fam with aihwkit's Python defaults (as tests/fixtures/rt_fixtures.h fx_device). */
static IrDevice device(IrDevFamily fam)
{
    IrDevice d;
    memset(&d, 0, sizeof d);
    d.name = "bench";
    d.family = fam;
    d.dw_min = 0.001, d.dw_min_dtod = 0.3, d.dw_min_std = 0.3;
    d.w_max = 0.6, d.w_min = -0.6, d.w_max_dtod = 0.3, d.w_min_dtod = 0.3;
    d.up_down_dtod = 0.01;
    d.enforce_consistency = true;
    d.mult_noise = true;
    d.apply_write_noise_on_set = true;
    d.reset_std = 0.01;
    d.corrupt_devices_range = 0.1;
    d.gamma_up_dtod = d.gamma_down_dtod = 0.05;
    d.mean_bound_reference = true;
    d.reverse_offset = 0.01;
    d.n_estimation_steps = -1;
    d.A_up = 0.00081, d.A_down = 0.36833, d.a = 0.244, d.b = 0.2425;
    if (fam == IR_DEV_EXP_STEP)
        d.gamma_up = 12.44625, d.gamma_down = 12.78785;
    d.pow_gamma = 1.0, d.pow_gamma_dtod = 0.1;
    return d;
}

static void uniform(float *v, size_t n, double lo, double hi, RtRng *r)
{
    for (size_t k = 0; k < n; k++)
        v[k] = (float)(lo + (hi - lo) * rt_rng_uniform(r));
}

/*
** The fastest round's seconds per call of fn[k](ctx[k]) for k < n, calls per round
** calibrated on each; the rounds of the n functions alternate, so that every one of them
** sees the same conditions of the machine.
*/
static void time_calls(double *best, void (*const *fn)(void *), void *const *ctx, int n,
                       const Timing *tm)
{
    long calls[4];
    for (int k = 0; k < n; k++) {
        fn[k](ctx[k]); /* warm-up */
        double t0 = now();
        fn[k](ctx[k]);
        double once = now() - t0;
        calls[k] = once > 0.0 ? (long)(tm->min_round / once) + 1 : 1;
        best[k] = INFINITY;
    }
    for (int r = 0; r < tm->rounds; r++)
        for (int k = 0; k < n; k++) {
            double t0 = now();
            for (long c = 0; c < calls[k]; c++)
                fn[k](ctx[k]);
            best[k] = fmin(best[k], (now() - t0) / (double)calls[k]);
        }
}

/* One update benchmark: the tile, its batch and the pool. */
typedef struct Upd {
    RtTile *t;
    float *x, *d;
    size_t B;
    IrUpdate u;
    RtRng r;
    RtPool *pool;
} Upd;

static void run_update(void *ctx)
{
    Upd *b = ctx;
    rt_tile_update_batch_pool(b->t, b->x, b->d, b->B, 0.01, &b->u, &b->r, b->pool);
}

/*
** A tile of family k (n x n), its batch of B samples and a pool of `threads` threads; count:
** the tile counts its pulses.
*/
static void update_setup_counting(Upd *b, size_t k, size_t n, size_t B, size_t threads,
                                  bool count)
{
    IrDevice ir = device(families[k].family);
    RtRng r;
    rt_rng_seed(&r, 1, 1);
    *b = (Upd){.B = B, .u = {31, true, true, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0}};
    b->t = rt_tile_new(n, n, &ir, &r, count);
    float *w = malloc(n * n * sizeof *w);
    b->x = malloc(B * n * sizeof *b->x);
    b->d = malloc(B * n * sizeof *b->d);
    b->pool = threads > 1 ? rt_pool_new(threads) : NULL;
    if (!b->t || !w || !b->x || !b->d || (threads > 1 && !b->pool)) {
        fprintf(stderr, "aimci_bench: out of memory\n");
        exit(1);
    }
    uniform(w, n * n, -0.3, 0.3, &r);
    rt_tile_set_weights(b->t, w);
    uniform(b->x, B * n, -1.0, 1.0, &r);
    uniform(b->d, B * n, -1.0, 1.0, &r);
    rt_rng_seed(&b->r, 2, 2);
    free(w);
}

static void update_free(Upd *b)
{
    rt_pool_free(b->pool);
    rt_tile_free(b->t);
    free(b->x), free(b->d);
}

static void update_setup(Upd *b, size_t k, size_t n, size_t B, size_t threads)
{
    update_setup_counting(b, k, n, B, threads, false);
}

/* The per-array statistics of an algorithm (the cost accounting's logged part). */
static void run_stats(void *ctx)
{
    RtArrayStat st[RT_ALGO_MAX_STATS];
    rt_algo_stats(ctx, st, RT_ALGO_MAX_STATS);
}

/* ns per device of rt_algo_stats on a 512x512 analog_sgd layer of family k after one batch. */
static double bench_cost_stats(size_t k, const Timing *tm)
{
    Upd b;
    update_setup_counting(&b, k, 512, 64, 1, true);
    run_update(&b);
    IrDevice ir = device(families[k].family);
    IrLayer L = {.kind = IR_LAYER_DENSE, .in = 512, .out = 512, .on = &ir};
    IrOptimizer o = {.name = "bench", .kind = IR_OPT_ANALOG_SGD, .lr = 0.01, .update = b.u};
    RtRng upd, d2d;
    rt_rng_seed(&upd, 3, 3);
    rt_rng_seed(&d2d, 4, 4);
    RtAlgo *a = rt_algo_new(&b.t, &L, &o, &upd, 1, 0, 64, &d2d);
    if (!a) {
        fprintf(stderr, "aimci_bench: out of memory\n");
        exit(1);
    }
    void (*const fn[1])(void *) = {run_stats};
    void *const ctx[1] = {a};
    double best;
    time_calls(&best, fn, ctx, 1, tm);
    rt_algo_free(a);
    update_free(&b);
    return best * 1e9 / (512.0 * 512.0);
}

/*
** ns per weight per sample of family k's 512x512, batch 64 update on 1 thread with the
** per-device pulse counters that training keeps (ns[0]) and without them (ns[1]), timed in
** alternating rounds.
*/
static void bench_cost_counting(double ns[2], size_t k, const Timing *tm)
{
    Upd b[2];
    update_setup_counting(&b[0], k, 512, 64, 1, true);
    update_setup_counting(&b[1], k, 512, 64, 1, false);
    void (*const fn[2])(void *) = {run_update, run_update};
    void *const ctx[2] = {&b[0], &b[1]};
    double sec[2];
    time_calls(sec, fn, ctx, 2, tm);
    for (int i = 0; i < 2; i++) {
        ns[i] = sec[i] * 1e9 / (512.0 * 512.0 * 64.0);
        update_free(&b[i]);
    }
}

/* Pulses per weight per sample of one batch of family k's update workload. */
static double pulses_per_weight(size_t k, size_t n, size_t B)
{
    Upd b;
    update_setup_counting(&b, k, n, B, 1, true);
    run_update(&b);
    double sum = 0.0;
    for (size_t c = 0; c < n * n; c++)
        sum += (double)rt_tile_pulses_at(b.t, c);
    update_free(&b);
    return sum / ((double)n * (double)n * (double)B);
}

/* The kernels' c2c normals: 4096 per call. */
static float normals_buf[4096];

static void run_normals(void *ctx)
{
    rt_rng8_seed(ctx, 5, 5);
    rt_kern()->normals(ctx, normals_buf, 4096);
}

/* ns per c2c normal of the update kernels' generator. */
static double bench_normals(const Timing *tm)
{
    RtRng8 g;
    void (*const fn[1])(void *) = {run_normals};
    void *const ctx[1] = {&g};
    double sec;
    time_calls(&sec, fn, ctx, 1, tm);
    return sec * 1e9 / 4096.0;
}


/*
** ns per weight per sample of family k on an n x n tile, batch B, on 1 and 2 threads; busy:
** with another CPU-bound process running.
*/
static void bench_update(double ns[2], size_t k, size_t n, size_t B, const Timing *tm, bool busy)
{
    Upd b[2];
    for (int th = 0; th < 2; th++)
        update_setup(&b[th], k, n, B, (size_t)th + 1);
    void (*const fn[2])(void *) = {run_update, run_update};
    void *const ctx[2] = {&b[0], &b[1]};
    double sec[2];
    pid_t hog = busy ? busy_start() : 0;
    if (hog < 0)
        fprintf(stderr, "aimci_bench: no busy process (fork failed)\n");
    time_calls(sec, fn, ctx, 2, tm);
    busy_stop(hog);
    for (int th = 0; th < 2; th++) {
        ns[th] = sec[th] * 1e9 / ((double)n * (double)n * (double)B);
        update_free(&b[th]);
    }
}

/* The forward benchmark: y = managed x W^T, or the plain product. */
typedef struct Fwd {
    RtIO *io;
    float *y, *x, *w;
    size_t B, D, X;
} Fwd;

static void run_forward(void *ctx)
{
    Fwd *f = ctx;
    rt_io_forward(f->y, f->io, f->w, f->x, NULL, f->B, NULL);
}

static void run_sgemm(void *ctx)
{
    Fwd *f = ctx;
    rt_matmul_forward(f->y, f->x, f->w, NULL, f->B, f->X, f->D, NULL);
}

/* GFLOP/s of the managed forward and of sgemm, 512 x 512, batch 64. */
static void bench_forward(double *fwd, double *gemm, const Timing *tm)
{
    Fwd f = {.B = 64, .D = 512, .X = 512};
    RtRng r;
    rt_rng_seed(&r, 3, 3);
    f.io = rt_io_new(NULL, NULL, f.D, f.X, f.B, 3, RT_STREAM_IO(0));
    f.y = malloc(f.B * f.D * sizeof *f.y);
    f.x = malloc(f.B * f.X * sizeof *f.x);
    f.w = malloc(f.D * f.X * sizeof *f.w);
    if (!f.io || !f.y || !f.x || !f.w) {
        fprintf(stderr, "aimci_bench: out of memory\n");
        exit(1);
    }
    double a = 1.0 / sqrt((double)f.X);
    uniform(f.w, f.D * f.X, -a, a, &r);
    uniform(f.x, f.B * f.X, -1.0, 1.0, &r);
    double flops = 2.0 * (double)(f.B * f.D * f.X), sec[2];
    void (*const fn[2])(void *) = {run_sgemm, run_forward};
    void *const ctx[2] = {&f, &f};
    time_calls(sec, fn, ctx, 2, tm);
    *gemm = flops / sec[0] * 1e-9;
    *fwd = flops / sec[1] * 1e-9;
    rt_io_free(f.io);
    free(f.y), free(f.x), free(f.w);
}

/* The CPU's model name from /proc/cpuinfo, or "unknown". */
static void cpu_name(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && c) {
            snprintf(buf, n, "%s", c + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    Timing tm = {7, 0.1};
    if (argc > 1 && strcmp(argv[1], "--quick") == 0)
        tm = (Timing){1, 0.02};
    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    printf("# aimci_bench: %s, update kernels: %s, release flags (portable build)\n", cpu,
           rt_kern()->name);
    printf("figure,device,tile,batch,threads,value,unit,reference,ratio\n");
    static const size_t sizes[2] = {256, 512}, batches[2] = {1, 64};
    for (size_t k = 0; k < sizeof families / sizeof *families; k++)
        for (size_t s = 0; s < 2; s++)
            for (size_t bi = 0; bi < 2; bi++) {
                size_t n = sizes[s], B = batches[bi];
                double ns[2];
                bench_update(ns, k, n, B, &tm, false);
                for (size_t th = 1; th <= 2; th++) {
                    printf("update,%s,%zux%zu,%zu,%zu,%.3f,ns/weight/sample,aihwkit %g,%.2f\n",
                           families[k].name, n, n, B, th, ns[th - 1], reference(k, B),
                           reference(k, B) / ns[th - 1]);
                    fflush(stdout);
                }
                double target = n >= 512 ? MIN_SPEEDUP : MIN_RATIO;
                printf("scaling,%s,%zux%zu,%zu,2,%.3f,x 1 thread,target >= %.2f,%.2f\n",
                       families[k].name, n, n, B, ns[0] / ns[1], target, ns[0] / ns[1] / target);
            }
    for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
        double ns[2];
        bench_update(ns, k, 512, 64, &tm, true);
        for (size_t th = 1; th <= 2; th++)
            printf("update_busy,%s,512x512,64,%zu,%.3f,ns/weight/sample,aihwkit %g,%.2f\n",
                   families[k].name, th, ns[th - 1], reference(k, 64), reference(k, 64) / ns[th - 1]);
        printf("scaling_busy,%s,512x512,64,2,%.3f,x 1 thread,target >= %.2f,%.2f\n",
               families[k].name, ns[0] / ns[1], MIN_RATIO, ns[0] / ns[1] / MIN_RATIO);
        fflush(stdout);
    }
    /*
    ** Every pulse draws its own c2c normal (docs/theory.md §2.4, 2.7), so pulses per weight per
    ** sample times the generator's ns per normal bound the update from below.
    */
    double nn = bench_normals(&tm);
    printf("normal,box_muller,-,-,1,%.3f,ns/normal,-,-\n", nn);
    for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
        double p = pulses_per_weight(k, 512, 64);
        printf("pulses,%s,512x512,64,1,%.3f,pulses/weight/sample,-,-\n", families[k].name, p);
        printf("noise_floor,%s,512x512,64,1,%.3f,ns/weight/sample,target 2.5,%.2f\n",
               families[k].name, p * nn, 2.5 / (p * nn));
    }
    double fwd, gemm;
    bench_forward(&fwd, &gemm, &tm);
    printf("forward,analog_io_default,512x512,64,1,%.2f,GFLOP/s,sgemm %.2f,%.3f\n", fwd, gemm,
           fwd / gemm);
    printf("sgemm,plain,512x512,64,1,%.2f,GFLOP/s,-,1\n", gemm);
    double upd[2], stats = bench_cost_stats(0, &tm);
    bench_update(upd, 0, 512, 64, &tm, false);
    printf("cost_stats,%s,512x512,64,1,%.3f,ns/device,update %.1f ns/device/batch,%.4f\n",
           families[0].name, stats, 64.0 * upd[0], stats / (64.0 * upd[0]));
    double cnt[2];
    bench_cost_counting(cnt, 0, &tm);
    printf("cost_counting,%s,512x512,64,1,%.3f,ns/weight/sample,without %.3f,%.4f\n",
           families[0].name, cnt[0], cnt[1], cnt[0] / cnt[1]);
    return 0;
}
