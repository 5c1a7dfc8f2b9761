/*
** rt_layer_pool.c: max and average pooling over K x K windows with stride S, per channel,
** without padding (rt_layer.h).
*/
#include "rt_layer.h"

/* The maxima of one channel's windows and their indices: the first maximum in scan order,
** as the backward expects. */
static void max_windows(float *restrict out, uint32_t *restrict arg, const float *restrict x_bc,
                        size_t base, RtShape in, size_t OH, size_t OW, size_t K, size_t S)
{
    for (size_t oh = 0; oh < OH; oh++)
        for (size_t ow = 0; ow < OW; ow++) {
            size_t best = oh * S * in.w + ow * S;
            for (size_t kh = 0; kh < K; kh++)
                for (size_t kw = 0; kw < K; kw++) {
                    size_t at = (oh * S + kh) * in.w + ow * S + kw;
                    if (x_bc[at] > x_bc[best])
                        best = at;
                }
            out[oh * OW + ow] = x_bc[best];
            arg[oh * OW + ow] = (uint32_t)(base + best);
        }
}

/* The same for 2 x 2 windows with stride 2, the usual pooling, written out (the general
** loop was 10% of a LeNet test pass). */
static void max_windows_2x2(float *restrict out, uint32_t *restrict arg,
                            const float *restrict x_bc, size_t base, RtShape in, size_t OH,
                            size_t OW)
{
    for (size_t oh = 0; oh < OH; oh++)
        for (size_t ow = 0; ow < OW; ow++) {
            /* the running maximum in a register and selects, not branches: unpredictable
            ** comparisons, and no load that waits for the previous one */
            size_t at = 2 * oh * in.w + 2 * ow;
            float m = x_bc[at], v[3] = {x_bc[at + 1], x_bc[at + in.w], x_bc[at + in.w + 1]};
            size_t best = at, off[3] = {at + 1, at + in.w, at + in.w + 1};
            for (int k = 0; k < 3; k++) {
                size_t take = (size_t)0 - (size_t)(v[k] > m); /* all ones or zero */
                m = v[k] > m ? v[k] : m;
                best = (off[k] & take) | (best & ~take);
            }
            out[oh * OW + ow] = m;
            arg[oh * OW + ow] = (uint32_t)(base + best);
        }
}

void rt_maxpool_forward(float *out, uint32_t *arg, const float *x, size_t B, RtShape in,
                        size_t K, size_t S)
{
    size_t OH = rt_window_out(in.h, K, S, 0), OW = rt_window_out(in.w, K, S, 0);
    size_t N = rt_shape_size(in);
    for (size_t b = 0; b < B; b++)
        for (size_t c = 0; c < in.c; c++) {
            const float *x_bc = x + b * N + c * in.h * in.w;
            size_t base = c * in.h * in.w, o0 = (b * in.c + c) * OH * OW;
            if (K == 2 && S == 2)
                max_windows_2x2(out + o0, arg + o0, x_bc, base, in, OH, OW);
            else
                max_windows(out + o0, arg + o0, x_bc, base, in, OH, OW, K, S);
        }
}

void rt_maxpool_backward(float *dx, const float *dout, const uint32_t *arg, size_t B,
                         RtShape in, RtShape out)
{
    size_t N = rt_shape_size(in), M = rt_shape_size(out);
    for (size_t b = 0; b < B; b++)
        for (size_t k = 0; k < M; k++)
            dx[b * N + arg[b * M + k]] += dout[b * M + k];
}

void rt_avgpool_forward(float *out, const float *x, size_t B, RtShape in, size_t K, size_t S)
{
    size_t OH = rt_window_out(in.h, K, S, 0), OW = rt_window_out(in.w, K, S, 0);
    size_t N = rt_shape_size(in);
    double inv = 1.0 / (double)(K * K);
    for (size_t b = 0; b < B; b++)
        for (size_t c = 0; c < in.c; c++) {
            const float *x_bc = x + b * N + c * in.h * in.w;
            float *out_bc = out + (b * in.c + c) * OH * OW;
            for (size_t oh = 0; oh < OH; oh++)
                for (size_t ow = 0; ow < OW; ow++) {
                    double acc = 0.0;
                    for (size_t kh = 0; kh < K; kh++)
                        for (size_t kw = 0; kw < K; kw++)
                            acc += x_bc[(oh * S + kh) * in.w + ow * S + kw];
                    out_bc[oh * OW + ow] = (float)(acc * inv);
                }
        }
}

void rt_avgpool_backward(float *dx, const float *dout, size_t B, RtShape in, size_t K,
                         size_t S)
{
    size_t OH = rt_window_out(in.h, K, S, 0), OW = rt_window_out(in.w, K, S, 0);
    size_t N = rt_shape_size(in);
    float inv = (float)(1.0 / (double)(K * K));
    for (size_t b = 0; b < B; b++)
        for (size_t c = 0; c < in.c; c++) {
            float *dx_bc = dx + b * N + c * in.h * in.w;
            const float *dout_bc = dout + (b * in.c + c) * OH * OW;
            for (size_t oh = 0; oh < OH; oh++)
                for (size_t ow = 0; ow < OW; ow++) {
                    float g = dout_bc[oh * OW + ow] * inv;
                    for (size_t kh = 0; kh < K; kh++)
                        for (size_t kw = 0; kw < K; kw++)
                            dx_bc[(oh * S + kh) * in.w + ow * S + kw] += g;
                }
        }
}
