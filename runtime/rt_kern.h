/*
** rt_kern.h: the fast kernels of the pulsed update (docs/theory.md §2.3-2.7, 2.9) and of the I/O
** stages, and their naive twin.
**
** rt_kern.c is compiled three times: for the x86-64 baseline (rt_kern_base), with -mavx2
** -mfma -mpopcnt (rt_kern_avx2) and with AVX-512 F/VL/BW/DQ too (rt_kern_avx512; 7-8% faster
** trainings than AVX2 on a Xeon with AVX-512); rt_kern() picks the widest the CPU has. The
** builds run the same IEEE operations in the same order (8-lane GCC vectors;
** -ffp-contract=off, so no FMA is formed; no approximate instructions such as rcpps; the few
** ISA-specific helpers compute exactly the same values), so they give bit-identical
** results; tests/runtime/test_kern.c checks that.
**
** Legend: B = samples of a batch, D = tile rows, X = tile columns; w is (D,X), w[i*X+j].
**
** Why this is fast, and still the pulsed update of docs/theory.md §2.4 (the shortcuts of 2.9):
**   - trains are bit-packed (BL <= 64: two 32-bit words) and coincidences are popcounts;
**     the row and column trains stay shared along rows and columns;
**   - the cost follows the pulses that fire: a row's train is drawn as its number of fired
**     slots K ~ Binomial(BL, p_d) (by inversion of one uniform word) and then the K slots
**     (a uniform K-subset), which is the same distribution as BL Bernoulli slots; the
**     uniform words of a sample's rows come in bulk, so a row that fires nothing (most rows,
**     with real gradients) costs a comparison and draws nothing else;
**   - random numbers come from counter-style streams: per sample one 64-bit key is drawn
**     from the tile's update stream; the column trains come from (key, RT_KERN_COL_STREAM),
**     the rows' uniform words from (key, RT_KERN_ROW_STREAM), and everything else of a row
**     i that fires (its slots, c2c and write noise) from (key, i). Rows are therefore
**     independent given the column trains and can be split among threads in any way with
**     bit-identical results; a thread runs its rows for every sample of the batch in order
**     (samples stay sequential per weight, the state dependence of docs/theory.md §2.4);
**   - 8 columns per vector; the n pulses of a weight are applied one at a time in a level
**     loop (level q pulses every column with n > q); 4 such chunks are interleaved to hide
**     the latency of the dependent pulses; c2c normals are generated in bulk (Box-Muller)
**     and handed to the active lanes only (an expand through a rank table);
**   - per-family rules with per-cell constants precomputed (RtPlanes), pow and exp by
**     polynomial log2/exp2; for pow_step and the seed paper's power the step is a cubic in
**     v - v0 around the sample's first state v0 (the binomial series of u^g, exact at v0)
**     while the relative change of the base stays within 1/32, so a pulse is a few
**     multiply-adds whatever the exponent;
**   - per sample, a bitmap per slot of the 8-column chunks that fire at it (cmask): a row
**     visits only the chunks its train reaches, so sparse updates (small BL, few firing
**     columns: the usual case in training) skip the rest without looking at them;
**   - pulse counters are 16-bit and staged (RtUpd.cnt): the tile adds them into its 64-bit
**     counters before they could overflow, so the counting touches little memory.
**
** The update of one batch (RtUpd). Per sample b, computed once by the caller in order: the
** key, the plan (BL, A, B of docs/theory.md §2.3), the column trains (col_trains: 8 columns
** at a time; for each of their slots one step of the stream, word l for column l) and the
** rows' words (RtUpd.ru[b rs + i]: word i of the stream (key, RT_KERN_ROW_STREAM), lane
** i % 8 of its step i / 8). Then per row i and sample b in order:
**   1. K = rt_kern_train_count(ru[b][i], p_d, BL) (made per sample with its trains,
**      RtUpd.kc); nothing more when K = 0;
**   2. the row stream g = (key, i) (rt_rng8_seed) and the row train: K distinct slots by
**      Floyd's algorithm from g's words (RtKern.row_slots);
**   3. n_ij = popcount(row train & column train j) coincidences (a row with one fired slot k:
**      one pulse on each column that fires at k, found through the chunk bitmaps, packed
**      8 at a time in column order and gathered; for a sample with BL 1 the packed list is
**      made once, RtUpd.cols), direction
**      s = sign(x_j) sign(d_i) sign(lr) (s > 0: down); the n_ij pulses applied one at a
**      time through the device rule, with fresh c2c normals and clipping after each;
**   4. with write noise, one redraw of every visible weight that received pulses.
** Normals come from g after the row train, in blocks of 16 (Box-Muller, below), and are
** consumed in this fixed order. A row with one fired slot k (and a vector rule, no special
** cell): the columns that fire at k in groups of 8 (column order), per group the pulses'
** normals of its lanes in order (first normals, then second ones), then its write-noise
** draws. Other rows: the row's columns go in chunks of 8, and the chunks with
** pulses in blocks of 4 (in column order; the last block may be shorter). Within a block:
** pulse level q = 0, 1, ...; within a level chunk by chunk; within a chunk its active
** lanes (n > q) in order, each taking rt_device_normals() values (the chunk's first normals
** of the level, then its second ones). After a block's pulses, its write-noise draws, chunk
** by chunk, lane by lane.
**
** Random words: xoshiro128+ in each of 8 lanes (rt_rng8_seed; its weak lowest bits only
** ever reach a draw below 2^-23 of its value). Normals: Box-Muller on two words a (radius)
** and c (angle): u = ((a >> 1) | 1) 2^-31 in (0, 1] (rounded to float), r = sqrt(-2 ln u),
** angle 2 pi (c 2^-32); lanes l and 8 + l of a block of 16 get r cos and r sin. With the
** polynomials of rt_kern.c (log2 1.4e-5 relative, sin 1.2e-6, cos 4.7e-8) a normal is
** within about 1e-5 |xi| + 1e-6 of the exact transform of its words; the tail ends at
** |xi| = 6.56 (probability 5e-11). tests/runtime/test_kern.c checks four moments, the tails beyond
** 3 and 4.5, and the Kolmogorov-Smirnov distance to Phi on 2^21 draws.
**
** Per-pulse rules in float, with the per-cell constants of RtPlanes; pow and exp through
** polynomial log2/exp2 built from IEEE +, -, * and exponent bits (relative error of u^g
** and 2^t about 3e-7): a step differs from the double rule of rt_device_pulse by a few
** 1e-7 relative, and aihwkit's traces are reproduced within 6e-8 (tests/runtime/test_kern.c).
** Families without a vector rule (response, piecewise_step) and blocks holding a special
** cell (no bounds range: an inert pulse) run the double rule lane by lane with the same
** normals.
*/
#ifndef AIMCI_RT_KERN_H
#define AIMCI_RT_KERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_device.h"
#include "rt_rng.h"

#define RT_KERN_MAX_BL 64                   /* the longest train: two 32-bit words */
#define RT_KERN_COL_STREAM UINT64_MAX       /* stream of a sample's column trains */
#define RT_KERN_ROW_STREAM (UINT64_MAX - 1) /* stream of a sample's row words (RtUpd.ru) */

/* How a family's pulse is computed (one vector rule each). */
typedef enum RtKFam {
    RT_KF_LINEAR,    /* m = a + c v: constant, soft_bounds, linear_step, soft_bounds_reference */
    RT_KF_POW,       /* m = a ((v - e) f)^g: pow_step(_reference) */
    RT_KF_EXP,       /* m = a max(1 - A 2^(k + c v), 0): exp_step */
    RT_KF_PAPER_LIN, /* m = a max(c + e v, 0): seed paper linear */
    RT_KF_PAPER_POW, /* m = a max(c + e v, 0)^gamma: seed paper power */
    RT_KF_PAPER_EXP, /* m = a (2^(gamma' max(c + e v, 0)) - 1)/norm: seed paper exponential */
    RT_KF_GENERIC    /* the double rule, lane by lane (response, piecewise_step) */
} RtKFam;

/* How the c2c noise enters: Delta = m (1 + s1 xi) [mult], m + a s1 xi [add], ... */
typedef enum RtKNoise {
    RT_KN_NONE,    /* Delta = m */
    RT_KN_MULT,    /* m (1 + s1 xi) */
    RT_KN_ADD,     /* m + a s1 xi (additive: linear_step, soft_bounds, soft_bounds_reference) */
    RT_KN_PAPER,   /* m (1 + s1 xi1) + a s2 xi2 (seed paper; either part may be off) */
    RT_KN_COMPLEX  /* m + s1 (|m| + add + slope |v|) xi (exp_step complex noise) */
} RtKNoise;

/*
** Per-cell constants of the vector rules, (D,X) planes; [0] up, [1] down. a is the signed
** step scale (+s_up, -s_down); c, e, f, g as the family's rule above. lo, hi are the
** clip bounds of v = w + ref; ref is NULL for families without a reference.
*/
typedef struct RtPlanes {
    RtKFam fam;
    RtKNoise noise;
    int nxi;                 /* normals per pulse (rt_device_normals) */
    size_t n;                /* D*X */
    float *a[2], *c[2], *e[2], *f[2], *g[2];
    float *lo, *hi, *ref;
    uint8_t *special;        /* 1: this cell runs the double rule; NULL if none does */
    /*
    ** Per plane (RT_PL_*), the mask of a cell index into it: SIZE_MAX, or 0 when the plane
    ** (both directions of a pair) holds one value for every cell (no device-to-device
    ** variation): the kernels then read its first cells, which stay in cache.
    */
    size_t at[8];
    float s1, s2;            /* noise stds (see RtKNoise) */
    float k[2], A[2];        /* exp_step: exponent offsets (log2 units) and A_up, A_down */
    float gamma, gscale, inv_norm; /* paper power/exp: gamma_res, gamma_res log2 e, 1/expm1 */
    float add, slope;        /* exp_step complex noise */
    bool root;               /* POW, PAPER_POW: the exponent is 1/2 for every cell: u^g is
                                sqrt(u), correctly rounded (pow_step's default, the seed
                                paper's gamma_res = 0.5) */
    const RtDevice *dv;      /* borrowed: the generic rule */
    const RtCell *cell;      /* borrowed: (D,X) */
} RtPlanes;

/* The planes, as indices of RtPlanes.at. */
enum { RT_PL_A, RT_PL_C, RT_PL_E, RT_PL_F, RT_PL_G, RT_PL_REF, RT_PL_LO, RT_PL_HI };

/* Build the planes of a (D,X) array of cells of dv (both borrowed); NULL if out of memory. */
RtPlanes *rt_planes_new(const RtDevice *dv, const RtCell *cell, size_t n);
void rt_planes_free(RtPlanes *p);

/* One batch of the pulsed update (everything borrowed). */
typedef struct RtUpd {
    const RtPlanes *pl;
    float *w;             /* (D,X) weights the pulses act on (persistent with write noise) */
    float *wv;            /* (D,X) visible weights to redraw, or NULL (no write noise) */
    uint16_t *cnt;        /* (D,X) staged pulse counters, or NULL (the caller keeps them from
                             overflowing: at most 65535 - sum of the batch's BL before it) */
    float wn;             /* write-noise std in weight units */
    size_t D, X, B;
    const float *x, *d;   /* (B,X) inputs, (B,D) errors */
    const uint64_t *key;  /* (B) sample keys */
    const double *pa;     /* (B) the plan's A (p_d = A |d_i|); 0: the sample fires nothing */
    const int *bl;        /* (B) the plan's BL, 1..64 */
    const uint32_t *ru;   /* (B,rs) the rows' uniform words (samples that fire); rs >= D */
    const uint8_t *kc;    /* (B,rs) each row's K (step 1 below, RtKern.train_counts) */
    size_t rs;
    const uint32_t *xlo;  /* (B,X) column trains, slots 0..31 */
    const uint32_t *xhi;  /* (B,X) slots 32..63, or NULL when no BL exceeds 32 */
    /*
    ** (B,64,cw) per sample and slot k < BL: bit c of the bitmap is set iff a column of chunk
    ** c (columns 8c..8c+7) fires at slot k (rt_kern_chunk_masks); cw = ceil(ceil(X/8)/64).
    ** A row visits only the chunks its train reaches: the others have no coincidence.
    */
    const uint64_t *cmask;
    size_t cw;
    /*
    ** (B, X + 8), or NULL: for a sample whose BL is 1 (when rt_kern_packs_rows), the columns
    ** that fire at slot 0 in column order, each as its index with x_j's sign bit on top
    ** (RtKern.col_trains), ncols[b] of them; ncols[b] = -1 for the others, whose chunk
    ** bitmaps (cmask) are made instead. All the rows of such a sample that fire pulse
    ** exactly these columns (rows with real gradients: about 10 per sample in fcn_fashion),
    ** so the scan of the chunks is made once per sample, not once per row.
    */
    const int32_t *cols;
    const int *ncols;
    bool lr_neg;          /* lr < 0: every direction flips */
    uint8_t *touched;     /* (D) or NULL: a row that fires a slot sets its byte to 1 */
    /*
    ** The batch is one sample whose only nonzero input is column hot_col (a transfer's
    ** one-hot write) and rt_kern_column_rows holds: rows go 8 side by side, each pulsing its
    ** one cell (the same pulses, values and normals as row by row).
    */
    bool one_hot;
    size_t hot_col;
} RtUpd;

/*
** A stage's step as two floats, hi = step rounded and lo = the rest rounded, where for every
** integer n with |n| <= 2^10 the float fma(n, hi, n lo) is the double n step rounded to float
** and compares with the bound (a float) as n step does: checked for each n when the stage is
** made (rt_kern_float_step; hi 0 where some n differs, or step or bound is not positive, or
** bound is not a float). The DAC and ADC then finish the integers their float prefilter
** found in float (RtKern.dac, adc): the conversions to double and back were most of a
** stage's operations.
*/
typedef struct RtFloatStep {
    float hi, lo;
} RtFloatStep;

#define RT_NO_FLOAT_STEP ((RtFloatStep){0.0f, 0.0f}) /* the stage finishes in double */

RtFloatStep rt_kern_float_step(double step, double bound);

/*
** A product kernel: c (m,n) = alpha a b^T or alpha a b, plus c where beta is 1 (beta 0 or 1);
** a (m,k) row-major with row stride lda, b's rows ldb floats apart (RtKern.short_dots,
** long_dots, short_combos say which shapes each takes).
*/
typedef void RtKernProduct(float *c, size_t ldc, const float *a, size_t lda, const float *b,
                           size_t ldb, size_t m, size_t n, size_t k, float alpha, float beta);

/* A build of the kernels (rt_kern.c). */
typedef struct RtKern {
    const char *name;     /* "avx512", "avx2" or "baseline" */
    /* Rows i0..i1-1 of the batch, every sample in order. */
    void (*rows)(const RtUpd *u, size_t i0, size_t i1);
    /*
    ** The column trains lo, hi (X; hi may be NULL if bl <= 32) of one sample: p = b |x_j|.
    ** With list (bl 1; room for X + 8), also its RtUpd.cols entries; their number.
    */
    size_t (*col_trains)(uint32_t *lo, uint32_t *hi, const float *x, size_t X, double b, int bl,
                         uint64_t key, int32_t *list);
    /*
    ** K = rt_kern_train_count(ru[i], pa |d_i|, bl) of each of D rows of one sample into kc
    ** (room for D rounded up to 8); whether one is above 0. Most rows fire nothing, and the
    ** test of 8 rows at once finds them; the others sum their binomials 8 lanes at a time.
    */
    bool (*train_counts)(uint8_t *kc, const uint32_t *ru, const float *d, size_t D, double pa,
                         int bl);
    /* The row train of k >= 1 fired slots out of bl from g (advanced past its words). */
    uint64_t (*row_slots)(RtRng8 *g, int k, int bl);
    /* n uniform words from g (a multiple of 8: word m is lane m % 8 of step m / 8). */
    void (*words)(RtRng8 *g, uint32_t *out, size_t n);
    /*
    ** The first n words (a multiple of 8) of m fresh streams (key[r], stream) into out[r]:
    ** words of rt_rng8_seed(key[r], stream). Streams go side by side, so that their seeding
    ** chains overlap (a sample's row words, 64 samples' at a time).
    */
    void (*stream_words)(const uint64_t *key, uint32_t *const *out, size_t m, uint64_t stream,
                         size_t n);
    /* n normals (a multiple of 16) from g into out, in the kernel's order. */
    void (*normals)(RtRng8 *g, float *out, size_t n);
    /*
    ** The first 16 normals of the streams (key[r], 0) of m rows into out (m,16): normals of
    ** each row's g seeded by rt_rng8_seed(g, key[r], 0) (the noise of narrow I/O rows).
    */
    void (*row_normals)(const uint64_t *key, size_t m, float *out);
    /*
    ** The DAC of rt_io.h without stochastic rounding, in double: v = x scale; quantise to
    ** step (ties to even; step 0: none); clip to +-bound; + noise xi[j] (xi NULL: none);
    ** times asym where negative; rounded to float. fstep: rt_kern_float_step(step, bound),
    ** or none; the same values either way.
    */
    void (*dac)(float *v, const float *x, size_t n, double scale, double step, double bound,
                double noise, const float *xi, double asym, RtFloatStep fstep);
    /*
    ** The ADC of rt_io.h without stochastic rounding, in double, y in place: times asym where
    ** negative; + sig[i] xi[i] (xi NULL: none); quantise; clip to +-bound. False if an output
    ** was above bound, or below -bound with neg. fstep as the DAC's.
    */
    bool (*adc)(float *y, size_t n, const float *sig, const float *xi, double asym, double step,
                double bound, bool neg, RtFloatStep fstep);
    /*
    ** c (m,n) = alpha a b^T, plus c where beta is 1 (beta 0 or 1), for k from 2 to
    ** RT_KERN_SHORT_K_MAX and n a multiple of 16; a (m,k) and b (n,k) row-major with row
    ** strides lda, ldb. Each element summed as BLIS's small-matrix kernels sum it
    ** (rt_matmul.c): 8 partial sums of fused multiply-adds over k mod 8, the rest of k into
    ** the first, then ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). NULL in the
    ** baseline build (no fused multiply-add in hardware).
    */
    RtKernProduct *short_dots;
    /*
    ** The same for k above RT_KERN_SHORT_K_MAX, summed as BLIS's small-matrix kernels sum
    ** it: k cut into blocks of RT_KERN_LONG_KC, each block's sum as short_dots's, times
    ** alpha, added into c (the first block as beta says). NULL where the build has no
    ** AVX-512: there BLIS computes these products (the same bits on this project's
    ** machines, faster than 8-lane loops).
    */
    RtKernProduct *long_dots;
    /*
    ** c (m,n) = alpha a b, plus c where beta is 1 (beta 0 or 1), for k from 2 to
    ** RT_KERN_SHORT_K_MAX and n a multiple of 16; a (m,k) and b (k,n) row-major (b along n:
    ** a layer's backward product). Each element summed as BLIS's small-matrix kernels sum
    ** such a product: over k in order, one fused multiply-add a step, times alpha, then c
    ** plus that where beta is 1 (measured bit for bit, rt_matmul.c). NULL where the build has
    ** no AVX-512.
    */
    RtKernProduct *short_combos;
    /*
    ** im2col of n adjacent 5 x 5 windows (stride 1) that lie inside a C-channel image: window
    ** j's patch (C x 5 runs of 5 floats) into cols + j X, from x + j (x: channel 0's top-left
    ** of window 0; channels hw floats apart, rows w). A copy: the same floats on every build.
    ** NULL where the build has no AVX-512 (rt_im2col copies run by run), whose 512-bit
    ** permutes make a channel's 25 floats two stores instead of ten.
    */
    void (*patches5)(float *cols, size_t X, const float *x, size_t C, size_t hw, size_t w,
                     size_t n);
    /*
    ** c (OH OW, n) = the 5 x 5 windows of a one-channel image x (rows w floats apart) with
    ** stride S, as patch rows, times b^T (b (n,25), row stride ldb; n a multiple of 16):
    ** short_dots with alpha 1 and beta 0 on rt_im2col's patches, bit for bit, reading the
    ** windows in place. Row oh OW + ow of c (row stride ldc) is the window at (oh S, ow S).
    ** NULL where short_dots is.
    */
    void (*short_conv5)(float *c, size_t ldc, const float *x, size_t w, size_t S, size_t OH,
                        size_t OW, const float *b, size_t ldb, size_t n);
} RtKern;

#define RT_KERN_SHORT_K_MAX 32
#define RT_KERN_LONG_KC 256 /* k blocks of a longer product (long_dots) */

/* The build for this CPU: the widest the CPU and OS support (rt_kern_choose). */
const RtKern *rt_kern(void);

/*
** Whether rows that fire at one slot go as packed groups of columns (step 3 above): every
** vector rule, unless a cell needs the double rule.
*/
static inline bool rt_kern_packs_rows(const RtPlanes *pl)
{
    return pl->fam != RT_KF_GENERIC && !pl->special;
}

/*
** Whether a one-hot batch may go rows side by side (RtUpd.one_hot): a vector rule without a
** reference, no special cell, and cell indices that fit a 32-bit gather.
*/
static inline bool rt_kern_column_rows(const RtPlanes *pl)
{
    return rt_kern_packs_rows(pl) && !pl->ref && pl->n <= INT32_MAX;
}

/* Words per slot of RtUpd.cmask for X columns. */
static inline size_t rt_kern_chunk_words(size_t X)
{
    return ((X + 7) / 8 + 63) / 64;
}

/*
** The chunk bitmaps of one sample (RtUpd.cmask: 64 x cw words, slots >= bl left alone) from
** its column trains lo, hi (hi NULL: no slot above 31).
*/
void rt_kern_chunk_masks(uint64_t *cmask, const uint32_t *lo, const uint32_t *hi, size_t X,
                         int bl);

/*
** The naive twin of RtKern.rows: the same streams, trains and normals, each pulse through
** rt_device_pulse_xi (double, libm) cell by cell.
*/
void rt_kern_rows_ref(const RtUpd *u, size_t i0, size_t i1);

/*
** The number of fired slots K of a train of bl Bernoulli(p) slots, by inversion of the
** uniform word u: K = the smallest k with U < F(k), U = (u + 1/2) 2^-32 and F the
** Binomial(bl, p) distribution function, summed in double from F(0) = (1 - p)^bl. Most rows
** fire nothing, so K = 0 is decided first from the bound (1 - p)^bl >= 1 - bl p, without
** the power. Only IEEE operations (no libm): every build gives the same K.
*/
static inline int rt_kern_train_count(uint32_t u, double p, int bl)
{
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0)
        return bl;
    double U = ((double)u + 0.5) * 0x1p-32;
    if (U < 1.0 - (double)bl * p)
        return 0;
    double q = 1.0 - p, f = 1.0, sq = q;
    for (int e = bl; e; e >>= 1, sq *= sq) /* q^bl by squaring */
        if (e & 1)
            f *= sq;
    if (U < f)
        return 0;
    double r = p / q, pk = f;
    for (int k = 1; k < bl; k++) {
        pk *= (double)(bl - k + 1) / (double)k * r;
        f += pk;
        if (U < f)
            return k;
    }
    return bl;
}

/*
** The Bernoulli threshold of probability p: a slot fires iff (U >> 1) <= t for a uniform
** 32-bit word U, so P(fire) = round(p 2^31)/2^31 (p <= 0: never, p >= 1: always).
*/
static inline int32_t rt_kern_threshold(double p)
{
    if (!(p > 0.0))
        return -1;
    double t = p * 2147483648.0 + 0.5;
    return t >= 2147483648.0 ? INT32_MAX : (int32_t)t - 1;
}

#endif
