/*
** rt_io.c: the I/O-managed forward and backward of analog tiles (see rt_io.h).
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_io.h"
#include "rt_kern.h"
#include "rt_matmul.h"
#include "rt_vec.h"

#define ALIGN 64

/*
** Table 4 of the seed paper = aihwkit 0.9 IOParameters() (docs/theory.md §4.1, 4.4).
** ORDER IO DEFAULTS: the io_params of interp/check/schema.c hold the same values.
*/
static const IrIO table4 = {
    .name = "analog defaults",
    .family = IR_IO_ANALOG,
    .inp_bound = 1.0,
    .inp_res = 1.0 / 126.0,
    .out_bound = 12.0,
    .out_res = 1.0 / 510.0,
    .out_noise = 0.06,
    .out_scale = 1.0,
    .noise_management = IR_NM_ABS_MAX,
    .nm_decay = 1e-3,
    .bound_management = IR_BM_ITERATIVE,
    .max_bm_factor = 1000,
    .max_bm_res = 0.25,
    .bm_test_negative_bound = true,
    .w_noise_type = IR_W_NOISE_NONE,
};

const IrIO *rt_io_default(void)
{
    return &table4;
}

/*
** ====================================================================================
** Stages
** ====================================================================================
*/

double rt_io_step(double res, double bound)
{
    double r = res > 1.0 ? 1.0 / res : (res > 0.0 ? res : 0.0);
    return r * 2.0 * bound;
}

/*
** rint(v) under the default rounding (to nearest, ties to even) without a libm call: adding
** and subtracting 1.5 2^52 leaves the integer nearest to v for |v| < 2^51 (the FPU rounds
** the sum exactly as rint would); larger values and NaN go to rint itself.
*/
static double round_even(double v)
{
    return fabs(v) < 0x1p51 ? (v + 0x1.8p52) - 0x1.8p52 : rint(v);
}

double rt_io_quant(double v, double step, bool sto, RtRng *r)
{
    if (!(step > 0.0))
        return v;
    if (sto)
        return round_even(v / step + rt_rng_uniform(r) - 0.5) * step;
    return round_even(v / step) * step;
}

/*
** The normals of one stage call: one key drawn from the pass's stream seeds an RtRng8, whose
** fast Box-Muller normals (rt_kern.h) are read in order. They are made as the stage needs
** them, up to 256 at a time, in the generator's blocks of 16: the sequence does not depend
** on how it is cut, and a row of 16 outputs makes 16 normals, not 256 (that waste was most
** of the normals of an analog LeNet's forward).
*/
typedef struct StageNoise {
    const RtKern *k;
    RtRng8 g;
    size_t pos, end, left; /* buf[pos, end) ready; left: the normals the stage still takes */
    float buf[256];
} StageNoise;

/* Start the normals of a stage that takes n of them, from the stage's key. */
static void noise_start(StageNoise *s, uint64_t key, size_t n)
{
    s->k = rt_kern();
    rt_rng8_seed(&s->g, key, 0);
    s->pos = s->end = 0;
    s->left = n;
}

/* The next normals into buf: those the stage still takes, at most 256, at least 16. */
static void noise_refill(StageNoise *s)
{
    size_t n = (s->left + 15) / 16 * 16;
    s->end = n == 0 ? 16 : n > 256 ? 256 : n;
    s->k->normals(&s->g, s->buf, s->end);
    s->pos = 0;
}

static double noise_next(StageNoise *s)
{
    if (s->pos == s->end)
        noise_refill(s);
    s->left -= s->left > 0;
    return s->buf[s->pos++];
}

/* m capped at nm_thres when nm_thres > 0 (aihwkit's MIN). */
static double capped(double m, double thres)
{
    return thres > 0.0 && thres < m ? thres : m;
}

/* rt_io_nm_scale; with absmax, the rt_absmax of x there too where the scale takes it. */
static double nm_scale(const IrIO *io, const float *x, size_t n, double *avg, float *absmax)
{
    double m;
    switch (io->noise_management) {
    case IR_NM_NONE: return 1.0;
    case IR_NM_CONSTANT: return io->nm_thres > 0.0 ? io->nm_thres : 1.0;
    case IR_NM_ABS_MAX:
        m = rt_absmax(x, n);
        if (absmax)
            *absmax = (float)m;
        return capped(m, io->nm_thres);
    case IR_NM_MAX:
        m = x[0];
        for (size_t k = 1; k < n; k++)
            m = x[k] > m ? x[k] : m;
        return capped(m, io->nm_thres);
    case IR_NM_AVERAGE_ABS_MAX:
        m = rt_absmax(x, n);
        if (absmax)
            *absmax = (float)m;
        *avg = *avg < 0.0 ? m : (1.0 - io->nm_decay) * *avg + io->nm_decay * m;
        return *avg;
    }
    return 1.0;
}

double rt_io_nm_scale(const IrIO *io, const float *x, size_t n, double *avg)
{
    return nm_scale(io, x, n, avg, NULL);
}

/* Whether the noise management of a pass takes each row's rt_absmax (nm_scale). */
static bool nm_takes_absmax(const IrIO *p)
{
    return p->family != IR_IO_PERFECT && (p->noise_management == IR_NM_ABS_MAX ||
                                          p->noise_management == IR_NM_AVERAGE_ABS_MAX);
}

/*
** n (<= 256) normals of the stage's stream into buf (256 floats). With nothing staged, a
** block of a multiple of 16 or of all the stage still needs is made in buf itself: the
** stream's normals come 16 at a time whatever the calls' sizes, so these are the values a
** refill would stage (the short rows of a conv layer's patches, and the first 256 of its
** 400-wide backward rows, are such blocks: one copy fewer each).
*/
static void noise_block(StageNoise *s, float *buf, size_t n)
{
    if (s->pos == s->end && n > 0 && n <= s->left && (n % 16 == 0 || n == s->left)) {
        s->k->normals(&s->g, buf, (n + 15) / 16 * 16);
        s->left -= n;
        return;
    }
    for (size_t k = 0; k < n;) {
        if (s->pos == s->end)
            noise_refill(s);
        size_t take = s->end - s->pos < n - k ? s->end - s->pos : n - k;
        memcpy(buf + k, s->buf + s->pos, take * sizeof *buf);
        s->pos += take, k += take;
        s->left -= take < s->left ? take : s->left;
    }
}

/*
** Whether a stage draws from the pass's stream only the key of its normals (StageNoise), so
** that rows can take their keys in order first and then run on any thread: no stochastic
** rounding (one uniform per element from the stream itself).
*/
static bool dac_keyed(const IrIO *io)
{
    return !io->inp_sto_round;
}

static bool adc_keyed(const IrIO *io)
{
    return !io->out_sto_round;
}

/* The DAC of a row without stochastic rounding: the kernels' dac, normals from key. */
static void dac_row(float *v, const float *x, size_t n, double scale, const IrIO *io,
                    double step, RtFloatStep fstep, uint64_t key)
{
    bool noisy = io->inp_noise > 0.0;
    StageNoise sn;
    if (noisy)
        noise_start(&sn, key, n);
    const RtKern *k = rt_kern();
    float buf[256];
    for (size_t j = 0; j < n; j += 256) {
        size_t len = n - j < 256 ? n - j : 256;
        if (noisy)
            noise_block(&sn, buf, len);
        k->dac(v + j, x + j, len, scale, step, io->inp_bound, io->inp_noise,
               noisy ? buf : NULL, 1.0 - io->inp_asymmetry, fstep);
    }
}

/* The key of a DAC call from r: drawn only when the stage has input noise. */
static uint64_t dac_key(const IrIO *io, RtRng *r)
{
    return io->inp_noise > 0.0 ? rt_rng_next(r) : 0;
}

/*
** Per element, in index order: quantise, clip, noise, asymmetry (aihwkit prepareInput). The
** input noise of the vector comes from one key of r (StageNoise, one normal per element),
** drawn first; stochastic rounding draws one uniform per element from r. Without
** stochastic rounding the kernels' dac runs it (the same operations, vectorised).
*/
void rt_io_dac(float *v, const float *x, size_t n, double scale, const IrIO *io, double step,
               RtRng *r)
{
    double bound = io->inp_bound, asym = 1.0 - io->inp_asymmetry;
    bool noisy = io->inp_noise > 0.0;
    if (dac_keyed(io)) {
        dac_row(v, x, n, scale, io, step, RT_NO_FLOAT_STEP, dac_key(io, r));
        return;
    }
    StageNoise sn;
    if (noisy)
        noise_start(&sn, rt_rng_next(r), n);
    for (size_t j = 0; j < n; j++) {
        double val = (double)x[j] * scale;
        if (step > 0.0)
            val = round_even(val / step + rt_rng_uniform(r) - 0.5) * step;
        val = val > bound ? bound : val;
        val = val < -bound ? -bound : val;
        if (noisy)
            val = val + io->inp_noise * noise_next(&sn);
        if (io->inp_asymmetry != 0.0 && val < 0.0)
            val = val * asym;
        v[j] = (float)val;
    }
}

/* sum_k |W_ik| v_k^2 for output i, reading W along the direction (row i, or column i). */
static double abs_w_dot_v2(const float *v, const float *w, size_t D, size_t X, bool transposed,
                           size_t i)
{
    double s = 0.0;
    if (transposed)
        for (size_t k = 0; k < D; k++)
            s += fabs((double)w[k * X + i]) * (double)v[k] * (double)v[k];
    else
        for (size_t k = 0; k < X; k++)
            s += fabs((double)w[i * X + k]) * (double)v[k] * (double)v[k];
    return s;
}

void rt_io_w_noise(float *y, const float *v, const float *w, size_t D, size_t X,
                   bool transposed, const IrIO *io, RtRng *r)
{
    if (io->w_noise_type == IR_W_NOISE_NONE || !(io->w_noise > 0.0))
        return;
    size_t nout = transposed ? X : D, nin = transposed ? D : X;
    if (io->w_noise_type == IR_W_NOISE_ADDITIVE_CONSTANT) {
        double ss = 0.0;
        for (size_t k = 0; k < nin; k++)
            ss += (double)v[k] * (double)v[k];
        double sd = io->w_noise * sqrt(ss);
        for (size_t i = 0; i < nout; i++)
            y[i] = (float)((double)y[i] + sd * rt_rng_normal(r));
        return;
    }
    for (size_t i = 0; i < nout; i++) {
        double sd = io->w_noise * sqrt(abs_w_dot_v2(v, w, D, X, transposed, i));
        y[i] = (float)((double)y[i] + sd * rt_rng_normal(r));
    }
}

/* Whether some output has noise (sig[i] > 0): then the ADC's stage draws a key. */
static bool any_noise(const float *sig, size_t n)
{
    bool noisy = false;
    for (size_t i = 0; i < n; i++)
        noisy |= sig[i] > 0.0f;
    return noisy;
}

/*
** The ADC of a row without stochastic rounding: the kernels' adc, normals from key, or (made,
** not NULL, n <= 16) those already made from it (RtKern.row_normals).
*/
static inline bool adc_row(float *y, size_t n, const float *sig, bool noisy, const IrIO *io,
                           double step, RtFloatStep fstep, uint64_t key, const float *made)
{
    bool passed = true;
    StageNoise sn;
    if (noisy && !made)
        noise_start(&sn, key, n);
    const RtKern *k = rt_kern();
    float buf[256];
    for (size_t i = 0; i < n; i += 256) {
        size_t len = n - i < 256 ? n - i : 256;
        if (noisy && !made)
            noise_block(&sn, buf, len);
        passed &= k->adc(y + i, len, sig + i, made ? made : noisy ? buf : NULL,
                         1.0 - io->out_asymmetry, step, io->out_bound,
                         io->bm_test_negative_bound, fstep);
    }
    return passed;
}

/*
** Per output, in index order: asymmetry, noise, quantise, clip (aihwkit finalizeOutput). If
** some sig[i] > 0 the output noise comes from one key of r (StageNoise, one normal per
** output), drawn first; stochastic rounding draws one uniform per output from r. Without
** stochastic rounding the kernels' adc runs it (the same operations, vectorised).
*/
bool rt_io_adc(float *y, size_t n, const float *sig, const IrIO *io, double step, RtRng *r)
{
    double bound = io->out_bound, asym = 1.0 - io->out_asymmetry;
    bool noisy = any_noise(sig, n), passed = true;
    if (adc_keyed(io))
        return adc_row(y, n, sig, noisy, io, step, RT_NO_FLOAT_STEP,
                       noisy ? rt_rng_next(r) : 0, NULL);
    StageNoise sn;
    if (noisy)
        noise_start(&sn, rt_rng_next(r), n);
    for (size_t i = 0; i < n; i++) {
        double val = y[i];
        if (io->out_asymmetry != 0.0 && val < 0.0)
            val = val * asym;
        if (noisy)
            val = val + (double)sig[i] * noise_next(&sn);
        if (step > 0.0)
            val = round_even(val / step + rt_rng_uniform(r) - 0.5) * step;
        if (val > bound) {
            val = bound;
            passed = false;
        } else if (val < -bound) {
            val = -bound;
            passed = passed && !io->bm_test_negative_bound;
        }
        y[i] = (float)val;
    }
    return passed;
}

/*
** ====================================================================================
** State
** ====================================================================================
*/

/* n rounded up to a multiple of ALIGN. */
static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

/* sig (n): out_noise, or |out_noise * (1 + out_noise_std * xi)| drawn once per output. */
static void fixed_sigmas(float *sig, size_t n, const IrIO *io, RtRng *r)
{
    bool vary = io->family == IR_IO_ANALOG && io->out_noise_std > 0.0;
    for (size_t i = 0; i < n; i++)
        sig[i] = vary ? (float)fabs(io->out_noise * (1.0 + io->out_noise_std * rt_rng_normal(r)))
                      : (float)io->out_noise;
}

/* Layout: header, sig_fwd, sig_bwd, v, z, alpha, r, act, key, again; each 64-byte aligned. */
RtIO *rt_io_new(const IrIO *fwd, const IrIO *bwd, size_t D, size_t X, size_t max_rows,
                uint64_t seed, uint64_t stream)
{
    size_t wide = D > X ? D : X;
    if (max_rows == 0)
        max_rows = 1;
    if (wide > SIZE_MAX / 64 / max_rows || D > SIZE_MAX / 64 || X > SIZE_MAX / 64)
        return NULL;
    size_t o_sf = round_up(sizeof(RtIO));
    size_t o_sb = o_sf + round_up(D * sizeof(float));
    size_t o_v = o_sb + round_up(X * sizeof(float));
    size_t o_z = o_v + round_up(max_rows * wide * sizeof(float));
    size_t o_a = o_z + round_up(max_rows * wide * sizeof(float));
    size_t o_r = o_a + round_up(max_rows * sizeof(double));
    size_t o_act = o_r + round_up(max_rows * sizeof(double));
    size_t o_key = o_act + round_up(max_rows * sizeof(size_t));
    size_t o_again = o_key + round_up(max_rows * sizeof(uint64_t));
    size_t total = o_again + round_up(max_rows);
    unsigned char *mem = aligned_alloc(ALIGN, total);
    if (!mem)
        return NULL;
    memset(mem, 0, total);
    RtIO *io = (RtIO *)mem;
    io->fwd = fwd ? fwd : &table4;
    io->bwd = bwd ? bwd : &table4;
    io->D = D, io->X = X, io->max_rows = max_rows;
    io->fwd_inp_step = rt_io_step(io->fwd->inp_res, io->fwd->inp_bound);
    io->fwd_out_step = rt_io_step(io->fwd->out_res, io->fwd->out_bound);
    io->bwd_inp_step = rt_io_step(io->bwd->inp_res, io->bwd->inp_bound);
    io->bwd_out_step = rt_io_step(io->bwd->out_res, io->bwd->out_bound);
    io->fwd_inp_fstep = rt_kern_float_step(io->fwd_inp_step, io->fwd->inp_bound);
    io->fwd_out_fstep = rt_kern_float_step(io->fwd_out_step, io->fwd->out_bound);
    io->bwd_inp_fstep = rt_kern_float_step(io->bwd_inp_step, io->bwd->inp_bound);
    io->bwd_out_fstep = rt_kern_float_step(io->bwd_out_step, io->bwd->out_bound);
    io->sig_fwd = (float *)(mem + o_sf);
    io->sig_bwd = (float *)(mem + o_sb);
    io->v = (float *)(mem + o_v);
    io->z = (float *)(mem + o_z);
    io->alpha = (double *)(mem + o_a);
    io->r = (double *)(mem + o_r);
    io->act = (size_t *)(mem + o_act);
    io->key = (uint64_t *)(mem + o_key);
    io->again = (bool *)(mem + o_again);
    io->avg_fwd = io->avg_bwd = -1.0;
    rt_rng_seed(&io->rng, seed, stream);
    fixed_sigmas(io->sig_fwd, D, io->fwd, &io->rng);
    fixed_sigmas(io->sig_bwd, X, io->bwd, &io->rng);
    return io;
}

void rt_io_free(RtIO *io)
{
    free(io);
}

/*
** ====================================================================================
** Passes
** ====================================================================================
*/

/*
** z = v W^T for rows of v with one nonzero at most (false, nothing written, if some row has
** more): z_i = 0 + v_c W_ic, exactly the sum BLIS and the naive loops give (every other term
** is a zero added to it; an all-zero row gives +0), without reading the other columns of W.
** These are the one-hot reads of a transfer whose I/O adds no input noise: as a product,
** reading one column of a 256 x 784 array read all of it (30 us a transfer, a third of a
** Residual Learning step of fcn_fashion).
*/
static bool one_hot_product(float *z, const float *v, const float *w, size_t n, size_t D,
                            size_t X)
{
    for (size_t k = 0; k < n; k++)
        if (rt_lone_nonzero(v + k * X, X) > X)
            return false;
    for (size_t k = 0; k < n; k++) {
        size_t c = rt_lone_nonzero(v + k * X, X);
        float vc = c < X ? v[k * X + c] : 0.0f;
        for (size_t i = 0; i < D; i++)
            z[k * D + i] = c < X ? 0.0f + vc * w[i * X + c] : 0.0f;
    }
    return true;
}

/*
** z = v W^T: z (n,D), v (n,X) (forward); or z = v W: z (n,X), v (n,D) (backward).
** ref: the naive loops of rt_matmul.c, else BLIS (or one_hot_product, the same values).
*/
static void product(float *z, const float *v, const float *w, size_t n, size_t D, size_t X,
                    bool transposed, bool ref, RtPool *pool)
{
    if (!transposed && ref) {
        rt_matmul_forward_ref(z, v, w, NULL, n, X, D);
    } else if (!transposed && one_hot_product(z, v, w, n, D, X)) {
        return;
    } else if (!transposed) {
        rt_gemm(z, D, v, X, false, w, X, true, n, D, X, 1.0f, 0.0f, pool);
    } else if (ref) {
        memset(z, 0, n * X * sizeof *z);
        rt_matmul_backward_ref(z, NULL, NULL, v, NULL, w, n, X, D);
    } else {
        rt_gemm(z, X, v, D, false, w, X, false, n, X, D, 1.0f, 0.0f, pool);
    }
}

/*
** y (n) = z (n) * mult + bias (or 0 when z is NULL), each rounded once to float. The cases
** are separate loops so that each vectorises (a conv layer's rows are short and many).
*/
RT_WIDE_LOOP
static void put_row(float *restrict y, const float *restrict z, double mult,
                    const float *restrict bias, size_t n)
{
    if (z && bias)
        for (size_t i = 0; i < n; i++)
            y[i] = (float)((double)z[i] * mult + (double)bias[i]);
    else if (z)
        for (size_t i = 0; i < n; i++)
            y[i] = (float)((double)z[i] * mult + 0.0);
    else
        for (size_t i = 0; i < n; i++)
            y[i] = (float)(0.0 + (bias ? (double)bias[i] : 0.0));
}

/* y (n) += z (n) * mult, each rounded once to float (a backward row into dx). */
RT_WIDE_LOOP
static void add_row(float *restrict y, const float *restrict z, double mult, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)((double)y[i] + (double)z[i] * mult);
}

/*
** A backward row into dx: added, or with set written as put_row writes it, z * mult + 0.0,
** which is add_row's value on a row of zeros bit for bit (0.0 + p and p + 0.0 are the same
** sum, -0.0 + 0.0 = +0.0 included), without reading the row or zeroing it first. z NULL:
** nothing to add, or a row of +0.0 to set.
*/
static void into_row(float *y, const float *z, double mult, size_t n, bool set)
{
    if (set)
        put_row(y, z, mult, NULL, n);
    else if (z)
        add_row(y, z, mult, n);
}

/* The perfect forward: y (B,D) = out_scale * x W^T + bias. */
static void perfect_forward(float *y, const RtIO *io, const float *w, const float *x,
                            const float *bias, size_t B, bool ref, RtPool *pool)
{
    float s = (float)io->fwd->out_scale;
    if (ref) {
        rt_matmul_forward_ref(y, x, w, NULL, B, io->X, io->D);
        for (size_t b = 0; b < B; b++)
            for (size_t i = 0; i < io->D; i++)
                y[b * io->D + i] = s * y[b * io->D + i] + (bias ? bias[i] : 0.0f);
        return;
    }
    for (size_t b = 0; b < B; b++)
        for (size_t i = 0; i < io->D; i++)
            y[b * io->D + i] = bias ? bias[i] : 0.0f;
    rt_gemm(y, io->D, x, io->X, false, w, io->X, true, B, io->D, io->X, s, 1.0f, pool);
}

/* Whether row b stops looping: BM off, test passed, or r beyond either limit. */
static bool bm_done(const IrIO *p, double step, bool passed, double r)
{
    if (p->bound_management == IR_BM_NONE || passed)
        return true;
    return r > (double)p->max_bm_factor || (step > 0.0 && r > p->max_bm_res / step);
}

/*
** NM scales of rows 0..B (xmax, or NULL: each row's rt_absmax where they take it); the rows
** that need passes go to io->act. Returns their count.
*/
static size_t forward_start(float *y, RtIO *io, const float *x, const float *bias, size_t B,
                            float *xmax)
{
    const IrIO *p = io->fwd;
    bool nm = p->noise_management != IR_NM_NONE;
    size_t n = 0;
    for (size_t b = 0; b < B; b++) {
        double a = nm_scale(p, x + b * io->X, io->X, &io->avg_fwd, xmax ? xmax + b : NULL);
        io->alpha[b] = a;
        io->r[b] = 1.0;
        if (nm && a <= 0.0 && !(p->inp_noise > 0.0))
            put_row(y + b * io->D, NULL, 0.0, bias, io->D);
        else
            io->act[n++] = b;
    }
    return n;
}

/*
** Rows on threads. When neither converter rounds stochastically and there is no weight
** noise, a stage takes from the pass's stream only one key per row (StageNoise): the keys
** are drawn first, in the row order of the serial loop, and the rows then run on any thread
** with the same numbers. Rows of fewer than SHARED_IO_MIN elements in all stay on the
** calling thread (a stage costs about 2 ns an element: fcn_fashion's 10 x 256 ADC rows take
** 5 us; sharing them at 2048 elements gained nothing measurable).
*/
#define SHARED_IO_MIN 4096

/* Whether the rows of a pass with these parameters may run on threads. */
static bool rows_keyed(const IrIO *p)
{
    bool w_noise = p->w_noise_type != IR_W_NOISE_NONE && p->w_noise > 0.0;
    return dac_keyed(p) && adc_keyed(p) && !w_noise;
}

/* A stage over the rows of a chunk: k indexes io->act (rows b), io->key their keys. */
typedef struct RowsIO {
    RtIO *io;
    const IrIO *p;
    float *out;          /* forward y (B,D); backward dx (B,X) */
    const float *in;     /* forward x (B,X); backward d (B,D) */
    const float *bias;   /* forward only, or NULL */
    size_t win, wout;    /* row widths: DAC input, ADC output */
    double inp_step, out_step;
    RtFloatStep inp_fstep, out_fstep; /* rt_kern_float_step of the steps */
    const float *sig;    /* output noise stds (wout) */
    bool noisy, forward; /* ADC noise; forward (NM, BM) or backward (into dx) */
    bool set;            /* backward: rows written, not added (into_row) */
} RowsIO;

/* The input scale of row b: 1/alpha (noise management), 1/r (bound management). */
static double input_scale(const RtIO *io, const IrIO *p, size_t b, bool forward)
{
    if (!forward)
        return 1.0 / io->alpha[b];
    bool nm = p->noise_management != IR_NM_NONE, bm = p->bound_management != IR_BM_NONE;
    double a = io->alpha[b];
    return (nm && a > 0.0 ? 1.0 / a : 1.0) / (bm ? io->r[b] : 1.0);
}

static void dac_rows(void *ctx, size_t k0, size_t k1)
{
    const RowsIO *j = ctx;
    RtIO *io = j->io;
    for (size_t k = k0; k < k1; k++) {
        size_t b = io->act[k];
        dac_row(io->v + k * j->win, j->in + b * j->win, j->win,
                input_scale(io, j->p, b, j->forward), j->p, j->inp_step, j->inp_fstep,
                io->key[k]);
    }
}

/*
** Rows of at most 16 outputs make their normals NARROW_ROWS at a time (RtKern.row_normals,
** the values adc_row's stream gives them): a row's seeding and normals are one long chain of
** dependent operations, which row after row left exposed (40 ns of the 67 a conv row's ADC
** stage took).
*/
#define NARROW_ROWS 32

/*
** The forward rows k0..k1-1 that are finished (io->again false) into y, after their ADC
** stage rather than row by row within it: a row's put read the outputs that the ADC had
** just stored, a chain that row after row held back the rest (LeNet's conv1 forward, 4608
** rows of 25 inputs and 16 outputs: 86 -> 80 ns a row).
*/
static void put_rows(const RowsIO *j, size_t k0, size_t k1)
{
    RtIO *io = j->io;
    const IrIO *p = j->p;
    bool nm = p->noise_management != IR_NM_NONE, bm = p->bound_management != IR_BM_NONE;
    for (size_t k = k0; k < k1; k++) {
        if (io->again[k])
            continue;
        size_t b = io->act[k];
        double a = io->alpha[b];
        double mult = p->out_scale * (nm && a > 0.0 ? a : 1.0) * (bm ? io->r[b] : 1.0);
        put_row(j->out + b * j->wout, io->z + k * j->wout, mult, j->bias, j->wout);
    }
}

/*
** The ADC of rows k0..k1-1 and their results: a forward row whose bound test passed (or
** that is out of BM passes) is finished into y, else marked in io->again; a backward row is
** added into dx.
*/
static void adc_rows(void *ctx, size_t k0, size_t k1)
{
    const RowsIO *j = ctx;
    RtIO *io = j->io;
    const IrIO *p = j->p;
    bool narrow = j->noisy && j->wout <= 16;
    float xi[NARROW_ROWS * 16];
    for (size_t k = k0; k < k1; k++) {
        size_t b = io->act[k], at = (k - k0) % NARROW_ROWS;
        if (narrow && at == 0)
            rt_kern()->row_normals(io->key + k, k1 - k < NARROW_ROWS ? k1 - k : NARROW_ROWS, xi);
        float *z_k = io->z + k * j->wout, *out_b = j->out + b * j->wout;
        bool passed = adc_row(z_k, j->wout, j->sig, j->noisy, p, j->out_step, j->out_fstep,
                              io->key[k],
                              narrow ? xi + 16 * at : NULL);
        if (!j->forward) {
            into_row(out_b, z_k, p->out_scale * io->alpha[b], j->wout, j->set);
            continue;
        }
        io->again[k] = !bm_done(p, j->inp_step, passed, io->r[b]);
    }
    if (j->forward)
        put_rows(j, k0, k1);
}

/* One stage over the n rows of io->act: keys in row order, then the rows (shared or not). */
static void run_rows(RtPoolFn stage, RowsIO *j, size_t n, bool draws, size_t width,
                     RtPool *pool)
{
    RtIO *io = j->io;
    for (size_t k = 0; k < n; k++)
        io->key[k] = draws ? rt_rng_next(&io->rng) : 0;
    bool shared = n > 1 && n * width >= SHARED_IO_MIN;
    rt_pool_run(shared ? pool : NULL, stage, j, n, 1);
}

/* The n rows of io->act through DAC, product and ADC, as the serial loops below do. */
static void pass_rows(RowsIO *j, const float *w, size_t n, bool ref, RtPool *pool)
{
    RtIO *io = j->io;
    run_rows(dac_rows, j, n, j->p->inp_noise > 0.0, j->win, pool);
    product(io->z, io->v, w, n, io->D, io->X, !j->forward, ref, pool);
    run_rows(adc_rows, j, n, j->noisy, j->wout, pool);
}

/* One chunk of at most max_rows rows: the BM loop of every row, passes shared. */
static void forward_chunk(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                          size_t B, bool ref, float *xmax, RtPool *pool)
{
    const IrIO *p = io->fwd;
    size_t D = io->D, X = io->X;
    bool nm = p->noise_management != IR_NM_NONE, bm = p->bound_management != IR_BM_NONE;
    size_t n = forward_start(y, io, x, bias, B, xmax);
    if (rows_keyed(p)) {
        RowsIO j = {io, p, y, x, bias, X, D, io->fwd_inp_step, io->fwd_out_step,
                    io->fwd_inp_fstep, io->fwd_out_fstep, io->sig_fwd,
                    any_noise(io->sig_fwd, D), true, false};
        while (n > 0) {
            pass_rows(&j, w, n, ref, pool);
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (io->again[k]) {
                    size_t b = io->act[k];
                    io->r[b] *= 2.0;
                    io->act[m++] = b;
                }
            n = m;
        }
        return;
    }
    while (n > 0) {
        for (size_t k = 0; k < n; k++) {
            size_t b = io->act[k];
            rt_io_dac(io->v + k * X, x + b * X, X, input_scale(io, p, b, true), p,
                      io->fwd_inp_step, &io->rng);
        }
        product(io->z, io->v, w, n, D, X, false, ref, pool);
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            size_t b = io->act[k];
            float *z_k = io->z + k * D;
            rt_io_w_noise(z_k, io->v + k * X, w, D, X, false, p, &io->rng);
            bool passed = rt_io_adc(z_k, D, io->sig_fwd, p, io->fwd_out_step, &io->rng);
            if (bm_done(p, io->fwd_inp_step, passed, io->r[b])) {
                double a = io->alpha[b];
                double mult = p->out_scale * (nm && a > 0.0 ? a : 1.0) * (bm ? io->r[b] : 1.0);
                put_row(y + b * D, z_k, mult, bias, D);
            } else {
                io->r[b] *= 2.0;
                io->act[m++] = b;
            }
        }
        n = m;
    }
}

/*
** One chunk of the backward: dx (B,X) += managed d (B,D) W, without bound management; with
** set, dx = that sum on zeros (a row that NM skips is set to zeros).
*/
static void backward_chunk(float *dx, RtIO *io, const float *w, const float *d, size_t B,
                           bool ref, bool set, RtPool *pool)
{
    const IrIO *p = io->bwd;
    size_t D = io->D, X = io->X, n = 0;
    bool nm = p->noise_management != IR_NM_NONE;
    for (size_t b = 0; b < B; b++) {
        double a = rt_io_nm_scale(p, d + b * D, D, &io->avg_bwd);
        io->alpha[b] = nm && a > 0.0 ? a : 1.0;
        if (!(nm && a <= 0.0))
            io->act[n++] = b;
        else
            into_row(dx + b * X, NULL, 0.0, X, set);
    }
    if (rows_keyed(p)) {
        RowsIO j = {io, p, dx, d, NULL, D, X, io->bwd_inp_step, io->bwd_out_step,
                    io->bwd_inp_fstep, io->bwd_out_fstep, io->sig_bwd,
                    any_noise(io->sig_bwd, X), false, set};
        if (n > 0)
            pass_rows(&j, w, n, ref, pool);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        size_t b = io->act[k];
        rt_io_dac(io->v + k * D, d + b * D, D, input_scale(io, p, b, false), p,
                  io->bwd_inp_step, &io->rng);
    }
    product(io->z, io->v, w, n, D, X, true, ref, pool);
    for (size_t k = 0; k < n; k++) {
        size_t b = io->act[k];
        float *z_k = io->z + k * X, *dx_b = dx + b * X;
        rt_io_w_noise(z_k, io->v + k * D, w, D, X, true, p, &io->rng);
        rt_io_adc(z_k, X, io->sig_bwd, p, io->bwd_out_step, &io->rng);
        into_row(dx_b, z_k, p->out_scale * io->alpha[b], X, set);
    }
}

/* The perfect backward: dx (B,X) += out_scale * d W. */
static void perfect_backward(float *dx, const RtIO *io, const float *w, const float *d,
                             size_t B, bool ref, RtPool *pool)
{
    float s = (float)io->bwd->out_scale;
    if (!ref) {
        rt_gemm(dx, io->X, d, io->D, false, w, io->X, false, B, io->X, io->D, s, 1.0f, pool);
        return;
    }
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < io->X; j++) {
            float acc = 0.0f;
            for (size_t i = 0; i < io->D; i++)
                acc += d[b * io->D + i] * w[i * io->X + j];
            dx[b * io->X + j] += s * acc;
        }
}

/* The forward in chunks of max_rows rows. */
static void forward(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                    size_t B, bool ref, float *xmax, RtPool *pool)
{
    if (io->fwd->family == IR_IO_PERFECT) {
        perfect_forward(y, io, w, x, bias, B, ref, pool);
        return;
    }
    for (size_t b0 = 0; b0 < B; b0 += io->max_rows) {
        size_t n = B - b0 < io->max_rows ? B - b0 : io->max_rows;
        forward_chunk(y + b0 * io->D, io, w, x + b0 * io->X, bias, n, ref,
                      xmax ? xmax + b0 : NULL, pool);
    }
}

/* The backward in chunks of max_rows rows (set: into dx as if it held zeros). */
static void backward(float *dx, RtIO *io, const float *w, const float *d, size_t B, bool ref,
                     bool set, RtPool *pool)
{
    if (io->bwd->family == IR_IO_PERFECT) {
        if (set) /* the product added to zeros: BLIS's beta = 0 would keep its -0.0s */
            memset(dx, 0, B * io->X * sizeof *dx);
        perfect_backward(dx, io, w, d, B, ref, pool);
        return;
    }
    for (size_t b0 = 0; b0 < B; b0 += io->max_rows) {
        size_t n = B - b0 < io->max_rows ? B - b0 : io->max_rows;
        backward_chunk(dx + b0 * io->X, io, w, d + b0 * io->D, n, ref, set, pool);
    }
}

void rt_io_forward(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                   size_t B, RtPool *pool)
{
    forward(y, io, w, x, bias, B, false, NULL, pool);
}

bool rt_io_forward_max(float *y, float *xmax, RtIO *io, const float *w, const float *x,
                       const float *bias, size_t B, RtPool *pool)
{
    bool takes = nm_takes_absmax(io->fwd);
    forward(y, io, w, x, bias, B, false, takes ? xmax : NULL, pool);
    return takes;
}

void rt_io_forward_ref(float *y, RtIO *io, const float *w, const float *x, const float *bias,
                       size_t B)
{
    forward(y, io, w, x, bias, B, true, NULL, NULL);
}

void rt_io_backward(float *dx, RtIO *io, const float *w, const float *d, size_t B,
                    RtPool *pool)
{
    backward(dx, io, w, d, B, false, false, pool);
}

void rt_io_backward_set(float *dx, RtIO *io, const float *w, const float *d, size_t B,
                        RtPool *pool)
{
    backward(dx, io, w, d, B, false, true, pool);
}

void rt_io_backward_ref(float *dx, RtIO *io, const float *w, const float *d, size_t B)
{
    backward(dx, io, w, d, B, true, false, NULL);
}
