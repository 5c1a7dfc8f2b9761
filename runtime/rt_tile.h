/*
** rt_tile.h: an analog tile, D rows (outputs) by X columns (inputs), and its pulsed update.
**
** w is (D,X), w[i*X+j]; i is the output (d) index, j the input (x) index (DOMAIN.md 2.1).
** The tile owns its weights, its per-device cells, optional pulse counters and the scratch
** bit trains in one 64-byte aligned allocation. Forward and backward go through BLIS
** (rt_matmul.h) and have naive `_ref` twins.
**
** The update implements SGD, W <- W - lr d x^T, one sample at a time (DOMAIN.md 2.3-2.7):
** BL and the probability scales A (d side) and B (x side) from calculateBlAB and
** performUpdateManagement, one Bernoulli train of BL slots per column (p = B|x_j|) and per
** row (p = A|d_i|) packed in a uint64_t, n_ij = popcount(xbits[j] & dbits[i]) coincidences,
** all of direction s = sign(x_j)*sign(d_i)*sign(lr) (s > 0: down), applied one pulse at a
** time through the device rule (c2c noise and clipping per pulse). The samples of a batch
** are applied in order, each with the full lr.
** IR_PULSE_NONE: the exact W -= lr d x^T, then clip to each cell's bounds.
** Ideal family: the exact update, never clipped.
*/
#ifndef AIMCI_RT_TILE_H
#define AIMCI_RT_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_device.h"
#include "rt_rng.h"

#define RT_MAX_BL 64

typedef struct RtTile {
    size_t D, X;
    RtDevice dev;
    float *w;          /* (D,X) visible weights */
    RtCell *cell;      /* (D,X) per-device parameters */
    uint64_t *npulse;  /* (D,X) pulses received since creation, or NULL (not counted) */
    uint64_t *xbits;   /* (X) scratch: the column trains of the current sample */
    uint64_t *dbits;   /* (D) scratch: the row trains */
} RtTile;             /* the struct heads its own allocation: rt_tile_free frees it all */

/* The pulse-train plan of one sample (DOMAIN.md 2.3): BL slots, p_d = a|d_i|, p_x = b|x_j|. */
typedef struct RtPulsePlan {
    int bl;
    double a, b;
} RtPulsePlan;

/*
** A (D,X) tile of device ir, weights 0, cells drawn from d2d (rt_device_sample).
** count_pulses: keep per-weight pulse counters. NULL if out of memory or D*X overflows.
*/
RtTile *rt_tile_new(size_t D, size_t X, const IrDevice *ir, RtRng *d2d, bool count_pulses);
void rt_tile_free(RtTile *t);

/* Copy w (D,X) into the tile, each weight clipped to its cell's bounds. */
void rt_tile_set_weights(RtTile *t, const float *w);

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

/* One sample: x (X), d (D); trains and c2c noise are drawn from r. */
void rt_tile_update(RtTile *t, const float *x, const float *d, double lr, const IrUpdate *u,
                    RtRng *r);

/* B samples in order: x (B,X), d (B,D), every one with the same lr. */
void rt_tile_update_batch(RtTile *t, const float *x, const float *d, size_t B, double lr,
                          const IrUpdate *u, RtRng *r);

/* One pulse at (i,j), up or down, through the device rule; returns the new weight. */
float rt_tile_pulse(RtTile *t, size_t i, size_t j, bool up, RtRng *r);

#endif
