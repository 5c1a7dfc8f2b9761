/*
** test_train.c: whole training runs at the runtime level (IR built by hand).
**
** The quickstart setting (examples/quickstart.aimc): least squares 100 x 50, sigma_a 1,
** sigma_w 0.3, noise 0.1, seed 1; dense 50 -> 1 without bias on a soft_bounds device
** (dw_min 1e-3, bounds +-1, up_down 0.2, other parameters at aihwkit defaults); lr 0.01,
** batch 1, 20000 steps. Digital SGD must end within 2x f*; Analog SGD stays above 20x f*
** (the asymmetric device drags W towards its symmetric point; an independent simulation
** gave about 1.4x and 170x).
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo_fixtures.h"
#include "rt_fixtures.h"
#include "rt_train.h"

/* Everything one hand-built train needs, with stable addresses. */
typedef struct Fx {
    IrDevice dev;
    IrData data;
    IrLayer layer[2];
    IrModel model;
    IrOptimizer sgd, analog;
    const IrOptimizer *opts[2];
    IrTrain train;
} Fx;

static void quickstart(Fx *f)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    f->dev.name = "sb";
    f->dev.w_max = 1.0;
    f->dev.w_min = -1.0;
    f->dev.up_down = 0.2;
    f->data = (IrData){.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 100, .cols = 50,
                       .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.1};
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 50, .out = 1, .on = &f->dev};
    f->model = (IrModel){.name = "lin", .nlayers = 1, .layers = f->layer};
    f->sgd = (IrOptimizer){.name = "sgd", .kind = IR_OPT_DIGITAL_SGD, .lr = 0.01,
                           .update = fx_update()};
    f->analog = f->sgd;
    f->analog.name = "analog";
    f->analog.kind = IR_OPT_ANALOG_SGD;
    f->opts[0] = &f->sgd;
    f->opts[1] = &f->analog;
    f->train = (IrTrain){.name = "quick", .model = &f->model, .data = &f->data,
                         .loss = IR_LOSS_HALF_MSE, .steps = 20000, .batch = 1, .log_every = 1000,
                         .nopt = 2, .opt = f->opts, .seed = 1};
}

/* Run one optimizer; the log is returned, the net freed unless wanted. */
static int run(RtLog *log, RtNet **net, const Fx *f, const IrOptimizer *o, const RtData *dt,
               char *err)
{
    memset(log, 0, sizeof *log);
    return rt_train_run(log, net, &f->train, o, dt, err, 256);
}

Test(train, quickstart_digital_converges_and_analog_is_biased)
{
    Fx f;
    quickstart(&f);
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog ls, la;
    cr_assert_eq(run(&ls, NULL, &f, &f.sgd, dt, err), 0, "%s", err);
    cr_assert_eq(run(&la, NULL, &f, &f.analog, dt, err), 0, "%s", err);
    double rs = ls.row[ls.n - 1].loss / dt->f_star, ra = la.row[la.n - 1].loss / dt->f_star;
    fprintf(stderr, "quickstart: f* %.6g; digital loss/f* %.4g (|W-w*| %.4g), "
            "analog loss/f* %.4g (|W-w*| %.4g)\n", dt->f_star, rs, ls.row[ls.n - 1].dist, ra,
            la.row[la.n - 1].dist);
    cr_assert_eq(ls.n, 21); /* steps 0, 1000, ..., 20000 */
    cr_assert_eq(ls.row[20].step, 20000);
    cr_assert_eq(ls.row[0].loss, la.row[0].loss, "same data and initial weights");
    cr_assert_lt(rs, 2.0);
    cr_assert_gt(ra, 20.0);
    cr_assert_geq(rs, 1.0 - 1e-6, "f* is the minimum");
    rt_log_free(&ls), rt_log_free(&la);
    rt_data_free(dt);
}

/* Two identical runs: identical logs and weights, bit for bit. */
Test(train, runs_are_bit_identical)
{
    Fx f;
    quickstart(&f);
    f.train.steps = 3000;
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog a, b;
    RtNet *na, *nb;
    cr_assert_eq(run(&a, &na, &f, &f.analog, dt, err), 0);
    cr_assert_eq(run(&b, &nb, &f, &f.analog, dt, err), 0);
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(memcmp(a.row, b.row, a.n * sizeof *a.row), 0);
    cr_assert_eq(memcmp(na->layer[0].w, nb->layer[0].w, 50 * sizeof(float)), 0);
    rt_log_free(&a), rt_log_free(&b);
    rt_net_free(na), rt_net_free(nb);
    rt_data_free(dt);
}

/*
** The thread count of a run changes nothing: a two-layer analog model (50 -> 64 -> 1, both
** on the asymmetric soft_bounds device with write noise), batch 24, so that the first
** layer's updates (64 x 50 x 24) run on the pool; 1, 2 and 3 threads give bit-identical logs,
** weights (visible and persistent) and pulse-driven losses.
*/
Test(train, thread_count_does_not_change_a_run)
{
    Fx f;
    quickstart(&f);
    f.dev.write_noise_std = 1.0;
    f.layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 50, .out = 64, .on = &f.dev};
    f.layer[1] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 64, .out = 1, .on = &f.dev};
    f.model.nlayers = 2;
    f.train.steps = 300, f.train.batch = 24, f.train.log_every = 50;
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog log[3];
    RtNet *net[3];
    for (size_t th = 1; th <= 3; th++) {
        memset(&log[th - 1], 0, sizeof log[0]);
        cr_assert_eq(rt_train_run_threads(&log[th - 1], &net[th - 1], &f.train, &f.analog, dt, th,
                                          err, sizeof err),
                     0, "%s", err);
    }
    cr_assert_eq(log[0].n, 7);
    cr_assert(isfinite(log[0].row[6].loss) && log[0].row[6].loss != log[0].row[0].loss);
    for (int k = 1; k < 3; k++) {
        cr_assert_eq(log[k].n, log[0].n);
        cr_assert_eq(memcmp(log[k].row, log[0].row, log[0].n * sizeof *log[0].row), 0,
                     "%d threads: another log", k + 1);
        for (size_t l = 0; l < 2; l++) {
            const RtTile *a = net[0]->layer[l].tile, *b = net[k]->layer[l].tile;
            size_t n = a->D * a->X;
            cr_assert_eq(memcmp(a->w, b->w, n * sizeof(float)), 0, "layer %zu", l);
            cr_assert_eq(memcmp(a->wp, b->wp, n * sizeof(float)), 0, "layer %zu", l);
        }
    }
    for (int k = 0; k < 3; k++) {
        rt_log_free(&log[k]);
        rt_net_free(net[k]);
    }
    rt_data_free(dt);
}

/* The logged distance is ||W - w_star|| of the final weights. */
Test(train, logged_distance_is_that_of_the_final_weights)
{
    Fx f;
    quickstart(&f);
    f.train.steps = 500;
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog log;
    RtNet *net;
    cr_assert_eq(run(&log, &net, &f, &f.analog, dt, err), 0);
    double s = 0.0;
    for (size_t c = 0; c < 50; c++)
        s += (net->layer[0].w[c] - dt->w_star[c]) * (net->layer[0].w[c] - dt->w_star[c]);
    cr_assert_float_eq(log.row[log.n - 1].dist, sqrt(s), 1e-12 * sqrt(s));
    double w[50];
    for (size_t c = 0; c < 50; c++)
        w[c] = net->layer[0].w[c];
    cr_assert_float_eq(log.row[log.n - 1].loss, rt_data_ls_loss(dt, w), 1e-5 * dt->f_star);
    rt_log_free(&log);
    rt_net_free(net);
    rt_data_free(dt);
}

/* Logged at 0, every log_every steps and at the last step; log_every 0: first and last. */
Test(train, log_schedule)
{
    Fx f;
    quickstart(&f);
    f.train.steps = 10;
    f.train.log_every = 3;
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog log;
    cr_assert_eq(run(&log, NULL, &f, &f.sgd, dt, err), 0);
    size_t want[] = {0, 3, 6, 9, 10};
    cr_assert_eq(log.n, 5);
    for (size_t k = 0; k < 5; k++)
        cr_assert_eq(log.row[k].step, want[k]);
    rt_log_free(&log);
    f.train.log_every = 0;
    cr_assert_eq(run(&log, NULL, &f, &f.sgd, dt, err), 0);
    cr_assert_eq(log.n, 2);
    cr_assert_eq(log.row[1].step, 10);
    rt_log_free(&log);
    rt_data_free(dt);
}

/* lr 10 with |a|^2 ~ 50: each step multiplies the error by ~ -(10*50 - 1): diverges. */
Test(train, divergence_stops_with_an_error_and_keeps_the_log)
{
    Fx f;
    quickstart(&f);
    f.sgd.lr = 10.0;
    f.train.log_every = 1;
    char err[256] = "";
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog log;
    cr_assert_eq(run(&log, NULL, &f, &f.sgd, dt, err), 1);
    cr_assert_neq(strstr(err, "diverged at step"), NULL, "%s", err);
    cr_assert_geq(log.n, 2);
    cr_assert_lt(log.n, 1000);
    for (size_t k = 0; k < log.n; k++)
        cr_assert(isfinite(log.row[k].loss));
    cr_assert_gt(log.row[log.n - 1].loss, log.row[0].loss);
    rt_log_free(&log);
    rt_data_free(dt);
}

Test(train, model_that_does_not_fit_the_data_is_an_error)
{
    Fx f;
    quickstart(&f);
    f.layer[0].in = 49;
    char err[256] = "";
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog log;
    cr_assert_eq(run(&log, NULL, &f, &f.sgd, dt, err), 1);
    cr_assert_neq(strstr(err, "49 inputs"), NULL, "%s", err);
    cr_assert_eq(log.n, 0);
    rt_data_free(dt);
}

/* The pulses on array `name` of layer 0 at each logged step, into out (at most cap). */
static size_t array_pulses(const RtLog *log, const char *name, double *out, size_t cap)
{
    size_t m = 0;
    for (size_t k = 0; k < log->narr && m < cap; k++)
        if (log->arr[k].layer == 0 && strcmp(log->arr[k].s.name, name) == 0)
            out[m++] = log->arr[k].s.pulses;
    return m;
}

/*
** A step schedule of factor 0.1 from the second epoch (100 rows, batch 10: steps 11-20) on
** residual with gamma 0 and transfer_lr 0: W never changes and the network sees W alone, so
** P receives the same gradients, and at its unscheduled rate (aihwkit's absolute fast_lr)
** the same pulses, as without the schedule. The SGD rate of the digital parameters is lr
** 0.1; analog_sgd's gradient rate follows it.
*/
Test(train, schedule_leaves_the_residual_array_rate_alone)
{
    Fx f;
    quickstart(&f);
    f.train.steps = 20;
    f.train.batch = 10;
    f.train.log_every = 10;
    IrOptimizer rl = fx_optimizer(IR_OPT_RESIDUAL, 0.01);
    rl.gamma = 0.0;
    rl.transfer_lr = 0.0;
    IrSchedule tenth = {.name = "tenth", .kind = IR_SCHED_STEP, .every = 1, .factor = 0.1};
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog plain, sched;
    RtNet *net;
    cr_assert_eq(run(&plain, NULL, &f, &rl, dt, err), 0, "%s", err);
    f.train.schedule = &tenth;
    cr_assert_eq(run(&sched, &net, &f, &rl, dt, err), 0, "%s", err);
    double p0[4], p1[4], w1[4];
    size_t n = array_pulses(&plain, "P", p0, 4);
    cr_assert_eq(n, 3, "logged at steps 0, 10, 20");
    cr_assert_eq(array_pulses(&sched, "P", p1, 4), n);
    cr_assert_eq(array_pulses(&sched, "W", w1, 4), n);
    cr_assert_gt(p0[2], p0[1], "P keeps learning in the second epoch");
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(p1[k], p0[k], "log %zu: %g pulses on P, %g without the schedule", k,
                     p1[k], p0[k]);
        cr_assert_eq(w1[k], 0.0, "W takes no transfer at transfer_lr 0");
    }
    cr_assert_float_eq(net->opt.lr, 0.001, 1e-15, "digital parameters: the SGD rate");
    cr_assert_eq(net->layer[0].algo->lr_g, 0.01);
    rt_net_free(net);
    rt_log_free(&sched);
    f.analog.lr = 0.01;
    cr_assert_eq(run(&sched, &net, &f, &f.analog, dt, err), 0, "%s", err);
    cr_assert_float_eq(net->layer[0].algo->lr_g, 0.001, 1e-15);
    rt_net_free(net);
    rt_log_free(&plain), rt_log_free(&sched);
    rt_data_free(dt);
}

/*
** analog_sgd on an ideal device with perfect I/O (analog layers default to the noisy I/O of
** Table 4) is the exact floating-point update: it follows digital SGD up to float rounding
** (one rounding per weight per step, in a different order), far below the 1e-4 relative
** tolerance over 2000 contracting steps.
*/
Test(train, analog_sgd_on_an_ideal_device_tracks_digital_sgd)
{
    Fx f;
    quickstart(&f);
    f.dev = fx_device(IR_DEV_IDEAL);
    IrIO perfect = {.name = "exact", .family = IR_IO_PERFECT, .out_scale = 1.0};
    f.layer[0].forward = f.layer[0].backward = &perfect;
    f.train.steps = 2000;
    f.train.log_every = 100;
    char err[256];
    RtData *dt = rt_data_new(&f.data, f.train.seed, err, sizeof err);
    RtLog ls, la;
    cr_assert_eq(run(&ls, NULL, &f, &f.sgd, dt, err), 0);
    cr_assert_eq(run(&la, NULL, &f, &f.analog, dt, err), 0);
    cr_assert_eq(ls.n, la.n);
    for (size_t k = 0; k < ls.n; k++)
        cr_assert_float_eq(la.row[k].loss, ls.row[k].loss, 1e-4 * ls.row[k].loss);
    rt_log_free(&ls), rt_log_free(&la);
    rt_data_free(dt);
}

/*
** Backward of a two-layer net with biases against central differences of the batch loss.
** The loss is quadratic in each single parameter, so the central difference is exact up to
** the float rounding of the loss (~1e-7 relative / h); tolerance 1e-3 relative + 1e-5.
*/
Test(train, backward_matches_finite_differences)
{
    IrLayer L[2] = {{.kind = IR_LAYER_DENSE, .in = 4, .out = 3, .bias = true},
                    {.kind = IR_LAYER_DENSE, .in = 3, .out = 2, .bias = true}};
    IrModel m = {.name = "two", .nlayers = 2, .layers = L};
    char err[256];
    RtNet *n = rt_net_new(&m, false, false, 3, 5, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    float x[5 * 4], t[5 * 2];
    RtRng r;
    rt_rng_seed(&r, 4, 0);
    for (size_t k = 0; k < 20; k++)
        x[k] = (float)rt_rng_normal(&r);
    for (size_t k = 0; k < 10; k++)
        t[k] = (float)rt_rng_normal(&r);
    rt_net_forward(n, x, 5);
    rt_net_mse(n, t, 5);
    rt_net_backward(n, 5);
    float *params[4] = {n->layer[0].w, n->layer[0].b, n->layer[1].w, n->layer[1].b};
    float *grads[4] = {n->layer[0].gw, n->layer[0].gb, n->layer[1].gw, n->layer[1].gb};
    size_t sizes[4] = {12, 3, 6, 2};
    float h = 1e-2f;
    for (int p = 0; p < 4; p++)
        for (size_t k = 0; k < sizes[p]; k++) {
            float keep = params[p][k];
            params[p][k] = keep + h;
            rt_net_forward(n, x, 5);
            double up = rt_net_mse(n, t, 5);
            params[p][k] = keep - h;
            rt_net_forward(n, x, 5);
            double down = rt_net_mse(n, t, 5);
            params[p][k] = keep;
            double fd = (up - down) / (2.0 * h);
            cr_assert_float_eq(grads[p][k], fd, 1e-3 * fabs(fd) + 1e-5, "param %d[%zu]", p, k);
        }
    rt_net_free(n);
}

/*
** The same check through analog layers (ideal devices and perfect I/O, so the tiles hold
** plain weights and multiply exactly): the tile backward feeds layer 0's output gradient,
** seen here through both bias gradients.
*/
Test(train, tile_backward_matches_finite_differences)
{
    IrDevice ideal = fx_device(IR_DEV_IDEAL);
    IrIO pf = {.name = "exact", .family = IR_IO_PERFECT, .out_scale = 1.0};
    IrLayer L[2] = {{.kind = IR_LAYER_DENSE, .in = 4, .out = 3, .bias = true, .on = &ideal,
                     .forward = &pf, .backward = &pf},
                    {.kind = IR_LAYER_DENSE, .in = 3, .out = 2, .bias = true, .on = &ideal,
                     .forward = &pf, .backward = &pf}};
    IrModel m = {.name = "two", .nlayers = 2, .layers = L};
    char err[256];
    RtNet *n = rt_net_new(&m, true, false, 3, 5, err, sizeof err);
    cr_assert_not_null(n->layer[0].tile);
    cr_assert_null(n->layer[0].gw);
    float x[5 * 4], t[5 * 2];
    RtRng r;
    rt_rng_seed(&r, 5, 0);
    for (size_t k = 0; k < 20; k++)
        x[k] = (float)rt_rng_normal(&r);
    for (size_t k = 0; k < 10; k++)
        t[k] = (float)rt_rng_normal(&r);
    rt_net_forward(n, x, 5);
    rt_net_mse(n, t, 5);
    rt_net_backward(n, 5);
    float h = 1e-2f;
    for (size_t l = 0; l < 2; l++)
        for (size_t k = 0; k < n->layer[l].out; k++) {
            float *b = &n->layer[l].b[k], keep = *b;
            *b = keep + h;
            rt_net_forward(n, x, 5);
            double up = rt_net_mse(n, t, 5);
            *b = keep - h;
            rt_net_forward(n, x, 5);
            double down = rt_net_mse(n, t, 5);
            *b = keep;
            double fd = (up - down) / (2.0 * h);
            cr_assert_float_eq(n->layer[l].gb[k], fd, 1e-3 * fabs(fd) + 1e-5, "b%zu[%zu]", l, k);
        }
    rt_net_free(n);
}
