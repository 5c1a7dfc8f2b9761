/*
** rt_layer_pool.c: max and average pooling over K x K windows with stride S, per channel,
** without padding (rt_layer.h).
*/
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rt_layer.h"
#include "rt_vec.h"

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

/*
** The window at (oh, ow) of 2 x 2 windows with stride 2: the running maximum in a register
** and selects, not branches (the comparisons are unpredictable).
*/
static inline void max_window_2x2(float *out, uint32_t *arg, const float *x_bc, size_t base,
                                  RtShape in, size_t oh, size_t ow, size_t OW)
{
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

#ifdef __SSE2__
/* a where mask, else b */
static inline __m128 pick_ps(__m128 mask, __m128 a, __m128 b)
{
    return _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b));
}
static inline __m128i pick_si(__m128 mask, __m128i a, __m128i b)
{
    __m128i m = _mm_castps_si128(mask);
    return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}
#endif

/*
** The same for every window, four at a time with SSE2 where the compiler has it (every
** x86-64): the four values of each window compared in the same order with the same ordered
** compare (false for NaN), so the same maxima and indices. The scalar loop was 10% of a LeNet
** test pass.
*/
static void max_windows_2x2(float *restrict out, uint32_t *restrict arg,
                            const float *restrict x_bc, size_t base, RtShape in, size_t OH,
                            size_t OW)
{
    for (size_t oh = 0; oh < OH; oh++) {
        size_t ow = 0;
#ifdef __SSE2__
        const float *top = x_bc + 2 * oh * in.w, *bot = top + in.w;
        __m128i row0 = _mm_set1_epi32((int)(base + 2 * oh * in.w)), w = _mm_set1_epi32((int)in.w);
        __m128i one = _mm_set1_epi32(1), two = _mm_set1_epi32(2), three = _mm_set1_epi32(3);
        for (; ow + 4 <= OW; ow += 4) {
            __m128 t0 = _mm_loadu_ps(top + 2 * ow), t1 = _mm_loadu_ps(top + 2 * ow + 4);
            __m128 b0 = _mm_loadu_ps(bot + 2 * ow), b1 = _mm_loadu_ps(bot + 2 * ow + 4);
            __m128 v[4] = {_mm_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)),
                           _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)),
                           _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1))};
            __m128i k[4] = {_mm_setzero_si128(), one, two, three};
            __m128 m = v[0];
            __m128i at = k[0];
            for (int q = 1; q < 4; q++) {
                __m128 gt = _mm_cmpgt_ps(v[q], m);
                m = pick_ps(gt, v[q], m);
                at = pick_si(gt, k[q], at);
            }
            /* index: row0 + 2 ow' + (at & 1) + (at >> 1) w, ow' = ow .. ow + 3 */
            __m128i col = _mm_slli_epi32(_mm_add_epi32(_mm_set1_epi32((int)ow),
                                                       _mm_setr_epi32(0, 1, 2, 3)), 1);
            __m128i down = _mm_sub_epi32(_mm_setzero_si128(), _mm_srli_epi32(at, 1));
            __m128i idx = _mm_add_epi32(_mm_add_epi32(row0, col),
                                        _mm_add_epi32(_mm_and_si128(at, one),
                                                      _mm_and_si128(down, w)));
            _mm_storeu_ps(out + oh * OW + ow, m);
            _mm_storeu_si128((__m128i *)(void *)(arg + oh * OW + ow), idx);
        }
#endif
        for (; ow < OW; ow++)
            max_window_2x2(out, arg, x_bc, base, in, oh, ow, OW);
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

/*
** {======================================================================
** Max-pooling of tanh of a conv layer's outputs, without the tanh of every input
**
** tanh_f (rt_layer_act.c) is monotone but for pairs of adjacent floats: over all 2^32 floats,
** tanh a <= tanh b whenever b is 2 or more floats above a (tools/tanh_order.c checks it;
** 11802 adjacent pairs, at |x| in [1/8, 1/2), go down by an ulp), tanh x = 0 only for
** x = +-0, and no float but NaN gives NaN. So the maximum of a window's tanh values, as
** rt_maxpool_forward takes it (the first of the largest, by ordered >), is bit for bit the
** tanh of the window's largest input m (taken the same way), unless an input is the float
** just below m: such windows (rare) take the tanh of each input. Inputs equal to m, +-0
** included, come after m (the first of the largest), and so do their tanh values; an input
** below m whose tanh equals tanh m has the same bits (it is not 0); a NaN input wins in both
** ways only as the window's first (tanh keeps its bits).
**
** The inputs are the conv layer's outputs before arranging (rt_conv_arrange): z (Q,OC) of
** one example, each value s z + add computed as rt_conv_arrange computes it. Each window is
** taken for all OC outputs at once (contiguous in z: loops over o that vectorise), G windows
** at a time into m (G,OC), then transposed into out (OC,PQ).
** =======================================================================
*/

/* Output indices of flagged windows; past their room, `all`: every window is looked at. */
typedef struct Flagged {
    size_t at[64];
    size_t n;
    bool all;
} Flagged;

static void flag(Flagged *f, size_t o)
{
    if (f->n < sizeof f->at / sizeof *f->at)
        f->at[f->n++] = o;
    else
        f->all = true;
}

/*
** The bits of the float just below the non-NaN float with bits u; for +0 (below it -0, whose
** tanh is no larger) a NaN's.
*/
static uint32_t bits_below(uint32_t u)
{
    return u >> 31 ? u + 1 : u - 1;
}

static uint32_t bits_of(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

enum { POOL_GROUP = 16, POOL_OC_MAX = 256 };

/* Whether v is the float just below m (a window that takes every tanh, above). */
static inline int32_t just_below(float v, float m)
{
    return bits_of(v) == bits_below(bits_of(m));
}

/* 2 x 2 windows (the usual case): one loop over the outputs, the same operations. */
RT_WIDE_LOOP
static bool conv_window_max_2x2(float *restrict m, const float *restrict z,
                                const float *restrict s, const float *restrict add, size_t OC,
                                size_t OW, size_t q0)
{
    const float *z0 = z + q0 * OC, *z1 = z0 + OC, *z2 = z0 + OW * OC, *z3 = z2 + OC;
    int32_t flagged = 0;
    for (size_t o = 0; o < OC; o++) {
        float v0 = s[o] * z0[o] + add[o], v1 = s[o] * z1[o] + add[o];
        float v2 = s[o] * z2[o] + add[o], v3 = s[o] * z3[o] + add[o];
        float best = v0;
        best = v1 > best ? v1 : best;
        best = v2 > best ? v2 : best;
        best = v3 > best ? v3 : best;
        flagged |= just_below(v0, best) | just_below(v1, best) | just_below(v2, best) |
                   just_below(v3, best);
        m[o] = best;
    }
    return flagged != 0;
}

RT_WIDE_LOOP
static bool conv_window_max(float *restrict m, const float *restrict z, const float *restrict s,
                            const float *restrict add, size_t OC, size_t OW, size_t K,
                            size_t q0)
{
    if (K == 2)
        return conv_window_max_2x2(m, z, s, add, OC, OW, q0);
    int32_t flagged = 0;
    for (size_t o = 0; o < OC; o++)
        m[o] = s[o] * z[q0 * OC + o] + add[o];
    for (size_t kh = 0; kh < K; kh++)
        for (size_t kw = 0; kw < K; kw++) {
            const float *zq = z + (q0 + kh * OW + kw) * OC;
            for (size_t o = 0; o < OC; o++) {
                float v = s[o] * zq[o] + add[o];
                m[o] = v > m[o] ? v : m[o];
            }
        }
    for (size_t kh = 0; kh < K; kh++)
        for (size_t kw = 0; kw < K; kw++) {
            const float *zq = z + (q0 + kh * OW + kw) * OC;
            for (size_t o = 0; o < OC; o++) {
                flagged |= just_below(s[o] * zq[o] + add[o], m[o]);
            }
        }
    return flagged != 0;
}

/* Window p of output o, every tanh taken (a flagged window). */
static float conv_window_max_tanh(const float *z, float s, float add, size_t OC, size_t OW,
                                  size_t K, size_t q0, size_t o)
{
    float best = 0.0f;
    for (size_t kh = 0; kh < K; kh++)
        for (size_t kw = 0; kw < K; kw++) {
            float v = s * z[(q0 + kh * OW + kw) * OC + o] + add, t;
            rt_tanh_forward(&t, &v, 1);
            best = kh + kw == 0 || t > best ? t : best;
        }
    return best;
}

bool rt_conv_maxpool_tanh_fits(size_t OC)
{
    return OC <= POOL_OC_MAX;
}

void rt_conv_maxpool_tanh_forward(float *out, const float *z, const float *scale, size_t nscale,
                                  const float *bias, size_t B, RtShape conv, size_t K, size_t S)
{
    size_t OC = conv.c, Q = conv.h * conv.w;
    size_t PH = rt_window_out(conv.h, K, S, 0), PW = rt_window_out(conv.w, K, S, 0), PQ = PH * PW;
    float s[POOL_OC_MAX], add[POOL_OC_MAX], m[POOL_GROUP * POOL_OC_MAX];
    for (size_t o = 0; o < OC; o++) {
        s[o] = scale ? scale[nscale > 1 ? o : 0] : 1.0f;
        add[o] = bias ? bias[o] : 0.0f;
    }
    Flagged f = {.n = 0, .all = false}; /* windows b PQ + p */
    for (size_t b = 0; b < B; b++) {
        const float *z_b = z + b * Q * OC;
        float *out_b = out + b * OC * PQ;
        for (size_t p0 = 0; p0 < PQ; p0 += POOL_GROUP) {
            size_t G = PQ - p0 < POOL_GROUP ? PQ - p0 : POOL_GROUP;
            for (size_t g = 0; g < G; g++) {
                size_t p = p0 + g, q0 = p / PW * S * conv.w + p % PW * S;
                if (conv_window_max(m + g * OC, z_b, s, add, OC, conv.w, K, q0))
                    flag(&f, b * PQ + p);
            }
            for (size_t o = 0; o < OC; o++)
                for (size_t g = 0; g < G; g++)
                    out_b[o * PQ + p0 + g] = m[g * OC + o];
        }
    }
    rt_tanh_forward(out, out, B * OC * PQ);
    for (size_t k = 0, n = f.all ? B * PQ : f.n; k < n; k++) {
        size_t w = f.all ? k : f.at[k], b = w / PQ, p = w % PQ;
        size_t q0 = p / PW * S * conv.w + p % PW * S;
        const float *z_b = z + b * Q * OC;
        if (f.all && !conv_window_max(m, z_b, s, add, OC, conv.w, K, q0))
            continue;
        for (size_t o = 0; o < OC; o++)
            out[(b * OC + o) * PQ + p] = conv_window_max_tanh(z_b, s[o], add[o], OC, conv.w, K,
                                                              q0, o);
    }
}

/* }====================================================================== */

void rt_maxpool_backward(float *dx, const float *dout, const uint32_t *arg, size_t B,
                         RtShape in, RtShape out)
{
    size_t N = rt_shape_size(in), M = rt_shape_size(out);
    for (size_t b = 0; b < B; b++)
        for (size_t k = 0; k < M; k++)
            dx[b * N + arg[b * M + k]] += dout[b * M + k];
}

/*
** {======================================================================
** The backward of tanh then max-pooling, in one
**
** Where windows never share an input (S >= K), routing dout to the maxima then tanh's
** backward (both into zeros) gives every input 0 + g (1 - y y), g = 0 + dout at a window's
** maximum and +0 elsewhere: written here, the same operations in the same order, without
** the zeros or the routed gradient in between. A NaN y still gives NaN (+0 NaN).
** =======================================================================
*/

bool rt_maxpool_disjoint(size_t K, size_t S)
{
    return S >= K;
}

/* dx (n) = 0 + (+0 (1 - y y)): +0, or NaN where y is NaN; a loop that vectorises. */
RT_WIDE_LOOP
static void tanh_zeros(float *restrict dx, const float *restrict y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = 0.0f + 0.0f * (1.0f - y[i] * y[i]);
}

/*
** Every input as if no gradient reached it, then each window's maximum (one of K K inputs)
** with its gradient: two passes, the first contiguous, the second one input per window.
*/
void rt_maxpool_tanh_backward(float *dx, const float *dout, const uint32_t *arg,
                              const float *y, size_t B, RtShape in, size_t K, size_t S)
{
    size_t N = rt_shape_size(in);
    size_t M = in.c * rt_window_out(in.h, K, S, 0) * rt_window_out(in.w, K, S, 0);
    tanh_zeros(dx, y, B * N);
    for (size_t b = 0; b < B; b++) {
        float *dx_b = dx + b * N;
        const float *y_b = y + b * N;
        for (size_t o = 0; o < M; o++) {
            size_t i = arg[b * M + o];
            dx_b[i] = 0.0f + (0.0f + dout[b * M + o]) * (1.0f - y_b[i] * y_b[i]);
        }
    }
}

/*
** The same values as a conv layer's rows, dz (B*H*W, C). Every value but the maxima's is +0
** (0 + +0 (1 - y y), 1 - y y >= 0, and 0 + -0 is +0 besides) or, where y is NaN, NaN: so
** zeros, unless y holds a NaN (a run gone astray), then the maxima. rt_conv_unarrange
** without scales multiplies by 1, which changes no bits.
*/
void rt_maxpool_tanh_backward_rows(float *dz, const float *dout, const uint32_t *arg,
                                   const float *y, size_t B, RtShape in, size_t K, size_t S)
{
    size_t N = rt_shape_size(in), HW = in.h * in.w, C = in.c;
    size_t PQ = rt_window_out(in.h, K, S, 0) * rt_window_out(in.w, K, S, 0);
    if (rt_has_nan(y, B * N))
        for (size_t b = 0; b < B; b++)
            for (size_t c = 0; c < C; c++)
                for (size_t q = 0; q < HW; q++) {
                    float v = y[b * N + c * HW + q];
                    dz[(b * HW + q) * C + c] = 0.0f + 0.0f * (1.0f - v * v);
                }
    else
        memset(dz, 0, B * N * sizeof *dz);
    for (size_t b = 0; b < B; b++)
        for (size_t c = 0; c < C; c++) { /* channel c's windows hold its inputs' indices */
            const float *y_c = y + b * N + c * HW;
            const float *dout_c = dout + (b * C + c) * PQ;
            const uint32_t *arg_c = arg + (b * C + c) * PQ;
            float *dz_c = dz + b * HW * C + c;
            for (size_t p = 0; p < PQ; p++) {
                size_t q = arg_c[p] - c * HW;
                dz_c[q * C] = 0.0f + (0.0f + dout_c[p]) * (1.0f - y_c[q] * y_c[q]);
            }
        }
}

/* }====================================================================== */

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
