/*
** test_net_eval.c: analog evaluation of a net (rt_net.h: rt_net_eval_io_open,
** rt_net_eval_analog) and a train's test_io (rt_train.h).
**
** A perfect I/O is the exact product: its evaluation equals the digital one bit for bit.
** With only Gaussian output noise of std sigma (no converters, no noise or bound
** management), an output is y + sigma xi, so the statistics of the noisy evaluations follow
** from the digital outputs alone:
**   mse: per repetition f = f_dig + (1/(N D)) sum e xi sigma + (sigma^2/(2 N D)) sum xi^2 with
**        e = y - t, so E f = f_dig + sigma^2/2 and
**        Var f = sigma^2 (2 f_dig)/(N D) + sigma^4/(2 N D);
**   accuracy of 2 outputs labelled by the digital winner: row i stays right with probability
**        p_i = Phi(|y_i1 - y_i0| / (sigma sqrt 2)), so E acc = mean p_i < 1 and
**        Var acc = sum p_i (1 - p_i) / N^2.
** The tests take K repetitions: the mean must lie within 4 standard errors (sqrt(Var/K)) of
** its expectation, and the sample std within 30% of sqrt(Var) (the relative std of a sample
** std of K normal values is about 1/sqrt(2(K-1)), 0.071 for K = 100: 30% is 4 of them).
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_data.h"
#include "rt_fixtures.h"
#include "rt_net.h"
#include "rt_train.h"

#define N 200 /* rows evaluated */
#define K 100 /* noisy repetitions */

/* An io with Gaussian output noise sigma and nothing else (y = W x + sigma xi exactly). */
static IrIO noise_only(double sigma)
{
    IrIO io = *rt_io_default();
    io.name = "noise";
    io.inp_res = 0.0, io.out_res = 0.0, io.out_bound = 1e6, io.inp_bound = 1.0;
    io.noise_management = IR_NM_NONE, io.bound_management = IR_BM_NONE;
    io.out_noise = sigma;
    return io;
}

/* A model dense(in, hid) -> sigmoid -> dense(hid, out), both layers on dev. */
typedef struct Model {
    IrDevice dev;
    IrLayer layer[3];
    IrModel m;
} Model;

static void two_layers(Model *f, size_t in, size_t hid, size_t out, bool bias)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = in, .out = hid, .on = &f->dev,
                            .bias = bias};
    f->layer[1] = (IrLayer){.kind = IR_LAYER_SIGMOID};
    f->layer[2] = (IrLayer){.kind = IR_LAYER_DENSE, .in = hid, .out = out, .on = &f->dev,
                            .bias = bias};
    f->m = (IrModel){.name = "m", .nlayers = 3, .layers = f->layer};
}

/* Inputs uniform in [-1, 1] (inside the DAC's range). */
static float *inputs(size_t n, RtRng *r)
{
    float *x = malloc(n * sizeof *x);
    for (size_t k = 0; k < n; k++)
        x[k] = (float)(2.0 * rt_rng_uniform(r) - 1.0);
    return x;
}

static void perfect_equals_digital(bool analog)
{
    Model f;
    two_layers(&f, 12, 8, 3, true);
    char err[256];
    RtNet *net = rt_net_new(&f.m, analog, false, 7, 64, err, sizeof err);
    cr_assert_not_null(net, "%s", err);
    RtRng r;
    rt_rng_seed(&r, 3, 99);
    float *x = inputs(N * 12, &r), *t = rand_matrix(N * 3, &r);
    int32_t label[N];
    for (size_t i = 0; i < N; i++)
        label[i] = (int32_t)(i % 3);
    IrIO perfect = *rt_io_default();
    perfect.family = IR_IO_PERFECT;
    cr_assert_eq(rt_net_eval_io_open(net, &f.m, &perfect, 7), 0);
    for (int l = 0; l < 2; l++) {
        IrLoss loss = l ? IR_LOSS_CROSS_ENTROPY : IR_LOSS_MSE;
        size_t hits = 0;
        double dig = rt_net_eval(net, loss, x, t, label, N, &hits);
        double each[3], acc[3];
        RtEvalStat st = rt_net_eval_analog(net, loss, x, t, label, N, 3, each, acc);
        for (int k = 0; k < 3; k++) {
            cr_expect_eq(each[k], dig, "loss %d rep %d: %.17g vs %.17g", l, k, each[k], dig);
            cr_expect_eq(acc[k], (double)hits / N);
        }
        cr_expect_eq(st.loss, dig);
        cr_expect_eq(st.loss_std, 0.0);
        cr_expect_eq(st.acc, (double)hits / N);
    }
    free(x), free(t);
    rt_net_free(net);
}

/* The analog tiles of an analog_sgd run, and a digital_sgd run's weights read through it. */
Test(net_eval, perfect_io_equals_the_digital_pass_exactly)
{
    perfect_equals_digital(true);
    perfect_equals_digital(false);
}

/* half_mse = (1/2ND) sum of squares: output noise sigma adds sigma^2/2 on average */
Test(net_eval, output_noise_raises_the_mse_by_half_sigma_squared)
{
    const size_t in = 10, D = 4;
    const double sigma = 0.05;
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    IrLayer layer = {.kind = IR_LAYER_DENSE, .in = in, .out = D, .on = &dev};
    IrModel m = {.name = "lin", .nlayers = 1, .layers = &layer};
    char err[256];
    RtNet *net = rt_net_new(&m, true, false, 11, 64, err, sizeof err);
    cr_assert_not_null(net, "%s", err);
    RtRng r;
    rt_rng_seed(&r, 5, 99);
    float *x = inputs(N * in, &r), *t = rand_matrix(N * D, &r);
    IrIO io = noise_only(sigma);
    cr_assert_eq(rt_net_eval_io_open(net, &m, &io, 11), 0);
    double f = rt_net_eval(net, IR_LOSS_HALF_MSE, x, t, NULL, N, NULL);
    double each[K];
    RtEvalStat st = rt_net_eval_analog(net, IR_LOSS_HALF_MSE, x, t, NULL, N, K, each, NULL);
    double nd = (double)(N * D), s2 = sigma * sigma;
    double var = s2 * 2.0 * f / nd + s2 * s2 / (2.0 * nd);
    cr_expect_lt(fabs(st.loss - (f + s2 / 2.0)), 4.0 * sqrt(var / K),
                 "mean %.9g, expected %.9g +- %.3g", st.loss, f + s2 / 2.0, 4.0 * sqrt(var / K));
    cr_expect_lt(fabs(st.loss_std / sqrt(var) - 1.0), 0.3, "std %.4g, expected %.4g",
                 st.loss_std, sqrt(var));
    cr_expect_eq(st.loss, fx_mean(each, K));
    cr_expect(isnan(st.acc), "no labels, no accuracy");
    free(x), free(t);
    rt_net_free(net);
}

Test(net_eval, output_noise_lowers_the_accuracy_as_the_margins_predict)
{
    const size_t in = 10;
    const double sigma = 0.1;
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    IrLayer layer = {.kind = IR_LAYER_DENSE, .in = in, .out = 2, .on = &dev};
    IrModel m = {.name = "lin", .nlayers = 1, .layers = &layer};
    char err[256];
    RtNet *net = rt_net_new(&m, true, false, 13, 64, err, sizeof err);
    cr_assert_not_null(net, "%s", err);
    RtRng r;
    rt_rng_seed(&r, 6, 99);
    float *x = inputs(N * in, &r);
    /* Labels: the digital winner (the product in double), so the digital accuracy is 1. */
    int32_t label[N];
    double p[N], pmean = 0.0, pvar = 0.0;
    for (size_t i = 0; i < N; i++) {
        float out[2];
        const float *w = net->layer[0].w, *xi = x + i * in;
        for (size_t o = 0; o < 2; o++) {
            double s = 0.0;
            for (size_t c = 0; c < in; c++)
                s += (double)w[o * in + c] * (double)xi[c];
            out[o] = (float)s;
        }
        label[i] = out[1] > out[0];
        p[i] = 0.5 * erfc(-(fabs((double)out[1] - out[0]) / (sigma * sqrt(2.0))) / sqrt(2.0));
        pmean += p[i] / N;
        pvar += p[i] * (1.0 - p[i]) / ((double)N * N);
    }
    size_t hits = 0;
    rt_net_eval(net, IR_LOSS_CROSS_ENTROPY, x, NULL, label, N, &hits);
    cr_assert_eq(hits, (size_t)N, "the labels are the digital winners");
    IrIO io = noise_only(sigma);
    cr_assert_eq(rt_net_eval_io_open(net, &m, &io, 13), 0);
    RtEvalStat st = rt_net_eval_analog(net, IR_LOSS_CROSS_ENTROPY, x, NULL, label, N, K, NULL,
                                       NULL);
    cr_expect_lt(st.acc, 1.0);
    cr_log_info("acc %.5f +- %.5f, expected %.5f +- %.5f", st.acc, st.acc_std, pmean, sqrt(pvar));
    cr_expect_lt(fabs(st.acc - pmean), 4.0 * sqrt(pvar / K), "acc %.5f, expected %.5f +- %.3g",
                 st.acc, pmean, 4.0 * sqrt(pvar / K));
    cr_expect_lt(fabs(st.acc_std / sqrt(pvar) - 1.0), 0.3, "std %.4g, expected %.4g",
                 st.acc_std, sqrt(pvar));
    free(x);
    rt_net_free(net);
}

/* The evaluations draw from their own streams: a run logs the same losses with test_io. */
Test(net_eval, test_io_leaves_the_training_unchanged)
{
    IrDevice dev = fx_device(IR_DEV_SOFT_BOUNDS);
    IrData data = {.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 30, .cols = 6,
                   .sigma_a = 1.0, .sigma_w = 0.3, .noise = 0.1};
    IrLayer layer = {.kind = IR_LAYER_DENSE, .in = 6, .out = 1, .on = &dev};
    IrModel m = {.name = "lin", .nlayers = 1, .layers = &layer};
    IrOptimizer o = {.name = "asgd", .kind = IR_OPT_ANALOG_SGD, .lr = 0.05, .update = fx_update()};
    const IrOptimizer *opts[1] = {&o};
    IrTrain t = {.name = "fit", .model = &m, .data = &data, .loss = IR_LOSS_MSE, .steps = 60,
                 .batch = 1, .log_every = 20, .nopt = 1, .opt = opts, .seed = 4};
    char err[256];
    RtData *dt = rt_data_new(&data, 4, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    RtLog plain = {0}, with = {0};
    cr_assert_eq(rt_train_run(&plain, NULL, &t, &o, dt, err, sizeof err), 0, "%s", err);
    IrIO io = noise_only(0.05);
    t.test_io = &io;
    t.test_repeat = 4;
    cr_assert_eq(rt_train_run(&with, NULL, &t, &o, dt, err, sizeof err), 0, "%s", err);
    cr_assert_eq(plain.n, with.n);
    for (size_t k = 0; k < plain.n; k++) {
        cr_expect_eq(plain.row[k].loss, with.row[k].loss, "row %zu", k);
        cr_expect(isnan(plain.row[k].loss_analog));
        cr_expect(isfinite(with.row[k].loss_analog) && with.row[k].loss_analog_std > 0.0);
    }
    rt_log_free(&plain);
    rt_log_free(&with);
    rt_data_free(dt);
}
