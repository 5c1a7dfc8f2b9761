/*
** test_ckpt.c: checkpoints (runtime/rt_ckpt.h) of every algorithm family: a run stopped
** in the middle of an epoch (or of a run by steps), written, read back and continued ends
** bit for bit where the run that never stopped ends; and every kind of damage to a file is
** refused with a message that names it.
**
** The state compared is everything a checkpoint holds, serialised (rt_ckpt_net: weights,
** persistent weights, pulse counters, every stream, I/O state, algorithm arrays, buffers and
** counters) plus the logs, so any state the checkpoint missed would show as a difference.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algo_fixtures.h"
#include "rt_ckpt.h"
#include "rt_fixtures.h"
#include "rt_stop.h"
#include "rt_train.h"

/* A two-layer analog net on least squares with hidden device state (write noise,
** diffusion), the default analog I/O and a cosine schedule. */
typedef struct Fx {
    IrDevice dev, other[3]; /* other: fast, slow, reference devices of with_devices */
    IrData data;
    IrLayer layer[3];
    IrModel model;
    IrSchedule sched;
    IrOptimizer opt;
    const IrOptimizer *opts[1];
    IrTrain train;
} Fx;

static void setup_fx(Fx *f, IrOptKind kind, bool by_epochs)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    f->dev.name = "sb";
    f->dev.dw_min = 0.01;
    f->dev.w_max = 1.0;
    f->dev.w_min = -1.0;
    f->dev.up_down = 0.2;
    f->dev.write_noise_std = 0.5;
    f->dev.diffusion = 0.001;
    f->data = (IrData){.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 24, .cols = 5,
                       .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.1};
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 5, .out = 4, .on = &f->dev,
                            .bias = true};
    f->layer[1] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 4, .out = 1, .on = &f->dev};
    f->model = (IrModel){.name = "net", .nlayers = 2, .layers = f->layer};
    f->sched = (IrSchedule){.name = "cos", .kind = IR_SCHED_COSINE, .min_factor = 0.1};
    f->opt = fx_optimizer(kind, 0.05);
    f->opt.zero_shift = kind == IR_OPT_RESIDUAL || kind == IR_OPT_RESIDUAL_V2;
    f->opt.zero_shift_pulses = 20;
    f->opts[0] = &f->opt;
    f->train = (IrTrain){.name = "fit", .model = &f->model, .data = &f->data,
                         .loss = IR_LOSS_MSE, .steps = 30, .batch = 4, .log_every = 4,
                         .epochs = by_epochs ? 4 : 0, .schedule = &f->sched, .nopt = 1,
                         .opt = f->opts, .seed = 7};
}

/* Asks to stop after step `at` (a progress callback: as a signal handler would). */
typedef struct Stopper {
    size_t at;
} Stopper;

static void stop_tick(void *ctx, size_t done, size_t total)
{
    (void)total;
    if (done == ((Stopper *)ctx)->at)
        rt_stop_request(SIGINT);
}

/* The serialised state of a net. */
static RtSer net_state(RtNet *n)
{
    RtSer s;
    rt_ser_init_save(&s);
    rt_ckpt_net(&s, n);
    return s;
}

static void assert_same_log(const RtLog *a, const RtLog *b)
{
    cr_assert_eq(a->n, b->n);
    cr_assert_eq(a->nep, b->nep);
    cr_assert_eq(a->narr, b->narr);
    cr_assert(a->n == 0 || memcmp(a->row, b->row, a->n * sizeof *a->row) == 0, "step log differs");
    cr_assert(a->nep == 0 || memcmp(a->ep, b->ep, a->nep * sizeof *a->ep) == 0,
              "epoch log differs");
    for (size_t k = 0; k < a->narr; k++) {
        const RtArrayStat *x = &a->arr[k].s, *y = &b->arr[k].s;
        cr_assert(memcmp(&x->pulses, &y->pulses, 4 * sizeof(double)) == 0 &&
                      memcmp(&x->cnt, &y->cnt, sizeof x->cnt) == 0 &&
                      a->arr[k].step == b->arr[k].step && a->arr[k].layer == b->arr[k].layer,
                  "array statistics row %zu differs", k);
        cr_assert(x->dev == y->dev, "row %zu (%s): the device differs", k, x->name);
    }
}

/* A fresh temporary checkpoint path (its folder is removed by the caller). */
static void temp_path(char *dir, char *path, size_t n)
{
    strcpy(dir, "/tmp/aimci_ckptXXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, n, "%s/fit.ckpt", dir);
}

/*
** Stop kind's run (on `threads`) after step `at`, resume it from its checkpoint on 2 threads,
** compare with a whole run on 1; with_devices: the gradient arrays, W and the references on
** devices of their own. On 2 threads a sigmoid goes between the layers: then the steps run
** the next batch's first layer ahead (rt_net_step_ahead), and a stop waits for such a step.
*/
static void stop_and_resume_on(IrOptKind kind, bool by_epochs, size_t at, bool with_devices,
                               size_t threads)
{
    Fx f;
    setup_fx(&f, kind, by_epochs);
    if (threads > 1) {
        f.layer[2] = f.layer[1];
        f.layer[1] = (IrLayer){.kind = IR_LAYER_SIGMOID};
        f.model.nlayers = 3;
    }
    for (int k = 0; with_devices && k < 3; k++) {
        f.other[k] = f.dev;
        f.other[k].dw_min = 0.005 * (k + 1);
    }
    if (with_devices) {
        f.opt.fast = &f.other[0];
        f.opt.slow = &f.other[1];
        f.opt.reference = &f.other[2];
    }
    char err[256], dir[64], path[96];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    RtLog whole = {0}, part = {0};
    RtNet *nw = NULL, *np = NULL;
    cr_assert_eq(rt_train_run_ckpt(&whole, &nw, &f.train, &f.opt, dt, 1, NULL, NULL, err,
                                   sizeof err), 0, "%s", err);

    temp_path(dir, path, sizeof path);
    Stopper st = {at};
    RtProgress pr = {stop_tick, NULL, &st};
    RtTrainCkpt ck = {.path = path, .id = 42, .every = 0};
    int rc = rt_train_run_ckpt(&part, NULL, &f.train, &f.opt, dt, threads, &pr, &ck, err,
                               sizeof err);
    rt_stop_clear();
    cr_assert_eq(rc, RT_TRAIN_STOPPED, "rc %d: %s", rc, err);
    cr_assert(ck.wrote);
    rt_log_free(&part);

    RtSer in;
    cr_assert_eq(rt_ckpt_read(path, 42, &in, err, sizeof err), 0, "%s", err);
    RtTrainCkpt again = {.path = path, .id = 42, .every = 1, .resume = &in};
    cr_assert_eq(rt_train_run_ckpt(&part, &np, &f.train, &f.opt, dt, 2, NULL, &again, err,
                                   sizeof err), 0, "%s", err);
    size_t per = f.data.rows / f.train.batch;
    size_t stopped = threads > 1 && by_epochs && at % per ? at + 1 : at; /* waited a step */
    cr_assert_eq(again.resumed_at, by_epochs ? stopped / per : stopped);
    assert_same_log(&whole, &part);
    RtSer a = net_state(nw), b = net_state(np);
    cr_assert_eq(a.len, b.len);
    cr_assert(memcmp(a.buf, b.buf, a.len) == 0, "the resumed net's state differs");

    rt_ser_free(&a), rt_ser_free(&b), rt_ser_free(&in);
    rt_log_free(&whole), rt_log_free(&part);
    rt_net_free(nw), rt_net_free(np);
    rt_data_free(dt);
    unlink(path);
    rmdir(dir);
}

static void stop_and_resume(IrOptKind kind, bool by_epochs, size_t at)
{
    stop_and_resume_on(kind, by_epochs, at, false, 1);
}

/* Mid-epoch (step 9 of 6-step epochs) and at an epoch's end (step 12), for every family. */
#define FAMILY(name, kind)                                                                     \
    Test(ckpt, name##_resumes_bit_identical)                                                   \
    {                                                                                          \
        stop_and_resume(kind, true, 9);                                                        \
        stop_and_resume(kind, true, 12);                                                       \
    }
FAMILY(digital_sgd, IR_OPT_DIGITAL_SGD)
FAMILY(analog_sgd, IR_OPT_ANALOG_SGD)
FAMILY(mixed_precision, IR_OPT_MIXED_PRECISION)
FAMILY(tiki_taka, IR_OPT_TIKI_TAKA)
FAMILY(ttv2, IR_OPT_TTV2)
FAMILY(c_ttv2, IR_OPT_C_TTV2)
FAMILY(agad, IR_OPT_AGAD)
FAMILY(residual, IR_OPT_RESIDUAL)
FAMILY(residual_v2, IR_OPT_RESIDUAL_V2)
FAMILY(multi_tile, IR_OPT_MULTI_TILE)
FAMILY(rider, IR_OPT_RIDER)
FAMILY(e_rider, IR_OPT_E_RIDER)

/* The devices of the logged arrays (a pointer each) are those of a run never stopped. */
Test(ckpt, arrays_on_their_own_devices_resume_bit_identical)
{
    stop_and_resume_on(IR_OPT_RESIDUAL, true, 9, true, 1);
    stop_and_resume_on(IR_OPT_MULTI_TILE, true, 9, true, 1);
}

/* A stop asked for while a step runs ahead, mid-epoch and at an epoch's last step. */
Test(ckpt, runs_ahead_on_two_threads_resume_bit_identical)
{
    stop_and_resume_on(IR_OPT_RESIDUAL, true, 9, false, 2);
    stop_and_resume_on(IR_OPT_ANALOG_SGD, true, 11, false, 2);
    stop_and_resume_on(IR_OPT_ANALOG_SGD, true, 12, false, 2);
}

Test(ckpt, runs_by_steps_resume_bit_identical)
{
    stop_and_resume(IR_OPT_RESIDUAL_V2, false, 13);
    stop_and_resume(IR_OPT_AGAD, false, 3);
}

/* Save a small checkpoint at path; returns its bytes (malloc'd) and length. */
static unsigned char *small_ckpt(const char *path, size_t *len)
{
    RtSer s;
    rt_ser_init_save(&s);
    size_t v = 12345;
    double x = 0.25;
    rt_ser_size(&s, RT_CK_POS, &v);
    rt_ser_f64(&s, RT_CK_LR, &x);
    char err[256];
    cr_assert_eq(rt_ckpt_write(path, 99, &s, err, sizeof err), 0, "%s", err);
    rt_ser_free(&s);
    FILE *fp = fopen(path, "rb");
    unsigned char *b = malloc(4096);
    *len = fread(b, 1, 4096, fp);
    fclose(fp);
    return b;
}

static void put_file(const char *path, const unsigned char *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    fwrite(b, 1, n, fp);
    fclose(fp);
}

/* rt_ckpt_read's message for the file; "" when it reads. */
static const char *read_error(const char *path, uint64_t id, char *err, size_t n)
{
    RtSer s;
    err[0] = '\0';
    int rc = rt_ckpt_read(path, id, &s, err, n);
    if (rc == 0)
        rt_ser_free(&s);
    cr_assert(rc == 0 || strstr(err, path), "the message names the file: %s", err);
    return err;
}

Test(ckpt, damaged_files_are_refused_with_the_reason)
{
    char dir[64], path[96], err[512];
    temp_path(dir, path, sizeof path);
    size_t len;
    unsigned char *good = small_ckpt(path, &len), *b = malloc(len);
    cr_assert_str_eq(read_error(path, 99, err, sizeof err), "");

    RtSer s;
    cr_assert_eq(rt_ckpt_read(path, 99, &s, err, sizeof err), 0);
    size_t v = 0;
    double x = 0;
    rt_ser_size(&s, RT_CK_POS, &v);
    rt_ser_f64(&s, RT_CK_LR, &x);
    cr_assert(!s.failed && v == 12345 && x == 0.25 && s.pos == s.len, "round trip");
    rt_ser_free(&s);

    cr_assert(strstr(read_error(path, 98, err, sizeof err), "another script"), "%s", err);
    put_file(path, good, len - 3);
    cr_assert(strstr(read_error(path, 99, err, sizeof err), "truncated"), "%s", err);
    put_file(path, good, 10);
    cr_assert(strstr(read_error(path, 99, err, sizeof err), "truncated: 10 bytes"), "%s", err);
    for (size_t k = 0; k < len; k++) { /* every byte flipped: never read as it was */
        memcpy(b, good, len);
        b[k] ^= 0x10;
        put_file(path, b, len);
        cr_assert_str_neq(read_error(path, 99, err, sizeof err), "", "byte %zu flipped", k);
    }
    memcpy(b, good, len);
    b[0] = 'X';
    put_file(path, b, len);
    cr_assert(strstr(read_error(path, 99, err, sizeof err), "not an aimci checkpoint"), "%s",
              err);
    memcpy(b, good, len);
    b[RT_CKPT_HEADER + 20] ^= 1;
    put_file(path, b, len);
    cr_assert(strstr(read_error(path, 99, err, sizeof err), "checksum of its contents"), "%s",
              err);
    unlink(path);
    RtSer none;
    cr_assert_eq(rt_ckpt_read(path, 99, &none, err, sizeof err), 1, "no file: 1");
    free(good), free(b);
    rmdir(dir);
}

Test(ckpt, a_record_of_another_shape_is_refused)
{
    RtSer s;
    rt_ser_init_save(&s);
    float w[4] = {1, 2, 3, 4}, r[3];
    rt_ser_bytes(&s, RT_CK_WEIGHTS, w, sizeof w);
    RtSer in = {.load = true, .buf = s.buf, .len = s.len};
    rt_ser_bytes(&in, RT_CK_WEIGHTS, r, sizeof r);
    cr_assert(in.failed && strstr(in.msg, "another shape"), "%s", in.msg);
    in = (RtSer){.load = true, .buf = s.buf, .len = s.len};
    rt_ser_bytes(&in, RT_CK_BIAS, r, sizeof r);
    cr_assert(in.failed && strstr(in.msg, "'BIAS'"), "%s", in.msg);
    rt_ser_free(&s);
}

/* A resumed run draws its devices again from its seed: other devices are refused. */
Test(ckpt, other_devices_are_refused)
{
    Fx f;
    setup_fx(&f, IR_OPT_RESIDUAL, true);
    char err[256], dir[64], path[96];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    temp_path(dir, path, sizeof path);
    Stopper st = {3};
    RtProgress pr = {stop_tick, NULL, &st};
    RtTrainCkpt ck = {.path = path, .id = 5};
    RtLog log = {0};
    int rc = rt_train_run_ckpt(&log, NULL, &f.train, &f.opt, dt, 1, &pr, &ck, err, sizeof err);
    rt_stop_clear();
    cr_assert_eq(rc, RT_TRAIN_STOPPED, "%s", err);
    rt_log_free(&log);
    RtSer in;
    cr_assert_eq(rt_ckpt_read(path, 5, &in, err, sizeof err), 0, "%s", err);
    f.dev.w_max_dtod = 0.2; /* other bounds of every cell */
    RtTrainCkpt again = {.path = path, .id = 5, .resume = &in};
    rc = rt_train_run_ckpt(&log, NULL, &f.train, &f.opt, dt, 1, NULL, &again, err, sizeof err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(err, path) && strstr(err, "devices drawn from the seed"), "%s", err);
    rt_ser_free(&in);
    rt_log_free(&log);
    rt_data_free(dt);
    unlink(path);
    rmdir(dir);
}
