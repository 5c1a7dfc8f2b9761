/*
** rt_net.h: a model as a chain of layers, trained on mini-batches.
**
** Legend: B = examples of a batch (at most max_rows); an example's activation has a shape
** (C,H,W) (rt_layer.h), inferred through the chain from the data's input shape. Layers:
**   dense(in, out)            y = W x + b, W (out,in); x is any shape of in features
**   conv2d(in, out, K, S, P)  W (out, in*K*K) on every im2col patch (rt_layer.h), + b
**   maxpool2d, avgpool2d      K x K windows, stride S, per channel
**   flatten                   (C,H,W) -> (C*H*W,1,1), nothing moves
**   sigmoid, tanh, relu       element-wise
**   log_softmax               over the features of each example
** The weight layers (dense, conv2d) are "tiles" when analog: a layer with a device
** (IrLayer.on) becomes an analog tile of out rows and in (dense) or in*K*K (conv2d) columns
** when the net is built for analog training; otherwise its weights are digital floats. The
** bias is always a digital vector. Forward and backward of a tile go through its I/O
** (rt_io.h, IrLayer.forward/backward; the analog defaults of Table 4 when unset), drawing
** from RT_STREAM_IO(l); an analog conv2d's tile sees every patch as one row of its I/O and
** one sample of its pulsed update (B*Q rows per batch, Q output positions per example).
** Digital layers, and every layer of a net built without `analog`, use exact products.
**
** Output scaling of analog layers (docs/theory.md §4.5, aihwkit's mapping parameters, simplified):
** a tile's product z is multiplied by digital scales a (one per output with
** weight_scaling_columnwise, else one for the layer) before the bias: y = a * z + b.
** With weight_scaling_omega > 0 the initial weights W0 are mapped onto the tile as W0 / s
** with s = max |W0| / omega (per output row when columnwise; s = 1 when that max is 0) and
** a starts at s, so the layer computes the same function; without it a starts at 1. With
** learn_out_scaling the scales are trained by SGD with the optimizer's lr (da = sum dy * z),
** else they stay fixed. The tile receives dz = a * dy. Digital layers have no scales.
**
** Losses (rt_layer.h): mse, L = sum (y - t)^2 / (B*O) (torch.nn.MSELoss), so
** dL/dy = 2 (y - t)/(B*O); half_mse, half of it, the seed paper's least-squares objective;
** cross_entropy, -(1/B) sum log softmax(y)[label], which
** is the NLL of the outputs when the last layer is log_softmax.
**
** Initial weights (PyTorch's default for nn.Linear and nn.Conv2d): layer by layer from
** RT_STREAM_INIT, W row-major then the bias, every value ~ U(-1/sqrt(fan_in),
** 1/sqrt(fan_in)) with fan_in = in (dense) or in*K*K (conv2d); analog weights are then
** mapped (weight_scaling_omega) and clipped to their cells' bounds. Tiles draw their cells
** from RT_STREAM_D2D(l) and update with RT_STREAM_UPDATE(l), l the layer's index in the
** model (layers without weights count too).
**
** The backward of layer 0 never computes an input gradient (none is needed).
*/
#ifndef AIMCI_RT_NET_H
#define AIMCI_RT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_io.h"
#include "rt_layer.h"
#include "rt_pool.h"
#include "rt_rng.h"
#include "rt_tile.h"

struct RtAlgo;

typedef struct RtLayer {
    IrLayerKind kind;
    RtShape ishape, oshape; /* one example's input and output */
    size_t isz, osz;        /* their sizes */
    size_t in, out;         /* weight layers: columns X and rows D of W; else 0 */
    size_t K, S, P, Q;      /* conv2d, pools: kernel, stride, padding; conv2d: positions */
    size_t rows;            /* weight layers: most rows of one product (max_rows, x Q) */
    RtTile *tile; /* analog layer (owns w), or NULL for a digital one */
    float *w;     /* (out,in): what the layer computes with: tile->w, the visible weights of
                     its algorithm (rt_algo.h), or the digital weights */
    float *b;     /* (out) digital bias, or NULL */
    float *gw;    /* (out,in) gradient of digital weights; NULL for a tile */
    float *gb;    /* (out) gradient of the bias, or NULL */
    float *scale, *gscale; /* (nscale) output scales of a tile and their gradient, or NULL */
    size_t nscale;         /* out (columnwise) or 1 */
    bool learn_scale;      /* scales trained by SGD */
    float *z, *dz;         /* (rows,out) a conv or scaled tile's product and its gradient */
    float *cols, *dcols;   /* conv2d: (rows,in) patches; their gradient (not for layer 0) */
    float *xmax;           /* a tile's (rows): its inputs' max |x| per row, taken by the last
                              forward's noise management (rt_io_forward_max) if xmax_ok */
    bool xmax_ok;
    uint32_t *arg;         /* maxpool2d: (max_rows,osz) the maxima's input indices */
    float *act;   /* (max_rows,osz) output of the last forward */
    float *grad;  /* (max_rows,osz) dL/d(output) of the last backward */
    RtRng upd;    /* RT_STREAM_UPDATE(l) */
    RtIO *io;     /* a tile's forward/backward I/O (RT_STREAM_IO(l)), or NULL */
    RtIO *eval_io; /* the evaluation I/O of a layer with a device (rt_net_eval_io_open), or NULL */
    struct RtAlgo *algo; /* the optimizer's state of a tile (rt_algo_attach), or NULL */
} RtLayer;

/*
** How rt_net_step shares a step's updates among the pool's threads (the same numbers in every
** mode): RT_SHARE_ROWS splits each layer's update by samples and rows, RT_SHARE_LAYERS deals
** whole layers to the threads, RT_SHARE_AHEAD (rt_net_step_ahead only; elsewhere ROWS) updates
** the first weight layer by rows and then runs the next batch's first layers on one thread
** while another updates the other layers. RT_SHARE_AUTO (0: a new net's) times each now and
** then and uses the fastest. The times of the current probes are kept for the choice.
*/
typedef enum RtShareMode {
    RT_SHARE_AUTO,
    RT_SHARE_ROWS,
    RT_SHARE_LAYERS,
    RT_SHARE_AHEAD
} RtShareMode;
typedef struct RtStepShare {
    RtShareMode mode;
    uint64_t steps;     /* steps taken (in AUTO: the probe schedule) */
    double probe_s[3];  /* seconds of the current probes: rows, layers, ahead */
    size_t probe_n[3];  /* steps they timed */
    RtShareMode best;   /* the last probes' choice (0: none yet, rows) */
} RtStepShare;

typedef struct RtNet {
    size_t nlayers, max_rows;
    size_t eval_rows;  /* rows per forward of rt_net_eval_analog (<= max_rows; rt_net.c) */
    size_t exact_rows; /* rows per forward of rt_net_eval (<= eval_rows) */
    RtLayer *layer;
    const float *inp; /* (B,in of layer 0) input of the last forward, borrowed */
    float *mem;       /* every digital float array of the net, one allocation */
    uint32_t *imem;   /* every index array (maxpool2d), one allocation */
    RtPool *pool;     /* threads for the tiles' updates, borrowed; NULL (calloc): none */
    RtStepShare share; /* how a step's updates use the pool's threads (rt_net_pass.c) */
    size_t ahead;      /* layers of the next forward that rt_net_step_ahead ran (0: none) */
    IrOptimizer opt;  /* a training run's optimizer with its current lr (rt_train.h); the
                         algorithms of the tiles point at it */
} RtNet;

/*
** The output shapes of layers from .. nlayers-1 of m when layer `from` gets an input of
** shape `in`: out[l] (out has room for all layers). Returns 0, or -1 when a layer does not
** fit its input (dense's in is not the input's size, conv2d's in not its channels, a window
** larger than the padded image): its index in *bad (if not NULL) and a message in err,
** "layer L (KIND) ...", L 1-based.
*/
int rt_net_shapes(const IrModel *m, size_t from, RtShape in, RtShape *out, size_t *bad,
                  char *err, size_t errlen);

/*
** Build m for inputs of shape `in` and batches of up to max_rows rows (n->max_rows may be
** more: at least eval_rows, for the passes over data sets), seeded from seed.
** analog: layers with a device become tiles (else every layer is digital). count_pulses:
** tiles keep counters. Returns NULL with a message in err on shapes that do not fit or
** out of memory.
*/
RtNet *rt_net_new_shaped(const IrModel *m, RtShape in, bool analog, bool count_pulses,
                         uint64_t seed, size_t max_rows, char *err, size_t errlen);

/* rt_net_new_shaped with the input a vector of the first layer's `in` features. */
RtNet *rt_net_new(const IrModel *m, bool analog, bool count_pulses, uint64_t seed,
                  size_t max_rows, char *err, size_t errlen);

/*
** Replace the initial weights of weight layer l (before an algorithm is attached) by w
** (out,in), programmed as the drawn ones are: mapped by weight_scaling_omega, clipped to
** the cells of a tile.
*/
void rt_net_set_initial(RtNet *n, const IrModel *m, size_t l, const float *w);
void rt_net_free(RtNet *n);

/* Features per example of the input and of the output. */
size_t rt_net_in(const RtNet *n);
size_t rt_net_out(const RtNet *n);

/*
** Forward x (B,in) through every layer, tiles through their I/O; returns the output
** (B,out), owned by the net.
*/
const float *rt_net_forward(RtNet *n, const float *x, size_t B);

/* The half_mse of the last forward against t (B,out); sets the output gradient. */
double rt_net_mse(RtNet *n, const float *t, size_t B);

/*
** The loss of the last forward (mse against t (B,out), cross_entropy against label (B));
** sets the output gradient.
*/
double rt_net_loss_grad(RtNet *n, IrLoss loss, const float *t, const int32_t *label,
                        size_t B);

/* Back-propagate the output gradient: weight, bias and scale gradients, each layer's grad. */
void rt_net_backward(RtNet *n, size_t B);

/*
** One optimizer step on the last batch, with learning rate o->lr. digital_sgd: W -= lr gW
** everywhere. A tile with an algorithm (rt_algo_attach) takes its step (rt_algo_step); a
** tile without one gets the pulsed update of o->update, sample by sample (analog_sgd); its
** samples are the rows of its last product (x: the layer input or conv patches, d: dz or
** the output gradient). Digital weights, all biases and learned scales get W -= lr gW. Then
** every tile gets its post-update step (diffusion, then decay, rt_tile_post_update;
** rt_algo_post_update for every array of an algorithm) from its update stream, as
** aihwkit's post_update_step.
*/
void rt_net_step(RtNet *n, const IrOptimizer *o, size_t B);

/*
** rt_net_step, then the next batch x (B rows, borrowed until its backward) through the layers
** before the one that feeds the second weight layer: those that read no array that the other
** layers' updates read, so they may run while those updates do (RT_SHARE_AHEAD). The
** forward then goes on with rt_net_forward_rest, not rt_net_forward. The numbers are those
** of rt_net_step followed by rt_net_forward.
*/
void rt_net_step_ahead(RtNet *n, const IrOptimizer *o, size_t B, const float *x);

/* The rest of the forward that rt_net_step_ahead began; the output (B,out). */
const float *rt_net_forward_rest(RtNet *n, size_t B);

/* The rows of a weight layer's last product, and the x and d its update takes. */
size_t rt_net_update_rows(const RtLayer *ly, size_t B);
const float *rt_net_update_x(const RtNet *n, size_t l);
const float *rt_net_update_d(const RtLayer *ly);

/*
** The half_mse over a whole data set x (rows,in), t (rows,out), evaluated in chunks of
** exact_rows by the exact digital forward of the current weights (no I/O model: the loss a
** user compares across optimizers, and no I/O noise is drawn). Changes the activations.
*/
double rt_net_loss(RtNet *n, const float *x, const float *t, size_t rows);

/*
** The same for any loss (t for mse and half_mse, label for cross_entropy; label may be NULL
** for the squared errors),
** with the number of rows whose largest output is at their label in *correct (0 without
** labels; correct may be NULL).
*/
double rt_net_eval(RtNet *n, IrLoss loss, const float *x, const float *t,
                   const int32_t *label, size_t rows, size_t *correct);

/*
** Analog evaluation: the forward of a trained net through an I/O model, as the chip would
** compute it (docs/language.md "evaluate"; aihwkit evaluates through its analog tiles).
** rt_net_eval_io_open gives every weight layer with a device (analog or not in this net: a
** digital_sgd run's weights are read through the I/O too, as deployed on the chip) an
** evaluation I/O: forward `io` (NULL: the layer's own forward io). It is built as the
** training I/O is, from (seed, RT_STREAM_IO(l)), so that its fixed per-output noise stds are
** the chip's; its passes then draw from RT_STREAM_EVAL_IO(l), one stream consumed in order
** by every evaluation of the net, which never touches the training streams. Digital layers
** (no device) stay exact. Returns 0, or -1 when out of memory.
*/
int rt_net_eval_io_open(RtNet *n, const IrModel *m, const IrIO *io, uint64_t seed);

/* Mean and sample standard deviation (0 for one repetition) of `repeat` evaluations. */
typedef struct RtEvalStat {
    double loss, loss_std;
    double acc, acc_std; /* fractions; NaN without labels */
} RtEvalStat;

/*
** `repeat` evaluations of a whole data set (as rt_net_eval) through the evaluation I/O, one
** after the other (each draws new noise); each one's loss and accuracy go to each_loss[k],
** each_acc[k] when not NULL. An average_abs_max noise management starts every call from
** the running value training left in the layer's I/O. Without rt_net_eval_io_open every
** product is exact (and equals rt_net_eval).
*/
RtEvalStat rt_net_eval_analog(RtNet *n, IrLoss loss, const float *x, const float *t,
                              const int32_t *label, size_t rows, size_t repeat,
                              double *each_loss, double *each_acc);

#endif
