/*
** rt_net_pass.c: forward, losses, backward, optimizer steps and evaluation of a net
** (rt_net.h).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt_algo.h"
#include "rt_matmul.h"
#include "rt_mem.h"
#include "rt_net.h"
#include "rt_vec.h"

/* The input of layer l in the last forward. */
static const float *layer_input(const RtNet *n, size_t l)
{
    return l == 0 ? n->inp : n->layer[l - 1].act;
}

size_t rt_net_update_rows(const RtLayer *ly, size_t B)
{
    return ly->kind == IR_LAYER_CONV2D ? B * ly->Q : B;
}

const float *rt_net_update_x(const RtNet *n, size_t l)
{
    const RtLayer *ly = &n->layer[l];
    return ly->kind == IR_LAYER_CONV2D ? ly->cols : layer_input(n, l);
}

const float *rt_net_update_d(const RtLayer *ly)
{
    return ly->dz ? ly->dz : ly->grad;
}

/*
** {======================================================================
** Forward
** =======================================================================
*/

/* Which products a forward computes: the tiles' training I/O, exact ones, or the
** evaluation I/O of the layers that have one (rt_net_eval_io_open; exact elsewhere). */
typedef enum Pass { PASS_IO, PASS_EXACT, PASS_EVAL } Pass;

/*
** out (R,out) = in (R,in) through the weights, as `pass` says. A training forward keeps the
** rows' max |x| of its noise management for the update's plans (the same rt_absmax of the
** same rows); any other pass leaves them stale (it rewrites a conv layer's patches).
*/
static void product(RtLayer *ly, float *out, const float *in, const float *bias, size_t R,
                    Pass pass, RtPool *pool)
{
    ly->xmax_ok = false;
    if (pass == PASS_EVAL && ly->eval_io) {
        rt_io_forward(out, ly->eval_io, ly->w, in, bias, R, pool); /* evaluation: not the run's cost */
    } else if (pass == PASS_IO && ly->tile) {
        ly->xmax_ok = rt_io_forward_max(out, ly->xmax, ly->io, ly->w, in, bias, R, pool);
        if (ly->algo) /* the cost: R forward MVMs (docs/cost.md) */
            rt_algo_count_mvm(ly->algo, false, R);
    } else
        rt_matmul_forward(out, in, ly->w, bias, R, ly->in, ly->out, pool);
}

/* y (R,out) = scale * z + bias (or + 0) for a scaled dense tile; loops that vectorise. */
RT_WIDE_LOOP
static void scale_out(float *restrict y, const float *restrict z, const float *restrict scale,
                      size_t nscale, const float *restrict bias, size_t R, size_t out)
{
    for (size_t r = 0; r < R; r++, y += out, z += out)
        if (nscale > 1)
            for (size_t o = 0; o < out; o++)
                y[o] = scale[o] * z[o] + (bias ? bias[o] : 0.0f);
        else
            for (size_t o = 0; o < out; o++)
                y[o] = scale[0] * z[o] + (bias ? bias[o] : 0.0f);
}

static void scale_dense(RtLayer *ly, size_t B)
{
    scale_out(ly->act, ly->z, ly->scale, ly->nscale, ly->b, B, ly->out);
}

static void forward_dense(RtLayer *ly, const float *in, size_t B, Pass pass, RtPool *pool)
{
    if (!ly->nscale) {
        product(ly, ly->act, in, ly->b, B, pass, pool);
        return;
    }
    product(ly, ly->z, in, NULL, B, pass, pool);
    scale_dense(ly, B);
}

/*
** z (B*Q, out): the outputs of a conv layer before rt_conv_arrange. An exact product (a pass
** other than training's, no evaluation I/O) may skip the patches (rt_conv_forward_direct).
*/
static void conv_product(RtLayer *ly, const float *in, size_t B, Pass pass, RtPool *pool)
{
    bool exact = pass == PASS_EXACT || (pass == PASS_EVAL && !ly->eval_io);
    if (exact && rt_conv_forward_direct(ly->z, in, ly->w, B, ly->ishape, ly->out, ly->K, ly->S,
                                        ly->P, pool)) {
        ly->xmax_ok = false;
        return;
    }
    rt_im2col(ly->cols, in, B, ly->ishape, ly->K, ly->S, ly->P);
    product(ly, ly->z, ly->cols, NULL, B * ly->Q, pass, pool);
}

static void forward_conv(RtLayer *ly, const float *in, size_t B, Pass pass, RtPool *pool)
{
    conv_product(ly, in, B, pass, pool);
    rt_conv_arrange(ly->act, ly->z, ly->scale, ly->nscale, ly->b, B, ly->Q, ly->out);
}

static void forward_layer(RtLayer *ly, const float *in, size_t B, Pass pass, RtPool *pool)
{
    size_t n = B * ly->osz;
    switch (ly->kind) {
    case IR_LAYER_DENSE: forward_dense(ly, in, B, pass, pool); break;
    case IR_LAYER_CONV2D: forward_conv(ly, in, B, pass, pool); break;
    case IR_LAYER_MAXPOOL2D:
        rt_maxpool_forward(ly->act, ly->arg, in, B, ly->ishape, ly->K, ly->S);
        break;
    case IR_LAYER_AVGPOOL2D: rt_avgpool_forward(ly->act, in, B, ly->ishape, ly->K, ly->S); break;
    case IR_LAYER_FLATTEN: memcpy(ly->act, in, n * sizeof *in); break;
    case IR_LAYER_SIGMOID: rt_sigmoid_forward(ly->act, in, n); break;
    case IR_LAYER_TANH: rt_tanh_forward(ly->act, in, n); break;
    case IR_LAYER_RELU: rt_relu_forward(ly->act, in, n); break;
    case IR_LAYER_LOG_SOFTMAX: rt_log_softmax_forward(ly->act, in, B, ly->osz); break;
    }
}

/*
** Whether a pass with no backward after it (exact or evaluation) takes layers l, l+1, l+2 in
** one: a conv layer, tanh and max-pooling (rt_conv_maxpool_tanh_forward, from the conv's
** outputs as they come). The pooled values are the same; the conv's and tanh's outputs and
** the pool's indices are left unwritten (only the backward reads them).
*/
static bool conv_tanh_pool(const RtNet *n, size_t l, size_t l1, Pass pass)
{
    const RtLayer *ly = &n->layer[l];
    return pass != PASS_IO && l + 3 <= l1 && ly->kind == IR_LAYER_CONV2D &&
           ly[1].kind == IR_LAYER_TANH && ly[2].kind == IR_LAYER_MAXPOOL2D &&
           rt_conv_maxpool_tanh_fits(ly->out);
}

/* Layers l0..l1-1 in order on the input they hold, their products on pool. */
static void forward_layers(RtNet *n, size_t B, Pass pass, size_t l0, size_t l1, RtPool *pool)
{
    for (size_t l = l0; l < l1; l++) {
        RtLayer *ly = &n->layer[l];
        if (conv_tanh_pool(n, l, l1, pass)) {
            conv_product(ly, layer_input(n, l), B, pass, pool);
            rt_conv_maxpool_tanh_forward(ly[2].act, ly->z, ly->scale, ly->nscale, ly->b, B,
                                         ly[1].ishape, ly[2].K, ly[2].S);
            l += 2;
        } else
            forward_layer(ly, layer_input(n, l), B, pass, pool);
    }
}

/* Every layer in order, the products as `pass` says (exact: the loss of the weights). */
static const float *forward(RtNet *n, const float *x, size_t B, Pass pass)
{
    n->inp = x;
    n->ahead = 0;
    forward_layers(n, B, pass, 0, n->nlayers, n->pool);
    return n->layer[n->nlayers - 1].act;
}

const float *rt_net_forward(RtNet *n, const float *x, size_t B)
{
    return forward(n, x, B, PASS_IO);
}

const float *rt_net_forward_rest(RtNet *n, size_t B)
{
    forward_layers(n, B, PASS_IO, n->ahead, n->nlayers, n->pool);
    n->ahead = 0;
    return n->layer[n->nlayers - 1].act;
}

/* }====================================================================== */

/*
** {======================================================================
** Losses
** =======================================================================
*/

/* The loss of outputs y (B,O) by kind; dy (or NULL) gets the gradient. */
static double loss_of(const RtNet *n, IrLoss loss, float *dy, const float *y, const float *t,
                      const int32_t *label, size_t B)
{
    size_t O = rt_net_out(n);
    if (loss == IR_LOSS_MSE || loss == IR_LOSS_HALF_MSE)
        return rt_loss_mse(dy, y, t, B, O, loss == IR_LOSS_HALF_MSE);
    if (n->layer[n->nlayers - 1].kind == IR_LAYER_LOG_SOFTMAX)
        return rt_loss_nll(dy, y, label, B, O);
    return rt_loss_cross_entropy(dy, y, label, B, O);
}

double rt_net_mse(RtNet *n, const float *t, size_t B)
{
    return rt_net_loss_grad(n, IR_LOSS_HALF_MSE, t, NULL, B);
}

double rt_net_loss_grad(RtNet *n, IrLoss loss, const float *t, const int32_t *label,
                        size_t B)
{
    RtLayer *ly = &n->layer[n->nlayers - 1];
    return loss_of(n, loss, ly->grad, ly->act, t, label, B);
}

/* }====================================================================== */

/*
** {======================================================================
** Backward
** =======================================================================
*/

/*
** The rows of dy (R, out), in dz: the per-output sums of the scales' gradient (dy * z) and of
** the bias, each over the rows in order, then dz = scale * dy in place. The outputs are the
** inner, contiguous loop: independent chains that vectorise (the same sums in the same order).
*/
RT_WIDE_LOOP
static void scale_rows(float *restrict gscale, float *restrict gb, float *restrict dz,
                       const float *restrict z, const float *restrict scale, size_t nscale,
                       size_t R, size_t out)
{
    for (size_t r = 0; r < R; r++) {
        float *restrict g = dz + r * out;
        const float *restrict z_r = z + r * out;
        if (gscale)
            for (size_t o = 0; o < out; o++)
                gscale[o] += g[o] * z_r[o];
        if (gb)
            for (size_t o = 0; o < out; o++)
                gb[o] += g[o];
        if (scale && nscale > 1)
            for (size_t o = 0; o < out; o++)
                g[o] = g[o] * scale[o];
        else if (scale)
            for (size_t o = 0; o < out; o++)
                g[o] = g[o] * scale[0];
    }
}

/*
** Gradients of the scales and the bias of a dense or conv tile's output dy (B,out,Q), and
** dz = scale * dy; Q = 1 for dense. dz first takes dy row-major (B*Q, out): a conv's
** transpose, a dense layer's copy, or (dz_set) the rows as rt_maxpool_tanh_backward_rows
** wrote them; then scale_rows (each sum over b, then q, in order: a conv layer's Q patches in
** one chain per output made the loop latency-bound, and reading dy across its outputs
** strided made it scalar). One scale for all outputs sums them too, output by output, from
** the rows before they are scaled: its own pass, in that order.
*/
static void scale_backward(RtLayer *ly, size_t B, size_t Q, bool dz_set)
{
    if (dz_set)
        ; /* the rows are there */
    else if (ly->kind == IR_LAYER_CONV2D)
        rt_conv_unarrange(ly->dz, ly->grad, NULL, 0, B, Q, ly->out);
    else
        memcpy(ly->dz, ly->grad, B * Q * ly->out * sizeof *ly->dz);
    bool per_out = ly->gscale && ly->nscale > 1;
    if (ly->gscale && !per_out)
        for (size_t b = 0; b < B; b++)
            for (size_t o = 0; o < ly->out; o++)
                for (size_t q = 0; q < Q; q++) {
                    size_t r = (b * Q + q) * ly->out + o;
                    ly->gscale[0] += ly->dz[r] * ly->z[r];
                }
    scale_rows(per_out ? ly->gscale : NULL, ly->gb, ly->dz, ly->z, ly->scale, ly->nscale,
               B * Q, ly->out);
}

/*
** The backward MVM of a tile through its I/O, added into din, or with set written into it
** (rt_io_backward_set); counted for the cost (docs/cost.md).
*/
static void tile_backward(RtLayer *ly, float *din, const float *d, size_t R, bool set,
                          RtPool *pool)
{
    if (set)
        rt_io_backward_set(din, ly->io, ly->w, d, R, pool);
    else
        rt_io_backward(din, ly->io, ly->w, d, R, pool);
    if (ly->algo)
        rt_algo_count_mvm(ly->algo, true, R);
}

/*
** A weight layer: dz (with dz_set, a conv layer's, already written), then the input
** gradient din (R,in) (if wanted: added into din, or with set, din holding nothing yet,
** written) and gW.
*/
static void backward_weights(RtLayer *ly, float *din, const float *in, size_t B, bool set,
                             bool dz_set, RtPool *pool)
{
    size_t R = rt_net_update_rows(ly, B);
    if (set && din && !ly->tile) /* the digital product adds */
        memset(din, 0, R * ly->in * sizeof *din);
    if (ly->kind == IR_LAYER_DENSE && !ly->nscale) { /* no dz: the output gradient itself */
        if (ly->tile && din)
            tile_backward(ly, din, ly->grad, B, set, pool);
        rt_matmul_backward(ly->tile ? NULL : din, ly->gw, ly->gb, ly->grad, in, ly->w, B,
                           ly->in, ly->out, pool);
        return;
    }
    scale_backward(ly, B, ly->kind == IR_LAYER_CONV2D ? ly->Q : 1, dz_set);
    if (ly->tile && din)
        tile_backward(ly, din, ly->dz, R, set, pool);
    rt_matmul_backward(ly->tile ? NULL : din, ly->gw, NULL, ly->dz, in, ly->w, R, ly->in,
                       ly->out, pool);
}

static void backward_conv(RtLayer *ly, float *dinp, size_t B, bool dz_set, RtPool *pool)
{
    float *dcols = dinp ? ly->dcols : NULL; /* written whole: no zeros first */
    backward_weights(ly, dcols, ly->cols, B, true, dz_set, pool);
    if (dinp)
        rt_col2im(dinp, dcols, B, ly->ishape, ly->K, ly->S, ly->P);
}

/*
** Layer ly's gradients; dinp (B, its input) += its input gradient unless NULL (layer 0).
** dz_set: a conv layer's rows of dz are written already.
*/
static void backward_layer(RtLayer *ly, float *dinp, const float *in, size_t B, bool dz_set,
                           RtPool *pool)
{
    size_t n = B * ly->osz;
    if (ly->kind != IR_LAYER_DENSE && ly->kind != IR_LAYER_CONV2D && !dinp)
        return;
    switch (ly->kind) {
    case IR_LAYER_DENSE: backward_weights(ly, dinp, in, B, false, false, pool); break;
    case IR_LAYER_CONV2D: backward_conv(ly, dinp, B, dz_set, pool); break;
    case IR_LAYER_MAXPOOL2D:
        rt_maxpool_backward(dinp, ly->grad, ly->arg, B, ly->ishape, ly->oshape);
        break;
    case IR_LAYER_AVGPOOL2D:
        rt_avgpool_backward(dinp, ly->grad, B, ly->ishape, ly->K, ly->S);
        break;
    case IR_LAYER_FLATTEN:
        for (size_t k = 0; k < n; k++)
            dinp[k] += ly->grad[k];
        break;
    case IR_LAYER_SIGMOID: rt_sigmoid_backward(dinp, ly->grad, ly->act, n); break;
    case IR_LAYER_TANH: rt_tanh_backward(dinp, ly->grad, ly->act, n); break;
    case IR_LAYER_RELU: rt_relu_backward(dinp, ly->grad, ly->act, n); break;
    case IR_LAYER_LOG_SOFTMAX:
        rt_log_softmax_backward(dinp, ly->grad, ly->act, B, ly->osz);
        break;
    }
}

/* Zero the parameter gradients of ly. */
static void zero_grads(RtLayer *ly)
{
    if (ly->gw)
        memset(ly->gw, 0, ly->out * ly->in * sizeof *ly->gw);
    if (ly->gb)
        memset(ly->gb, 0, ly->out * sizeof *ly->gb);
    if (ly->gscale)
        memset(ly->gscale, 0, ly->nscale * sizeof *ly->gscale);
}

/*
** Whether layer l, max-pooling of windows that share no input, and layer l-1, tanh with a
** layer before it, take their backward in one (rt_maxpool_tanh_backward), written into
** layer l-2's gradient: tanh's own gradient is left unwritten (nothing reads it).
*/
static bool tanh_pool_backward(const RtNet *n, size_t l)
{
    const RtLayer *ly = &n->layer[l];
    return l >= 2 && ly->kind == IR_LAYER_MAXPOOL2D && ly[-1].kind == IR_LAYER_TANH &&
           rt_maxpool_disjoint(ly->K, ly->S);
}

/* Layers from last to first: zero the gradients, then accumulate them (kernels add). */
void rt_net_backward(RtNet *n, size_t B)
{
    bool dz_set = false;
    for (size_t l = n->nlayers; l-- > 0;) {
        RtLayer *ly = &n->layer[l];
        if (tanh_pool_backward(n, l)) {
            if ((dz_set = ly[-2].kind == IR_LAYER_CONV2D)) /* straight into its rows */
                rt_maxpool_tanh_backward_rows(ly[-2].dz, ly->grad, ly->arg, ly[-1].act, B,
                                              ly->ishape, ly->K, ly->S);
            else
                rt_maxpool_tanh_backward(ly[-2].grad, ly->grad, ly->arg, ly[-1].act, B,
                                         ly->ishape, ly->K, ly->S);
            l--;
            continue;
        }
        float *dinp = l > 0 ? n->layer[l - 1].grad : NULL;
        if (dinp)
            memset(dinp, 0, B * ly->isz * sizeof *dinp);
        zero_grads(ly);
        backward_layer(ly, dinp, layer_input(n, l), B, dz_set, n->pool);
        dz_set = false;
    }
}

/* }====================================================================== */

/*
** {======================================================================
** Steps and evaluation
** =======================================================================
*/

/* v -= lr g, element-wise, in double rounded once. */
static void sgd(float *v, const float *g, size_t len, double lr)
{
    for (size_t k = 0; k < len; k++)
        v[k] = (float)((double)v[k] - lr * (double)g[k]);
}

/* The step of layers l0..l1-1, their updates shared by `inner` (NULL: this thread). */
typedef struct StepJob {
    RtNet *n;
    const IrOptimizer *o;
    size_t B;
    RtPool *inner;
} StepJob;

static void step_layers(void *ctx, size_t l0, size_t l1)
{
    const StepJob *j = ctx;
    RtNet *n = j->n;
    const IrOptimizer *o = j->o;
    for (size_t l = l0; l < l1; l++) {
        RtLayer *ly = &n->layer[l];
        if (ly->in == 0)
            continue;
        size_t R = rt_net_update_rows(ly, j->B);
        const float *x = rt_net_update_x(n, l), *d = rt_net_update_d(ly);
        const float *xmax = ly->xmax_ok ? ly->xmax : NULL;
        if (ly->algo)
            rt_algo_step_max(ly->algo, x, xmax, d, R, j->inner);
        else if (ly->tile)
            rt_tile_update_batch_max(ly->tile, x, xmax, d, R, o->lr, &o->update, &ly->upd,
                                     j->inner);
        else
            sgd(ly->w, ly->gw, ly->out * ly->in, o->lr);
        if (ly->b)
            sgd(ly->b, ly->gb, ly->out, o->lr);
        if (ly->learn_scale)
            sgd(ly->scale, ly->gscale, ly->nscale, o->lr);
    }
}

/*
** Sharing a step among threads. Splitting each layer's update by rows leaves the threads
** but one idle in its serial parts (an optimizer's transfers and visible-weight refresh,
** small layers); dealing whole layers to the threads overlaps those but runs each layer on
** one thread, which loses when one layer holds most of the work. Running ahead (in a
** training run, rt_net_step_ahead) updates the first weight layer by rows, then runs the
** next batch's first layers on one thread while another updates the later layers: the
** forward of the first layer, the largest of fcn_fashion and LeNet, no longer waits for
** them. Measured on 2 threads, the same 2-core machine, seconds of a 20000-image fcn_fashion
** epoch (rows / layers / ahead): Residual Learning 0.72 / 0.62 / 0.67, Analog SGD 0.53 /
** 0.56 / 0.50; LeNet Analog SGD, 3000 images: 1.13 / 1.08 / 0.98. Every way gives the same
** numbers (each layer's update keys its streams by sample and row, never by thread; each
** layer's forward draws from its own I/O stream), so in AUTO the net times SHARE_PROBE steps
** of each way every SHARE_PERIOD steps (the work of a step changes as training goes) and
** takes the fastest for the rest.
*/
#define SHARE_PERIOD 2048
#define SHARE_PROBE 32

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Layers with an update: the most blocks a layer deal can use. */
static size_t updated_layers(const RtNet *n)
{
    size_t k = 0;
    for (size_t l = 0; l < n->nlayers; l++)
        k += n->layer[l].in > 0;
    return k;
}

/* aihwkit's post_update_step (diffusion, decay) of layers l0..l1-1. */
static void post_updates(RtNet *n, size_t l0, size_t l1)
{
    for (size_t l = l0; l < l1; l++)
        if (n->layer[l].algo)
            rt_algo_post_update(n->layer[l].algo);
        else if (n->layer[l].tile)
            rt_tile_post_update(n->layer[l].tile, &n->layer[l].upd);
}

/* The fastest mode of the probes just ended (per step timed; one never timed never wins). */
static void choose_mode(RtStepShare *sh)
{
    double best = INFINITY;
    for (int k = 0; k < 3; k++) {
        double per = sh->probe_n[k] ? sh->probe_s[k] / (double)sh->probe_n[k] : INFINITY;
        if (per < best)
            best = per, sh->best = (RtShareMode)(RT_SHARE_ROWS + k);
        sh->probe_s[k] = 0.0, sh->probe_n[k] = 0;
    }
}

/*
** The way this step shares its work: the net's mode, or in AUTO the candidate of the probe
** schedule (*probe: the caller times the step for probe_done), else the last probes' choice.
** AHEAD runs only where `ahead` (rt_net_step_ahead with layers to run); elsewhere ROWS.
*/
static RtShareMode step_mode(RtNet *n, bool ahead, bool *probe)
{
    RtStepShare *sh = &n->share;
    uint64_t phase = sh->steps++ % SHARE_PERIOD;
    *probe = false;
    if (rt_pool_threads(n->pool) < 2 || updated_layers(n) < 2)
        return RT_SHARE_ROWS;
    RtShareMode m = sh->mode;
    if (m == RT_SHARE_AUTO && phase < 3 * SHARE_PROBE) {
        m = (RtShareMode)(RT_SHARE_ROWS + phase / SHARE_PROBE);
        *probe = m != RT_SHARE_AHEAD || ahead;
    } else if (m == RT_SHARE_AUTO) {
        if (phase == 3 * SHARE_PROBE)
            choose_mode(sh);
        m = sh->best ? sh->best : RT_SHARE_ROWS;
    }
    return m == RT_SHARE_AHEAD && !ahead ? RT_SHARE_ROWS : m;
}

/* A probe of mode m took s seconds. */
static void probe_done(RtNet *n, RtShareMode m, double s)
{
    n->share.probe_s[m - RT_SHARE_ROWS] += s;
    n->share.probe_n[m - RT_SHARE_ROWS]++;
}

/* The updates of every layer, shared as m says (ROWS or LAYERS), and their post-updates. */
static void step_shared(RtNet *n, const IrOptimizer *o, size_t B, RtShareMode m)
{
    StepJob j = {n, o, B, m == RT_SHARE_LAYERS ? NULL : n->pool};
    if (m == RT_SHARE_LAYERS)
        rt_pool_run(n->pool, step_layers, &j, n->nlayers, 1);
    else
        step_layers(&j, 0, n->nlayers);
    post_updates(n, 0, n->nlayers);
}

void rt_net_step(RtNet *n, const IrOptimizer *o, size_t B)
{
    bool probe;
    RtShareMode m = step_mode(n, false, &probe);
    double t0 = probe ? seconds() : 0.0;
    step_shared(n, o, B, m);
    if (probe)
        probe_done(n, m, seconds() - t0);
}

/*
** How far rt_net_step_ahead runs the next forward: up to the layer that feeds the second
** weight layer (exclusive). Every later weight layer's update reads only that layer's
** activation or later arrays (its input, its dz, a conv's patches), never those of the
** layers before it, nor the first weight layer's state; 0 where there is nothing to run.
*/
static size_t ahead_end(const RtNet *n)
{
    size_t seen = 0;
    for (size_t l = 0; l < n->nlayers; l++)
        if (n->layer[l].in > 0 && ++seen == 2)
            return l - 1;
    return 0;
}

/* The first weight layer. */
static size_t first_weights(const RtNet *n)
{
    size_t l = 0;
    while (l < n->nlayers && n->layer[l].in == 0)
        l++;
    return l;
}

/* The two tasks of a step ahead: 0, the next batch's first layers; 1, the later updates. */
typedef struct AheadJob {
    StepJob later; /* inner NULL: each task runs on one thread */
    size_t from, end;
} AheadJob;

static void ahead_tasks(void *ctx, size_t i0, size_t i1)
{
    AheadJob *a = ctx;
    RtNet *n = a->later.n;
    for (size_t i = i0; i < i1; i++)
        if (i == 0) {
            forward_layers(n, a->later.B, PASS_IO, 0, a->end, NULL);
        } else {
            step_layers(&a->later, a->from, n->nlayers);
            post_updates(n, a->from, n->nlayers);
        }
}

void rt_net_step_ahead(RtNet *n, const IrOptimizer *o, size_t B, const float *x)
{
    size_t end = ahead_end(n), w0 = first_weights(n);
    bool probe;
    RtShareMode m = step_mode(n, end > 0, &probe);
    double t0 = probe ? seconds() : 0.0;
    if (m == RT_SHARE_AHEAD) {
        StepJob first = {n, o, B, n->pool};
        step_layers(&first, 0, w0 + 1);
        post_updates(n, 0, w0 + 1);
        n->inp = x; /* read by layer 0's forward only, from here on */
        AheadJob a = {{n, o, B, NULL}, w0 + 1, end};
        rt_pool_run(n->pool, ahead_tasks, &a, 2, 1);
    } else {
        step_shared(n, o, B, m);
        n->inp = x;
        forward_layers(n, B, PASS_IO, 0, end, n->pool);
    }
    n->ahead = end;
    if (probe)
        probe_done(n, m, seconds() - t0);
}

/* The loss (and the hits) over a whole data set through `pass`, in chunks (rt_net.c). */
static double eval_pass(RtNet *n, Pass pass, IrLoss loss, const float *x, const float *t,
                        const int32_t *label, size_t rows, size_t *correct)
{
    size_t in = rt_net_in(n), out = rt_net_out(n), hits = 0;
    bool squares = loss == IR_LOSS_MSE || loss == IR_LOSS_HALF_MSE;
    double sum = 0.0;
    size_t chunk = pass == PASS_EXACT ? n->exact_rows : n->eval_rows;
    for (size_t r0 = 0; r0 < rows; r0 += chunk) {
        size_t B = rows - r0 < chunk ? rows - r0 : chunk;
        const float *y = forward(n, x + r0 * in, B, pass);
        if (squares) /* the squared errors of all rows, then one division */
            for (size_t k = 0; k < B * out; k++) {
                double e = (double)y[k] - (double)t[r0 * out + k];
                sum += e * e;
            }
        else
            sum += (double)B * loss_of(n, loss, NULL, y, NULL, label + r0, B);
        if (label)
            hits += rt_count_correct(y, label + r0, B, out);
    }
    if (correct)
        *correct = hits;
    if (!rows)
        return NAN;
    if (!squares)
        return sum / (double)rows;
    return (loss == IR_LOSS_HALF_MSE ? 0.5 : 1.0) * sum / ((double)rows * (double)out);
}

double rt_net_eval(RtNet *n, IrLoss loss, const float *x, const float *t,
                   const int32_t *label, size_t rows, size_t *correct)
{
    return eval_pass(n, PASS_EXACT, loss, x, t, label, rows, correct);
}

/* Mean and sample std (0 for one value) of v[0..k). */
static void mean_std(const double *v, size_t k, double *mean, double *sd)
{
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < k; i++)
        s += v[i];
    *mean = k ? s / (double)k : NAN;
    for (size_t i = 0; i < k; i++)
        s2 += (v[i] - *mean) * (v[i] - *mean);
    *sd = k > 1 ? sqrt(s2 / (double)(k - 1)) : k ? 0.0 : NAN;
}

RtEvalStat rt_net_eval_analog(RtNet *n, IrLoss loss, const float *x, const float *t,
                              const int32_t *label, size_t rows, size_t repeat,
                              double *each_loss, double *each_acc)
{
    for (size_t l = 0; l < n->nlayers; l++) /* average_abs_max goes on from training */
        if (n->layer[l].eval_io && n->layer[l].io)
            n->layer[l].eval_io->avg_fwd = n->layer[l].io->avg_fwd;
    double *v = rt_xmalloc(2 * (repeat ? repeat : 1) * sizeof *v), *a = v + repeat;
    for (size_t k = 0; k < repeat; k++) {
        size_t hits = 0;
        v[k] = eval_pass(n, PASS_EVAL, loss, x, t, label, rows, &hits);
        a[k] = label && rows ? (double)hits / (double)rows : NAN;
        if (each_loss)
            each_loss[k] = v[k];
        if (each_acc)
            each_acc[k] = a[k];
    }
    RtEvalStat st;
    mean_std(v, repeat, &st.loss, &st.loss_std);
    mean_std(a, repeat, &st.acc, &st.acc_std);
    free(v);
    return st;
}

double rt_net_loss(RtNet *n, const float *x, const float *t, size_t rows)
{
    return rt_net_eval(n, IR_LOSS_HALF_MSE, x, t, NULL, rows, NULL);
}

/* }====================================================================== */
