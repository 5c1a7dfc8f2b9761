/*
** rt_matmul.c: BLIS-backed dense kernels, cut into fixed blocks that threads share, and
** their naive references.
*/
#include <string.h>

#include "blis.h"

#include "rt_kern.h"
#include "rt_matmul.h"

/*
** BLIS's typed API takes every operand as non-const and its strides explicitly; row-major
** storage is (row stride, column stride) = (ld, 1). This is the one place const is cast away
** (BLIS only reads a and b). Each call runs on its own thread: aimci's pool shares the
** blocks, and BLIS would otherwise start OMP_NUM_THREADS or BLIS_NUM_THREADS threads of its
** own in every call (a cluster job's OMP_NUM_THREADS=2 made a 2-thread fcn_fashion run 1.8
** times slower); BLIS never splits the sum over k, so the values do not depend on it.
*/
static void blis_block(float *c, size_t ldc, const float *a, size_t lda, bool ta,
                       const float *b, size_t ldb, bool tb, size_t m, size_t n, size_t k,
                       float alpha, float beta)
{
    rntm_t one_thread = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &one_thread);
    bli_sgemm_ex(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
                 (float *)a, (inc_t)lda, 1, (float *)b, (inc_t)ldb, 1, &beta, c, (inc_t)ldc, 1,
                 NULL, &one_thread);
}

/*
** {======================================================================
** Short products: c = alpha a b^T (+ c), k from 2 to 32
** =======================================================================
**
** BLIS 0.9's small-matrix kernels sum each element of such a product (a and b both stored
** along k) in 8 partial sums of fused multiply-adds, s_l over p = l mod 8 for p below
** 8 floor(k/8), the rest of k added into s_0, then ((s0 + s1) + (s2 + s3)) + ((s4 + s5) +
** (s6 + s7)), times alpha, then c + that where beta is 1 (measured bit for bit on this
** project's machines, x86-64 with AVX2 and FMA: m 1 to 256, n a multiple of 16 up to 64,
** k 2 to 32, alpha 1 and 0.7, beta 0 and 1; k = 1 takes another path). A conv layer's
** im2col product is such a product with a short k (LeNet's first layer: 4608 x 16 x 25 a
** step), which BLIS runs at 28 GFLOP/s and these loops at 79 GFLOP/s (the LeNet epoch of
** `make bench` 6% faster): the same sums in the same order, in the update kernels' AVX2 and
** AVX-512 builds (RtKern.short_dots).
*/

/* Whether a block goes through short_block: the shapes measured equal to BLIS's sums. */
static bool short_product(bool ta, bool tb, size_t n, size_t k, float beta)
{
    return !ta && k >= 2 && (tb || k <= RT_KERN_SHORT_K_MAX) && n % 16 == 0 &&
           (beta == 0.0f || beta == 1.0f);
}

/*
** Longer k (LeNet's second conv: 256 x 32 x 400 blocks) are summed the same way in blocks of
** 256 (RtKern.long_dots, measured bit for bit against bli_sgemm on this project's machines,
** whose BLIS runs its AVX2 kernels): with AVX-512, 126 GFLOP/s against BLIS's 71 for 256
** rows. Its transposed copy of b costs more than it saves below about 32 rows (10 x 64 x
** 784: 35 against 58 GFLOP/s), so fewer rows stay with BLIS.
*/
#define LONG_MIN_ROWS 48

/*
** A block of a short product (short_product holds) by the update kernels' build (so
** AIMCI_KERNEL chooses, and the tests compare the builds); false where that build has none
** (the baseline: no fused multiply-add in hardware, BLIS computes the block in its own way;
** long k without AVX-512, or with few rows).
*/
static bool short_block(float *c, size_t ldc, const float *a, size_t lda, const float *b,
                        size_t ldb, bool tb, size_t m, size_t n, size_t k, float alpha,
                        float beta)
{
    const RtKern *kern = rt_kern();
    RtKernProduct *fn = !tb                         ? kern->short_combos
                        : k <= RT_KERN_SHORT_K_MAX ? kern->short_dots
                        : m >= LONG_MIN_ROWS       ? kern->long_dots
                                                   : NULL;
    if (!fn)
        return false;
    fn(c, ldc, a, lda, b, ldb, m, n, k, alpha, beta);
    return true;
}

/* }====================================================================== */

/*
** Blocks. BLIS's value for an element depends on the shape of the call that computes it (its
** small-matrix path and its packed path sum in different orders: measured, one call against
** two calls on column halves, 482 of 2772 shapes differ). So the product is cut into blocks
** fixed by (m, n) alone, at most GEMM_ROWS x GEMM_COLS outputs each, one BLIS call per
** block: any thread may compute any block and a run gives the same bits on 1 thread or 8.
** Sizes from measurements (BLIS 0.9, Zen 4): the batch-10 forward of 784 -> 256 in 64-column
** blocks takes 5% more than one call, a LeNet conv's 4608 x 16 x 25 in 256-row blocks 11%;
** both then split over threads. Products under SHARED_GEMM_MIN multiply-adds (a few
** microseconds) stay on the calling thread: handing them out would cost more than it saves.
*/
#define GEMM_ROWS 256
#define GEMM_COLS 64
#define SHARED_GEMM_MIN (1u << 17)

typedef struct GemmJob {
    float *c;
    const float *a, *b;
    size_t ldc, lda, ldb, m, n, k, ncb; /* ncb: column blocks per row of blocks */
    bool ta, tb;
    float alpha, beta;
} GemmJob;

/* Blocks i0..i1-1, numbered row of blocks by row of blocks. */
static void gemm_blocks(void *ctx, size_t i0, size_t i1)
{
    const GemmJob *g = ctx;
    for (size_t i = i0; i < i1; i++) {
        size_t r0 = i / g->ncb * GEMM_ROWS, c0 = i % g->ncb * GEMM_COLS;
        size_t m = g->m - r0 < GEMM_ROWS ? g->m - r0 : GEMM_ROWS;
        size_t n = g->n - c0 < GEMM_COLS ? g->n - c0 : GEMM_COLS;
        const float *a = g->ta ? g->a + r0 : g->a + r0 * g->lda;
        const float *b = g->tb ? g->b + c0 * g->ldb : g->b + c0;
        if (short_product(g->ta, g->tb, n, g->k, g->beta) &&
            short_block(g->c + r0 * g->ldc + c0, g->ldc, a, g->lda, b, g->ldb, g->tb, m, n,
                        g->k, g->alpha, g->beta))
            continue;
        blis_block(g->c + r0 * g->ldc + c0, g->ldc, a, g->lda, g->ta, b, g->ldb, g->tb, m, n,
                   g->k, g->alpha, g->beta);
    }
}

void rt_gemm(float *c, size_t ldc, const float *a, size_t lda, bool ta,
             const float *b, size_t ldb, bool tb, size_t m, size_t n, size_t k,
             float alpha, float beta, RtPool *pool)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    GemmJob g = {c, a, b, ldc, lda, ldb, m, n, k, (n + GEMM_COLS - 1) / GEMM_COLS, ta, tb,
                 alpha, beta};
    size_t blocks = (m + GEMM_ROWS - 1) / GEMM_ROWS * g.ncb;
    if (blocks > 1 && rt_pool_threads(pool) > 1 && (double)m * n * k >= SHARED_GEMM_MIN)
        rt_pool_run(pool, gemm_blocks, &g, blocks, 1);
    else
        gemm_blocks(&g, 0, blocks);
}

/*
** out = inp * w^T, written (no bias: a conv layer's product, which neither zeroes its
** outputs first nor reads them; only a sum of -0.0 stays -0.0), or added to rows filled
** with the bias.
*/
void rt_matmul_forward(float *out, const float *inp, const float *w, const float *bias,
                       size_t B, size_t C, size_t OC, RtPool *pool)
{
    if (!bias) {
        rt_gemm(out, OC, inp, C, false, w, C, true, B, OC, C, 1.0f, 0.0f, pool);
        return;
    }
    for (size_t b = 0; b < B; b++)
        memcpy(out + b * OC, bias, OC * sizeof *out);
    rt_gemm(out, OC, inp, C, false, w, C, true, B, OC, C, 1.0f, 1.0f, pool);
}

/* out[b][o] = bias[o] + sum_c inp[b][c] * w[o][c], accumulated in float in index order. */
void rt_matmul_forward_ref(float *out, const float *inp, const float *w, const float *bias,
                           size_t B, size_t C, size_t OC)
{
    for (size_t b = 0; b < B; b++) {
        const float *inp_b = inp + b * C;
        for (size_t o = 0; o < OC; o++) {
            const float *w_o = w + o * C;
            float val = bias ? bias[o] : 0.0f;
            for (size_t c = 0; c < C; c++)
                val += inp_b[c] * w_o[c];
            out[b * OC + o] = val;
        }
    }
}

/* Three independent accumulations; dbias in row order for a fixed summation order. */
void rt_matmul_backward(float *dinp, float *dw, float *dbias, const float *dout,
                        const float *inp, const float *w, size_t B, size_t C, size_t OC,
                        RtPool *pool)
{
    if (dinp)
        rt_gemm(dinp, C, dout, OC, false, w, C, false, B, C, OC, 1.0f, 1.0f, pool);
    if (dw)
        rt_gemm(dw, C, dout, OC, true, inp, C, false, OC, C, B, 1.0f, 1.0f, pool);
    if (dbias)
        for (size_t b = 0; b < B; b++)
            for (size_t o = 0; o < OC; o++)
                dbias[o] += dout[b * OC + o];
}

void rt_matmul_backward_ref(float *dinp, float *dw, float *dbias, const float *dout,
                            const float *inp, const float *w, size_t B, size_t C, size_t OC)
{
    for (size_t b = 0; b < B; b++) {
        const float *dout_b = dout + b * OC, *inp_b = inp + b * C;
        for (size_t o = 0; o < OC; o++) {
            float g = dout_b[o];
            for (size_t c = 0; c < C; c++) {
                if (dinp)
                    dinp[b * C + c] += g * w[o * C + c];
                if (dw)
                    dw[o * C + c] += g * inp_b[c];
            }
            if (dbias)
                dbias[o] += g;
        }
    }
}
