/*
** rt_matmul.c: BLIS-backed dense kernels and their naive references.
*/
#include <string.h>

#include "blis.h"

#include "rt_matmul.h"

/*
** BLIS's typed API takes every operand as non-const and its strides explicitly; row-major
** storage is (row stride, column stride) = (ld, 1). This is the one place const is cast away
** (BLIS only reads a and b).
*/
void rt_gemm(float *c, size_t ldc, const float *a, size_t lda, bool ta,
             const float *b, size_t ldb, bool tb, size_t m, size_t n, size_t k,
             float alpha, float beta)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    bli_sgemm(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              (dim_t)m, (dim_t)n, (dim_t)k, &alpha, (float *)a, (inc_t)lda, 1,
              (float *)b, (inc_t)ldb, 1, &beta, c, (inc_t)ldc, 1);
}

/* Fill each row of out with bias (or zeros), then add inp * w^T. */
void rt_matmul_forward(float *out, const float *inp, const float *w, const float *bias,
                       size_t B, size_t C, size_t OC)
{
    if (!bias)
        memset(out, 0, B * OC * sizeof *out);
    else
        for (size_t b = 0; b < B; b++)
            memcpy(out + b * OC, bias, OC * sizeof *out);
    rt_gemm(out, OC, inp, C, false, w, C, true, B, OC, C, 1.0f, 1.0f);
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
                        const float *inp, const float *w, size_t B, size_t C, size_t OC)
{
    if (dinp)
        rt_gemm(dinp, C, dout, OC, false, w, C, false, B, C, OC, 1.0f, 1.0f);
    if (dw)
        rt_gemm(dw, C, dout, OC, true, inp, C, false, OC, C, B, 1.0f, 1.0f);
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
