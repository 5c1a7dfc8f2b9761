/*
** rt_tile.h: an analog tile, D rows (outputs) by X columns (inputs), and its pulsed update.
**
** w is (D,X), w[i*X+j]; i is the output (d) index, j the input (x) index (docs/theory.md §2.1).
** The tile owns its weights, its per-device cells, optional pulse counters and the scratch
** bit trains in one 64-byte aligned allocation. Forward and backward go through BLIS
** (rt_matmul.h) and have naive `_ref` twins.
**
** The update implements SGD, W <- W - lr d x^T, one sample at a time (docs/theory.md §2.3-2.7):
** BL and the probability scales A (d side) and B (x side) from calculateBlAB and
** performUpdateManagement, one Bernoulli train of BL slots per column (p = B|x_j|) and per
** row (p = A|d_i|), n_ij = popcount(column train j & row train i) coincidences, all of
** direction s = sign(x_j)*sign(d_i)*sign(lr) (s > 0: down), applied one pulse at a time
** through the device rule (c2c noise and clipping per pulse). The samples of a batch are
** applied in order, each with the full lr. The trains and pulses run in the fast kernels of
** rt_kern.h: every sample draws one key from the update stream r, its column trains and each
** (sample, row) that fires get streams keyed from it, so rows can be split among the threads of a pool
** and the result is bit-identical for any number of threads.
** IR_PULSE_DETERMINISTIC_IMPLICIT (DenseBitLineMaker, docs/theory.md §2.5): the same plan, then
** q_x[j] = sign(x_j) clamp(disc(B|x_j|, x_res_implicit), 0, 1), q_d[i] likewise with A and
** d_res_implicit (disc(p, res) = rint(p/res) res, or p when res is 0), and
** c_ij = rint(BL q_d[i] q_x[j]) pulses at each (i,j), rows then columns in order, direction
** sign(c_ij) sign(lr) (> 0: down). Float arithmetic as aihwkit's.
** IR_PULSE_NONE: the exact W -= lr d x^T on the persistent weights, then clip.
** Ideal family: the exact update, never clipped.
**
** Write noise (docs/theory.md §3.2.4): when the device has write_noise_std > 0 the tile keeps a
** hidden persistent weight wp that pulses, decay, diffusion, resets and clipping act on;
** w = wp + write_noise_std*dw_min*xi is what everything else reads. w is redrawn for a
** weight after the pulses it receives in one sample (once, after the last: the values in
** between are never read, so this has the distribution of a redraw after every pulse) and
** for all weights after set, decay/diffusion, reset and clip.
*/
#ifndef AIMCI_RT_TILE_H
#define AIMCI_RT_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_device.h"
#include "rt_kern.h"
#include "rt_pool.h"
#include "rt_rng.h"

#define RT_MAX_BL RT_KERN_MAX_BL

typedef struct RtTile {
    size_t D, X;
    RtDevice dev;
    float *w;          /* (D,X) visible (apparent) weights: what forward/backward read */
    float *wp;         /* (D,X) persistent weights if the device has write noise, else NULL */
    RtCell *cell;      /* (D,X) per-device parameters */
    uint64_t *npulse;  /* (D,X) pulses received since creation, or NULL (not counted); the
                          kernels' part may lag in cnt: read it through rt_tile_pulses */
    uint16_t *cnt;     /* (D,X) the kernels' staged counters (with npulse), cnt_max their bound */
    unsigned cnt_max;
    float *xq, *dq;    /* (X), (D) scratch: deterministic_implicit signed probabilities */
    RtRng wrng;        /* write noise of set_weights and clip (seeded from the d2d stream) */
    RtPlanes *planes;  /* the kernels' per-cell constants (pulsed families), own allocation */
    void *batch;       /* grown scratch of the batch update (keys, plans, column trains) */
    uint8_t *touched;  /* (D) or NULL, owned by the caller: rt_tile_update_batch_pool sets
                          touched[i] = 1 for every row it may have changed (rt_algo.c) */
    size_t batch_cap;  /* its size in bytes */
} RtTile;             /* the struct heads its own allocation, besides planes and batch */

/* The pulse-train plan of one sample (docs/theory.md §2.3): BL slots, p_d = a|d_i|,
   p_x = b|x_j|. */
typedef struct RtPulsePlan {
    int bl;
    double a, b;
} RtPulsePlan;

/*
** A (D,X) tile of device ir, weights 0, cells drawn from d2d (rt_device_sample), then one
** more d2d draw seeds wrng. count_pulses: keep per-weight pulse counters. NULL if out of
** memory or D*X overflows.
*/
RtTile *rt_tile_new(size_t D, size_t X, const IrDevice *ir, RtRng *d2d, bool count_pulses);
void rt_tile_free(RtTile *t);

/* The per-weight pulse counters (D,X) with the staged ones added in; NULL if not counted. */
const uint64_t *rt_tile_pulses(RtTile *t);

/* Pulses weight k has received (counted tiles), without touching the tile. */
static inline uint64_t rt_tile_pulses_at(const RtTile *t, size_t k)
{
    return t->npulse[k] + t->cnt[k];
}

/*
** Copy w (D,X) into the tile, each weight clipped to its cell's bounds (the persistent
** weight with write noise; the visible one gets noise from wrng if apply_write_noise_on_set).
*/
void rt_tile_set_weights(RtTile *t, const float *w);

/* The weights updates act on: wp with write noise, else w. */
float *rt_tile_persistent(RtTile *t);

/* y (B,D) = x (B,X) * W^T + bias; bias (D) is digital and may be NULL. */
void rt_tile_forward(float *y, const RtTile *t, const float *x, const float *bias, size_t B);
void rt_tile_forward_ref(float *y, const RtTile *t, const float *x, const float *bias, size_t B);

/* dx (B,X) += d (B,D) * W. */
void rt_tile_backward(float *dx, const RtTile *t, const float *d, size_t B);
void rt_tile_backward_ref(float *dx, const RtTile *t, const float *d, size_t B);

/*
** calculateBlAB + performUpdateManagement for one sample with granularity dw (the update
** uses |lr|; sign(lr) only enters the pulse direction). Returns false when nothing is to be
** fired: lr == 0, or UM/UBLM with max|x| == 0 or max|d| == 0.
*/
bool rt_pulse_plan(RtPulsePlan *p, const float *x, size_t X, const float *d, size_t D,
                   double lr, double dw, const IrUpdate *u);

/*
** The plans of samples 0..B-1 of x (B,X) and d (B,D), each as rt_pulse_plan makes it; on[b]
** says whether sample b fires (p[b] counts only then). Their arithmetic runs in vector lanes,
** the same operations per sample. xmax (B), or NULL: each sample's rt_absmax of x where the
** caller has it already.
*/
void rt_pulse_plans(RtPulsePlan *p, bool *on, const float *x, const float *xmax, size_t X,
                    const float *d, size_t D, size_t B, double lr, double dw, const IrUpdate *u);

/* One sample: x (X), d (D); the batch update of one sample, without a pool. */
void rt_tile_update(RtTile *t, const float *x, const float *d, double lr, const IrUpdate *u,
                    RtRng *r);

/*
** B samples in order: x (B,X), d (B,D), every one with the same lr. Each sample draws one
** key from r (stochastic_compressed; the other pulse types draw their trains, noise and write
** noise from r directly).
*/
void rt_tile_update_batch(RtTile *t, const float *x, const float *d, size_t B, double lr,
                          const IrUpdate *u, RtRng *r);

/*
** The same, the rows split among the threads of pool (NULL: none) in blocks, when the batch
** is large enough to pay for it (D X B >= 16384); the result is bit-identical either way.
*/
void rt_tile_update_batch_pool(RtTile *t, const float *x, const float *d, size_t B, double lr,
                               const IrUpdate *u, RtRng *r, RtPool *pool);
/*
** The same with xmax (B) each sample's rt_absmax of x (a layer's forward took them for its
** noise management), or NULL.
*/
void rt_tile_update_batch_max(RtTile *t, const float *x, const float *xmax, const float *d,
                              size_t B, double lr, const IrUpdate *u, RtRng *r, RtPool *pool);

/* The naive twin: the same streams and trains, every pulse by the double rule (serial). */
void rt_tile_update_batch_ref(RtTile *t, const float *x, const float *d, size_t B, double lr,
                              const IrUpdate *u, RtRng *r);

/*
** aihwkit's post_update_step, once per optimizer step after the update (docs/theory.md §3.2.5):
** diffusion w += rate*xi (one normal per weight from r, row-major) if the device diffuses,
** then decay w = (w - reset)*scale + reset if it decays, each followed by clipping (pulsed
** families) and, with write noise, a redraw of every visible weight from r. Returns whether
** it changed anything (false, and nothing drawn, for a device that neither diffuses nor decays).
*/
bool rt_tile_post_update(RtTile *t, RtRng *r);

/*
** Reset columns j0 .. j0+n-1 (those inside the tile): w = reset + reset_std*xi (one normal
** per weight from r when reset_std > 0, column by column), clipped; then the visible weights
** are redrawn (write noise, from r).
*/
void rt_tile_reset_columns(RtTile *t, size_t j0, size_t n, RtRng *r);

/* Clip every (persistent) weight to its cell's bounds; redraw the visible ones (wrng). */
void rt_tile_clip(RtTile *t);

/*
** One pulse at (i,j), up or down, through the double rule rt_device_pulse (plus a write-noise
** redraw from r); returns the new visible weight. (measure's probe; updates use rt_kern.h.)
*/
float rt_tile_pulse(RtTile *t, size_t i, size_t j, bool up, RtRng *r);

#endif
