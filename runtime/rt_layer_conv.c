/*
** rt_layer_conv.c: im2col, its adjoint, the per-example transposes around the product, and
** the direct convolution that the tests compare them with (rt_layer.h).
*/
#include <stdint.h>
#include <string.h>

#include "rt_kern.h"
#include "rt_layer.h"
#include "rt_vec.h"

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

/*
** The windows of output row oh that one call of RtKern.patches5 copies: 5 x 5, stride 1,
** inside the image; [*lo, *hi) of ow, empty where there is no such kernel.
*/
static void kernel_windows(const RtKern *kern, size_t oh, RtShape in, size_t K, size_t S,
                           size_t P, size_t OW, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    if (!kern->patches5 || K != 5 || S != 1 || oh < P || oh - P + K > in.h || OW <= 2 * P)
        return;
    *lo = P, *hi = OW - P; /* ow - P >= 0 and ow - P + K <= in.w */
}

/* The patch of window (oh, ow) of image x_b into row, zeros where it reaches the padding. */
static void im2col_window(float *row, const float *x_b, RtShape in, size_t K, size_t S,
                          size_t P, size_t oh, size_t ow)
{
    size_t h0 = oh * S, w0 = ow * S;
    if (window_inside(h0, w0, in, K, P)) {
        patch_at(row, x_b, in, K, h0 - P, w0 - P);
        return;
    }
    for (size_t c = 0; c < in.c; c++)
        for (size_t kh = 0; kh < K; kh++) {
            long h = src_at(oh, kh, S, P, in.h);
            for (size_t kw = 0; kw < K; kw++) {
                long w = src_at(ow, kw, S, P, in.w);
                *row++ = h < 0 || w < 0
                             ? 0.0f
                             : x_b[c * in.h * in.w + (size_t)h * in.w + (size_t)w];
            }
        }
}

void rt_im2col(float *cols, const float *x, size_t B, RtShape in, size_t K, size_t S, size_t P)
{
    size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
    size_t N = rt_shape_size(in), X = in.c * K * K;
    const RtKern *kern = rt_kern();
    for (size_t b = 0; b < B; b++) {
        const float *x_b = x + b * N;
        for (size_t oh = 0; oh < OH; oh++) {
            float *row0 = cols + (b * OH + oh) * OW * X;
            size_t lo, hi; /* [lo, hi) through the kernel, the rest window by window */
            kernel_windows(kern, oh, in, K, S, P, OW, &lo, &hi);
            for (size_t ow = 0; ow < lo; ow++)
                im2col_window(row0 + ow * X, x_b, in, K, S, P, oh, ow);
            if (hi > lo)
                kern->patches5(row0 + lo * X, X, x_b + (oh - P) * in.w + (lo - P), in.c,
                               in.h * in.w, in.w, hi - lo);
            for (size_t ow = hi; ow < OW; ow++)
                im2col_window(row0 + ow * X, x_b, in, K, S, P, oh, ow);
        }
    }
}

/*
** The direct product of one-channel 5 x 5 windows (RtKern.short_conv5), example by example:
** the im2col path's values (short_dots on the patch rows, rt_matmul.c) from the image itself.
** The exact and evaluation passes take it (no update reads their patches); LeNet's first
** layer lays out 14400 floats of patches per example otherwise.
*/
typedef struct DirectJob {
    float *z;
    const float *x, *w;
    RtShape in;
    size_t OC, S, OH, OW;
} DirectJob;

static void direct_examples(void *ctx, size_t b0, size_t b1)
{
    const DirectJob *j = ctx;
    const RtKern *kern = rt_kern();
    for (size_t b = b0; b < b1; b++)
        kern->short_conv5(j->z + b * j->OH * j->OW * j->OC, j->OC,
                          j->x + b * rt_shape_size(j->in), j->in.w, j->S, j->OH, j->OW, j->w,
                          25, j->OC);
}

bool rt_conv_forward_direct(float *z, const float *x, const float *w, size_t B, RtShape in,
                            size_t OC, size_t K, size_t S, size_t P, RtPool *pool)
{
    size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
    if (!rt_kern()->short_conv5 || in.c != 1 || K != 5 || P != 0 || OC % 16 != 0 || !OH || !OW)
        return false;
    DirectJob j = {z, x, w, in, OC, S, OH, OW};
    /* shared as rt_gemm shares the same product: 2^17 multiply-adds or more */
    if (B > 1 && rt_pool_threads(pool) > 1 && (double)B * OH * OW * OC * 25 >= 131072.0)
        rt_pool_run(pool, direct_examples, &j, B, 1);
    else
        direct_examples(&j, 0, B);
    return true;
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

/* 8 floats; an 8 x 8 block of them transposes in registers (transpose8). */
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t M8 __attribute__((vector_size(32)));

/* Lanes of a and b (indices 0..15 into the pair) by GCC's builtin, or clang's (fuzz build). */
#if defined(__clang__)
#define SHUF8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF8(a, b, ...) __builtin_shuffle(a, b, (M8){__VA_ARGS__})
#endif
#define LO2(a, b) SHUF8(a, b, 0, 8, 1, 9, 4, 12, 5, 13)
#define HI2(a, b) SHUF8(a, b, 2, 10, 3, 11, 6, 14, 7, 15)
#define LO4(a, b) SHUF8(a, b, 0, 1, 8, 9, 4, 5, 12, 13)
#define HI4(a, b) SHUF8(a, b, 2, 3, 10, 11, 6, 7, 14, 15)
#define LO8(a, b) SHUF8(a, b, 0, 1, 2, 3, 8, 9, 10, 11)
#define HI8(a, b) SHUF8(a, b, 4, 5, 6, 7, 12, 13, 14, 15)

/* An 8 x 8 block of 8 V8 rows (a struct, so that it stays in registers). */
typedef struct Block8 {
    V8 r0, r1, r2, r3, r4, r5, r6, r7;
} Block8;

/*
** The rows of an 8 x 8 block become its columns: pairs of rows interleaved, then pairs of
** pairs, then the halves swapped.
*/
static inline __attribute__((always_inline)) Block8 transpose8(Block8 m)
{
    V8 t0 = LO2(m.r0, m.r1), t1 = HI2(m.r0, m.r1), t2 = LO2(m.r2, m.r3), t3 = HI2(m.r2, m.r3);
    V8 t4 = LO2(m.r4, m.r5), t5 = HI2(m.r4, m.r5), t6 = LO2(m.r6, m.r7), t7 = HI2(m.r6, m.r7);
    V8 u0 = LO4(t0, t2), u1 = HI4(t0, t2), u2 = LO4(t1, t3), u3 = HI4(t1, t3);
    V8 u4 = LO4(t4, t6), u5 = HI4(t4, t6), u6 = LO4(t5, t7), u7 = HI4(t5, t7);
    return (Block8){LO8(u0, u4), LO8(u1, u5), LO8(u2, u6), LO8(u3, u7),
                    HI8(u0, u4), HI8(u1, u5), HI8(u2, u6), HI8(u3, u7)};
}

/* 8 floats anywhere in a float array, read or written as a V8 (no alignment assumed). */
typedef float V8u __attribute__((vector_size(32), aligned(4), may_alias));
#define LD8(p) (*(const V8u *)(const void *)(p))
#define ST8(p, v) (*(V8u *)(void *)(p) = (v))

/*
** out (B,OC,Q) = scale z + bias from z (B,Q,OC): 8 x 8 blocks transposed in registers where
** OC is a multiple of 8 (each element the same one multiply and add), the rest one by one
** (reading z across its rows, a load per element, was 2.5% of an analog LeNet epoch).
*/
RT_WIDE_LOOP
void rt_conv_arrange(float *out, const float *z, const float *scale, size_t nscale,
                     const float *bias, size_t B, size_t Q, size_t OC)
{
    size_t Q8 = OC % 8 == 0 ? Q / 8 * 8 : 0;
    for (size_t b = 0; b < B; b++) {
        const float *z_b = z + b * Q * OC;
        float *out_b = out + b * OC * Q;
        for (size_t o0 = 0; o0 < OC && Q8 > 0; o0 += 8) {
            V8 s[8], add[8];
            for (int k = 0; k < 8; k++) {
                size_t o = o0 + (size_t)k;
                float sk = scale ? scale[nscale > 1 ? o : 0] : 1.0f, ak = bias ? bias[o] : 0.0f;
                s[k] = (V8){sk, sk, sk, sk, sk, sk, sk, sk};
                add[k] = (V8){ak, ak, ak, ak, ak, ak, ak, ak};
            }
            for (size_t q0 = 0; q0 < Q8; q0 += 8) {
                const float *zq = z_b + q0 * OC + o0;
                Block8 c = transpose8((Block8){LD8(zq), LD8(zq + OC), LD8(zq + 2 * OC),
                                               LD8(zq + 3 * OC), LD8(zq + 4 * OC),
                                               LD8(zq + 5 * OC), LD8(zq + 6 * OC),
                                               LD8(zq + 7 * OC)});
                float *oq = out_b + o0 * Q + q0;
                ST8(oq, s[0] * c.r0 + add[0]);
                ST8(oq + Q, s[1] * c.r1 + add[1]);
                ST8(oq + 2 * Q, s[2] * c.r2 + add[2]);
                ST8(oq + 3 * Q, s[3] * c.r3 + add[3]);
                ST8(oq + 4 * Q, s[4] * c.r4 + add[4]);
                ST8(oq + 5 * Q, s[5] * c.r5 + add[5]);
                ST8(oq + 6 * Q, s[6] * c.r6 + add[6]);
                ST8(oq + 7 * Q, s[7] * c.r7 + add[7]);
            }
        }
        for (size_t o = 0; o < OC; o++) {
            float s = scale ? scale[nscale > 1 ? o : 0] : 1.0f;
            float add = bias ? bias[o] : 0.0f;
            for (size_t q = Q8; q < Q; q++)
                out_b[o * Q + q] = s * z_b[q * OC + o] + add;
        }
    }
}

/* dz (B,Q,OC) = scale dout from dout (B,OC,Q): the transpose of rt_conv_arrange, the same way. */
RT_WIDE_LOOP
void rt_conv_unarrange(float *dz, const float *dout, const float *scale, size_t nscale,
                       size_t B, size_t Q, size_t OC)
{
    size_t Q8 = OC % 8 == 0 ? Q / 8 * 8 : 0;
    for (size_t b = 0; b < B; b++) {
        const float *d_b = dout + b * OC * Q;
        float *dz_b = dz + b * Q * OC;
        for (size_t q0 = 0; q0 < Q8; q0 += 8)
            for (size_t o0 = 0; o0 < OC; o0 += 8) {
                float s[8];
                for (int k = 0; k < 8; k++)
                    s[k] = scale ? scale[nscale > 1 ? o0 + (size_t)k : 0] : 1.0f;
                const float *dq = d_b + o0 * Q + q0;
                Block8 c = transpose8((Block8){s[0] * LD8(dq), s[1] * LD8(dq + Q),
                                               s[2] * LD8(dq + 2 * Q), s[3] * LD8(dq + 3 * Q),
                                               s[4] * LD8(dq + 4 * Q), s[5] * LD8(dq + 5 * Q),
                                               s[6] * LD8(dq + 6 * Q), s[7] * LD8(dq + 7 * Q)});
                float *zq = dz_b + q0 * OC + o0;
                ST8(zq, c.r0), ST8(zq + OC, c.r1), ST8(zq + 2 * OC, c.r2);
                ST8(zq + 3 * OC, c.r3), ST8(zq + 4 * OC, c.r4), ST8(zq + 5 * OC, c.r5);
                ST8(zq + 6 * OC, c.r6), ST8(zq + 7 * OC, c.r7);
            }
        for (size_t o = 0; o < OC; o++) {
            float s = scale ? scale[nscale > 1 ? o : 0] : 1.0f;
            for (size_t q = Q8; q < Q; q++)
                dz_b[q * OC + o] = s * d_b[o * Q + q];
        }
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
