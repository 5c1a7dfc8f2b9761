/*
** rt_matmul.h: the dense kernels of the runtime, llm.c style (outputs, inputs, sizes).
**
** Legend: B = rows of a batch, C = input channels (tile columns X), OC = output channels
** (tile rows D). Weights are (OC,C) row-major, w[o*C + c], as tiles store them
** (docs/theory.md §2.1: w[i*X + j]). Backward kernels add into their outputs.
** Each BLIS kernel has a naive `_ref` twin, kept as the algorithmic reference for tests.
** rt_gemm is the only function that calls BLIS.
*/
#ifndef AIMCI_RT_MATMUL_H
#define AIMCI_RT_MATMUL_H

#include <stdbool.h>
#include <stddef.h>

#include "rt_pool.h"

/*
** c (m,n) = alpha * op(a) * op(b) + beta * c, all row-major. op(a) is (m,k): a is stored
** (m,k) with row stride lda, or (k,m) if ta. op(b) is (k,n): b stored (k,n) with row
** stride ldb, or (n,k) if tb. c has row stride ldc. With beta == 0, c is not read.
** Large products are shared by pool's threads (NULL: this thread); the result is the same
** bits for any number of threads (rt_matmul.c: fixed blocks). Not from inside a pool job.
*/
void rt_gemm(float *c, size_t ldc, const float *a, size_t lda, bool ta,
             const float *b, size_t ldb, bool tb, size_t m, size_t n, size_t k,
             float alpha, float beta, RtPool *pool);

/* out (B,OC) = inp (B,C) * w^T + bias; w is (OC,C); bias (OC) may be NULL. */
void rt_matmul_forward(float *out, const float *inp, const float *w, const float *bias,
                       size_t B, size_t C, size_t OC, RtPool *pool);
void rt_matmul_forward_ref(float *out, const float *inp, const float *w, const float *bias,
                           size_t B, size_t C, size_t OC);

/*
** Given dout (B,OC): dinp (B,C) += dout * w, dw (OC,C) += dout^T * inp,
** dbias (OC) += column sums of dout. Any of dinp, dw, dbias may be NULL (not wanted).
*/
void rt_matmul_backward(float *dinp, float *dw, float *dbias, const float *dout,
                        const float *inp, const float *w, size_t B, size_t C, size_t OC,
                        RtPool *pool);
void rt_matmul_backward_ref(float *dinp, float *dw, float *dbias, const float *dout,
                            const float *inp, const float *w, size_t B, size_t C, size_t OC);

#endif
