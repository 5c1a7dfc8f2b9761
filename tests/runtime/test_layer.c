/*
** test_layer.c: the layer kernels and the net's passes against central finite differences,
** and the im2col convolution against the direct one.
**
** Finite differences. For a scalar L(p) computed in float, the central difference
** (L(p+h) - L(p-h)) / 2h differs from dL/dp by at most
**     h^2 M / 6          (truncation; M bounds |d^3 L / dp^3| along the step)
**   + 2 delta / (2h)     (rounding; delta bounds the float error of one evaluation of L)
** The kernel tests take L = sum_k g_k y_k (g drawn once), computed in double from the
** float outputs y: the outputs a step of one input does not reach are bit-identical in both
** evaluations, so delta <= eps * sum over the reached outputs of |g_k y_k| with eps = 2^-24
** (one rounding per output), bounded by eps * sum |g y| over all outputs (A below).
** Linear kernels (pools, im2col, flatten) have M = 0; sigmoid has |sigma'''| <= 1/8,
** tanh |tanh'''| <= 2, and log_softmax's third derivatives are below 2 per output, so
** M <= that bound times sum |g|. Inputs sit at least 2h away from the kinks of relu and
** from ties in the max pool, where the derivative is not defined. h = 1e-2 keeps both terms
** near 1e-5 for unit-size values. The tests also check that the tolerance is met with h/2,
** where the bound's second term doubles and the first quarters (the double-check of the
** step size: a wrong derivative fails both).
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_kern_impl.h" /* rt_kern_choose */
#include "rt_layer.h"
#include "rt_matmul.h"
#include "rt_net.h"
#include "rt_rng.h"

#define EPS_F 5.9604644775390625e-8 /* 2^-24 */

typedef struct Kernel {
    void (*fwd)(const struct Kernel *k, float *y, const float *x);
    void (*bwd)(const struct Kernel *k, float *dx, const float *dy, const float *y,
                const float *x);
    size_t nx, ny, B;
    RtShape in;
    size_t K, S, P;
    uint32_t *arg;
    double m3; /* bound of |third derivative| per output */
} Kernel;

static void fill(float *v, size_t n, RtRng *r, double lo, double hi)
{
    for (size_t k = 0; k < n; k++)
        v[k] = (float)(lo + (hi - lo) * rt_rng_uniform(r));
}

/* sum g y in double. */
static double dot(const float *g, const float *y, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += (double)g[k] * (double)y[k];
    return s;
}

/* Check k's backward against central differences at x with step h. */
static void check_kernel(const Kernel *k, float *x, double h, const char *name)
{
    float *y = calloc(k->ny, sizeof *y), *g = calloc(k->ny, sizeof *g);
    float *dx = calloc(k->nx, sizeof *dx);
    RtRng r;
    rt_rng_seed(&r, 7, 1);
    fill(g, k->ny, &r, -1.0, 1.0);
    k->fwd(k, y, x);
    k->bwd(k, dx, g, y, x);
    double A = 0.0, G = 0.0, norm = 0.0;
    for (size_t i = 0; i < k->ny; i++)
        A += fabs((double)g[i] * y[i]), G += fabs(g[i]);
    for (size_t i = 0; i < k->nx; i++)
        norm += fabs(dx[i]);
    cr_assert_gt(norm, 0.0, "%s: the gradient is zero", name);
    double tol = h * h * k->m3 * G / 6.0 + 2.0 * EPS_F * (A + 1e-30) / h * 2.0;
    for (size_t i = 0; i < k->nx; i++) {
        float keep = x[i];
        x[i] = (float)(keep + h);
        double hp = (double)x[i] - keep;
        k->fwd(k, y, x);
        double lp = dot(g, y, k->ny);
        x[i] = (float)(keep - h);
        double hm = keep - (double)x[i];
        k->fwd(k, y, x);
        double lm = dot(g, y, k->ny);
        x[i] = keep;
        double fd = (lp - lm) / (hp + hm);
        cr_assert(fabs(fd - dx[i]) <= tol, "%s: input %zu: finite difference %.9g, backward "
                  "%.9g, tolerance %.3g", name, i, fd, (double)dx[i], tol);
    }
    free(y), free(g), free(dx);
}

/* Both step sizes (see the header). */
static void check_both(const Kernel *k, float *x, const char *name)
{
    check_kernel(k, x, 1e-2, name);
    check_kernel(k, x, 5e-3, name);
}

static void sig_f(const Kernel *k, float *y, const float *x) { rt_sigmoid_forward(y, x, k->nx); }
static void sig_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, rt_sigmoid_backward(dx, dy, y, k->nx);
}
static void tanh_f(const Kernel *k, float *y, const float *x) { rt_tanh_forward(y, x, k->nx); }
static void tanh_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, rt_tanh_backward(dx, dy, y, k->nx);
}
static void relu_f(const Kernel *k, float *y, const float *x) { rt_relu_forward(y, x, k->nx); }
static void relu_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, rt_relu_backward(dx, dy, y, k->nx);
}
static void lsm_f(const Kernel *k, float *y, const float *x)
{
    rt_log_softmax_forward(y, x, k->B, k->nx / k->B);
}
static void lsm_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, rt_log_softmax_backward(dx, dy, y, k->B, k->nx / k->B);
}

Test(layer, activations_match_finite_differences)
{
    float x[40];
    RtRng r;
    rt_rng_seed(&r, 3, 1);
    fill(x, 40, &r, -3.0, 3.0);
    for (size_t i = 0; i < 40; i++) /* away from relu's kink */
        if (fabsf(x[i]) < 0.1f)
            x[i] = 0.5f;
    Kernel sig = {sig_f, sig_b, 40, 40, 1, {0}, 0, 0, 0, NULL, 0.125};
    Kernel th = {tanh_f, tanh_b, 40, 40, 1, {0}, 0, 0, 0, NULL, 2.0};
    Kernel re = {relu_f, relu_b, 40, 40, 1, {0}, 0, 0, 0, NULL, 0.0};
    Kernel ls = {lsm_f, lsm_b, 40, 40, 4, {0}, 0, 0, 0, NULL, 2.0};
    check_both(&sig, x, "sigmoid");
    check_both(&th, x, "tanh");
    check_both(&re, x, "relu");
    check_both(&ls, x, "log_softmax");
}

static void maxp_f(const Kernel *k, float *y, const float *x)
{
    rt_maxpool_forward(y, k->arg, x, k->B, k->in, k->K, k->S);
}
static void maxp_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, (void)y;
    RtShape o = {k->in.c, rt_window_out(k->in.h, k->K, k->S, 0),
                 rt_window_out(k->in.w, k->K, k->S, 0)};
    rt_maxpool_backward(dx, dy, k->arg, k->B, k->in, o);
}
static void avgp_f(const Kernel *k, float *y, const float *x)
{
    rt_avgpool_forward(y, x, k->B, k->in, k->K, k->S);
}
static void avgp_b(const Kernel *k, float *dx, const float *dy, const float *y, const float *x)
{
    (void)x, (void)y, rt_avgpool_backward(dx, dy, k->B, k->in, k->K, k->S);
}

Test(layer, pools_match_finite_differences)
{
    /* (2,5,5) images, batch 2; 2x2 windows with stride 2 and 3x3 windows with stride 1 */
    RtShape in = {2, 5, 5};
    size_t nx = 2 * 50;
    float x[100];
    for (size_t i = 0; i < nx; i++) /* distinct values 0.1 apart: no ties within 2h */
        x[i] = (float)(((i * 37) % nx) * 0.1);
    uint32_t arg[100];
    size_t shapes[2][2] = {{2, 2}, {3, 1}};
    for (size_t s = 0; s < 2; s++) {
        size_t K = shapes[s][0], S = shapes[s][1];
        size_t o = rt_window_out(5, K, S, 0);
        Kernel mp = {maxp_f, maxp_b, nx, 2 * 2 * o * o, 2, in, K, S, 0, arg, 0.0};
        Kernel ap = {avgp_f, avgp_b, nx, 2 * 2 * o * o, 2, in, K, S, 0, NULL, 0.0};
        check_both(&mp, x, "maxpool2d");
        check_both(&ap, x, "avgpool2d");
    }
}

/* Equal values in a window: the maximum's index is the first in scan order (row by row),
** so the backward sends the gradient to one input, the same one for every window size. */
Test(layer, maxpool_ties_go_to_the_first_in_scan_order)
{
    RtShape in = {1, 4, 4};
    float x[16] = {1, 2, 2, 0, /* window (0,0): 2 at (0,1) before 2 at (1,0) */
                   2, 0, 0, 0, /* window (0,1): all 0 but 2 at (0,2) */
                   5, 5, 3, 3, /* window (1,0): 5, 5, 5, 5: the first */
                   5, 5, 3, 3}; /* window (1,1): all 3: the first */
    float y[4];
    uint32_t arg[4];
    rt_maxpool_forward(y, arg, x, 1, in, 2, 2);
    uint32_t want[4] = {1, 2, 8, 10};
    for (size_t k = 0; k < 4; k++)
        cr_assert(arg[k] == want[k] && y[k] == x[want[k]], "window %zu: index %u, want %u", k,
                  arg[k], want[k]);
    /* 3 x 3 windows, stride 1: the first 5 of row 2 that each window holds */
    rt_maxpool_forward(y, arg, x, 1, in, 3, 1);
    cr_assert(arg[0] == 8 && y[0] == 5.0f, "3x3 window (0,0): index %u", arg[0]);
    cr_assert(arg[1] == 9 && y[1] == 5.0f, "3x3 window (0,1): index %u", arg[1]);
}

/* 2 x 2 pooling (four windows at a time, then the rest one by one) against the definition:
** the first maximum in scan order, compares false with a NaN (a NaN first stays), on inputs
** with many ties and some NaNs, rows of 11 windows (two blocks of 4 and a tail of 3). */
Test(layer, maxpool_2x2_matches_its_definition)
{
    RtShape in = {3, 6, 23}; /* the odd last column lies outside every window */
    size_t B = 2, OH = 3, OW = 11, N = 3 * 6 * 23, M = 3 * OH * OW;
    float x[2 * 3 * 6 * 23], y[2 * 3 * 3 * 11];
    uint32_t arg[2 * 3 * 3 * 11];
    RtRng r;
    rt_rng_seed(&r, 12, 1);
    for (size_t i = 0; i < B * N; i++) {
        double u = rt_rng_uniform(&r);
        x[i] = u < 0.05 ? NAN : (float)floor(4.0 * rt_rng_uniform(&r)) - 1.5f;
    }
    rt_maxpool_forward(y, arg, x, B, in, 2, 2);
    for (size_t b = 0; b < B; b++)
        for (size_t c = 0; c < in.c; c++)
            for (size_t oh = 0; oh < OH; oh++)
                for (size_t ow = 0; ow < OW; ow++) {
                    size_t base = c * 6 * 23, best = base + 2 * oh * 23 + 2 * ow;
                    const float *xb = x + b * N;
                    for (size_t kh = 0; kh < 2; kh++)
                        for (size_t kw = 0; kw < 2; kw++) {
                            size_t at = base + (2 * oh + kh) * 23 + 2 * ow + kw;
                            if (xb[at] > xb[best])
                                best = at;
                        }
                    size_t o = b * M + (c * OH + oh) * OW + ow;
                    cr_assert(arg[o] == best, "b %zu c %zu (%zu,%zu): index %u, want %zu", b, c,
                              oh, ow, arg[o], best);
                    cr_assert(memcmp(&y[o], &xb[best], sizeof y[o]) == 0, "value at %zu", o);
                }
}

static float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/*
** The pooling of tanh of a conv layer's outputs as they come (B,Q,OC) equals rt_conv_arrange,
** tanh and max-pooling, bit for bit: 16 and 32 outputs (the vector loop), 5 (its rest), 3 x 3
** windows (the general loop), each scale kind and no bias, and special windows in one output
** each (bias -0, so that -0 arranges to -0), more than the 64 kept by index: +0 with -0, a
** NaN first or later, infinities, ties, and windows that must take every tanh: the float
** just below the maximum where tanh goes down there (x and the float below it,
** -0x1.fffeb8p-2, whose tanh is larger).
*/
Test(layer, conv_maxpool_of_tanh_is_arrange_tanh_then_maxpool)
{
    struct { size_t oc, h, w, K, S, B, nscale, specials; bool bias, neg0; } cases[] = {
        {16, 24, 24, 2, 2, 2, 16, 0, true, false}, {32, 8, 8, 2, 2, 3, 1, 0, true, false},
        {5, 6, 10, 2, 2, 2, 0, 0, false, false},   {4, 9, 9, 3, 2, 2, 4, 0, true, false},
        {16, 8, 8, 2, 2, 2, 0, 30, true, true},    {5, 12, 12, 2, 2, 3, 0, 200, true, true},
    };
    const float specials[][4] = {
        {0.0f, -0.0f, -0.5f, -0.25f}, {-0.0f, 0.0f, -1.0f, -0.0f},
        {-0x1.fffeb6p-2f, -0x1.fffeb8p-2f, -1.0f, -2.0f}, {-0.0f, -0x1p-149f, -1.0f, -0.0f},
        {-2.0f, -0x1.fffeb8p-2f, -3.0f, -0x1.fffeb6p-2f}, {NAN, 0.5f, 0.25f, 0.1f},
        {0.2f, NAN, 0.1f, 0.1f}, {3.0f, 3.0f, 2.0f, 9.0f}, {INFINITY, -INFINITY, 1e30f, 0.0f},
    };
    size_t nsp = sizeof specials / sizeof *specials;
    RtRng r;
    rt_rng_seed(&r, 9, 5);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        size_t OC = cases[t].oc, K = cases[t].K, S = cases[t].S, B = cases[t].B;
        RtShape conv = {OC, cases[t].h, cases[t].w};
        size_t Q = conv.h * conv.w, n = B * Q * OC;
        size_t PW = rt_window_out(conv.w, K, S, 0), PQ = rt_window_out(conv.h, K, S, 0) * PW;
        float *z = malloc(n * sizeof *z), *act = malloc(n * sizeof *act);
        float *th = malloc(n * sizeof *th), scale[32], bias[32];
        float *want = malloc(B * OC * PQ * sizeof *want), *got = malloc(B * OC * PQ * sizeof *got);
        uint32_t *arg = malloc(B * OC * PQ * sizeof *arg);
        fill(z, n, &r, -2, 2), fill(scale, 32, &r, 0.5, 1.5), fill(bias, 32, &r, -1, 1);
        if (cases[t].neg0)
            for (size_t o = 0; o < OC; o++)
                bias[o] = -0.0f;
        for (size_t k = 0; k < cases[t].specials; k++) { /* window p of example b, output o */
            size_t b = k % B, p = k / B % PQ, o = k % OC;
            size_t q0 = p / PW * S * conv.w + p % PW * S, at[4] = {q0, q0 + 1, q0 + conv.w,
                                                                   q0 + conv.w + 1};
            for (int j = 0; j < 4; j++)
                z[(b * Q + at[j]) * OC + o] = specials[k % nsp][j];
        }
        const float *sc = cases[t].nscale ? scale : NULL, *bi = cases[t].bias ? bias : NULL;
        rt_conv_arrange(act, z, sc, cases[t].nscale, bi, B, Q, OC);
        rt_tanh_forward(th, act, n);
        rt_maxpool_forward(want, arg, th, B, conv, K, S);
        rt_conv_maxpool_tanh_forward(got, z, sc, cases[t].nscale, bi, B, conv, K, S);
        for (size_t o = 0; o < B * OC * PQ; o++)
            cr_assert(memcmp(&got[o], &want[o], sizeof got[o]) == 0,
                      "case %zu output %zu: %a, want %a", t, o, (double)got[o], (double)want[o]);
        free(z), free(act), free(th), free(want), free(got), free(arg);
    }
}

/*
** The backward of tanh then max-pooling in one (rt_maxpool_tanh_backward) is, bit for bit,
** rt_maxpool_backward into zeros then rt_tanh_backward into zeros, and its rows form
** (rt_maxpool_tanh_backward_rows) that then rt_conv_unarrange without scales, for windows
** that share no input: strides equal to K and above it (inputs in no window), uneven sizes,
** +-1 outputs of tanh with and without NaNs, -0 and NaN gradients, and windows whose maximum
** is any of their inputs.
*/
Test(layer, tanh_maxpool_backward_in_one_is_the_two_backwards)
{
    struct { size_t c, h, w, K, S, B; } cases[] = {
        {16, 24, 24, 2, 2, 3}, {32, 8, 8, 2, 2, 2}, {3, 9, 7, 3, 3, 2}, {2, 11, 10, 2, 3, 2},
        {4, 5, 5, 1, 1, 1},
    };
    const float ys[] = {NAN, 1.0f, -1.0f, -0.0f, 0x1.fffffep-1f};
    const float ds[] = {-0.0f, 0.0f, NAN, -3.5f};
    RtRng r;
    rt_rng_seed(&r, 12, 7);
    for (size_t t = 0; t < 2 * sizeof cases / sizeof *cases; t++) {
        size_t ct = t / 2;
        bool nans = t % 2;
        RtShape in = {cases[ct].c, cases[ct].h, cases[ct].w};
        size_t K = cases[ct].K, S = cases[ct].S, B = cases[ct].B, N = rt_shape_size(in);
        RtShape out = {in.c, rt_window_out(in.h, K, S, 0), rt_window_out(in.w, K, S, 0)};
        size_t M = rt_shape_size(out), HW = in.h * in.w;
        cr_assert(rt_maxpool_disjoint(K, S));
        float *y = malloc(B * N * sizeof *y), *pooled = malloc(B * M * sizeof *pooled);
        float *dout = malloc(B * M * sizeof *dout), *routed = malloc(B * N * sizeof *routed);
        float *want = malloc(B * N * sizeof *want), *got = malloc(B * N * sizeof *got);
        float *rows = malloc(B * N * sizeof *rows), *want_rows = malloc(B * N * sizeof *rows);
        uint32_t *arg = malloc(B * M * sizeof *arg);
        fill(y, B * N, &r, -1, 1), fill(dout, B * M, &r, -2, 2);
        for (size_t k = 0; k < B * N; k += 7)
            y[k] = nans ? ys[k / 7 % 5] : ys[1 + k / 7 % 4]; /* ys[0]: the NaN */
        for (size_t k = 0; k < B * M; k += 5)
            dout[k] = ds[k / 5 % (sizeof ds / sizeof *ds)];
        rt_maxpool_forward(pooled, arg, y, B, in, K, S);
        memset(routed, 0, B * N * sizeof *routed), memset(want, 0, B * N * sizeof *want);
        rt_maxpool_backward(routed, dout, arg, B, in, out);
        rt_tanh_backward(want, routed, y, B * N);
        rt_maxpool_tanh_backward(got, dout, arg, y, B, in, K, S);
        rt_conv_unarrange(want_rows, want, NULL, 0, B, HW, in.c);
        memset(rows, 0xA5, B * N * sizeof *rows);
        rt_maxpool_tanh_backward_rows(rows, dout, arg, y, B, in, K, S);
        for (size_t k = 0; k < B * N; k++) {
            cr_assert(memcmp(&got[k], &want[k], sizeof got[k]) == 0,
                      "case %zu input %zu: %a, want %a", t, k, (double)got[k], (double)want[k]);
            cr_assert(memcmp(&rows[k], &want_rows[k], sizeof rows[k]) == 0,
                      "case %zu row value %zu: %a, want %a", t, k, (double)rows[k],
                      (double)want_rows[k]);
        }
        free(y), free(pooled), free(dout), free(routed), free(want), free(got), free(arg);
        free(rows), free(want_rows);
    }
    cr_assert(!rt_maxpool_disjoint(3, 2), "overlapping windows share inputs");
}

/*
** The order fact of tanh that the pooling of tanh rests on (rt_layer_pool.c): tanh a <=
** tanh b whenever b is 2 or more floats above a, checked as b 2 and 3 floats above a (pairs
** further apart are chains of those) over every float of the binades [1/256, 16) of both
** signs (all the adjacent pairs that go down are in [1/8, 1/2)). tools/tanh_order.c checks
** all floats.
*/
Test(layer, tanh_goes_down_only_between_adjacent_floats, .timeout = 120)
{
    enum { N = 1 << 16 };
    static float x[N + 3], y[N + 3];
    for (int sign = 0; sign < 2; sign++) {
        /* increasing order: from -16 up to -1/256 (bits down), or from 1/256 up to 16 */
        uint32_t first = sign ? 0xC1800000u : 0x3B800000u;
        uint32_t count = 0x41800000u - 0x3B800000u, down = 0;
        for (uint32_t k0 = 0; k0 < count; k0 += N) {
            for (uint32_t i = 0; i < N; i++)
                x[i + 3] = float_of(sign ? first - k0 - i : first + k0 + i);
            rt_tanh_forward(y + 3, x + 3, N);
            for (uint32_t i = k0 ? 0 : 3; i < N; i++)
                down += !(y[i + 3] >= y[i + 1]) || !(y[i + 3] >= y[i]);
            memcpy(y, y + N, 3 * sizeof *y);
        }
        cr_assert(down == 0, "%u pairs 2 or 3 floats apart go down (sign %d)", down, sign);
    }
}

/* <im2col(x), c> == <x, col2im(c)>: col2im is the adjoint (the backward of im2col). */
Test(layer, col2im_is_the_adjoint_of_im2col)
{
    RtShape in = {3, 6, 7};
    size_t K = 3, S = 2, P = 1, B = 2;
    size_t Q = rt_window_out(6, K, S, P) * rt_window_out(7, K, S, P), X = in.c * K * K;
    size_t nx = B * rt_shape_size(in), nc = B * Q * X;
    float *x = malloc(nx * sizeof *x), *c = malloc(nc * sizeof *c);
    float *cols = malloc(nc * sizeof *cols), *dx = calloc(nx, sizeof *dx);
    RtRng r;
    rt_rng_seed(&r, 5, 1);
    fill(x, nx, &r, -1, 1);
    fill(c, nc, &r, -1, 1);
    rt_im2col(cols, x, B, in, K, S, P);
    rt_col2im(dx, c, B, in, K, S, P);
    double a = dot(cols, c, nc), b = dot(x, dx, nx);
    /* each side sums the same products; dx's entries are float sums of <= K*K terms */
    double tol = 2.0 * EPS_F * (double)(K * K) * (double)nc;
    cr_assert(fabs(a - b) <= tol, "<im2col x, c> = %.9g, <x, col2im c> = %.9g", a, b);
    free(x), free(c), free(cols), free(dx);
}

/*
** rt_conv_arrange and rt_conv_unarrange are the transposes with the scale (per output, one,
** or none) and the bias, bit for bit, where they go by 8 x 8 blocks (outputs a multiple of 8)
** and where they go element by element (the rest of Q, other output counts).
*/
Test(layer, conv_arrange_and_unarrange_are_scaled_transposes)
{
    struct { size_t B, Q, OC, nscale; } cases[] = {
        {2, 576, 16, 16}, {3, 13, 8, 1}, {1, 64, 32, 0}, {2, 21, 5, 5}, {1, 7, 24, 24},
    };
    RtRng r;
    rt_rng_seed(&r, 9, 2);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        size_t B = cases[t].B, Q = cases[t].Q, OC = cases[t].OC, ns = cases[t].nscale;
        size_t n = B * Q * OC;
        float *z = malloc(n * sizeof *z), *out = malloc(n * sizeof *out);
        float *dz = malloc(n * sizeof *dz), scale[32], bias[32];
        fill(z, n, &r, -2, 2), fill(scale, 32, &r, 0.5, 1.5), fill(bias, 32, &r, -1, 1);
        const float *sc = ns ? scale : NULL;
        rt_conv_arrange(out, z, sc, ns, bias, B, Q, OC);
        rt_conv_unarrange(dz, out, sc, ns, B, Q, OC);
        for (size_t b = 0; b < B; b++)
            for (size_t o = 0; o < OC; o++)
                for (size_t q = 0; q < Q; q++) {
                    float s = sc ? sc[ns > 1 ? o : 0] : 1.0f;
                    float want = s * z[(b * Q + q) * OC + o] + bias[o];
                    float got = out[(b * OC + o) * Q + q];
                    cr_assert(memcmp(&got, &want, sizeof got) == 0,
                              "case %zu arrange b %zu o %zu q %zu: %.9g, want %.9g", t, b, o, q,
                              got, want);
                    float back = s * got, dgot = dz[(b * Q + q) * OC + o];
                    cr_assert(memcmp(&dgot, &back, sizeof back) == 0,
                              "case %zu unarrange b %zu o %zu q %zu: %.9g, want %.9g", t, b, o,
                              q, dgot, back);
                }
        free(z), free(out), free(dz);
    }
}

/*
** Each patch row holds its window's inputs (zeros in the padding), bit for bit: 5 x 5 windows
** of stride 1 (the AVX-512 build copies those inside the image with permutes, the rest window
** by window; with padding a row has both) and others.
*/
Test(layer, im2col_copies_each_window)
{
    struct { size_t c, h, w, K, S, P, B; } cases[] = {
        {1, 28, 28, 5, 1, 0, 2}, {16, 12, 12, 5, 1, 0, 3}, {3, 9, 11, 5, 1, 2, 2},
        {2, 7, 5, 5, 1, 1, 1}, {2, 5, 5, 5, 1, 2, 1}, {3, 7, 9, 3, 2, 1, 2},
    };
    RtRng r;
    rt_rng_seed(&r, 9, 3);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        RtShape in = {cases[t].c, cases[t].h, cases[t].w};
        size_t K = cases[t].K, S = cases[t].S, P = cases[t].P, B = cases[t].B;
        size_t OH = rt_window_out(in.h, K, S, P), OW = rt_window_out(in.w, K, S, P);
        size_t X = in.c * K * K, nx = B * rt_shape_size(in), nc = B * OH * OW * X;
        float *x = malloc(nx * sizeof *x), *cols = malloc(nc * sizeof *cols);
        fill(x, nx, &r, -1, 1);
        rt_im2col(cols, x, B, in, K, S, P);
        for (size_t b = 0; b < B; b++)
            for (size_t q = 0; q < OH * OW; q++)
                for (size_t k = 0; k < X; k++) {
                    size_t c = k / (K * K), kh = k / K % K, kw = k % K;
                    long h = (long)(q / OW * S + kh) - (long)P;
                    long w = (long)(q % OW * S + kw) - (long)P;
                    float want = h < 0 || w < 0 || h >= (long)in.h || w >= (long)in.w
                                     ? 0.0f
                                     : x[b * rt_shape_size(in) + (c * in.h + (size_t)h) * in.w +
                                         (size_t)w];
                    float got = cols[(b * OH * OW + q) * X + k];
                    cr_assert(memcmp(&got, &want, sizeof got) == 0,
                              "case %zu b %zu window %zu input %zu: %.9g, want %.9g", t, b, q, k,
                              got, want);
                }
        free(x), free(cols);
    }
}

/*
** The exact passes' product of one-channel 5 x 5 windows (rt_conv_forward_direct) is, bit
** for bit, the im2col path's (rt_im2col, then rt_matmul_forward without bias) on every
** build of the kernels (AIMCI_KERNEL), on 1 and 2 threads, with NaN, infinities and -0 in
** the image; the shapes it does not take (channels, kernel, padding, outputs) say so.
*/
Test(layer, direct_conv_product_is_the_im2col_product)
{
    struct { size_t h, w, S, OC, B; } cases[] = {
        {28, 28, 1, 16, 3}, {12, 9, 2, 32, 2}, {5, 5, 1, 16, 1}, {11, 30, 3, 48, 2},
    };
    static const char *builds[] = {"baseline", "avx2", NULL};
    RtPool *two = rt_pool_new(2);
    cr_assert(two);
    RtRng r;
    rt_rng_seed(&r, 11, 4);
    __builtin_cpu_init();
    bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    for (size_t e = 0; e < 3; e++) {
        if (e == 1 && !avx2)
            continue;
        if (builds[e])
            setenv("AIMCI_KERNEL", builds[e], 1);
        else
            unsetenv("AIMCI_KERNEL");
        rt_kern_choose();
        for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
            RtShape in = {1, cases[t].h, cases[t].w};
            size_t S = cases[t].S, OC = cases[t].OC, B = cases[t].B;
            size_t Q = rt_window_out(in.h, 5, S, 0) * rt_window_out(in.w, 5, S, 0);
            size_t nx = B * rt_shape_size(in), nz = B * Q * OC;
            float *x = malloc(nx * sizeof *x), *w = malloc(OC * 25 * sizeof *w);
            float *cols = malloc(B * Q * 25 * sizeof *cols);
            float *want = malloc(nz * sizeof *want), *got = malloc(nz * sizeof *got);
            fill(x, nx, &r, -1, 1), fill(w, OC * 25, &r, -0.5, 0.5);
            x[nx / 2] = NAN, x[nx / 3] = INFINITY, x[nx / 5] = -0.0f, x[nx - 1] = -INFINITY;
            rt_im2col(cols, x, B, in, 5, S, 0);
            rt_matmul_forward(want, cols, w, NULL, B * Q, 25, OC, NULL);
            for (int threads = 1; threads <= 2; threads++) {
                memset(got, 0xA5, nz * sizeof *got);
                bool took = rt_conv_forward_direct(got, x, w, B, in, OC, 5, S, 0,
                                                   threads == 2 ? two : NULL);
                cr_assert(took == (rt_kern()->short_dots != NULL), "%s case %zu",
                          builds[e] ? builds[e] : "widest", t);
                for (size_t k = 0; took && k < nz; k++)
                    cr_assert(memcmp(&got[k], &want[k], sizeof got[k]) == 0,
                              "%s case %zu, %d threads, output %zu: %a, want %a",
                              builds[e] ? builds[e] : "widest", t, threads, k, (double)got[k],
                              (double)want[k]);
            }
            free(x), free(w), free(cols), free(want), free(got);
        }
        float x[2 * 7 * 7] = {0}, w[32 * 50] = {0}, z[32 * 9 * 2];
        cr_assert(!rt_conv_forward_direct(z, x, w, 1, (RtShape){2, 7, 7}, 16, 5, 1, 0, NULL));
        cr_assert(!rt_conv_forward_direct(z, x, w, 1, (RtShape){1, 7, 7}, 16, 3, 1, 0, NULL));
        cr_assert(!rt_conv_forward_direct(z, x, w, 1, (RtShape){1, 7, 7}, 16, 5, 1, 1, NULL));
        cr_assert(!rt_conv_forward_direct(z, x, w, 1, (RtShape){1, 7, 7}, 8, 5, 1, 0, NULL));
    }
    unsetenv("AIMCI_KERNEL");
    rt_kern_choose();
    rt_pool_free(two);
}

/* The im2col product equals the direct convolution, for strides, paddings and batches. */
Test(layer, conv_by_im2col_matches_the_direct_convolution)
{
    struct { size_t c, h, w, oc, K, S, P, B; } cases[] = {
        {1, 28, 28, 16, 5, 1, 0, 2}, {3, 7, 9, 4, 3, 2, 1, 3}, {2, 5, 5, 3, 5, 1, 2, 1},
        {4, 6, 6, 2, 1, 1, 0, 2},
    };
    RtRng r;
    rt_rng_seed(&r, 9, 1);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        RtShape in = {cases[t].c, cases[t].h, cases[t].w};
        size_t K = cases[t].K, S = cases[t].S, P = cases[t].P, B = cases[t].B, OC = cases[t].oc;
        size_t Q = rt_window_out(in.h, K, S, P) * rt_window_out(in.w, K, S, P);
        size_t X = in.c * K * K, nx = B * rt_shape_size(in);
        float *x = malloc(nx * sizeof *x), *w = malloc(OC * X * sizeof *w);
        float *bias = malloc(OC * sizeof *bias), *cols = malloc(B * Q * X * sizeof *cols);
        float *z = malloc(B * Q * OC * sizeof *z), *out = malloc(B * Q * OC * sizeof *out);
        float *ref = malloc(B * Q * OC * sizeof *ref);
        fill(x, nx, &r, -1, 1), fill(w, OC * X, &r, -1, 1), fill(bias, OC, &r, -1, 1);
        rt_im2col(cols, x, B, in, K, S, P);
        rt_matmul_forward(z, cols, w, NULL, B * Q, X, OC, NULL);
        rt_conv_arrange(out, z, NULL, 0, bias, B, Q, OC);
        rt_conv_forward_ref(ref, x, w, bias, B, in, OC, K, S, P);
        /* both sum X products of values in [-1, 1] plus a bias: float error <= (X+1) eps X */
        double tol = (double)(X + 1) * EPS_F * (double)(X + 1);
        for (size_t i = 0; i < B * Q * OC; i++)
            cr_assert(fabs((double)out[i] - ref[i]) <= tol, "case %zu, output %zu: %.9g vs %.9g",
                      t, i, (double)out[i], (double)ref[i]);
        free(x), free(w), free(bias), free(cols), free(z), free(out), free(ref);
    }
}

/*
** {======================================================================
** The whole net: every parameter's gradient against finite differences
** =======================================================================
*/

/* The loss of the net on (x, t, label), the forward exact (a digital net). */
static double net_loss(RtNet *n, IrLoss loss, const float *x, const float *t,
                       const int32_t *label, size_t B)
{
    rt_net_forward(n, x, B);
    return rt_net_loss_grad(n, loss, t, label, B);
}

/*
** Every parameter array of every layer (weights, bias, scales) against central
** differences. delta (the float error of one evaluation of L) is bounded by
** 64 eps (1 + |L|): each of the <= 12 layers rounds every activation once, and a
** perturbation reaches L through at most a few such roundings of order-one values; the
** truncation term uses M = 10 (sigmoid, tanh and softmax derivatives of order one, times
** the few paths a weight feeds).
*/
static void check_net(RtNet *n, IrLoss loss, const float *x, const float *t,
                      const int32_t *label, size_t B, double h)
{
    double L = net_loss(n, loss, x, t, label, B);
    rt_net_backward(n, B);
    double delta = 64.0 * EPS_F * (1.0 + fabs(L));
    double tol = h * h * 10.0 / 6.0 + 2.0 * delta / (2.0 * h);
    for (size_t l = 0; l < n->nlayers; l++) {
        RtLayer *ly = &n->layer[l];
        float *par[3] = {ly->w, ly->b, ly->scale};
        /* a tile's weights have no gradient array: its update takes x and dz */
        size_t len[3] = {ly->tile ? 0 : ly->in * ly->out, ly->b ? ly->out : 0, ly->nscale};
        /* the gradients are read before any re-evaluation overwrites them */
        float *grad[3];
        const float *src[3] = {ly->gw, ly->gb, ly->gscale};
        for (int p = 0; p < 3; p++) {
            grad[p] = malloc((len[p] ? len[p] : 1) * sizeof(float));
            if (len[p])
                memcpy(grad[p], src[p], len[p] * sizeof(float));
        }
        for (int p = 0; p < 3; p++) {
            double norm = 0.0;
            for (size_t i = 0; i < len[p]; i++) {
                float keep = par[p][i];
                par[p][i] = (float)(keep + h);
                double hp = (double)par[p][i] - keep;
                double lp = net_loss(n, loss, x, t, label, B);
                par[p][i] = (float)(keep - h);
                double hm = keep - (double)par[p][i];
                double lm = net_loss(n, loss, x, t, label, B);
                par[p][i] = keep;
                double fd = (lp - lm) / (hp + hm);
                norm += fabs(grad[p][i]);
                cr_assert(fabs(fd - grad[p][i]) <= tol,
                          "layer %zu, array %d, entry %zu: finite difference %.9g, backward "
                          "%.9g, tolerance %.3g", l + 1, p, i, fd, (double)grad[p][i], tol);
            }
            cr_assert(len[p] == 0 || norm > 0.0, "layer %zu, array %d: zero gradient", l + 1, p);
            free(grad[p]);
        }
    }
}

/* One layer of each kind in a chain: conv, pools, activations, flatten, dense, log_softmax. */
static size_t chain(IrLayer *L)
{
    size_t n = 0;
    L[n++] = (IrLayer){.kind = IR_LAYER_CONV2D, .in = 2, .out = 3, .kernel = 3, .stride = 1,
                       .padding = 1, .bias = true};
    L[n++] = (IrLayer){.kind = IR_LAYER_TANH};
    L[n++] = (IrLayer){.kind = IR_LAYER_MAXPOOL2D, .kernel = 2};
    L[n++] = (IrLayer){.kind = IR_LAYER_CONV2D, .in = 3, .out = 2, .kernel = 2, .stride = 1,
                       .bias = true};
    L[n++] = (IrLayer){.kind = IR_LAYER_RELU};
    L[n++] = (IrLayer){.kind = IR_LAYER_AVGPOOL2D, .kernel = 1};
    L[n++] = (IrLayer){.kind = IR_LAYER_FLATTEN};
    L[n++] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 8, .out = 5, .bias = true};
    L[n++] = (IrLayer){.kind = IR_LAYER_SIGMOID};
    L[n++] = (IrLayer){.kind = IR_LAYER_DENSE, .in = 5, .out = 4, .bias = false};
    return n;
}

Test(layer, every_parameter_gradient_of_a_chain_matches_finite_differences)
{
    IrLayer L[12];
    size_t nl = chain(L);
    RtShape in = {2, 6, 6};
    size_t B = 3, nx = B * 72;
    float x[3 * 72], t[3 * 4];
    int32_t label[3] = {0, 3, 1};
    RtRng r;
    rt_rng_seed(&r, 11, 1);
    fill(x, nx, &r, -1, 1), fill(t, B * 4, &r, 0, 1);
    char err[256];
    for (int with_lsm = 0; with_lsm < 2; with_lsm++) {
        IrLayer M[12];
        memcpy(M, L, sizeof M);
        size_t n = nl;
        if (with_lsm)
            M[n++] = (IrLayer){.kind = IR_LAYER_LOG_SOFTMAX};
        IrModel m = {.name = "chain", .nlayers = n, .layers = M};
        for (int loss = 0; loss < 2; loss++) {
            RtNet *net = rt_net_new_shaped(&m, in, false, false, 1, 4, err, sizeof err);
            cr_assert_not_null(net, "%s", err);
            check_net(net, loss ? IR_LOSS_CROSS_ENTROPY : IR_LOSS_MSE, x, t, label, B, 1e-2);
            check_net(net, loss ? IR_LOSS_CROSS_ENTROPY : IR_LOSS_MSE, x, t, label, B, 5e-3);
            rt_net_free(net);
        }
    }
}

/*
** Analog layers with exact I/O (perfect) on an ideal device compute what digital ones do,
** times their output scales: the scales' gradients (learn_out_scaling, columnwise or not)
** and the input gradients through the tiles match finite differences too.
*/
Test(layer, output_scales_of_analog_layers_match_finite_differences)
{
    IrDevice ideal = {.name = "ideal", .family = IR_DEV_IDEAL};
    IrIO perfect = {.name = "exact", .family = IR_IO_PERFECT, .out_scale = 1.0};
    IrLayer L[6] = {
        {.kind = IR_LAYER_DENSE, .in = 6, .out = 5, .bias = true},
        {.kind = IR_LAYER_TANH},
        {.kind = IR_LAYER_DENSE, .in = 5, .out = 4, .bias = true, .on = &ideal,
         .forward = &perfect, .backward = &perfect, .learn_out_scaling = true,
         .weight_scaling_omega = 0.5, .weight_scaling_columnwise = true},
        {.kind = IR_LAYER_SIGMOID},
        {.kind = IR_LAYER_DENSE, .in = 4, .out = 3, .bias = false, .on = &ideal,
         .forward = &perfect, .backward = &perfect, .learn_out_scaling = true},
        {.kind = IR_LAYER_LOG_SOFTMAX},
    };
    IrModel m = {.name = "scaled", .nlayers = 6, .layers = L};
    char err[256];
    RtNet *n = rt_net_new(&m, true, false, 2, 4, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    cr_assert_eq(n->layer[2].nscale, 4);
    cr_assert_eq(n->layer[4].nscale, 1);
    for (size_t i = 0; i < 4; i++) { /* mapped: each row's abs-max is omega */
        double mx = 0.0;
        for (size_t j = 0; j < 5; j++)
            mx = fmax(mx, fabs(n->layer[2].w[i * 5 + j]));
        cr_assert_float_eq(mx, 0.5, 1e-6);
        cr_assert_gt(n->layer[2].scale[i], 0.0f);
    }
    cr_assert_eq(n->layer[4].scale[0], 1.0f, "no mapping: the scale starts at 1");
    float x[3 * 6], t[3 * 3];
    int32_t label[3] = {2, 0, 1};
    RtRng r;
    rt_rng_seed(&r, 4, 1);
    fill(x, 18, &r, -1, 1), fill(t, 9, &r, 0, 1);
    check_net(n, IR_LOSS_CROSS_ENTROPY, x, t, label, 3, 1e-2);
    check_net(n, IR_LOSS_MSE, x, t, label, 3, 5e-3);
    rt_net_free(n);
}

/* }====================================================================== */

Test(layer, shapes_are_inferred_and_mismatches_name_the_layer)
{
    IrLayer L[12];
    size_t nl = chain(L);
    IrModel m = {.name = "chain", .nlayers = nl, .layers = L};
    RtShape out[12];
    char err[256];
    cr_assert_eq(rt_net_shapes(&m, 0, (RtShape){2, 6, 6}, out, NULL, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(out[0].c, 3);
    cr_assert_eq(out[0].h, 6);
    cr_assert_eq(out[0].w, 6);
    cr_assert_eq(out[2].h, 3);
    cr_assert_eq(out[3].h, 2);
    cr_assert_eq(out[6].c, 8);
    cr_assert_eq(out[nl - 1].c, 4);
    cr_assert_neq(rt_net_shapes(&m, 0, (RtShape){1, 6, 6}, out, NULL, err, sizeof err), 0);
    cr_assert_str_eq(err, "layer 1 (conv2d) takes 2 channels but gets "
                          "1x6x6 = 36");
    cr_assert_neq(rt_net_shapes(&m, 0, (RtShape){2, 8, 8}, out, NULL, err, sizeof err), 0);
    cr_assert_str_eq(err, "layer 8 (dense) takes 8 inputs but gets 18");
    cr_assert_neq(rt_net_shapes(&m, 0, (RtShape){2, 2, 2}, out, NULL, err, sizeof err), 0);
    cr_assert_str_eq(err, "layer 4 (conv2d): a 2x2 window does not fit its "
                          "input 3x1x1");
}

/* PyTorch's default: weights and bias ~ U(+-1/sqrt(fan_in)), fan_in = in*K*K for conv2d. */
Test(layer, initial_weights_are_uniform_in_one_over_root_fan_in)
{
    IrLayer L[2] = {{.kind = IR_LAYER_CONV2D, .in = 4, .out = 64, .kernel = 5, .stride = 1,
                     .bias = true},
                    {.kind = IR_LAYER_FLATTEN}};
    IrModel m = {.name = "c", .nlayers = 2, .layers = L};
    char err[256];
    RtNet *n = rt_net_new_shaped(&m, (RtShape){4, 9, 9}, false, false, 3, 1, err, sizeof err);
    cr_assert_not_null(n, "%s", err);
    double bound = 1.0 / sqrt(100.0), mx = 0.0, s2 = 0.0;
    size_t cnt = 64 * 100;
    for (size_t k = 0; k < cnt; k++) {
        mx = fmax(mx, fabs(n->layer[0].w[k]));
        s2 += (double)n->layer[0].w[k] * n->layer[0].w[k];
    }
    cr_assert_leq(mx, bound);
    cr_assert_gt(mx, 0.99 * bound); /* 6400 draws: the largest is within 1% of the bound */
    /* variance bound^2/3; the sample variance of 6400 draws is within 5 std errors */
    double var = s2 / (double)cnt, want = bound * bound / 3.0;
    cr_assert(fabs(var - want) <= 5.0 * want * sqrt(0.8 / (double)cnt), "variance %g vs %g",
              var, want);
    for (size_t k = 0; k < 64; k++)
        cr_assert_leq(fabs(n->layer[0].b[k]), bound);
    rt_net_free(n);
}

/* The distance of y from the exact value e in units of the last place of (float)e. */
static double ulps(float y, double e)
{
    float f = fabsf((float)e);
    double u = f < FLT_MIN ? 0x1p-149 : (double)nextafterf(f, INFINITY) - f;
    return fabs((double)y - e) / u;
}

/*
** sigmoid and tanh (computed without libm) are within 3 ulp of the exact functions over
** 2^20 points of [-30, 30] and tiny arguments; NaN stays NaN, the infinities saturate.
*/
Test(layer, activations_are_within_3_ulp)
{
    enum { N = 1 << 20 };
    static float x[N + 6], ys[N + 6], yt[N + 6];
    for (size_t k = 0; k < N; k++)
        x[k] = (float)(-30.0 + 60.0 * (double)k / N);
    const float extra[6] = {1e-30f, -1e-20f, 1e-4f, 0.5499f, 0.5501f, -0.55f};
    memcpy(x + N, extra, sizeof extra);
    rt_sigmoid_forward(ys, x, N + 6);
    rt_tanh_forward(yt, x, N + 6);
    for (size_t k = 0; k < N + 6; k++) {
        double s = 1.0 / (1.0 + exp(-(double)x[k])), t = tanh((double)x[k]);
        cr_assert_leq(ulps(ys[k], s), 3.0, "sigmoid(%.9g) = %.9g, want %.9g", x[k], ys[k], s);
        cr_assert_leq(ulps(yt[k], t), 3.0, "tanh(%.9g) = %.9g, want %.9g", x[k], yt[k], t);
    }
    float sp[3] = {NAN, INFINITY, -INFINITY}, o[3];
    rt_tanh_forward(o, sp, 3);
    cr_assert(isnan(o[0]) && o[1] == 1.0f && o[2] == -1.0f);
    rt_sigmoid_forward(o, sp, 3);
    cr_assert(isnan(o[0]) && o[1] == 1.0f && o[2] < 1e-37f);
}

/*
** tanh takes its series alone in blocks of 16 small elements: every element gets the value it
** has alone (the element-by-element tail), whatever block it falls in: all small, one
** element at the 0.55 boundary, a NaN, infinities, large ones mixed in.
*/
Test(layer, tanh_gives_each_element_its_own_value_in_any_block)
{
    float x[80], y[80];
    for (int k = 0; k < 80; k++)
        x[k] = (float)(0.54 * sin(0.7 * k)) * (k % 3 ? 1.0f : -1.0f);
    x[0] = -0.0f, x[1] = 1e-30f, x[2] = -1e-20f; /* block 0: all small */
    x[20] = 0.55f, x[21] = -0.55f;               /* block 1: at the boundary and past it */
    x[22] = 0.7f, x[23] = -0.8f;
    x[40] = NAN;                                  /* block 2: a NaN */
    x[56] = INFINITY, x[57] = -INFINITY;          /* block 3: infinities */
    for (int k = 64; k < 80; k += 2)
        x[k] = 3.0f * x[k] + 2.0f;                /* block 4: mixed */
    rt_tanh_forward(y, x, 80);
    for (int k = 0; k < 80; k++) {
        float one;
        rt_tanh_forward(&one, &x[k], 1);
        cr_assert(memcmp(&one, &y[k], sizeof one) == 0, "tanh(%.9g): %.9g in its block, %.9g alone",
                  x[k], y[k], one);
    }
}
