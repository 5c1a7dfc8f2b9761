/*
** rt_io.h: the forward/backward I/O model of an analog tile (docs/theory.md §4; aihwkit
** ForwardBackwardPassIOManaged, OnePass). Legend: B = rows of a batch, D = tile rows
** (outputs), X = tile columns (inputs); w is (D,X), w[i*X+j] (docs/theory.md §2.1).
**
** Forward of one sample x (X), with the forward IrIO (docs/theory.md §4.2):
**   perfect:  y = out_scale * W x
**   analog:   a = NM(x); r = 1
**             loop: v_j = DAC(x_j * s), s = (NM and a > 0 ? 1/a : 1) / (BM ? r : 1)
**                   DAC: quantise (step inp_step), THEN clip to +-inp_bound, add inp_noise,
**                        scale negative values by (1 - inp_asymmetry)
**                   z = W v (BLIS), plus w_noise (additive_constant or pcm_read)
**                   ADC per output: negative values * (1 - out_asymmetry), + sigma_i xi,
**                        quantise (step out_step), clip to +-out_bound
**                   stop unless BM is on, some output clipped (above +out_bound, or below
**                   -out_bound with bm_test_negative_bound) and r is within its limits
**                   (r <= max_bm_factor and r <= max_bm_res / inp_step); else r *= 2
**             y = z * out_scale / s
** With NM on, a <= 0 and no input noise, y = 0 without any draw (aihwkit's short cut).
** The backward maps d (D) to (X) through W^T with the backward IrIO and the same stages,
** bound management always off; with NM on and a <= 0 it contributes 0.
**
** Effective steps: res' = res > 1 ? 1/res : max(res, 0); step = res' * 2 * bound; a step
** of 0 means no quantisation. With the defaults the DAC step is 1/63, the ADC step 24/510.
**
** Mini-batches: every row is its own sample (its own NM scale and BM loop). Each pass
** prepares the rows still looping, multiplies them at once (rt_gemm, or the naive loops of
** the `_ref` twins), then finishes them row by row. Random numbers come from the RtIO's own
** stream, in a fixed order that does not depend on the kernel: at construction the fixed
** per-output stds (forward D, then backward X, each only if out_noise_std > 0); then per
** pass the DAC draws of each looping row, then per row the weight noise (per output), then
** the ADC draws. A DAC or ADC call with noise on draws one 64-bit key from the stream and
** takes one normal per element of the vector from the fast generator of rt_kern.h seeded
** by it (input noise; output noise, when some output's std is > 0); stochastic rounding
** draws one uniform per element from the stream itself, after the key. A draw is made only
** where its std or rounding is on. Without stochastic rounding the DAC and ADC loops run in
** the kernels (RtKern.dac, .adc: the same double operations, 4 lanes at a time).
** average_abs_max keeps one running value per direction (aihwkit's CPU code shares one
** between forward and backward; the two see vectors of unrelated scales, so aimci doesn't).
**
** Not modelled: IR drop, voltage offsets (v_offset_*, r_series), the S-shaped output
** non-linearity, PosNegSeparate mv types, w_read_asymmetry_dtod, AbsMaxNPSum and the
** IterativeWorstCase / Shift bound managements.
*/
#ifndef AIMCI_RT_IO_H
#define AIMCI_RT_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "rt_rng.h"
#include "rt_kern.h"
#include "rt_pool.h"

typedef struct RtIO {
    const IrIO *fwd, *bwd;   /* borrowed; never NULL (rt_io_default() when not given) */
    size_t D, X, max_rows;
    double fwd_inp_step, fwd_out_step, bwd_inp_step, bwd_out_step; /* 0: no quantisation */
    RtFloatStep fwd_inp_fstep, fwd_out_fstep, bwd_inp_fstep, bwd_out_fstep; /* of the steps */
    float *sig_fwd;          /* (D) output noise std of each forward output */
    float *sig_bwd;          /* (X) output noise std of each backward output */
    double avg_fwd, avg_bwd; /* average_abs_max running values; < 0: not yet set */
    RtRng rng;               /* every draw of the passes */
    float *v, *z;            /* scratch (max_rows, max(D,X)): DAC outputs, raw products */
    double *alpha, *r;       /* scratch (max_rows): NM scale and BM factor of each row */
    size_t *act;             /* scratch (max_rows): the rows still looping */
    uint64_t *key;           /* scratch (max_rows): a stage's key of each row (rt_io.c) */
    bool *again;             /* scratch (max_rows): rows whose bound test failed */
} RtIO;                      /* the struct heads its own allocation: rt_io_free frees it all */

/*
** The aihwkit 0.9 IOParameters defaults = the seed paper's Table 4 (docs/theory.md §4.4): family
** analog, inp_bound 1, inp_res 1/126, out_bound 12, out_res 1/510, out_noise 0.06, noise
** management abs_max, bound management iterative (max_bm_factor 1000, max_bm_res 0.25,
** bm_test_negative_bound), nm_decay 1e-3, out_scale 1, everything else off. The schema's
** `io NAME : analog {}` has the same values (tests/check/test_io_lang.c checks that).
*/
const IrIO *rt_io_default(void);

/*
** I/O state of a (D,X) tile for batches of up to max_rows rows; fwd, bwd NULL mean the
** default. Draws the fixed per-output noise stds from (seed, stream). NULL when out of
** memory or the sizes overflow.
*/
RtIO *rt_io_new(const IrIO *fwd, const IrIO *bwd, size_t D, size_t X, size_t max_rows,
                uint64_t seed, uint64_t stream);
void rt_io_free(RtIO *io);

/*
** y (B,D) = the managed forward of x (B,X) through w (D,X), plus bias (D, digital; or NULL).
** The products are shared by pool's threads (NULL: none), the same bits for any count.
*/
void rt_io_forward(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                   size_t B, RtPool *pool);
/*
** The same, and xmax (B) each row's rt_absmax where the noise management takes it (abs_max,
** average_abs_max: a pulsed update's plans need them too); whether it did.
*/
bool rt_io_forward_max(float *y, float *xmax, RtIO *io, const float *w, const float *x,
                       const float *bias, size_t B, RtPool *pool);
void rt_io_forward_ref(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                       size_t B);

/* dx (B,X) += the managed backward of d (B,D) through w (D,X). */
void rt_io_backward(float *dx, RtIO *io, const float *w, const float *d, size_t B,
                    RtPool *pool);
/*
** dx (B,X) = the same, every row written: the bits rt_io_backward gives on a dx of zeros,
** without the zeros (a conv layer's patch gradients).
*/
void rt_io_backward_set(float *dx, RtIO *io, const float *w, const float *d, size_t B,
                        RtPool *pool);
void rt_io_backward_ref(float *dx, RtIO *io, const float *w, const float *d, size_t B);

/*
** The stages, exposed for tests.
*/

/* The effective step of a converter of resolution res over [-bound, bound] (0: none). */
double rt_io_step(double res, double bound);

/* rint(v/step)*step; stochastic: rint(v/step + U - 0.5)*step, U from r. step <= 0: v. */
double rt_io_quant(double v, double step, bool sto, RtRng *r);

/*
** The noise-management scale of one vector x (n >= 1): none 1; abs_max max|x| and max
** max x (each capped at nm_thres if nm_thres > 0); constant nm_thres (1 if 0);
** average_abs_max *avg = max|x| on the first call (*avg < 0), else
** (1 - nm_decay) * *avg + nm_decay * max|x|, returned.
*/
double rt_io_nm_scale(const IrIO *io, const float *x, size_t n, double *avg);

/* The DAC: v (n) from x (n) times scale: quantise (step), clip, input noise, asymmetry. */
void rt_io_dac(float *v, const float *x, size_t n, double scale, const IrIO *io, double step,
               RtRng *r);

/*
** Weight noise added to an output vector y computed from the DAC outputs v through w (D,X):
** forward (transposed false) y is (D), v (X); backward y is (X), v (D).
** additive_constant: y_i += w_noise * ||v||_2 * xi_i;
** pcm_read: y_i += w_noise * sqrt(sum_k |W_ik| v_k^2) * xi_i (W_ik read along the direction).
*/
void rt_io_w_noise(float *y, const float *v, const float *w, size_t D, size_t X,
                   bool transposed, const IrIO *io, RtRng *r);

/*
** The ADC on y (n) in place: asymmetry, + sig[i] * xi (sig (n)), quantise (step), clip to
** +-out_bound. Returns the bound test: false if an output was above out_bound, or below
** -out_bound with bm_test_negative_bound.
*/
bool rt_io_adc(float *y, size_t n, const float *sig, const IrIO *io, double step, RtRng *r);

#endif
