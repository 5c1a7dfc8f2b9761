/*
** rt_algo.h: the analog training algorithms of docs/theory.md §5 (docs/algorithms.md) as one
** module over tiles: one RtAlgo per analog layer, built from the layer's tile and the
** optimizer, stepped by rt_net_step after the backward pass.
**
** Legend: D = rows (outputs), X = columns (inputs) of the layer; every array is (D,X),
** a[i*X+j] (docs/theory.md §2.1); B = rows of a batch. K analog arrays arr[0..K-1]: arr[0] receives
** the gradient, arr[K-1] is the weight array W (the layer's tile, or a tile of `slow`);
** analog_sgd and mixed_precision have K = 1 (arr[0] is W), multi_tile K = n_tiles, the others
** K = 2 (arr[0] is P, also called A). The layer computes with the visible weights
**     vis = sum_k gv[k] * L_k,  gv = [gamma^(K-1), ..., gamma, 1]  (aihwkit gamma_vec),
** where L_k is the logical array: A_k - R_k when A_k is read against a zero-shift reference
** R_k, else A_k; for choppers and riders L_0 is chop(i,j) * (A - Q) (Q digital, 0 if none).
**
** One step (rt_algo_step), t counting steps from 1:
**   analog_sgd       W <- pulsed update with lr_g (rt_tile_update_batch, the layer's stream)
**   mixed_precision  chi += lr_g d x^T per sample (digital); every transfer_every steps each
**                    weight gets n = trunc(chi/thr) (|n| <= transfer_bl) pulses, chi -= n thr
**   the others       A <- pulsed update with lr_g (chopped signs for c_ttv2, agad, e_rider);
**                    then the transfers whose period divides t (rt_algo_transfer.c), reading
**                    n_reads_per_transfer columns (cyclic) of L through the transfer I/O with
**                    one-hot inputs.
** thr = thres_scale * granularity(W). Threshold writes fire single pulses (rt_tile_pulse) and
** pulsed writes use rt_tile_update with x = e_c, d = -read, BL transfer_bl, UM and UBLM on.
** After the step (and after rt_algo_post_update) vis is recomputed.
**
** Rates under a learning-rate schedule of factor f (rt_algo_set_lr; f = 1 without one), lr the
** optimizer's lr as written: the gradient rate lr_g is lr f for analog_sgd, mixed_precision and
** residual_v2, whose gradient array aihwkit (and the seed paper's RLv2 code) updates with the
** SGD rate; it stays lr for the transfer compounds (tiki_taka, residual, multi_tile, ttv2,
** c_ttv2, agad, rider, e_rider), whose fast array has an absolute rate (aihwkit's fast_lr
** without scale_fast_lr, as in aihwkit 0.9.0 and the seed paper's runs). The transfer rate
** lr_t = transfer_lr (lr f if scale_transfer_lr) follows the schedule in every family.
**
** Zero-shifting (docs/theory.md §5.10, optimizer zero_shift): before training, every array but W
** gets zero_shift_pulses single pulses per device, alternating up and down (starting up),
** from its initial state 0; then its reference R (a tile of `reference`) is programmed to the
** result (rt_tile_set_weights: clipped, write noise if the device has it). L = A - R starts
** near 0 and its symmetric point is w_sp(A) - R: the calibration's residual error.
**
** Streams (rt_rng.h numbering continues here): RT_STREAM_ALGO(l, a) for layer l, with
** a = 4k + {0: d2d of arr[k], 1: its updates, 2: d2d of R_k, 3: its calibration pulses} for
** k < K-1, RT_ALGO_TIO (transfer I/O) and RT_ALGO_CHOP (choppers). W keeps the layer's
** streams: cells from RT_STREAM_D2D(l), updates and post-update from RT_STREAM_UPDATE(l), so
** analog_sgd draws exactly what a plain tile does and every algorithm shares W's cells.
*/
#ifndef AIMCI_RT_ALGO_H
#define AIMCI_RT_ALGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "rt_io.h"
#include "rt_pool.h"
#include "rt_rng.h"
#include "rt_tile.h"

#define RT_ALGO_MAX_ARRAYS 8
#define RT_ALGO_MAX_STATS (2 * RT_ALGO_MAX_ARRAYS + 1) /* arrays, references, buffer */
#define RT_STREAM_ALGO(l, a) (0x7A000000u + 64u * (uint64_t)(l) + (uint64_t)(a))
#define RT_ALGO_TIO 32u
#define RT_ALGO_CHOP 33u

/*
** What the hardware did to one array, counted per call (never per weight; docs/cost.md):
** pulsed updates (one per sample of a gradient update or per column of a pulsed transfer
** write; each takes the hardware's update cycles), threshold writes (a column, or a row for
** mixed_precision, that fired at least one pulse; each takes transfer_bl pulse cycles),
** analog MVMs by kind, the zero-shift calibration's pulses and digital element operations.
** The per-device pulses are the tile's counters (rt_tile_pulses_at).
*/
typedef struct RtArrCount {
    double updates;      /* pulsed updates (rank-one, BL slots each) */
    double writes;       /* threshold writes (a column or a row) */
    double write_cycles; /* pulse cycles of those writes: transfer_bl each */
    double mvm_fwd, mvm_bwd, mvm_read, mvm_calib; /* analog MVMs (one input vector each) */
    double calib_pulses; /* pulses of the zero-shift calibration */
    double digital;      /* digital element operations on its buffer (H, chi, Q, mu) */
} RtArrCount;

/* One analog array of an algorithm. */
typedef struct RtArr {
    RtTile *t;        /* the array; W is the layer's tile (borrowed) */
    RtTile *ref;      /* zero-shift reference R, or NULL */
    RtRng *upd;       /* its updates and post-update (W: the layer's stream) */
    RtRng own;        /* the stream upd points to, for arrays other than W */
    float *lg;        /* (D,X) the logical array L (A - R, chopped, minus Q), or t->w */
    double *sp;       /* (D,X) each cell's symmetric point (stored weight); NaN: none */
    size_t every;     /* steps between transfers out of it (not W) */
    size_t col;       /* next column to read */
    double transfers; /* columns written into it */
    const IrDevice *dev; /* its device (cost: endurance, pulse energy) */
    RtArrCount cnt;      /* what the hardware did to it */
} RtArr;

typedef struct RtAlgo {
    const IrOptimizer *o;
    size_t D, X, K, max_rows;
    RtArr arr[RT_ALGO_MAX_ARRAYS];
    double gv[RT_ALGO_MAX_ARRAYS]; /* visible-weight factors */
    float *vis;      /* (D,X) what the layer computes with (W's own w when K == 1) */
    float *h;        /* (D,X) buffer H, chi (mixed_precision) or Q (riders); or NULL */
    float *mu, *mu_past; /* (D,X) agad's running reference and the one in use */
    float *cin, *cout;   /* (X), (D) input and output chopper signs +-1 (c_ttv2, agad) */
    float csign;     /* e_rider's chopper sign (1 for the others) */
    bool *switched;  /* (X) agad: the chopper of the column flipped at its last read */
    double thr;      /* threshold of threshold writes */
    double lr;       /* the optimizer's lr when the algorithm was built: unscheduled */
    double lr_g;     /* rate of the gradient update (of arr[0], or of chi) */
    double lr_t;     /* rate of pulsed transfer writes (buffered kinds: of the buffer) */
    IrUpdate tu;     /* update parameters of pulsed transfer writes */
    IrIO tio_ir;     /* the transfer I/O (noise and bound management off) */
    RtIO *tio;       /* its state (K >= 2), or NULL */
    RtRng chop;      /* chopper flips */
    size_t t;        /* steps taken */
    size_t sweep;    /* completed sweeps over the columns (choppers, agad) */
    double digital;  /* digital element operations on the buffer a->h (and mu) */
    float *oh, *y, *dv, *xs, *ds; /* scratch: one-hot (X rows), reads, a d vector, chopped batch */
    uint8_t *row_changed; /* (D) rows of arr[0] the step's gradient update touched, and */
    uint8_t *col_changed; /* (X) columns its transfers wrote; NULL: vis refreshed whole */
} RtAlgo;

struct RtNet;

/*
** Attach the algorithm of o to every analog layer of n (built from m with rt_net_new, weights
** initialised): analog_sgd and the compound kinds; digital_sgd attaches nothing. Each layer's
** `algo` is set and its `w` points at the visible weights. 0, or 1 with a message in err
** (out of memory).
*/
int rt_algo_attach(struct RtNet *n, const IrModel *m, const IrOptimizer *o, uint64_t seed,
                   char *err, size_t errlen);

/*
** The algorithm of one layer of sizes (D,X) around its weight tile *w (initial weights set),
** for batches of up to max_rows rows. slow != the layer's device replaces *w by a tile of
** slow drawn from w_d2d (same weights). upd is the layer's update stream; o->lr is the
** unscheduled rate (a->lr). NULL if out of memory.
*/
RtAlgo *rt_algo_new(RtTile **w, const IrLayer *L, const IrOptimizer *o, RtRng *upd,
                    uint64_t seed, size_t layer, size_t max_rows, RtRng *w_d2d);
void rt_algo_free(RtAlgo *a);

/*
** One optimizer step on x (B,X) and the output gradient d (B,D), then vis. The gradient
** updates run on pool's threads (NULL: none; the result does not depend on it, rt_tile.h).
*/
void rt_algo_step(RtAlgo *a, const float *x, const float *d, size_t B, RtPool *pool);
/* The same with xmax (B), or NULL: x's row maxima (rt_tile_update_batch_max). */
void rt_algo_step_max(RtAlgo *a, const float *x, const float *xmax, const float *d, size_t B,
                      RtPool *pool);

/*
** A learning-rate schedule (rt_train.h) multiplies the SGD rate by factor from now on: set
** lr_g and lr_t from a->lr as the header says (factor 1 at construction). The schedule's
** caller keeps a->o->lr itself at lr factor for the digital parameters; rt_algo reads only
** a->lr.
*/
void rt_algo_set_lr(RtAlgo *a, double factor);

/* Every array's post-update step (diffusion, decay; rt_tile_post_update), then vis. */
void rt_algo_post_update(RtAlgo *a);

/* Recompute the logical arrays and vis from the tiles and buffers (rows on pool, if any). */
void rt_algo_refresh(RtAlgo *a, RtPool *pool);

/* Per-array statistics of the run log (rt_train.h). */
typedef struct RtArrayStat {
    char name[8];     /* "W", "P", "P1".., "R", "R1".., "H", "chi", "Q" */
    double pulses;    /* pulses fired on it so far (calibration included); NaN: digital */
    double transfers; /* columns (rows for mixed_precision) written into it; NaN: none */
    double mean_abs;  /* mean |L| */
    double sp_dist;   /* RMS over cells of L minus its symmetric point; NaN: none defined */
    /* cost (docs/cost.md), all cumulative since the run began; NaN where not applicable */
    double dev_mean, dev_max, dev_p99; /* pulses per device: mean, max, 99th percentile */
    RtArrCount cnt;   /* what the hardware did (rt_algo.h RtArrCount) */
    size_t D, X;      /* its rows and columns */
    bool analog;      /* an analog array (else the digital buffer) */
    bool weight;      /* the weight array W (forward and backward are timed on it) */
    bool reference;   /* a zero-shift reference (read with its array: energy, no time) */
    const IrDevice *dev; /* its device, or NULL (the digital buffer) */
} RtArrayStat;

/* The name of array k of K: "W" for the weights; "P" (K == 2) or "P<n>" (n steps finer than
** W, multi_tile) for the others; with ref, "R" or "R<n>" for their zero-shift references. */
void rt_algo_array_name(char out[8], size_t k, size_t K, bool ref);

/*
** After the arrays' weights, cells and buffers were replaced (weights loaded from a file,
** rt_net_state.h): the symmetric points again from the cells, then the logical arrays and
** vis. 0, or -1 when out of memory.
*/
int rt_algo_reloaded(RtAlgo *a);

/*
** The statistics of a's arrays into out (at most cap); returns how many: the analog arrays
** from W down, the references of zero-shifted arrays, then the digital buffer. The 99th
** percentile is the nearest-rank one (the ceil(0.99 n)-th smallest count).
*/
size_t rt_algo_stats(const RtAlgo *a, RtArrayStat *out, size_t cap);

/* Count B rows of the layer's forward (bwd false) or backward MVM on every array. */
void rt_algo_count_mvm(RtAlgo *a, bool bwd, size_t B);

/*
** The symmetric point of one cell (stored weight): the root of step(up) + step(down) on
** [bmin - ref, bmax - ref] by bisection on the noise-free steps; NaN when the steps do not
** change sign there (ideal, constant steps, a drift to a bound).
*/
double rt_algo_cell_sp(const RtDevice *dv, const RtCell *c);

#endif
