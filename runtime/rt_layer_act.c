/*
** rt_layer_act.c: element-wise activations and log_softmax (rt_layer.h). Each backward
** reads the forward's output y, which the net keeps as the layer's activation.
**
** sigmoid and tanh are computed in float from IEEE +, -, *, / and exponent bits (no libm:
** libm's tanh was 13% of an analog LeNet epoch), loops GCC vectorises; the same values on
** every build, within 3 ulp of the exact function (sigmoid: for x >= -87; below it gives
** 1.6e-38 or less) (tests/runtime/test_layer.c).
*/
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rt_layer.h"
#include "rt_vec.h"

/* The element-wise loops are RT_WIDE_LOOPs (rt_vec.h): the same bits at every width. */

/*
** e^x in float, x clamped to [-87, 88]: x = n ln2 + r (Cody-Waite: ln2 = C1 + C2, C1 with 9
** significant bits, so n C1 is exact), |r| <= ln2/2, e^r by its Taylor polynomial of degree
** 7 (truncation 5e-9 relative), times 2^n built in the exponent bits.
*/
static inline float exp_f(float x)
{
    x = x > -87.0f ? x : -87.0f; /* NaN: -87 (callers keep NaN) */
    x = x < 88.0f ? x : 88.0f;
    float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh x for |x| < 0.55: its Taylor series to x^17 (the next term is below 6e-9 relative). */
static inline float tanh_small(float x)
{
    float z = x * x;
    float p = 6404582.0f / 10854718875.0f;
    p = p * z + -929569.0f / 638512875.0f;
    p = p * z + 21844.0f / 6081075.0f;
    p = p * z + -1382.0f / 155925.0f;
    p = p * z + 62.0f / 2835.0f;
    p = p * z + -17.0f / 315.0f;
    p = p * z + 2.0f / 15.0f;
    p = p * z + -1.0f / 3.0f;
    return x * (1.0f + z * p);
}

/*
** tanh x: tanh_small for |x| < 0.55, else sign(x) (1 - 2/(e^2|x| + 1)), which has no
** cancellation there (tanh >= 0.5). NaN stays NaN.
*/
static inline float tanh_f(float x)
{
    float a = fabsf(x);
    float big = 1.0f - 2.0f / (exp_f(2.0f * a) + 1.0f);
    big = x < 0.0f ? -big : big;
    float y = a < 0.55f ? tanh_small(x) : big;
    return x == x ? y : x;
}

RT_WIDE_LOOP
void rt_sigmoid_forward(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        float s = 1.0f / (1.0f + exp_f(-x[k]));
        y[k] = x[k] == x[k] ? s : x[k];
    }
}

RT_WIDE_LOOP
void rt_sigmoid_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dx[k] += dy[k] * y[k] * (1.0f - y[k]);
}

/*
** In blocks of 16 elements: a block whose elements all have |x| < 0.55 takes tanh_small
** alone, the value tanh_f selects for each of them (three quarters of the blocks of an analog
** LeNet's conv outputs: the exp and the division were most of the time).
*/
RT_WIDE_LOOP
void rt_tanh_forward(float *y, const float *x, size_t n)
{
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
        int big = 0;
        for (int l = 0; l < 16; l++)
            big |= !(fabsf(x[k + l]) < 0.55f);
        if (big)
            for (int l = 0; l < 16; l++)
                y[k + l] = tanh_f(x[k + l]);
        else
            for (int l = 0; l < 16; l++)
                y[k + l] = tanh_small(x[k + l]);
    }
    for (; k < n; k++)
        y[k] = tanh_f(x[k]);
}

RT_WIDE_LOOP
void rt_tanh_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dx[k] += dy[k] * (1.0f - y[k] * y[k]);
}

void rt_relu_forward(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] = x[k] > 0.0f ? x[k] : 0.0f;
}

void rt_relu_backward(float *dx, const float *dy, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (y[k] > 0.0f)
            dx[k] += dy[k];
}

double rt_log_sum_exp(const float *v, size_t n)
{
    double m = v[0];
    for (size_t k = 1; k < n; k++)
        m = fmax(m, (double)v[k]);
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += exp((double)v[k] - m);
    return m + log(s);
}

void rt_log_softmax_forward(float *y, const float *x, size_t B, size_t N)
{
    for (size_t b = 0; b < B; b++) {
        double lse = rt_log_sum_exp(x + b * N, N);
        for (size_t k = 0; k < N; k++)
            y[b * N + k] = (float)((double)x[b * N + k] - lse);
    }
}

void rt_log_softmax_backward(float *dx, const float *dy, const float *y, size_t B, size_t N)
{
    for (size_t b = 0; b < B; b++) {
        const float *dy_b = dy + b * N, *y_b = y + b * N;
        double s = 0.0;
        for (size_t k = 0; k < N; k++)
            s += dy_b[k];
        for (size_t k = 0; k < N; k++)
            dx[b * N + k] += (float)((double)dy_b[k] - exp((double)y_b[k]) * s);
    }
}
