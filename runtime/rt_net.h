/*
** rt_net.h: a model as a chain of dense layers, trained on mini-batches.
**
** Legend: B = rows of a batch (at most max_rows), in/out = the layer's sizes. Layer l maps
** (B,in) to (B,out): y = x W^T + b. A layer with a device (IrLayer.on) becomes an analog
** tile when the net is built for analog training; otherwise its weights are digital floats.
** The bias is always a digital vector. Loss mse: L = sum (y - t)^2 / (2*B*O), the seed
** paper's half mean squared error over batch and outputs, so dL/dy = (y - t)/(B*O).
**
** Initial weights (PyTorch-like): layer by layer from RT_STREAM_INIT, W row-major then the
** bias, every value ~ U(-1/sqrt(in), 1/sqrt(in)); analog weights are then clipped to their
** cells' bounds. Tiles draw their cells from RT_STREAM_D2D(l) and update with
** RT_STREAM_UPDATE(l).
**
** Forward and backward of a tile go through its I/O (rt_io.h, IrLayer.forward/backward;
** the analog defaults of Table 4 when unset), drawing from RT_STREAM_IO(l). The backward of
** layer 0 is never computed (no input gradient is needed). Digital layers, and every layer
** of a net built without `analog`, use exact products.
*/
#ifndef AIMCI_RT_NET_H
#define AIMCI_RT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_io.h"
#include "rt_pool.h"
#include "rt_rng.h"
#include "rt_tile.h"

struct RtAlgo;

typedef struct RtLayer {
    size_t in, out;
    RtTile *tile; /* analog layer (owns w), or NULL for a digital one */
    float *w;     /* (out,in): what the layer computes with: tile->w, the visible weights of
                     its algorithm (rt_algo.h), or the digital weights */
    float *b;     /* (out) digital bias, or NULL */
    float *gw;    /* (out,in) gradient of digital weights; NULL for a tile */
    float *gb;    /* (out) gradient of the bias, or NULL */
    float *act;   /* (max_rows,out) output of the last forward */
    float *grad;  /* (max_rows,out) dL/d(output) of the last backward */
    RtRng upd;    /* RT_STREAM_UPDATE(l) */
    RtIO *io;     /* a tile's forward/backward I/O (RT_STREAM_IO(l)), or NULL */
    struct RtAlgo *algo; /* the optimizer's state of a tile (rt_algo_attach), or NULL */
} RtLayer;

typedef struct RtNet {
    size_t nlayers, max_rows;
    RtLayer *layer;
    const float *inp; /* (B,in of layer 0) input of the last forward, borrowed */
    float *mem;       /* every digital float array of the net, one allocation */
    RtPool *pool;     /* threads for the tiles' updates, borrowed; NULL (calloc): none */
} RtNet;

/*
** Build m for batches of up to max_rows rows, seeded from seed. analog: layers with a
** device become tiles (else every layer is digital). count_pulses: tiles keep counters.
** Returns NULL with a message in err on inconsistent sizes or out of memory.
*/
RtNet *rt_net_new(const IrModel *m, bool analog, bool count_pulses, uint64_t seed,
                  size_t max_rows, char *err, size_t errlen);
void rt_net_free(RtNet *n);

size_t rt_net_in(const RtNet *n);
size_t rt_net_out(const RtNet *n);

/*
** Forward x (B,in) through every layer, tiles through their I/O; returns the output
** (B,out), owned by the net.
*/
const float *rt_net_forward(RtNet *n, const float *x, size_t B);

/* The mse of the last forward against t (B,out); sets the output gradient. */
double rt_net_mse(RtNet *n, const float *t, size_t B);

/* Back-propagate the output gradient: weight and bias gradients, each layer's grad. */
void rt_net_backward(RtNet *n, size_t B);

/*
** One optimizer step on the last batch. digital_sgd: W -= lr gW everywhere.
** A tile with an algorithm (rt_algo_attach) takes its step (rt_algo_step); a tile without
** one gets the pulsed update of o->update, sample by sample (analog_sgd); digital weights
** and all biases get W -= lr gW. Then every tile gets its post-update step (diffusion, then
** decay, rt_tile_post_update; rt_algo_post_update for every array of an algorithm) from its
** update stream, as aihwkit's post_update_step.
*/
void rt_net_step(RtNet *n, const IrOptimizer *o, size_t B);

/*
** The mse over a whole data set x (rows,in), t (rows,out), evaluated in chunks of
** max_rows by the exact digital forward of the current weights (no I/O model: the loss a
** user compares across optimizers, and no I/O noise is drawn). Changes the activations.
*/
double rt_net_loss(RtNet *n, const float *x, const float *t, size_t rows);

#endif
