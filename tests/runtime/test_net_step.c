/*
** test_net_step.c: how rt_net_step shares a step among threads (runtime/rt_net.h,
** RtStepShare). Splitting each layer's update by rows, dealing whole layers to the threads,
** running the next batch's first layers along with the later layers' updates, and the
** automatic choice among them (which probes each) train the same net bit for bit as one
** thread does.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "algo_fixtures.h"
#include "rt_algo.h"
#include "rt_fixtures.h"
#include "rt_net.h"

enum { NIN = 512, NHID = 128, NOUT = 10, B = 8, STEPS = 104 }; /* past the probes of AUTO (3 x 32 steps) */

/*
** A 512 -> 128 -> 10 net on a noisy soft_bounds device with the default analog I/O, its first
** layer trained by Residual Learning (transfers and refreshes in every step), its last by the
** pulsed update; 512 x 128 weights, enough for the row split to share the gradient update
** (x 8 samples) and each transfer's one-sample update.
*/
typedef struct Fx {
    IrDevice dev;
    IrLayer layer[3];
    IrModel model;
} Fx;

static void fx_init(Fx *f)
{
    memset(f, 0, sizeof *f);
    f->dev = fx_device(IR_DEV_SOFT_BOUNDS);
    f->layer[0] = (IrLayer){.kind = IR_LAYER_DENSE, .in = NIN, .out = NHID, .on = &f->dev,
                            .bias = true};
    f->layer[1] = (IrLayer){.kind = IR_LAYER_SIGMOID};
    f->layer[2] = (IrLayer){.kind = IR_LAYER_DENSE, .in = NHID, .out = NOUT, .on = &f->dev,
                            .bias = true};
    f->model = (IrModel){.name = "m", .nlayers = 3, .layers = f->layer};
}

/* The batches of every step, drawn once: inputs (STEPS, B, NIN), targets (STEPS, B, NOUT). */
static float xs[STEPS][B * NIN], ts[STEPS][B * NOUT];

static void draw_batches(void)
{
    RtRng r;
    rt_rng_seed(&r, 3, 4);
    for (size_t s = 0; s < STEPS; s++) {
        for (size_t k = 0; k < B * NIN; k++)
            xs[s][k] = (float)(2.0 * rt_rng_uniform(&r) - 1.0);
        for (size_t k = 0; k < B * NOUT; k++)
            ts[s][k] = (float)(2.0 * rt_rng_uniform(&r) - 1.0);
    }
}

/*
** The net's weights of every layer after STEPS steps on threads (0: no pool) in mode; with
** ahead, each step but the last runs the next batch's first layers (rt_net_step_ahead) and
** the next forward goes on from there, as a training run does.
*/
static float *train(const Fx *f, size_t threads, RtShareMode mode, bool ahead)
{
    char err[256];
    RtNet *n = rt_net_new(&f->model, true, false, 11, B, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    n->opt = fx_optimizer(IR_OPT_RESIDUAL, 0.05);
    cr_assert_eq(rt_algo_attach(n, &f->model, &n->opt, 11, err, sizeof err), 0, "%s", err);
    RtPool *pool = threads ? rt_pool_new(threads) : NULL;
    n->pool = pool;
    n->share.mode = mode;
    for (size_t s = 0; s < STEPS; s++) {
        if (ahead && s > 0)
            rt_net_forward_rest(n, B);
        else
            rt_net_forward(n, xs[s], B);
        rt_net_mse(n, ts[s], B);
        rt_net_backward(n, B);
        if (ahead && s + 1 < STEPS)
            rt_net_step_ahead(n, &n->opt, B, xs[s + 1]);
        else
            rt_net_step(n, &n->opt, B);
    }
    float *w = malloc((NHID * NIN + NOUT * NHID) * sizeof *w);
    memcpy(w, n->layer[0].w, NHID * NIN * sizeof *w);
    memcpy(w + NHID * NIN, n->layer[2].w, NOUT * NHID * sizeof *w);
    n->pool = NULL;
    rt_net_free(n);
    rt_pool_free(pool);
    return w;
}

Test(net_step, every_way_of_sharing_a_step_trains_the_same_net)
{
    Fx f;
    fx_init(&f);
    draw_batches();
    size_t len = (NHID * NIN + NOUT * NHID) * sizeof(float);
    float *alone = train(&f, 0, RT_SHARE_AUTO, false);
    struct {
        size_t threads;
        RtShareMode mode;
        bool ahead;
        const char *what;
    } ways[] = {{2, RT_SHARE_ROWS, false, "2 threads, rows"},
                {2, RT_SHARE_LAYERS, false, "2 threads, layers"},
                {3, RT_SHARE_AUTO, false, "3 threads, automatic (probing both)"},
                {0, RT_SHARE_AUTO, true, "1 thread, the next batch ahead"},
                {2, RT_SHARE_AHEAD, true, "2 threads, the next batch ahead"},
                {2, RT_SHARE_LAYERS, true, "2 threads, layers, then the next batch"},
                {3, RT_SHARE_AUTO, true, "3 threads, automatic (probing all three)"}};
    for (size_t k = 0; k < sizeof ways / sizeof *ways; k++) {
        float *w = train(&f, ways[k].threads, ways[k].mode, ways[k].ahead);
        cr_assert(memcmp(alone, w, len) == 0, "%s: other weights than 1 thread", ways[k].what);
        free(w);
    }
    free(alone);
}
