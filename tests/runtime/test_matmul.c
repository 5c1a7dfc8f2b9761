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

#include "rt_fixtures.h"
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
