/*
** test_matmul.c: the dense kernels (runtime/rt_matmul.h): BLIS against their naive twins,
** and rt_gemm with each transpose flag.
**
** Kernel tolerance: each output is a dot product of length K accumulated in float, so each
** implementation is within gamma_K * sum|a_k b_k| of the exact value (gamma_K = K*u/(1-K*u),
** u = 2^-24); two of them differ by at most twice that.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis.h"

#include "rt_fixtures.h"
#include "rt_kern_impl.h" /* rt_kern_choose */
#include "rt_matmul.h"

static double gamma_k(size_t k)
{
    double u = FLT_EPSILON / 2;
    return (double)k * u / (1.0 - (double)k * u);
}

/* Forward: compare out with out_ref; bound from sum_c |inp*w| (+ |bias|). */
static void check_forward(size_t B, size_t C, size_t OC, bool bias)
{
    RtRng r;
    rt_rng_seed(&r, B * 1000 + C, OC);
    float *inp = rand_matrix(B * C, &r), *w = rand_matrix(OC * C, &r);
    float *b = bias ? rand_matrix(OC, &r) : NULL;
    float *out = malloc(B * OC * sizeof *out), *ref = malloc(B * OC * sizeof *ref);
    rt_matmul_forward(out, inp, w, b, B, C, OC, NULL);
    rt_matmul_forward_ref(ref, inp, w, b, B, C, OC);
    for (size_t i = 0; i < B; i++)
        for (size_t o = 0; o < OC; o++) {
            double mag = b ? fabs(b[o]) : 0.0;
            for (size_t c = 0; c < C; c++)
                mag += fabs((double)inp[i * C + c] * w[o * C + c]);
            cr_assert_float_eq(out[i * OC + o], ref[i * OC + o], 2 * gamma_k(C + 1) * mag + 1e-30);
        }
    free(inp), free(w), free(b), free(out), free(ref);
}

Test(matmul, forward_matches_the_naive_reference)
{
    check_forward(1, 1, 1, false);
    check_forward(7, 13, 5, true);
    check_forward(64, 100, 33, true);
    check_forward(3, 257, 1, false);
}

/* Backward: all three outputs, starting from non-zero values (the kernels add). */
static void check_backward(size_t B, size_t C, size_t OC)
{
    RtRng r;
    rt_rng_seed(&r, 77, B + C + OC);
    float *dout = rand_matrix(B * OC, &r), *inp = rand_matrix(B * C, &r);
    float *w = rand_matrix(OC * C, &r);
    float *dinp = rand_matrix(B * C, &r), *dw = rand_matrix(OC * C, &r), *db = rand_matrix(OC, &r);
    float *dinp2 = malloc(B * C * sizeof(float)), *dw2 = malloc(OC * C * sizeof(float));
    float *db2 = malloc(OC * sizeof(float));
    memcpy(dinp2, dinp, B * C * sizeof(float));
    memcpy(dw2, dw, OC * C * sizeof(float));
    memcpy(db2, db, OC * sizeof(float));
    float *d0 = malloc(B * C * sizeof(float)), *w0 = malloc(OC * C * sizeof(float));
    memcpy(d0, dinp, B * C * sizeof(float));
    memcpy(w0, dw, OC * C * sizeof(float));
    rt_matmul_backward(dinp, dw, db, dout, inp, w, B, C, OC, NULL);
    rt_matmul_backward_ref(dinp2, dw2, db2, dout, inp, w, B, C, OC);
    for (size_t i = 0; i < B; i++)
        for (size_t c = 0; c < C; c++) {
            double mag = fabs(d0[i * C + c]);
            for (size_t o = 0; o < OC; o++)
                mag += fabs((double)dout[i * OC + o] * w[o * C + c]);
            cr_assert_float_eq(dinp[i * C + c], dinp2[i * C + c], 2 * gamma_k(OC + 1) * mag);
        }
    for (size_t o = 0; o < OC; o++)
        for (size_t c = 0; c < C; c++) {
            double mag = fabs(w0[o * C + c]);
            for (size_t i = 0; i < B; i++)
                mag += fabs((double)dout[i * OC + o] * inp[i * C + c]);
            cr_assert_float_eq(dw[o * C + c], dw2[o * C + c], 2 * gamma_k(B + 1) * mag);
        }
    for (size_t o = 0; o < OC; o++)
        cr_assert_eq(db[o], db2[o]); /* same order of additions */
    free(dout), free(inp), free(w), free(dinp), free(dw), free(db);
    free(dinp2), free(dw2), free(db2), free(d0), free(w0);
}

Test(matmul, backward_matches_the_naive_reference)
{
    check_backward(1, 1, 1);
    check_backward(5, 9, 4);
    check_backward(32, 70, 17);
}

/* rt_gemm with each transpose flag against a triple loop, on small exact integers. */
Test(matmul, gemm_handles_transposes_and_strides)
{
    float a[6] = {1, 2, 3, 4, 5, 6}; /* (2,3), or its transpose (3,2) read as (2,3) */
    float b[6] = {1, -1, 2, 0, 1, 3};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            float c[4] = {10, 10, 10, 10}; /* (2,2) with beta 1: adds */
            rt_gemm(c, 2, a, ta ? 2 : 3, ta, b, tb ? 3 : 2, tb, 2, 2, 3, 1.0f, 1.0f, NULL);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) {
                    float s = 10;
                    for (int k = 0; k < 3; k++) {
                        float av = ta ? a[k * 2 + i] : a[i * 3 + k];
                        float bv = tb ? b[j * 3 + k] : b[k * 2 + j];
                        s += av * bv;
                    }
                    cr_assert_eq(c[i * 2 + j], s, "ta %d tb %d (%d,%d)", ta, tb, i, j);
                }
        }
}

/*
** Products large enough to be cut into blocks and shared give the same bits on 1, 2 and 3
** threads, for every transpose flag, and stay within the dot-product bound of the naive
** loops. Shapes: a batch of 10 through a 200 -> 300 layer (BLIS's one call and its 64-column
** blocks differ there: the cut must not depend on the threads), and 600 x 200 (edge blocks:
** 256 + 256 + 88 rows, 3 x 64 + 8 columns).
*/
static void check_gemm_threads(size_t m, size_t n, size_t k)
{
    RtRng r;
    rt_rng_seed(&r, m, n * 1000 + k);
    float *a = rand_matrix(m * k, &r), *b = rand_matrix(k * n, &r);
    float *c[3];
    RtPool *pool[3] = {NULL, rt_pool_new(2), rt_pool_new(3)};
    cr_assert(pool[1] && pool[2]);
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            for (int t = 0; t < 3; t++) {
                c[t] = calloc(m * n, sizeof *c[t]);
                rt_gemm(c[t], n, a, ta ? m : k, ta, b, tb ? k : n, tb, m, n, k, 1.0f, 0.0f,
                        pool[t]);
            }
            for (int t = 1; t < 3; t++)
                cr_assert(memcmp(c[0], c[t], m * n * sizeof *c[0]) == 0,
                          "%zux%zux%zu ta %d tb %d: %d threads differ from 1", m, n, k, ta, tb,
                          t + 1);
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) {
                    double s = 0.0, bound = 0.0;
                    for (size_t q = 0; q < k; q++) {
                        double p = (double)(ta ? a[q * m + i] : a[i * k + q]) *
                                   (double)(tb ? b[j * k + q] : b[q * n + j]);
                        s += p;
                        bound += fabs(p);
                    }
                    cr_assert_leq(fabs(c[0][i * n + j] - s), gamma_k(k) * bound + 1e-30,
                                  "ta %d tb %d (%zu,%zu)", ta, tb, i, j);
                }
            for (int t = 0; t < 3; t++)
                free(c[t]);
        }
    rt_pool_free(pool[1]);
    rt_pool_free(pool[2]);
    free(a);
    free(b);
}

Test(matmul, gemm_gives_the_same_bits_for_any_thread_count)
{
    check_gemm_threads(10, 300, 200);
    check_gemm_threads(600, 200, 50);
}

/*
** The short products' sums (rt_matmul.c): 8 partial sums of fused multiply-adds over
** p = l mod 8, the rest of k into the first, the pairwise tree, times alpha, plus c.
*/
static float short_sum(const float *a, const float *b, size_t k, float alpha)
{
    float s[8] = {0};
    size_t k8 = k / 8 * 8;
    for (size_t p = 0; p < k; p++)
        s[p < k8 ? p % 8 : 0] = fmaf(a[p], b[p], s[p < k8 ? p % 8 : 0]);
    return alpha * (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])));
}

/* Element (a, b) of c = alpha a b^T (+ c0 where beta is 1) as BLIS's small-matrix kernels sum
** it for any k: blocks of RT_KERN_LONG_KC, each block's short_sum added in turn into c. */
static float blocked_sum(const float *a, const float *b, size_t k, float alpha, float beta,
                         float c0)
{
    float c = c0;
    for (size_t p0 = 0; p0 < k; p0 += RT_KERN_LONG_KC) {
        size_t kb = k - p0 < RT_KERN_LONG_KC ? k - p0 : RT_KERN_LONG_KC;
        float v = short_sum(a + p0, b + p0, kb, alpha);
        c = p0 == 0 && beta == 0.0f ? v : c + v;
    }
    return c;
}

/* Element (i, j) of c = alpha a b (+ c0 where beta is 1), b (k,n) stored along n: the sum over
** k in order, one fused multiply-add a step (BLIS's small-matrix kernels for such a b). */
static float combo_sum(const float *a, const float *b, size_t n, size_t k, float alpha,
                       float beta, float c0)
{
    float s = 0.0f;
    for (size_t p = 0; p < k; p++)
        s = fmaf(a[p], b[p * n], s);
    return beta != 0.0f ? c0 + alpha * s : alpha * s;
}

/*
** Every build of the kernels (AIMCI_KERNEL: baseline, avx2, then the widest the CPU has) runs
** rt_gemm on the m x n x k products of ms, ns, ks with b stored along k (tb: b^T, summed as
** blocked_sum) or along n (summed as combo_sum), alpha 1 and 0.7, beta 0 and 1: the same bits
** as those sums, and for one block (at most 256 x 64) as bli_sgemm itself gives on this
** machine (the numbers did not move when aimci took these products over).
*/
static void check_sums(bool tb, const size_t *ms, size_t nm, const size_t *ns, size_t nn,
                       const size_t *ks, size_t nk, uint64_t seed)
{
    static const char *builds[] = {"baseline", "avx2", NULL};
    RtRng r;
    rt_rng_seed(&r, seed, 25);
    for (size_t e = 0; e < 3; e++) {
        if (builds[e])
            setenv("AIMCI_KERNEL", builds[e], 1);
        else
            unsetenv("AIMCI_KERNEL");
        rt_kern_choose();
        for (size_t mi = 0; mi < nm; mi++)
            for (size_t ni = 0; ni < nn; ni++)
                for (size_t ki = 0; ki < nk; ki++)
                    for (int v = 0; v < 4; v++) {
                        size_t m = ms[mi], n = ns[ni], k = ks[ki], ldb = tb ? k : n;
                        if (tb && k > RT_KERN_SHORT_K_MAX && n > 48)
                            continue; /* time: the long sums' columns go 16 at a time */
                        float alpha = v & 1 ? 0.7f : 1.0f, beta = v & 2 ? 1.0f : 0.0f;
                        float *a = rand_matrix(m * k, &r), *b = rand_matrix(n * k, &r);
                        float *c = rand_matrix(m * n, &r), *c0 = malloc(m * n * sizeof *c0);
                        memcpy(c0, c, m * n * sizeof *c);
                        for (int blis = 0; blis < 2; blis++) {
                            if (blis && (m > 256 || n > 64))
                                break; /* more than one block: no single BLIS call */
                            memcpy(c, c0, m * n * sizeof *c);
                            if (blis)
                                bli_sgemm(BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                                          (dim_t)m, (dim_t)n, (dim_t)k, &alpha, a, (inc_t)k, 1,
                                          b, (inc_t)ldb, 1, &beta, c, (inc_t)n, 1);
                            else
                                rt_gemm(c, n, a, k, false, b, ldb, tb, m, n, k, alpha, beta,
                                        NULL);
                            for (size_t q = 0; q < m * n; q++) {
                                const float *ai = a + q / n * k;
                                float want = tb ? blocked_sum(ai, b + q % n * k, k, alpha, beta,
                                                              c0[q])
                                                : combo_sum(ai, b + q % n, n, k, alpha, beta,
                                                            c0[q]);
                                cr_assert(memcmp(&want, &c[q], sizeof want) == 0,
                                          "%s%s: %zu x %zu x %zu%s, alpha %g beta %g, element "
                                          "%zu", blis ? "BLIS, " : "",
                                          builds[e] ? builds[e] : "widest", m, n, k,
                                          tb ? " (b^T)" : "", (double)alpha, (double)beta, q);
                            }
                        }
                        free(a), free(b), free(c), free(c0);
                    }
    }
    unsetenv("AIMCI_KERNEL");
}

/* Skipped where the CPU has no FMA (BLIS sums otherwise there). */
static void need_fma(void)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        cr_skip_test("no AVX2 and FMA on this CPU");
}

/*
** A b^T-product with k from 2 to 32 and n a multiple of 16 (a conv layer's im2col product),
** or with longer k (RtKern.long_dots where the build has it and the block rows enough, BLIS
** otherwise), sums as BLIS's small-matrix kernels do.
*/
Test(matmul, short_products_sum_as_blis_does)
{
    need_fma();
    static const size_t ms[] = {1, 3, 256, 300}, ns[] = {16, 48, 80};
    static const size_t ks[] = {2, 7, 9, 25, 32, 33, 257, 403};
    check_sums(true, ms, 4, ns, 3, ks, sizeof ks / sizeof ks[0], 5);
}

/*
** A product with b stored along n (a layer's backward: dx = d w), k from 2 to 32 and n a
** multiple of 16 (RtKern.short_combos where the build has it, BLIS otherwise), sums as BLIS
** does.
*/
Test(matmul, short_combinations_sum_as_blis_does)
{
    need_fma();
    static const size_t ms[] = {1, 7, 256, 300}, ns[] = {16, 80}, ks[] = {2, 10, 32};
    check_sums(false, ms, 4, ns, 2, ks, 3, 6);
}
