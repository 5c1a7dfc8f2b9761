/*
** rt_layer_conv.c: im2col, its adjoint, the per-example transposes around the product, and
** the direct convolution that the tests compare them with (rt_layer.h).
*/
#include <string.h>

#include "rt_layer.h"

size_t rt_shape_size(RtShape s)
{
    return s.c * s.h * s.w;
}

size_t rt_window_out(size_t n, size_t k, size_t s, size_t p)
{
    if (k == 0 || s == 0 || n + 2 * p < k)
        return 0;
    return (n + 2 * p - k) / s + 1;
}

/* The input coordinate of kernel offset kk at output position o, or -1 in the padding. */
static long src_at(size_t o, size_t kk, size_t S, size_t P, size_t n)
{
    long v = (long)(o * S + kk) - (long)P;
    return v >= 0 && v < (long)n ? v : -1;
}

/* Whether the window at (h0, w0) of the padded image lies inside the image itself. */
static bool window_inside(size_t h0, size_t w0, RtShape in, size_t K, size_t P)
{
    return h0 >= P && w0 >= P && h0 - P + K <= in.h && w0 - P + K <= in.w;
}

/*
** The patch at (oh, ow) when its window lies inside the image: C x K runs of K floats.
** Inlined with K a constant for the usual kernels (see patch_at), memcpy of a
** constant size becomes a few moves instead of a call.
*/
static inline __attribute__((always_inline)) void patch_inside(float *restrict row,
                                                              const float *restrict x_b,
                                                              RtShape in, size_t K, size_t h0,
                                                              size_t w0)
{
    for (size_t c = 0; c < in.c; c++) {
        const float *src = x_b + (c * in.h + h0) * in.w + w0;
        for (size_t kh = 0; kh < K; kh++, src += in.w, row += K)
            memcpy(row, src, K * sizeof *row);
    }
}

static void patch_at(float *restrict row, const float *restrict x_b, RtShape in, size_t K,
                     size_t h0, size_t w0)
{
    switch (K) {
    case 3: patch_inside(row, x_b, in, 3, h0, w0); break;
    case 5: patch_inside(row, x_b, in, 5, h0, w0); break;
    default: patch_inside(row, x_b, in, K, h0, w0); break;
    }
}

void rt_im2col(float *cols, const float *x, size_t B, RtShape in, size_t K, size_t S, size_t P)
{
    size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
    size_t N = rt_shape_size(in), X = in.c * K * K;
    for (size_t b = 0; b < B; b++) {
        const float *x_b = x + b * N;
        for (size_t oh = 0; oh < OH; oh++)
            for (size_t ow = 0; ow < OW; ow++) {
                float *row = cols + (b * OH * OW + oh * OW + ow) * X;
                size_t h0 = oh * S, w0 = ow * S;
                if (window_inside(h0, w0, in, K, P)) {
                    patch_at(row, x_b, in, K, h0 - P, w0 - P);
                    continue;
                }
                for (size_t c = 0; c < in.c; c++)
                    for (size_t kh = 0; kh < K; kh++) {
                        long h = src_at(oh, kh, S, P, in.h);
                        for (size_t kw = 0; kw < K; kw++) {
                            long w = src_at(ow, kw, S, P, in.w);
                            *row++ = h < 0 || w < 0 ? 0.0f
                                                    : x_b[c * in.h * in.w + (size_t)h * in.w +
                                                          (size_t)w];
                        }
                    }
            }
    }
}

/*
** The adjoint of patch_inside: dx_b += the patch at (h0, w0), C x K runs of K adds in the
** order of the general loop (the same sums, each element's terms in the same order).
*/
static inline __attribute__((always_inline)) void unpatch_inside(float *restrict dx_b,
                                                                const float *restrict row,
                                                                RtShape in, size_t K,
                                                                size_t h0, size_t w0)
{
    for (size_t c = 0; c < in.c; c++) {
        float *dst = dx_b + (c * in.h + h0) * in.w + w0;
        for (size_t kh = 0; kh < K; kh++, dst += in.w, row += K)
            for (size_t kw = 0; kw < K; kw++)
                dst[kw] += row[kw];
    }
}

static void unpatch_at(float *restrict dx_b, const float *restrict row, RtShape in, size_t K,
                       size_t h0, size_t w0)
{
    switch (K) {
    case 3: unpatch_inside(dx_b, row, in, 3, h0, w0); break;
    case 5: unpatch_inside(dx_b, row, in, 5, h0, w0); break;
    default: unpatch_inside(dx_b, row, in, K, h0, w0); break;
    }
}

void rt_col2im(float *dx, const float *dcols, size_t B, RtShape in, size_t K, size_t S,
               size_t P)
{
    size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
    size_t N = rt_shape_size(in), X = in.c * K * K;
    for (size_t b = 0; b < B; b++) {
        float *dx_b = dx + b * N;
        for (size_t oh = 0; oh < OH; oh++)
            for (size_t ow = 0; ow < OW; ow++) {
                const float *row = dcols + (b * OH * OW + oh * OW + ow) * X;
                size_t h0 = oh * S, w0 = ow * S;
                if (window_inside(h0, w0, in, K, P)) {
                    unpatch_at(dx_b, row, in, K, h0 - P, w0 - P);
                    continue;
                }
                for (size_t c = 0; c < in.c; c++)
                    for (size_t kh = 0; kh < K; kh++) {
                        long h = src_at(oh, kh, S, P, in.h);
                        for (size_t kw = 0; kw < K; kw++, row++) {
                            long w = src_at(ow, kw, S, P, in.w);
                            if (h >= 0 && w >= 0)
                                dx_b[c * in.h * in.w + (size_t)h * in.w + (size_t)w] += *row;
                        }
                    }
            }
    }
}

void rt_conv_arrange(float *out, const float *z, const float *scale, size_t nscale,
                     const float *bias, size_t B, size_t Q, size_t OC)
{
    for (size_t b = 0; b < B; b++)
        for (size_t o = 0; o < OC; o++) {
            float s = scale ? scale[nscale > 1 ? o : 0] : 1.0f;
            float add = bias ? bias[o] : 0.0f;
            float *out_bo = out + (b * OC + o) * Q;
            const float *z_b = z + b * Q * OC;
            for (size_t q = 0; q < Q; q++)
                out_bo[q] = s * z_b[q * OC + o] + add;
        }
}

void rt_conv_unarrange(float *dz, const float *dout, const float *scale, size_t nscale,
                       size_t B, size_t Q, size_t OC)
{
    for (size_t b = 0; b < B; b++)
        for (size_t o = 0; o < OC; o++) {
            float s = scale ? scale[nscale > 1 ? o : 0] : 1.0f;
            const float *dout_bo = dout + (b * OC + o) * Q;
            float *dz_b = dz + b * Q * OC;
            for (size_t q = 0; q < Q; q++)
                dz_b[q * OC + o] = s * dout_bo[q];
        }
}

void rt_conv_forward_ref(float *out, const float *x, const float *w, const float *bias,
                         size_t B, RtShape in, size_t OC, size_t K, size_t S, size_t P)
{
    size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
    for (size_t b = 0; b < B; b++)
        for (size_t o = 0; o < OC; o++)
            for (size_t oh = 0; oh < OH; oh++)
                for (size_t ow = 0; ow < OW; ow++) {
                    double acc = bias ? bias[o] : 0.0;
                    for (size_t c = 0; c < in.c; c++)
                        for (size_t kh = 0; kh < K; kh++)
                            for (size_t kw = 0; kw < K; kw++) {
                                long h = src_at(oh, kh, S, P, in.h);
                                long v = src_at(ow, kw, S, P, in.w);
                                if (h < 0 || v < 0)
                                    continue;
                                acc += (double)w[((o * in.c + c) * K + kh) * K + kw] *
                                       (double)x[((b * in.c + c) * in.h + (size_t)h) * in.w +
                                                 (size_t)v];
                            }
                    out[((b * OC + o) * OH + oh) * OW + ow] = (float)acc;
                }
}
