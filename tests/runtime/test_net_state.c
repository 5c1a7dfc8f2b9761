/*
** test_net_state.c: a net's weights and device state saved and loaded (runtime/rt_net_state.c):
** a trained state loaded into a net drawn from another seed is that state again, array for
** array and bit for bit, for every family of algorithm arrays; a file loaded for an evaluation
** (rt_net_load_file, no algorithm) computes what the trained net computed; a file for another
** model, or with output scales the model lacks, is an error naming the file, the array and
** the layer.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algo_fixtures.h"
#include "rt_algo.h"
#include "rt_fixtures.h"
#include "rt_net_state.h"
#include "rt_train.h"

TestSuite(net_state);

typedef struct Fx {
    IrDevice dev;
    IrData data;
    IrLayer layer[3];
    IrModel model;
    IrOptimizer opt;
    const IrOptimizer *opts[1];
    IrTrain train;
} Fx;

/* dense(3, 4) on a soft_bounds device with write noise, tanh, dense(4, 2) digital. */
static void setup(Fx *f, IrOptKind kind, bool zero_shift)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    f->dev.write_noise_std = 1.0;
    f->data = (IrData){.name = "ls", .kind = IR_DATA_LEAST_SQUARES, .rows = 20, .cols = 3,
                       .outputs = 2, .sigma_a = 1.0, .sigma_w = 0.3};
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 3, .out = 4, .bias = true,
                            .on = &f->dev, .learn_out_scaling = true,
                            .weight_scaling_columnwise = true};
    f->layer[1] = (IrLayer){.kind = IR_LAYER_TANH};
    f->layer[2] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 4, .out = 2, .bias = true};
    f->model = (IrModel){.name = "m", .nlayers = 3, .layers = f->layer};
    f->opt = fx_optimizer(kind, 0.05);
    f->opt.zero_shift = zero_shift;
    f->opts[0] = &f->opt;
    f->train = (IrTrain){.name = "t", .model = &f->model, .data = &f->data,
                         .loss = IR_LOSS_MSE, .steps = 30, .batch = 2, .log_every = 10,
                         .nopt = 1, .opt = f->opts, .seed = 3};
}

/* The archive bytes of a net's state. */
static unsigned char *state_of(RtNet *n, const IrModel *m, size_t *len)
{
    RtNpz z = {0};
    char err[256];
    cr_assert_eq(rt_net_state_save(&z, n, m, err, sizeof err), 0, "%s", err);
    unsigned char *b;
    cr_assert_eq(rt_npz_encode(&z, &b, len, err, sizeof err), 0, "%s", err);
    rt_npz_free(&z);
    return b;
}

/* Train, save, load into a net of another seed, save again: the same archive. */
static void round_trip(IrOptKind kind, bool zero_shift, const char *must_hold)
{
    Fx f;
    setup(&f, kind, zero_shift);
    char err[256];
    RtData *dt = rt_data_new(&f.data, 3, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    RtLog log = {0};
    RtNet *net = NULL;
    cr_assert_eq(rt_train_run(&log, &net, &f.train, &f.opt, dt, err, sizeof err), 0, "%s", err);
    size_t len, len2;
    unsigned char *saved = state_of(net, &f.model, &len);
    RtNpz z;
    cr_assert_eq(rt_npz_decode(&z, saved, len, "t.npz", err, sizeof err), 0, "%s", err);
    cr_assert_not_null(rt_npz_find(&z, must_hold), "the file holds %s", must_hold);

    RtNet *fresh = rt_net_new(&f.model, kind != IR_OPT_DIGITAL_SGD, true, 99, 8, err, sizeof err);
    cr_assert_not_null(fresh, "%s", err);
    cr_assert_eq(rt_net_load_weights(fresh, &f.model, &z, "t.npz", err, sizeof err), 0, "%s",
                 err);
    fresh->opt = f.opt;
    cr_assert_eq(rt_algo_attach(fresh, &f.model, &fresh->opt, 99, err, sizeof err), 0);
    cr_assert_eq(rt_net_load_state(fresh, &f.model, &z, "t.npz", err, sizeof err), 0, "%s", err);
    unsigned char *again = state_of(fresh, &f.model, &len2);
    cr_assert(len == len2 && memcmp(saved, again, len) == 0,
              "the loaded state saves to the same bytes (%zu and %zu)", len, len2);
    /* and computes the same function: the visible weights of every layer */
    for (size_t l = 0; l < 3; l += 2)
        cr_assert(memcmp(net->layer[l].w, fresh->layer[l].w,
                         net->layer[l].in * net->layer[l].out * sizeof(float)) == 0);
    free(saved);
    free(again);
    rt_npz_free(&z);
    rt_net_free(net);
    rt_net_free(fresh);
    rt_log_free(&log);
    rt_data_free(dt);
}

Test(net_state, analog_sgd_round_trip)
{
    round_trip(IR_OPT_ANALOG_SGD, false, "dense1.W.persistent");
}

Test(net_state, residual_with_zero_shift_round_trip)
{
    round_trip(IR_OPT_RESIDUAL, true, "dense1.R.w_max");
}

Test(net_state, buffered_and_chopped_round_trip)
{
    round_trip(IR_OPT_AGAD, false, "dense1.mu_past");
    round_trip(IR_OPT_RESIDUAL_V2, false, "dense1.H");
    round_trip(IR_OPT_MIXED_PRECISION, false, "dense1.chi");
    round_trip(IR_OPT_MULTI_TILE, false, "dense1.P2");
}

Test(net_state, digital_round_trip)
{
    round_trip(IR_OPT_DIGITAL_SGD, false, "dense2.bias");
}

Test(net_state, a_file_of_another_model_is_an_error_naming_file_array_and_layer)
{
    Fx f;
    setup(&f, IR_OPT_DIGITAL_SGD, false);
    char err[256];
    RtNet *n = rt_net_new(&f.model, false, false, 1, 4, err, sizeof err);
    RtNpz z = {0};
    cr_assert_eq(rt_net_state_save(&z, n, &f.model, err, sizeof err), 0);
    IrLayer wide[3] = {f.layer[0], f.layer[1], f.layer[2]};
    wide[2].out = 3;
    IrModel m2 = {.name = "wide", .nlayers = 3, .layers = wide};
    RtNet *n2 = rt_net_new(&m2, false, false, 1, 4, err, sizeof err);
    cr_assert_neq(rt_net_load_weights(n2, &m2, &z, "w.npz", err, sizeof err), 0);
    cr_assert(strstr(err, "w.npz") && strstr(err, "'dense2.weight'") && strstr(err, "(2, 4)") &&
              strstr(err, "needs shape (3, 4)") && strstr(err, "layer 3 (dense) of model 'wide'"), "%s", err);
    IrModel m1 = {.name = "one", .nlayers = 1, .layers = f.layer};
    RtNet *n1 = rt_net_new(&m1, false, false, 1, 4, err, sizeof err);
    cr_assert_neq(rt_net_load_weights(n1, &m1, &z, "w.npz", err, sizeof err), 0);
    cr_assert(strstr(err, "'dense2.weight'") && strstr(err, "does not have"), "%s", err);
    rt_npz_free(&z);
    rt_net_free(n);
    rt_net_free(n1);
    rt_net_free(n2);
}

/*
** Train, write the file, load it into a net without an algorithm built as an evaluation
** builds it (analog when the file is an analog run's; another seed, so nothing drawn
** survives): every weight layer's weights, output scales and bias are the trained net's bit
** for bit, and so is its exact loss. For choppers, riders and multi_tile the visible weights
** are not the W array: the file's `visible` gives them.
*/
static void evaluation_load(IrOptKind kind)
{
    Fx f;
    setup(&f, kind, false);
    char err[256], path[] = "/tmp/aimci_eval_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    RtData *dt = rt_data_new(&f.data, 3, err, sizeof err);
    cr_assert_not_null(dt, "%s", err);
    RtLog log = {0};
    RtNet *net = NULL;
    cr_assert_eq(rt_train_run(&log, &net, &f.train, &f.opt, dt, err, sizeof err), 0, "%s", err);
    RtNpz z = {0};
    cr_assert_eq(rt_net_state_save(&z, net, &f.model, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rt_npz_write(path, &z, err, sizeof err), 0, "%s", err);
    bool analog = rt_net_state_analog(&z);
    cr_assert_eq(analog, kind != IR_OPT_DIGITAL_SGD);
    RtNet *ev = rt_net_new(&f.model, analog, false, 77, 8, err, sizeof err);
    cr_assert_not_null(ev, "%s", err);
    cr_assert_eq(rt_net_load_file(ev, &f.model, path, err, sizeof err), 0, "%s", err);
    for (size_t l = 0; l < 3; l += 2) {
        const RtLayer *a = &net->layer[l], *b = &ev->layer[l];
        cr_assert(memcmp(a->w, b->w, a->in * a->out * sizeof(float)) == 0, "layer %zu", l);
        cr_assert(memcmp(a->b, b->b, a->out * sizeof(float)) == 0, "bias of layer %zu", l);
        cr_assert_eq(a->nscale, b->nscale, "layer %zu", l);
        cr_assert(a->nscale == 0 || memcmp(a->scale, b->scale, a->nscale * sizeof(float)) == 0);
    }
    double want = rt_net_eval(net, IR_LOSS_MSE, dt->x, dt->t, NULL, dt->rows, NULL);
    double got = rt_net_eval(ev, IR_LOSS_MSE, dt->x, dt->t, NULL, dt->rows, NULL);
    cr_assert(want == got, "the loaded net's loss %.17g is the trained one's %.17g", got, want);
    unlink(path);
    rt_npz_free(&z);
    rt_net_free(net);
    rt_net_free(ev);
    rt_log_free(&log);
    rt_data_free(dt);
}

Test(net_state, an_evaluation_computes_what_the_trained_net_computed)
{
    const IrOptKind kinds[] = {IR_OPT_DIGITAL_SGD, IR_OPT_ANALOG_SGD, IR_OPT_TIKI_TAKA,
                               IR_OPT_RESIDUAL, IR_OPT_C_TTV2, IR_OPT_AGAD, IR_OPT_E_RIDER,
                               IR_OPT_MULTI_TILE, IR_OPT_MIXED_PRECISION};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        evaluation_load(kinds[k]);
}

Test(net_state, output_scales_the_model_lacks_are_an_error)
{
    Fx f;
    setup(&f, IR_OPT_ANALOG_SGD, false);
    char err[256], path[] = "/tmp/aimci_eval_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    RtNet *n = rt_net_new(&f.model, true, false, 1, 4, err, sizeof err);
    RtNpz z = {0};
    cr_assert_eq(rt_net_state_save(&z, n, &f.model, err, sizeof err), 0);
    cr_assert_eq(rt_npz_write(path, &z, err, sizeof err), 0, "%s", err);
    IrLayer plain[3] = {f.layer[0], f.layer[1], f.layer[2]};
    plain[0].learn_out_scaling = false;
    plain[0].weight_scaling_columnwise = false;
    IrModel m2 = {.name = "plain", .nlayers = 3, .layers = plain};
    RtNet *n2 = rt_net_new(&m2, true, false, 1, 4, err, sizeof err);
    cr_assert_neq(rt_net_load_file(n2, &m2, path, err, sizeof err), 0);
    cr_assert(strstr(err, path) && strstr(err, "'dense1.out_scale'") &&
              strstr(err, "layer 1 (dense) of model 'plain' has none"), "%s", err);
    unlink(path);
    rt_npz_free(&z);
    rt_net_free(n);
    rt_net_free(n2);
}
